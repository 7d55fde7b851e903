// Pointwise kernels of the fused cells, f32x4 over each row with a 1–3 lane tail.
// Mirrors src/kernels/js/pointwise.ts (the reference); pointers are byte addresses.
// Legend: B batch, H hidden; gate blocks stacked along each row (LSTM i,f,g,o; GRU r,z,n).
import { expNeg, fma, ld, relu, sigmoid, splat, st, tanh } from './math';

// ---- vanilla RNN: h = act(gx + gh) -------------------------------------------------------------

export function rnn_forward(isRelu: i32, n: i32, gx: usize, gh: usize, h: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) rnnF(isRelu, i, 4, gx, gh, h);
  if (i < n) rnnF(isRelu, i, n - i, gx, gh, h);
}
// @ts-ignore: decorator
@inline function rnnF(isRelu: i32, i: i32, w: i32, gx: usize, gh: usize, h: usize): void {
  const a = f32x4.add(ld(gx, i, w), ld(gh, i, w));
  st(h, i, isRelu ? relu(a) : tanh(a), w);
}

export function rnn_backward(isRelu: i32, n: i32, h: usize, dh: usize, dg: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) rnnB(isRelu, i, 4, h, dh, dg);
  if (i < n) rnnB(isRelu, i, n - i, h, dh, dg);
}
// @ts-ignore: decorator
@inline function rnnB(isRelu: i32, i: i32, w: i32, h: usize, dh: usize, dg: usize): void {
  const y = ld(h, i, w), d = ld(dh, i, w);
  st(dg, i, isRelu
    ? v128.and(d, f32x4.gt(y, splat(0)))
    : f32x4.mul(d, f32x4.sub(splat(1), f32x4.mul(y, y))), w);
}

// ---- LSTM: c = f⊙cPrev + i⊙g, h = o⊙tanh(c) ----------------------------------------------------

export function lstm_forward(B: i32, H: i32, gates: usize, gh: usize, cPrev: usize, c: usize, tc: usize, h: usize): void {
  for (let b = 0; b < B; b++) {
    const g = gates + (<usize>(b * 4 * H) << 2), q = gh + (<usize>(b * 4 * H) << 2), s = <usize>(b * H) << 2;
    let j = 0;
    for (; j + 4 <= H; j += 4) lstmF(H, j, 4, g, q, cPrev + s, c + s, tc + s, h + s);
    if (j < H) lstmF(H, j, H - j, g, q, cPrev + s, c + s, tc + s, h + s);
  }
}
// @ts-ignore: decorator
@inline function lstmF(H: i32, j: i32, w: i32, g: usize, q: usize, cPrev: usize, c: usize, tc: usize, h: usize): void {
  const ig = sigmoid(f32x4.add(ld(g, j, w), ld(q, j, w)));
  const fg = sigmoid(f32x4.add(ld(g, H + j, w), ld(q, H + j, w)));
  const gg = tanh(f32x4.add(ld(g, 2 * H + j, w), ld(q, 2 * H + j, w)));
  const og = sigmoid(f32x4.add(ld(g, 3 * H + j, w), ld(q, 3 * H + j, w)));
  st(g, j, ig, w); st(g, H + j, fg, w); st(g, 2 * H + j, gg, w); st(g, 3 * H + j, og, w);
  const cv = f32x4.add(f32x4.mul(fg, ld(cPrev, j, w)), f32x4.mul(ig, gg));
  const t = tanh(cv);
  st(c, j, cv, w); st(tc, j, t, w); st(h, j, f32x4.mul(og, t), w);
}

export function lstm_backward(B: i32, H: i32, gates: usize, cPrev: usize, tc: usize, dh: usize, dc: usize, dg: usize): void {
  for (let b = 0; b < B; b++) {
    const g = gates + (<usize>(b * 4 * H) << 2), d = dg + (<usize>(b * 4 * H) << 2), s = <usize>(b * H) << 2;
    let j = 0;
    for (; j + 4 <= H; j += 4) lstmB(H, j, 4, g, cPrev + s, tc + s, dh + s, dc + s, d);
    if (j < H) lstmB(H, j, H - j, g, cPrev + s, tc + s, dh + s, dc + s, d);
  }
}
// @ts-ignore: decorator
@inline function lstmB(H: i32, j: i32, w: i32, g: usize, cPrev: usize, tc: usize, dh: usize, dc: usize, d: usize): void {
  const one = splat(1);
  const ig = ld(g, j, w), fg = ld(g, H + j, w), gg = ld(g, 2 * H + j, w), og = ld(g, 3 * H + j, w);
  const t = ld(tc, j, w), dhv = ld(dh, j, w);
  const dcv = f32x4.add(ld(dc, j, w), f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(t, t))));
  st(d, j, f32x4.mul(f32x4.mul(f32x4.mul(dcv, gg), ig), f32x4.sub(one, ig)), w);
  st(d, H + j, f32x4.mul(f32x4.mul(f32x4.mul(dcv, ld(cPrev, j, w)), fg), f32x4.sub(one, fg)), w);
  st(d, 2 * H + j, f32x4.mul(f32x4.mul(dcv, ig), f32x4.sub(one, f32x4.mul(gg, gg))), w);
  st(d, 3 * H + j, f32x4.mul(f32x4.mul(f32x4.mul(dhv, t), og), f32x4.sub(one, og)), w);
  st(dc, j, f32x4.mul(dcv, fg), w);
}

// ---- GRU: n = tanh(gx_n + r⊙hn), h = (1−z)⊙n + z⊙hPrev --------------------------------------------

export function gru_forward(B: i32, H: i32, gates: usize, gh: usize, hPrev: usize, hn: usize, h: usize): void {
  for (let b = 0; b < B; b++) {
    const g = gates + (<usize>(b * 3 * H) << 2), q = gh + (<usize>(b * 3 * H) << 2), s = <usize>(b * H) << 2;
    let j = 0;
    for (; j + 4 <= H; j += 4) gruF(H, j, 4, g, q, hPrev + s, hn + s, h + s);
    if (j < H) gruF(H, j, H - j, g, q, hPrev + s, hn + s, h + s);
  }
}
// @ts-ignore: decorator
@inline function gruF(H: i32, j: i32, w: i32, g: usize, q: usize, hPrev: usize, hn: usize, h: usize): void {
  const r = sigmoid(f32x4.add(ld(g, j, w), ld(q, j, w)));
  const z = sigmoid(f32x4.add(ld(g, H + j, w), ld(q, H + j, w)));
  const hnv = ld(q, 2 * H + j, w);
  const n = tanh(f32x4.add(ld(g, 2 * H + j, w), f32x4.mul(r, hnv)));
  st(g, j, r, w); st(g, H + j, z, w); st(g, 2 * H + j, n, w);
  st(hn, j, hnv, w);
  st(h, j, f32x4.add(f32x4.mul(f32x4.sub(splat(1), z), n), f32x4.mul(z, ld(hPrev, j, w))), w);
}

export function gru_backward(B: i32, H: i32, gates: usize, hn: usize, hPrev: usize, dh: usize,
  dgx: usize, dgh: usize, dhPrev: usize): void {
  for (let b = 0; b < B; b++) {
    const o = <usize>(b * 3 * H) << 2, s = <usize>(b * H) << 2;
    let j = 0;
    for (; j + 4 <= H; j += 4) gruB(H, j, 4, gates + o, hn + s, hPrev + s, dh + s, dgx + o, dgh + o, dhPrev + s);
    if (j < H) gruB(H, j, H - j, gates + o, hn + s, hPrev + s, dh + s, dgx + o, dgh + o, dhPrev + s);
  }
}
// @ts-ignore: decorator
@inline function gruB(H: i32, j: i32, w: i32, g: usize, hn: usize, hPrev: usize, dh: usize,
  dgx: usize, dgh: usize, dhPrev: usize): void {
  const one = splat(1);
  const r = ld(g, j, w), z = ld(g, H + j, w), n = ld(g, 2 * H + j, w);
  const dhv = ld(dh, j, w);
  const dn = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const dz = f32x4.mul(f32x4.mul(f32x4.mul(dhv, f32x4.sub(ld(hPrev, j, w), n)), z), f32x4.sub(one, z));
  const dr = f32x4.mul(f32x4.mul(f32x4.mul(dn, ld(hn, j, w)), r), f32x4.sub(one, r));
  st(dgx, j, dr, w); st(dgx, H + j, dz, w); st(dgx, 2 * H + j, dn, w);
  st(dgh, j, dr, w); st(dgh, H + j, dz, w); st(dgh, 2 * H + j, f32x4.mul(dn, r), w);
  st(dhPrev, j, f32x4.mul(dhv, z), w);
}

// ---- variable-length batches ---------------------------------------------------------------------

export function mask_state(B: i32, H: i32, m: usize, x: usize, xPrev: usize): void {
  const row = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    if (load<f32>(m + (<usize>b << 2)) != 0) continue;
    memory.copy(x + <usize>b * row, xPrev + <usize>b * row, row);
  }
}

export function mask_rows(B: i32, W: i32, m: usize, x: usize): void {
  const row = <usize>W << 2;
  for (let b = 0; b < B; b++) {
    if (load<f32>(m + (<usize>b << 2)) != 0) continue;
    memory.fill(x + <usize>b * row, 0, row);
  }
}

// ---- dense helpers ---------------------------------------------------------------------------------

/** y += alpha·x */
export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  const a = splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) st(y, i, fma(a, ld(x, i, 4), ld(y, i, 4)), 4);
  if (i < n) st(y, i, fma(a, ld(x, i, n - i), ld(y, i, n - i)), n - i);
}

/** dst[i, :] = v for `rows` rows of width cols. */
export function broadcast_rows(v: usize, rows: i32, cols: i32, dst: usize): void {
  const row = <usize>cols << 2;
  for (let i = 0; i < rows; i++) memory.copy(dst + <usize>i * row, v, row);
}

/** dst[j] += Σᵢ src[i, j]: row by row, the reference's order, so results are bitwise equal. */
export function add_col_sums(src: usize, rows: i32, cols: i32, ld_: i32, dst: usize): void {
  for (let i = 0; i < rows; i++) {
    const r = src + (<usize>(i * ld_) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) st(dst, j, f32x4.add(ld(dst, j, 4), ld(r, j, 4)), 4);
    if (j < cols) st(dst, j, f32x4.add(ld(dst, j, cols - j), ld(r, j, cols - j)), cols - j);
  }
}

/** dst[i, :] += table[idx[i], :] for n rows (idx: i32 at a byte address). */
export function gather_add_rows(table: usize, cols: i32, idx: usize, n: i32, dst: usize, ldd: i32): void {
  for (let i = 0; i < n; i++) {
    const t = table + (<usize>(load<i32>(idx + (<usize>i << 2)) * cols) << 2), d = dst + (<usize>(i * ldd) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) st(d, j, f32x4.add(ld(d, j, 4), ld(t, j, 4)), 4);
    if (j < cols) st(d, j, f32x4.add(ld(d, j, cols - j), ld(t, j, cols - j)), cols - j);
  }
}

/** table[idx[i], :] += src[i, :] for n rows; cols of ld-wide rows (the threaded split is by columns). */
export function scatter_add_rows(src: usize, cols: i32, lds: i32, idx: usize, n: i32, table: usize): void {
  for (let i = 0; i < n; i++) {
    const t = table + (<usize>(load<i32>(idx + (<usize>i << 2)) * lds) << 2), s = src + (<usize>(i * lds) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) st(t, j, f32x4.add(ld(t, j, 4), ld(s, j, 4)), 4);
    if (j < cols) st(t, j, f32x4.add(ld(t, j, cols - j), ld(s, j, cols - j)), cols - j);
  }
}

/**
 * Row-wise softmax of X (N, C) into P, and per row the max and the sum of exp(x − max) (f64 pairs
 * at `stats`), from which the caller forms the loss in float64 as the reference does.
 */
export function softmax_rows(N: i32, C: i32, X: usize, P: usize, stats: usize): void {
  for (let i = 0; i < N; i++) {
    const x = X + (<usize>(i * C) << 2), p = P + (<usize>(i * C) << 2);
    let mv = splat(-Infinity);
    let j = 0;
    for (; j + 4 <= C; j += 4) mv = f32x4.max(mv, ld(x, j, 4));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; j < C; j++) m = max(m, load<f32>(x + (<usize>j << 2)));
    const ms = splat(m);
    // exp in f32, the sum in f64 so a long row does not lose the last digits
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    j = 0;
    for (; j + 4 <= C; j += 4) {
      const e = expNeg(f32x4.sub(ld(x, j, 4), ms));
      st(p, j, e, 4);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1)));
    }
    if (j < C) {
      const w = C - j;
      const e = v128.andnot(expNeg(f32x4.sub(ld(x, j, w), ms)), tailMask(w));
      st(p, j, e, w);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1)));
    }
    const s = f64x2.add(s0, s1);
    const sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    const inv = splat(<f32>(1 / sum));
    j = 0;
    for (; j + 4 <= C; j += 4) st(p, j, f32x4.mul(ld(p, j, 4), inv), 4);
    if (j < C) st(p, j, f32x4.mul(ld(p, j, C - j), inv), C - j);
    store<f64>(stats + (<usize>i << 4), <f64>m);
    store<f64>(stats + (<usize>i << 4), sum, 8);
  }
}

/** All-ones in lanes ≥ w (the lanes past a row's end). */
// @ts-ignore: decorator
@inline function tailMask(w: i32): v128 {
  return i32x4.ge_s(i32x4(0, 1, 2, 3), i32x4.splat(w));
}
