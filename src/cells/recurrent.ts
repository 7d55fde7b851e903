import { type Backend, at } from '../kernels/backend.js';
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
    const put = (h: Data, b: Buf): void => this.be.copy(h.length, at(this.upload(h)), at(b));
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

export function recurrentForward<Buf>(
  ws: RecurrentWorkspace<Buf>, d: RecurrentDims, inp: RecurrentInputs,
): RecurrentOutputs {
  const { be, cell } = ws, { T, B, D, H } = d, G = cell.G, GH = G * H, N = T * B, BH = B * H;
  ws.prepare(d, inp.tokens !== null);
  ws.releaseUploads();
  const x = inp.x ? ws.upload(inp.x) : null;
  const wih = ws.upload(inp.wih), whh = ws.upload(inp.whh);
  const bih = inp.bih ? ws.upload(inp.bih) : null, bhh = inp.bhh ? ws.upload(inp.bhh) : null;
  const mask = inp.mask ? ws.upload(inp.mask) : null;
  ws.inp = { x, wih, whh, bih, bhh, mask, tokens: inp.tokens };

  // input side for every step at once: gx = x·W_ihᵀ + b_ih
  const gx = at(ws.gx);
  if (bih) be.broadcastRows(N, GH, at(bih), gx); else be.fill(N * GH, 0, gx);
  if (inp.tokens) {
    const wihT = at(ws.wihT!);
    be.transpose(GH, D, at(wih), wihT);
    be.gatherAddRows(GH, inp.tokens, wihT, gx);
  } else {
    be.gemm({ tA: false, tB: true, M: N, N: GH, K: D, alpha: 1, beta: 1,
      A: at(x!), lda: D, B: at(wih), ldb: D, C: gx, ldc: GH });
  }
  // initial state
  const h0 = at(ws.hs), c0 = at(ws.cs);
  if (inp.h0) be.copy(BH, at(ws.upload(inp.h0)), h0); else be.fill(BH, 0, h0);
  if (cell.hasCellState) { if (inp.c0) be.copy(BH, at(ws.upload(inp.c0)), c0); else be.fill(BH, 0, c0); }

  // the time loop: every kernel's arguments are made once, and step t moves the views to its slices
  const hPrev = at(ws.hs), h = at(ws.hs), cPrev = at(ws.cs), c = at(ws.cs), m = mask ? at(mask) : null;
  const gh = at(ws.gh), b_hh = bhh ? at(bhh) : null, step = cell.bind(be, ws, B, H);
  const recur = { tA: false, tB: true, M: B, N: GH, K: H, alpha: 1, beta: 1,
    A: hPrev, lda: H, B: at(whh), ldb: H, C: gh, ldc: GH };
  for (let t = 0; t < T; t++) {
    hPrev.off = cPrev.off = t * BH; h.off = c.off = (t + 1) * BH;
    // gh = h_{t−1}·W_hhᵀ + b_hh, then the cell
    if (b_hh) be.broadcastRows(B, GH, b_hh, gh); else be.fill(B * GH, 0, gh);
    be.gemm(recur);
    step.forward(t);
    if (m) { // padded rows keep their state
      m.off = t * B;
      be.maskState(B, H, m, h, hPrev);
      if (cell.hasCellState) be.maskState(B, H, m, c, cPrev);
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

/** Backward through time, then the weight gradients (weightGrads) from what the time loop left. */
export function recurrentBackward<Buf>(
  ws: RecurrentWorkspace<Buf>, d: RecurrentDims, g: RecurrentGrads, out: RecurrentGradOutputs,
): void {
  const { be, cell } = ws, { T, B, H } = d, GH = cell.G * H, N = T * B, BH = B * H;
  const inp = ws.inp;
  if (inp === null) throw new Error('recurrentBackward: no forward pass to go back through');
  const { mask } = inp;

  const dh = at(ws.dh), dhPrev = at(ws.dhPrev), dc = at(ws.dc), dy = at(ws.dy);
  if (g.dhT) be.copy(BH, at(ws.upload(g.dhT)), dh); else be.fill(BH, 0, dh);
  if (g.dcT) be.copy(BH, at(ws.upload(g.dcT)), dc); else be.fill(BH, 0, dc);
  if (g.dy) {
    be.copy(N * H, at(ws.upload(g.dy)), dy);
    if (mask) be.maskRows(N, H, at(mask), dy); // outputs at padded steps are constant zeros
  }

  // the time loop backwards, its arguments made once as in the forward
  const dgx = at(ws.dgx), dgh = at(ws.dgh), dhIn = at(ws.dhIn), dcIn = at(ws.dcIn), m = mask ? at(mask) : null;
  const step = cell.bind(be, ws, B, H);
  const back = { tA: false, tB: false, M: B, N: H, K: GH, alpha: 1, beta: 1,
    A: dgh, lda: GH, B: at(inp.whh), ldb: H, C: dhPrev, ldc: H };
  for (let t = T - 1; t >= 0; t--) {
    dh.buf = ws.dh; dhPrev.buf = ws.dhPrev; dy.off = t * BH; dgx.off = dgh.off = t * B * GH;
    if (g.dy) be.axpy(BH, 1, dy, dh);
    if (m) { m.off = t * B; be.copy(BH, dh, dhIn); if (cell.hasCellState) be.copy(BH, dc, dcIn); }
    step.backward(t);
    if (m) { be.maskRows(B, GH, m, dgx); if (cell.splitHidden) be.maskRows(B, GH, m, dgh); }
    be.gemm(back); // dh_{t−1} = the cell's direct part + dgh_t·W_hh
    // padded rows pass dh and dc through unchanged
    if (m) { be.maskState(B, H, m, dhPrev, dhIn); if (cell.hasCellState) be.maskState(B, H, m, dc, dcIn); }
    const s = ws.dh; ws.dh = ws.dhPrev; ws.dhPrev = s; // dh_{t−1} is the next step's dh
  }

  // initial-state gradients
  const addTo = (host: Data | null, src: Buf): void => {
    if (!host) return;
    const b = be.fromHost(host);
    be.axpy(BH, 1, at(src), at(b));
    be.toHost(b, host); be.release(b);
  };
  addTo(out.dh0, ws.dh);
  if (cell.hasCellState) addTo(out.dc0, ws.dc);
  weightGrads(ws, d, out);
}

/** Every weight gradient is one GEMM (or column sum) over all N = T·B rows of the step gradients. */
function weightGrads<Buf>(ws: RecurrentWorkspace<Buf>, d: RecurrentDims, out: RecurrentGradOutputs): void {
  const { be, cell } = ws, inp = ws.inp!, { T, B, D, H } = d, GH = cell.G * H, N = T * B;
  const up = (h: Data | null): Buf | null => (h ? be.fromHost(h) : null);
  const down = (b: Buf, h: Data): void => { be.toHost(b, h); be.release(b); };
  const dGX = at(ws.dgx), dGH = at(ws.dgh);

  // dW_hh += dGHᵀ·H_prev, H_prev = hs[0, T)
  const dwhh = up(out.dwhh)!;
  be.gemm({ tA: true, tB: false, M: GH, N: H, K: N, alpha: 1, beta: 1,
    A: dGH, lda: GH, B: at(ws.hs), ldb: H, C: at(dwhh), ldc: H });
  down(dwhh, out.dwhh);
  const dbhh = up(out.dbhh);
  if (dbhh) { be.addColSums(N, GH, dGH, at(dbhh)); down(dbhh, out.dbhh!); }
  const dbih = up(out.dbih);
  if (dbih) { be.addColSums(N, GH, dGX, at(dbih)); down(dbih, out.dbih!); }
  // dW_ih += dGXᵀ·X: for one-hot X, rows of dGX scattered into dW_ihᵀ (D, G·H), then transposed
  const dwih = up(out.dwih)!;
  if (inp.tokens) {
    const dwihT = at(ws.dwihT!), tmp = at(ws.tmp!);
    be.fill(D * GH, 0, dwihT);
    be.scatterAddRows(GH, inp.tokens, dGX, dwihT);
    be.transpose(D, GH, dwihT, tmp);
    be.axpy(GH * D, 1, tmp, at(dwih));
  } else {
    be.gemm({ tA: true, tB: false, M: GH, N: D, K: N, alpha: 1, beta: 1,
      A: dGX, lda: GH, B: at(inp.x!), ldb: D, C: at(dwih), ldc: D });
  }
  down(dwih, out.dwih);
  // dx += dGX·W_ih
  if (out.dx && inp.x) {
    const dx = be.fromHost(out.dx);
    be.gemm({ tA: false, tB: false, M: N, N: D, K: GH, alpha: 1, beta: 1,
      A: dGX, lda: GH, B: at(inp.wih), ldb: D, C: at(dx), ldc: D });
    down(dx, out.dx);
  }
}
