import type { Data } from '../../tensor/tensor.js';

/**
 * Reference pointwise kernels of the fused cells: each forward next to its backward.
 * Legend: B batch, H hidden. Gate blocks are stacked along the row in PyTorch's order
 * (LSTM i, f, g, o; GRU r, z, n), so row b of a (B, G·H) buffer is [gate0 | gate1 | …].
 */

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

// ---- vanilla RNN: h = act(gx + gh) ---------------------------------------------------------

export function rnnCellForward(relu: boolean, n: number, gx: Data, gxOff: number, gh: Data, h: Data, hOff: number): void {
  for (let i = 0; i < n; i++) {
    const a = gx[gxOff + i] + gh[i];
    h[hOff + i] = relu ? (a > 0 ? a : 0) : Math.tanh(a);
  }
}

export function rnnCellBackward(relu: boolean, n: number, h: Data, hOff: number, dh: Data, dg: Data, dgOff: number): void {
  for (let i = 0; i < n; i++) {
    const y = h[hOff + i];
    dg[dgOff + i] = relu ? (y > 0 ? dh[i] : 0) : dh[i] * (1 - y * y);
  }
}

// ---- LSTM: c = f⊙cPrev + i⊙g, h = o⊙tanh(c) ------------------------------------------------

export function lstmCellForward(B: number, H: number, gates: Data, gOff: number, gh: Data,
  cPrev: Data, cPrevOff: number, c: Data, cOff: number, tc: Data, tcOff: number, h: Data, hOff: number): void {
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * 4 * H, q0 = b * 4 * H, s = b * H;
    for (let j = 0; j < H; j++) {
      const ig = sigmoid(gates[g0 + j] + gh[q0 + j]);
      const fg = sigmoid(gates[g0 + H + j] + gh[q0 + H + j]);
      const gg = Math.tanh(gates[g0 + 2 * H + j] + gh[q0 + 2 * H + j]);
      const og = sigmoid(gates[g0 + 3 * H + j] + gh[q0 + 3 * H + j]);
      gates[g0 + j] = ig; gates[g0 + H + j] = fg; gates[g0 + 2 * H + j] = gg; gates[g0 + 3 * H + j] = og;
      const cv = fg * cPrev[cPrevOff + s + j] + ig * gg;
      const t = Math.tanh(cv);
      c[cOff + s + j] = cv; tc[tcOff + s + j] = t; h[hOff + s + j] = og * t;
    }
  }
}

export function lstmCellBackward(B: number, H: number, gates: Data, gOff: number, cPrev: Data, cPrevOff: number,
  tc: Data, tcOff: number, dh: Data, dc: Data, dg: Data, dgOff: number): void {
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * 4 * H, d0 = dgOff + b * 4 * H, s = b * H;
    for (let j = 0; j < H; j++) {
      const ig = gates[g0 + j], fg = gates[g0 + H + j], gg = gates[g0 + 2 * H + j], og = gates[g0 + 3 * H + j];
      const t = tc[tcOff + s + j], dhv = dh[s + j];
      const dcv = dc[s + j] + dhv * og * (1 - t * t);
      dg[d0 + j] = dcv * gg * ig * (1 - ig);
      dg[d0 + H + j] = dcv * cPrev[cPrevOff + s + j] * fg * (1 - fg);
      dg[d0 + 2 * H + j] = dcv * ig * (1 - gg * gg);
      dg[d0 + 3 * H + j] = dhv * t * og * (1 - og);
      dc[s + j] = dcv * fg;
    }
  }
}

// ---- GRU: n = tanh(gx_n + r⊙hn), hn = W_hn·hPrev + b_hn, h = (1−z)⊙n + z⊙hPrev -----------------

export function gruCellForward(B: number, H: number, gates: Data, gOff: number, gh: Data,
  hPrev: Data, hPrevOff: number, hn: Data, hnOff: number, h: Data, hOff: number): void {
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * 3 * H, q0 = b * 3 * H, s = b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gates[g0 + j] + gh[q0 + j]);
      const z = sigmoid(gates[g0 + H + j] + gh[q0 + H + j]);
      const hnv = gh[q0 + 2 * H + j];
      const n = Math.tanh(gates[g0 + 2 * H + j] + r * hnv);
      gates[g0 + j] = r; gates[g0 + H + j] = z; gates[g0 + 2 * H + j] = n;
      hn[hnOff + s + j] = hnv;
      h[hOff + s + j] = (1 - z) * n + z * hPrev[hPrevOff + s + j];
    }
  }
}

export function gruCellBackward(B: number, H: number, gates: Data, gOff: number, hn: Data, hnOff: number,
  hPrev: Data, hPrevOff: number, dh: Data, dgx: Data, dgxOff: number, dgh: Data, dghOff: number, dhPrev: Data): void {
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * 3 * H, x0 = dgxOff + b * 3 * H, y0 = dghOff + b * 3 * H, s = b * H;
    for (let j = 0; j < H; j++) {
      const r = gates[g0 + j], z = gates[g0 + H + j], n = gates[g0 + 2 * H + j];
      const dhv = dh[s + j];
      const dn = dhv * (1 - z) * (1 - n * n);
      const dz = dhv * (hPrev[hPrevOff + s + j] - n) * z * (1 - z);
      const dr = dn * hn[hnOff + s + j] * r * (1 - r);
      dgx[x0 + j] = dr; dgx[x0 + H + j] = dz; dgx[x0 + 2 * H + j] = dn;
      dgh[y0 + j] = dr; dgh[y0 + H + j] = dz; dgh[y0 + 2 * H + j] = dn * r;
      dhPrev[s + j] = dhv * z;
    }
  }
}

// ---- variable-length batches -----------------------------------------------------------------

export function maskState(B: number, H: number, m: Data, mOff: number, x: Data, xOff: number, xPrev: Data, xPrevOff: number): void {
  for (let b = 0; b < B; b++) {
    if (m[mOff + b] !== 0) continue;
    for (let j = 0; j < H; j++) x[xOff + b * H + j] = xPrev[xPrevOff + b * H + j];
  }
}

export function maskRows(B: number, W: number, m: Data, mOff: number, x: Data, xOff: number): void {
  for (let b = 0; b < B; b++) {
    if (m[mOff + b] !== 0) continue;
    x.fill(0, xOff + b * W, xOff + (b + 1) * W);
  }
}
