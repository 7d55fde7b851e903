import type { Backend } from '../kernels/backend.js';
import { type Data, allocData, dtypeOf } from '../tensor/tensor.js';
import type { Cell, StepBuffers } from './cell.js';

/**
 * The fused recurrent layer, one direction: forward and backward through time as a pair,
 * shared by RNN, LSTM and GRU (they differ only in the pointwise step, see cell.ts).
 *
 * Legend: T time, B batch, D input, H hidden, G gates, N = T·B rows.
 *
 * forward:  gx = x·W_ihᵀ + b_ih for all steps at once (a gather for one-hot input), then
 *           for t = 0 … T−1: gh = h_{t−1}·W_hhᵀ + b_hh; step(gx_t, gh) → h_t.
 * backward: for t = T−1 … 0: dh = dy_t + dhNext; step⁻¹ → dgx_t, dgh_t; dhNext = dgh_t·W_hh + direct.
 *           Then every weight gradient is one GEMM over all N rows: dW_hh += dGHᵀ·H_prev,
 *           dW_ih += dGXᵀ·X, dx = dGX·W_ih.
 * Padded steps (mask 0) keep their state and pass gradients straight through.
 * Everything is allocated in the workspace once per shape; the time loop allocates nothing.
 */
export interface RecurrentDims { T: number; B: number; D: number; H: number }

export interface RecurrentInputs {
  /** (T, B, D) dense input, or null when `tokens` is given. */
  x: Data | null;
  /** (T, B) ids in [0, D): a one-hot input, projected by gathering columns of W_ih. */
  tokens: Int32Array | null;
  wih: Data; // (G·H, D)
  whh: Data; // (G·H, H)
  bih: Data | null; // (G·H)
  bhh: Data | null; // (G·H)
  h0: Data | null; // (B, H), zeros when null
  c0: Data | null; // (B, H), LSTM only
  /** (T, B): 1 where the step is real, 0 where it is padding. */
  mask: Data | null;
}

export interface RecurrentOutputs {
  y: Data; // (T, B, H), zero at padded steps
  hT: Data; // (B, H): each sequence's state after its last real step
  cT: Data | null; // (B, H), LSTM only
}

export interface RecurrentGrads { dy: Data | null; dhT: Data | null; dcT: Data | null }

/** Where backward adds its results (null: not needed). */
export interface RecurrentGradOutputs {
  dx: Data | null; // (T, B, D)
  dwih: Data; dwhh: Data; dbih: Data | null; dbhh: Data | null;
  dh0: Data | null; dc0: Data | null;
}

/** Device buffers of one layer-direction, kept from forward to backward and across calls. */
export class RecurrentWorkspace<Buf> implements StepBuffers<Buf> {
  gx!: Buf; gh!: Buf; hs!: Buf; cs!: Buf; aux!: Buf; dgx!: Buf; dgh!: Buf;
  dh!: Buf; dhPrev!: Buf; dc!: Buf; dhIn!: Buf; dcIn!: Buf; dy!: Buf;
  /** One-hot input: W_ihᵀ (D, G·H) for the gather, and the scatter target of its gradient. */
  wihT: Buf | null = null; dwihT: Buf | null = null; tmp: Buf | null = null;
  private key = '';
  private dims: RecurrentDims | null = null;
  private oneHot = false;
  private owned: Buf[] = [];
  /** What backward reads, on the host, while the device buffers are given back (see spill). */
  private spilled: {
    gx: Data; hs: Data; cs: Data | null; aux: Data | null; x: Data | null; wih: Data; whh: Data; mask: Data | null; tokens: Int32Array | null;
  } | null = null;
  /** Inputs as the backend sees them, from the last forward (released at the next). */
  inp: { x: Buf | null; wih: Buf; whh: Buf; bih: Buf | null; bhh: Buf | null; mask: Buf | null; tokens: Int32Array | null } | null = null;
  private uploads: [Buf, Data][] = [];

  constructor(readonly be: Backend<Buf>, readonly cell: Cell) {}

  prepare(d: RecurrentDims, oneHot: boolean): void {
    const key = `${d.T},${d.B},${d.D},${d.H},${oneHot}`;
    if (key === this.key) return;
    this.dispose();
    const { T, B, D, H } = d, GH = this.cell.G * H, N = T * B;
    const a = (n: number): Buf => { const b = this.be.alloc(n); this.owned.push(b); return b; };
    this.gx = a(N * GH); this.gh = a(B * GH); this.hs = a((T + 1) * B * H);
    this.cs = this.cell.hasCellState ? a((T + 1) * B * H) : this.hs;
    this.aux = this.cell.hasAux ? a(N * H) : this.hs;
    this.dgx = a(N * GH); this.dgh = this.cell.splitHidden ? a(N * GH) : this.dgx;
    this.dh = a(B * H); this.dhPrev = a(B * H); this.dc = a(B * H); this.dhIn = a(B * H); this.dcIn = a(B * H);
    this.dy = a(N * H);
    if (oneHot) { this.wihT = a(D * GH); this.dwihT = a(D * GH); this.tmp = a(D * GH); }
    this.key = key; this.dims = d; this.oneHot = oneHot;
  }

  /**
   * Moves what the backward reads (the gates, states and caches, and the inputs as uploaded) to
   * host arrays and gives every device buffer back. For backends whose memory the collector
   * cannot see (wasm): a forward whose graph is dropped without a backward then holds only
   * collectable host memory. restore() brings it back before the backward.
   */
  spill(): void {
    const { be, cell, inp, dims } = this;
    if (this.spilled || !inp || !dims) return;
    const { T, B, D, H } = dims, GH = cell.G * H, N = T * B;
    const host = (b: Buf, n: number): Data => { const h = allocData(be.dtype, n); be.toHost(b, h); return h; };
    this.spilled = {
      gx: host(this.gx, N * GH), hs: host(this.hs, (T + 1) * B * H),
      cs: cell.hasCellState ? host(this.cs, (T + 1) * B * H) : null, aux: cell.hasAux ? host(this.aux, N * H) : null,
      x: inp.x === null ? null : host(inp.x, N * D), wih: host(inp.wih, GH * D), whh: host(inp.whh, GH * H),
      mask: inp.mask === null ? null : host(inp.mask, N), tokens: inp.tokens,
    };
    const spilled = this.spilled;
    this.dispose();
    this.spilled = spilled;
  }

  /** Undoes spill(): device buffers again, holding what the forward left. */
  restore(): void {
    const s = this.spilled, d = this.dims;
    if (!s || !d) return;
    this.spilled = null;
    this.prepare(d, this.oneHot);
    const put = (h: Data, b: Buf): void => this.be.copy(this.upload(h), 0, b, 0, h.length);
    put(s.gx, this.gx); put(s.hs, this.hs);
    if (s.cs) put(s.cs, this.cs);
    if (s.aux) put(s.aux, this.aux);
    this.inp = {
      x: s.x && this.upload(s.x), wih: this.upload(s.wih), whh: this.upload(s.whh), bih: null, bhh: null,
      mask: s.mask && this.upload(s.mask), tokens: s.tokens,
    };
  }

  /** A device view of a host array, released with the workspace's next upload round. */
  upload(host: Data): Buf { const b = this.be.fromHost(host); this.uploads.push([b, host]); return b; }
  releaseUploads(): void { for (const [b] of this.uploads) this.be.release(b); this.uploads = []; }

  dispose(): void {
    this.releaseUploads();
    for (const b of this.owned) this.be.release(b);
    this.owned = []; this.key = ''; this.inp = null; this.wihT = this.dwihT = this.tmp = null; this.spilled = null;
  }
}

export function recurrentForward<Buf>(ws: RecurrentWorkspace<Buf>, d: RecurrentDims, inp: RecurrentInputs): RecurrentOutputs {
  const { be, cell } = ws, { T, B, D, H } = d, G = cell.G, GH = G * H, N = T * B, BH = B * H;
  ws.prepare(d, inp.tokens !== null);
  ws.releaseUploads();
  const x = inp.x ? ws.upload(inp.x) : null;
  const wih = ws.upload(inp.wih), whh = ws.upload(inp.whh);
  const bih = inp.bih ? ws.upload(inp.bih) : null, bhh = inp.bhh ? ws.upload(inp.bhh) : null;
  const mask = inp.mask ? ws.upload(inp.mask) : null;
  ws.inp = { x, wih, whh, bih, bhh, mask, tokens: inp.tokens };

  // input side for every step at once: gx = x·W_ihᵀ + b_ih
  if (bih) be.broadcastRows(bih, 0, N, GH, ws.gx, 0); else be.fill(ws.gx, 0, N * GH, 0);
  if (inp.tokens) {
    be.transpose(wih, 0, GH, D, ws.wihT!, 0);
    be.gatherAddRows(ws.wihT!, GH, inp.tokens, ws.gx, 0);
  } else {
    be.gemm(false, true, N, GH, D, 1, x!, 0, D, wih, 0, D, 1, ws.gx, 0, GH);
  }
  // initial state
  if (inp.h0) be.copy(ws.upload(inp.h0), 0, ws.hs, 0, BH); else be.fill(ws.hs, 0, BH, 0);
  if (cell.hasCellState) { if (inp.c0) be.copy(ws.upload(inp.c0), 0, ws.cs, 0, BH); else be.fill(ws.cs, 0, BH, 0); }

  for (let t = 0; t < T; t++) {
    if (bhh) be.broadcastRows(bhh, 0, B, GH, ws.gh, 0); else be.fill(ws.gh, 0, B * GH, 0);
    be.gemm(false, true, B, GH, H, 1, ws.hs, t * BH, H, whh, 0, H, 1, ws.gh, 0, GH);
    cell.forward(be, ws, t, B, H);
    if (mask) {
      be.maskState(B, H, mask, t * B, ws.hs, (t + 1) * BH, ws.hs, t * BH);
      if (cell.hasCellState) be.maskState(B, H, mask, t * B, ws.cs, (t + 1) * BH, ws.cs, t * BH);
    }
  }

  const dtype = dtypeOf(inp.wih);
  const y = allocData(dtype, N * H), hT = allocData(dtype, BH);
  be.toHost(ws.hs, y, BH);
  be.toHost(ws.hs, hT, T * BH);
  if (inp.mask) for (let i = 0; i < N; i++) if (inp.mask[i] === 0) y.fill(0, i * H, (i + 1) * H);
  let cT: Data | null = null;
  if (cell.hasCellState) { cT = allocData(dtype, BH); be.toHost(ws.cs, cT, T * BH); }
  return { y, hT, cT };
}

export function recurrentBackward<Buf>(ws: RecurrentWorkspace<Buf>, d: RecurrentDims, g: RecurrentGrads, out: RecurrentGradOutputs): void {
  const { be, cell } = ws, { T, B, D, H } = d, GH = cell.G * H, N = T * B, BH = B * H;
  const inp = ws.inp;
  if (inp === null) throw new Error('recurrentBackward: no forward pass to go back through');
  const { mask } = inp;
  const up = (h: Data | null): Buf | null => (h ? be.fromHost(h) : null);

  if (g.dhT) be.copy(ws.upload(g.dhT), 0, ws.dh, 0, BH); else be.fill(ws.dh, 0, BH, 0);
  if (g.dcT) be.copy(ws.upload(g.dcT), 0, ws.dc, 0, BH); else be.fill(ws.dc, 0, BH, 0);
  if (g.dy) {
    be.copy(ws.upload(g.dy), 0, ws.dy, 0, N * H);
    if (mask) be.maskRows(N, H, mask, 0, ws.dy, 0); // outputs at padded steps are constant zeros
  }

  let dh = ws.dh, dhPrev = ws.dhPrev;
  for (let t = T - 1; t >= 0; t--) {
    if (g.dy) be.axpy(BH, 1, ws.dy, t * BH, dh, 0);
    if (mask) { be.copy(dh, 0, ws.dhIn, 0, BH); if (cell.hasCellState) be.copy(ws.dc, 0, ws.dcIn, 0, BH); }
    cell.backward(be, ws, t, B, H, dh, ws.dc, dhPrev);
    if (mask) {
      be.maskRows(B, GH, mask, t * B, ws.dgx, t * B * GH);
      if (cell.splitHidden) be.maskRows(B, GH, mask, t * B, ws.dgh, t * B * GH);
    }
    be.gemm(false, false, B, H, GH, 1, ws.dgh, t * B * GH, GH, inp.whh, 0, H, 1, dhPrev, 0, H);
    if (mask) {
      be.maskState(B, H, mask, t * B, dhPrev, 0, ws.dhIn, 0);
      if (cell.hasCellState) be.maskState(B, H, mask, t * B, ws.dc, 0, ws.dcIn, 0);
    }
    const s = dh; dh = dhPrev; dhPrev = s;
  }

  // initial-state gradients
  const addTo = (host: Data | null, src: Buf): void => {
    if (!host) return;
    const b = be.fromHost(host);
    be.axpy(BH, 1, src, 0, b, 0);
    be.toHost(b, host); be.release(b);
  };
  addTo(out.dh0, dh);
  if (cell.hasCellState) addTo(out.dc0, ws.dc);

  // weight gradients, each one GEMM over all N = T·B rows
  const dwhh = up(out.dwhh)!;
  be.gemm(true, false, GH, H, N, 1, ws.dgh, 0, GH, ws.hs, 0, H, 1, dwhh, 0, H);
  be.toHost(dwhh, out.dwhh); be.release(dwhh);
  const dbhh = up(out.dbhh);
  if (dbhh) { be.addColSums(ws.dgh, 0, N, GH, dbhh, 0); be.toHost(dbhh, out.dbhh!); be.release(dbhh); }
  const dbih = up(out.dbih);
  if (dbih) { be.addColSums(ws.dgx, 0, N, GH, dbih, 0); be.toHost(dbih, out.dbih!); be.release(dbih); }
  const dwih = up(out.dwih)!;
  if (inp.tokens) {
    be.fill(ws.dwihT!, 0, D * GH, 0);
    be.scatterAddRows(ws.dgx, 0, GH, inp.tokens, ws.dwihT!);
    be.transpose(ws.dwihT!, 0, D, GH, ws.tmp!, 0);
    be.axpy(GH * D, 1, ws.tmp!, 0, dwih, 0);
  } else {
    be.gemm(true, false, GH, D, N, 1, ws.dgx, 0, GH, inp.x!, 0, D, 1, dwih, 0, D);
  }
  be.toHost(dwih, out.dwih); be.release(dwih);
  if (out.dx && inp.x) {
    const dx = be.fromHost(out.dx);
    be.gemm(false, false, N, D, GH, 1, ws.dgx, 0, GH, inp.wih, 0, D, 1, dx, 0, D);
    be.toHost(dx, out.dx); be.release(dx);
  }
}
