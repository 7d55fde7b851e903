// One step of a recurrent stack at batch 1 with an optional linear head, in one call
// (generation, streaming inference). Mirrors src/kernels/js/step.ts (the reference):
//   gx = b_ih + W_ih·x (a row of W_ihᵀ for a one-hot token)   gh = b_hh + W_hh·h
//   h, c = cell(gx, gh, h, c)  (pointwise.ts)                  y = b_y + W_y·h_last
// Weights are stored transposed (W_ihᵀ (D, ldg), W_hhᵀ (H, ldg), W_yᵀ (H, ldo)), columns padded with
// zeros to a multiple of 4, so a matrix–vector product is a sum of weight rows scaled by the vector's
// entries: whole f32x4 columns in registers, no horizontal sums, no tails.
// Legend: L layers, D input size, H hidden, G gates, ldg ≥ G·H, O head outputs, ldo ≥ O.
import { fma, splat } from './math';
import { gru_forward, lstm_forward, rnn_forward } from './pointwise';

// The plan: i32 words at the address step() receives, written once by ../step.ts (same offsets).
const P_MODE = 0;  // 0 RNN tanh, 1 RNN relu, 2 LSTM, 3 GRU
const P_L = 4;
const P_H = 8;
const P_LDG = 12;
const P_LDO = 16;  // 0: no head
const P_X = 20;    // (D) dense input of layer 0
const P_HS = 24;   // (L, H) hidden states
const P_CS = 28;   // (L, H) LSTM cell states
const P_Y = 32;    // (ldo) head output
const P_GX = 36;   // (ldg) scratch
const P_GH = 40;   // (ldg) scratch
const P_AUX = 44;  // (H) scratch: tanh(c), W_hn·h + b_hn
const P_WY = 48;   // (H, ldo) W_yᵀ
const P_BY = 52;   // (ldo) b_y, or 0
const P_LAYERS = 64; // then per layer: D_l, W_ihᵀ, W_hhᵀ, b_ih (or 0), b_hh (or 0)
const LAYER_BYTES = 20;

export function step(p: usize, token: i32): void {
  const mode = load<i32>(p, P_MODE), L = load<i32>(p, P_L), H = load<i32>(p, P_H), ldg = load<i32>(p, P_LDG);
  const hs = <usize>load<u32>(p, P_HS), cs = <usize>load<u32>(p, P_CS);
  const gx = <usize>load<u32>(p, P_GX), gh = <usize>load<u32>(p, P_GH), aux = <usize>load<u32>(p, P_AUX);
  const Hb = <usize>H << 2;
  for (let l = 0; l < L; l++) {
    const e = p + P_LAYERS + <usize>(l * LAYER_BYTES);
    const D = load<i32>(e), wih = <usize>load<u32>(e, 4), whh = <usize>load<u32>(e, 8);
    const bih = <usize>load<u32>(e, 12), bhh = <usize>load<u32>(e, 16);
    const h = hs + <usize>l * Hb, c = cs + <usize>l * Hb;
    if (l == 0 && token >= 0) addRow(ldg, wih + (<usize>(token * ldg) << 2), bih, gx);
    else matvecT(D, ldg, l == 0 ? <usize>load<u32>(p, P_X) : h - Hb, wih, ldg, bih, gx);
    matvecT(H, ldg, h, whh, ldg, bhh, gh);
    // in place: each kernel reads h[j] (c[j]) before it writes it
    if (mode == 2) lstm_forward(1, H, gx, gh, c, c, aux, h);
    else if (mode == 3) gru_forward(1, H, gx, gh, h, aux, h);
    else rnn_forward(mode, H, gx, gh, h);
  }
  const ldo = load<i32>(p, P_LDO);
  if (ldo > 0) {
    matvecT(H, ldo, hs + <usize>(L - 1) * Hb, <usize>load<u32>(p, P_WY), ldo, <usize>load<u32>(p, P_BY), <usize>load<u32>(p, P_Y));
  }
}

// @ts-ignore: decorator
@inline function start(bias: usize, o: usize): v128 { return bias != 0 ? v128.load(bias + o) : splat(0); }

/** out[0, n) = bias + row (bias 0: none); n a multiple of 4. */
function addRow(n: i32, row: usize, bias: usize, out: usize): void {
  for (let o: usize = 0, e = <usize>n << 2; o < e; o += 16) v128.store(out + o, f32x4.add(start(bias, o), v128.load(row + o)));
}

/**
 * out[0, n) = bias + Σ_{k<K} x[k]·Wt[k, 0:n), Wt (K, ld) row-major, n a multiple of 4 (bias 0: none).
 * Blocks of 16 columns (a cache line of each weight row) keep 4 accumulators in registers over the
 * whole sum; 8 accumulators, or 4 with the sum split over even and odd k, measured 1.2–1.5× slower
 * in V8 (register spills). The last columns, 4 at a time, split the sum into 4 chains over k mod 4.
 */
export function matvecT(K: i32, n: i32, x: usize, Wt: usize, ld: i32, bias: usize, out: usize): void {
  const row = <usize>ld << 2, end = <usize>n << 2;
  let o: usize = 0;
  for (; o + 64 <= end; o += 64) {
    let a0 = start(bias, o), a1 = start(bias, o + 16), a2 = start(bias, o + 32), a3 = start(bias, o + 48);
    let w = Wt + o, xp = x;
    for (let k = 0; k < K; k++, w += row, xp += 4) {
      const s = v128.load32_splat(xp);
      a0 = fma(s, v128.load(w), a0); a1 = fma(s, v128.load(w, 16), a1);
      a2 = fma(s, v128.load(w, 32), a2); a3 = fma(s, v128.load(w, 48), a3);
    }
    const d = out + o;
    v128.store(d, a0); v128.store(d, a1, 16); v128.store(d, a2, 32); v128.store(d, a3, 48);
  }
  for (; o < end; o += 16) { // k mod 4 into four chains
    let a0 = start(bias, o), a1 = splat(0), a2 = splat(0), a3 = splat(0);
    let w = Wt + o, xp = x, k = 0;
    for (; k + 4 <= K; k += 4, w += 4 * row, xp += 16) {
      a0 = fma(v128.load32_splat(xp), v128.load(w), a0);
      a1 = fma(v128.load32_splat(xp, 4), v128.load(w + row), a1);
      a2 = fma(v128.load32_splat(xp, 8), v128.load(w + 2 * row), a2);
      a3 = fma(v128.load32_splat(xp, 12), v128.load(w + 3 * row), a3);
    }
    for (; k < K; k++, w += row, xp += 4) a0 = fma(v128.load32_splat(xp), v128.load(w), a0);
    v128.store(out + o, f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
}
