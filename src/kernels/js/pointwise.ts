import type { Data } from '../../tensor/tensor.js';
import type {
  GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs, RnnForwardArgs, View,
} from '../backend.js';

/**
 * Reference pointwise kernels of the fused cells: each forward next to its backward.
 * Legend: B batch, H hidden. Gate blocks are stacked along the row in PyTorch's order
 * (LSTM i, f, g, o; GRU r, z, n), so row b of a (B, G·H) buffer is [gate0 | gate1 | …].
 * The backward kernels read the activations the forward cached: σ′ = σ(1 − σ), tanh′ = 1 − tanh².
 */

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

// ---- vanilla RNN: h = act(gx + gh) ---------------------------------------------------------

export function rnnCellForward(o: RnnForwardArgs<Data>): void {
  const { relu, n } = o, gx = o.gx.buf, x0 = o.gx.off, gh = o.gh.buf, q0 = o.gh.off, h = o.h.buf, h0 = o.h.off;
  for (let i = 0; i < n; i++) {
    const a = gx[x0 + i] + gh[q0 + i];
    h[h0 + i] = relu ? (a > 0 ? a : 0) : Math.tanh(a);
  }
}

export function rnnCellBackward(o: RnnBackwardArgs<Data>): void {
  const { relu, n } = o, h = o.h.buf, h0 = o.h.off, dh = o.dh.buf, e0 = o.dh.off, dg = o.dg.buf, d0 = o.dg.off;
  for (let i = 0; i < n; i++) {
    // dg = dh ⊙ act′(a), from the output y = act(a): relu′ = [y > 0], tanh′ = 1 − y²
    const y = h[h0 + i];
    dg[d0 + i] = relu ? (y > 0 ? dh[e0 + i] : 0) : dh[e0 + i] * (1 - y * y);
  }
}

// ---- LSTM: c = f⊙cPrev + i⊙g, h = o⊙tanh(c) ------------------------------------------------

export function lstmCellForward(o: LstmForwardArgs<Data>): void {
  const { B, H } = o, gates = o.gates.buf, gh = o.gh.buf, cPrev = o.cPrev.buf, c = o.c.buf, tc = o.tc.buf, h = o.h.buf;
  for (let b = 0; b < B; b++) {
    const g0 = o.gates.off + b * 4 * H, q0 = o.gh.off + b * 4 * H, s = b * H;
    const p0 = o.cPrev.off + s, c0 = o.c.off + s, t0 = o.tc.off + s, h0 = o.h.off + s;
    for (let j = 0; j < H; j++) {
      const ig = sigmoid(gates[g0 + j] + gh[q0 + j]);
      const fg = sigmoid(gates[g0 + H + j] + gh[q0 + H + j]);
      const gg = Math.tanh(gates[g0 + 2 * H + j] + gh[q0 + 2 * H + j]);
      const og = sigmoid(gates[g0 + 3 * H + j] + gh[q0 + 3 * H + j]);
      gates[g0 + j] = ig; gates[g0 + H + j] = fg; gates[g0 + 2 * H + j] = gg; gates[g0 + 3 * H + j] = og;
      const cv = fg * cPrev[p0 + j] + ig * gg;
      const t = Math.tanh(cv);
      c[c0 + j] = cv; tc[t0 + j] = t; h[h0 + j] = og * t;
    }
  }
}

export function lstmCellBackward(o: LstmBackwardArgs<Data>): void {
  const { B, H } = o, gates = o.gates.buf, cPrev = o.cPrev.buf, tc = o.tc.buf;
  const dh = o.dh.buf, dc = o.dc.buf, dg = o.dg.buf;
  for (let b = 0; b < B; b++) {
    const g0 = o.gates.off + b * 4 * H, d0 = o.dg.off + b * 4 * H, s = b * H;
    const p0 = o.cPrev.off + s, t0 = o.tc.off + s, e0 = o.dh.off + s, k0 = o.dc.off + s;
    for (let j = 0; j < H; j++) {
      const ig = gates[g0 + j], fg = gates[g0 + H + j], gg = gates[g0 + 2 * H + j], og = gates[g0 + 3 * H + j];
      const t = tc[t0 + j], dhv = dh[e0 + j];
      // c reaches the loss directly (dc from step t+1) and through h = o⊙tanh c
      const dcv = dc[k0 + j] + dhv * og * (1 - t * t);
      // c = f⊙cPrev + i⊙g: each gate's gradient is dc times its partner, times its activation's slope
      dg[d0 + j] = dcv * gg * ig * (1 - ig);
      dg[d0 + H + j] = dcv * cPrev[p0 + j] * fg * (1 - fg);
      dg[d0 + 2 * H + j] = dcv * ig * (1 - gg * gg);
      dg[d0 + 3 * H + j] = dhv * t * og * (1 - og); // h = o⊙tanh c
      dc[k0 + j] = dcv * fg; // dcPrev: what step t−1 receives
    }
  }
}

// ---- GRU: n = tanh(gx_n + r⊙hn), hn = W_hn·hPrev + b_hn, h = (1−z)⊙n + z⊙hPrev -----------------

export function gruCellForward(o: GruForwardArgs<Data>): void {
  const { B, H } = o, gates = o.gates.buf, gh = o.gh.buf, hPrev = o.hPrev.buf, hn = o.hn.buf, h = o.h.buf;
  for (let b = 0; b < B; b++) {
    const g0 = o.gates.off + b * 3 * H, q0 = o.gh.off + b * 3 * H, s = b * H;
    const p0 = o.hPrev.off + s, n0 = o.hn.off + s, h0 = o.h.off + s;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gates[g0 + j] + gh[q0 + j]);
      const z = sigmoid(gates[g0 + H + j] + gh[q0 + H + j]);
      const hnv = gh[q0 + 2 * H + j];
      const n = Math.tanh(gates[g0 + 2 * H + j] + r * hnv);
      gates[g0 + j] = r; gates[g0 + H + j] = z; gates[g0 + 2 * H + j] = n;
      hn[n0 + j] = hnv;
      h[h0 + j] = (1 - z) * n + z * hPrev[p0 + j];
    }
  }
}

export function gruCellBackward(o: GruBackwardArgs<Data>): void {
  const { B, H } = o, gates = o.gates.buf, hn = o.hn.buf, hPrev = o.hPrev.buf, dh = o.dh.buf;
  const dgx = o.dgx.buf, dgh = o.dgh.buf, dhPrev = o.dhPrev.buf;
  for (let b = 0; b < B; b++) {
    const g0 = o.gates.off + b * 3 * H, x0 = o.dgx.off + b * 3 * H, y0 = o.dgh.off + b * 3 * H, s = b * H;
    const n0 = o.hn.off + s, p0 = o.hPrev.off + s, e0 = o.dh.off + s, k0 = o.dhPrev.off + s;
    for (let j = 0; j < H; j++) {
      const r = gates[g0 + j], z = gates[g0 + H + j], n = gates[g0 + 2 * H + j];
      const dhv = dh[e0 + j];
      // h = (1−z)⊙n + z⊙hPrev: n's pre-activation gets dh⊙(1−z)⊙tanh′, z's dh⊙(hPrev − n)⊙σ′
      const dn = dhv * (1 - z) * (1 - n * n);
      const dz = dhv * (hPrev[p0 + j] - n) * z * (1 - z);
      // r enters n's pre-activation as r⊙hn
      const dr = dn * hn[n0 + j] * r * (1 - r);
      // both sides share dr and dz; in n the hidden side hn is scaled by r, the input side is not
      dgx[x0 + j] = dr; dgx[x0 + H + j] = dz; dgx[x0 + 2 * H + j] = dn;
      dgh[y0 + j] = dr; dgh[y0 + H + j] = dz; dgh[y0 + 2 * H + j] = dn * r;
      dhPrev[k0 + j] = dhv * z; // the direct path z⊙hPrev; the caller adds dgh·W_hh
    }
  }
}

// ---- variable-length batches -----------------------------------------------------------------

export function maskState(B: number, H: number, m: View<Data>, x: View<Data>, xPrev: View<Data>): void {
  for (let b = 0; b < B; b++) {
    if (m.buf[m.off + b] !== 0) continue;
    // a padded step leaves the state as it was (its gradient passes straight through)
    for (let j = 0; j < H; j++) x.buf[x.off + b * H + j] = xPrev.buf[xPrev.off + b * H + j];
  }
}

export function maskRows(B: number, W: number, m: View<Data>, x: View<Data>): void {
  for (let b = 0; b < B; b++) {
    if (m.buf[m.off + b] !== 0) continue;
    x.buf.fill(0, x.off + b * W, x.off + (b + 1) * W);
  }
}
