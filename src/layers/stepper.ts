import type { CellSteps, StepBuffers } from '../cells/cell.js';
import { ShapeError, assert } from '../errors.js';
import { type AnyBackend, type GemmArgs, type StepKernel, type View, at } from '../kernels/backend.js';
import { hostGemm } from '../kernels/host.js';
import { type Data, allocData } from '../tensor/tensor.js';
import type { RecurrentBase } from './recurrent.js';

/** A linear head on the last layer's state, y = W·h + b: W (O, H), b (O) (e.g. a Linear's weight and bias data). */
export interface StepperHead { weight: Data; bias: Data | null }

/**
 * One time step at a time, for generation and streaming inference: no tape and no allocation per
 * step. At batch 1 a step is one call of the backend's fused step kernel (input gather or
 * projection, W_hh·h, the cell and the optional head for every layer at once); larger batches
 * compose the step from the fused cell kernels on buffers allocated once. The stepper snapshots
 * the weights when it is made (make a new one after training further). Unidirectional stacks only.
 *
 * Legend: B batch, H hidden, G gates, D input size of layer 0, O head outputs.
 */
export class RecurrentStepper {
  private readonly be: AnyBackend;
  /** The fused kernel (batch 1), or null: the composed path below. */
  private readonly kernel: StepKernel | null;
  private readonly layers: ComposedLayer[] = [];
  /** y += h·W_yᵀ on the host, for the composed path's head. */
  private headGemm: GemmArgs<Data> | null = null;
  private readonly tok = new Int32Array(1);
  private readonly head: StepperHead | null;
  /** Hidden state of the last layer after the latest step (B, H), on the host (overwritten in place). */
  readonly h: Data;
  /** The head's output after the latest step (B, O), when the stepper has a head (overwritten in place). */
  readonly y: Data;
  private readonly owned: unknown[] = [];

  constructor(readonly rnn: RecurrentBase, readonly B = 1, opts: { head?: StepperHead | null } = {}) {
    if (rnn.bidirectional) throw new ShapeError('stepper: a bidirectional layer needs the whole sequence; run forward() instead');
    const be = (this.be = rnn.backend), H = rnn.hiddenSize, L = rnn.numLayers;
    this.head = opts.head ? { weight: opts.head.weight.slice(), bias: opts.head.bias?.slice() ?? null } : null;
    const O = this.head ? this.head.weight.length / H : 0;
    assert(Number.isInteger(O), () => `stepper head: expected a weight of O×${H} elements, got ${this.head!.weight.length}`);
    if (B === 1) {
      this.kernel = be.stepKernel({
        mode: rnn.cell.mode, H,
        layers: rnn.weights.map((w) => ({ wih: w.wih.data, whh: w.whh.data, bih: w.bih?.data ?? null, bhh: w.bhh?.data ?? null })),
        head: this.head,
      });
      this.h = this.kernel.h.subarray((L - 1) * H, L * H);
      this.y = this.kernel.y;
      return;
    }
    this.kernel = null;
    const own = <T>(b: T): T => { this.owned.push(b); return b; };
    for (let l = 0; l < L; l++) this.layers.push(composedLayer(rnn, B, l, this.layers[l - 1] ?? null, own));
    this.h = allocData(rnn.dtype, B * H);
    this.y = allocData(rnn.dtype, B * O);
    if (this.head) {
      this.headGemm = { tA: false, tB: true, M: B, N: O, K: H, alpha: 1, beta: 1,
        A: at(this.h), lda: H, B: at(this.head.weight), ldb: H, C: at(this.y), ldc: O };
    }
  }

  /** Zero state (or the given h0/c0 of shape (layers, B, H)). */
  reset(h0?: Data, c0?: Data): void {
    if (this.kernel) { this.kernel.reset(h0, c0); return; }
    const { be } = this, BH = this.B * this.rnn.hiddenSize;
    const hb = h0 ? be.fromHost(h0) : null, cb = c0 ? be.fromHost(c0) : null;
    this.layers.forEach((L, k) => {
      const h = at(L.w.hs), c = at(L.w.cs);
      if (hb) be.copy(BH, at(hb, k * BH), h); else be.fill(BH, 0, h);
      if (this.rnn.cell.hasCellState) { if (cb) be.copy(BH, at(cb, k * BH), c); else be.fill(BH, 0, c); }
    });
    if (hb) be.release(hb);
    if (cb) be.release(cb);
  }

  /**
   * Advances every layer by one step. `input`: a token id per sequence (one-hot input) or dense
   * inputs (B, D). Returns the last layer's new hidden state (this.h, overwritten next step); the
   * head's output, if any, is in this.y.
   */
  step(input: number | Int32Array | Data): Data {
    const k = this.kernel;
    if (k !== null) {
      if (typeof input === 'number') k.step(input);
      else if (input instanceof Int32Array) { assert(input.length === 1, () => `stepper: expected 1 token id (batch 1), got ${input.length}`); k.step(input[0]); }
      else {
        assert(input.length === k.D, () => `stepper: expected an input of size ${k.D}, got ${input.length}`);
        k.x.set(input);
        k.step(-1);
      }
      return this.h;
    }
    return this.composedStep(input);
  }

  /** Batch > 1: the step from the backend's GEMM and fused cell kernels. */
  private composedStep(input: number | Int32Array | Data): Data {
    const { be, B } = this, GH = this.rnn.cell.G * this.rnn.hiddenSize, BH = B * this.rnn.hiddenSize;
    for (const L of this.layers) {
      // gx = x·W_ihᵀ + b_ih: x is the layer below's new state, the dense input, or token ids (W_ihᵀ rows gathered)
      if (L.bih) be.broadcastRows(B, GH, L.bih, L.gx); else be.fill(B * GH, 0, L.gx);
      if (L.wihT === null) be.gemm(L.input);
      else if (typeof input === 'number' || input instanceof Int32Array) {
        const ids = typeof input === 'number' ? ((this.tok[0] = input), this.tok) : input;
        be.gatherAddRows(GH, ids, L.wihT, L.gx);
      } else {
        const x = L.input.A;
        x.buf = be.fromHost(input);
        be.gemm(L.input);
        be.release(x.buf);
      }
      // gh = h·W_hhᵀ + b_hh, then the cell: hs[1] (cs[1]) from hs[0] (cs[0])
      if (L.bhh) be.broadcastRows(B, GH, L.bhh, L.gh); else be.fill(B * GH, 0, L.gh);
      be.gemm(L.recur);
      L.cell.forward(0);
    }
    // the new state becomes the previous one (after the next layer read it above)
    for (const L of this.layers) {
      be.copy(BH, L.hNew, L.h);
      if (this.rnn.cell.hasCellState) be.copy(BH, L.cNew, L.c);
    }
    be.toHost(this.layers[this.layers.length - 1].w.hs, this.h, 0);
    const head = this.head;
    if (head && this.headGemm) {
      // y = h·W_yᵀ + b_y
      const O = this.y.length / B;
      for (let b = 0; b < B; b++) { if (head.bias) this.y.set(head.bias, b * O); else this.y.fill(0, b * O, (b + 1) * O); }
      hostGemm(this.headGemm);
    }
    return this.h;
  }

  dispose(): void {
    this.kernel?.dispose();
    for (const b of this.owned) this.be.release(b);
    this.owned.length = 0;
  }
}

/** One layer of the composed step (batch > 1): its buffers, and every kernel's arguments made once. */
interface ComposedLayer {
  w: StepBuffers<unknown>;
  gx: View; gh: View; bih: View | null; bhh: View | null;
  /** W_ihᵀ (D, G·H) for the token gather: layer 0 only. */
  wihT: View | null;
  /** gx += x·W_ihᵀ, x the layer below's new state; layer 0 uploads its dense input into A each step. */
  input: GemmArgs;
  /** gh += h·W_hhᵀ */
  recur: GemmArgs;
  cell: CellSteps;
  /** The state before the step (hs[0], cs[0]) and after it (hs[1], cs[1]). */
  h: View; hNew: View; c: View; cNew: View;
}

function composedLayer(rnn: RecurrentBase, B: number, l: number, below: ComposedLayer | null,
  own: <T>(b: T) => T): ComposedLayer {
  const be = rnn.backend, H = rnn.hiddenSize, GH = rnn.cell.G * H, BH = B * H, wt = rnn.weights[l], D = wt.wih.shape[1];
  const buf = (n: number): unknown => own(be.alloc(n)), up = (d: Data): View => at(own(be.fromHost(d.slice())));
  const hs = buf(2 * BH), cs = rnn.cell.hasCellState ? buf(2 * BH) : hs;
  const w: StepBuffers<unknown> = {
    gx: buf(B * GH), gh: buf(B * GH), hs, cs, aux: rnn.cell.hasAux ? buf(BH) : hs,
    dgx: hs, dgh: hs, dh: hs, dc: hs, dhPrev: hs, // no backward here
  };
  const gx = at(w.gx), gh = at(w.gh), h = at(hs), W_ih = up(wt.wih.data);
  const wihT = l === 0 ? at(buf(D * GH)) : null;
  if (wihT) be.transpose(GH, D, W_ih, wihT);
  return {
    w, gx, gh, wihT, bih: wt.bih ? up(wt.bih.data) : null, bhh: wt.bhh ? up(wt.bhh.data) : null,
    input: { tA: false, tB: true, M: B, N: GH, K: D, alpha: 1, beta: 1,
      A: below ? below.hNew : at<unknown>(null), lda: D, B: W_ih, ldb: D, C: gx, ldc: GH },
    recur: { tA: false, tB: true, M: B, N: GH, K: H, alpha: 1, beta: 1,
      A: h, lda: H, B: up(wt.whh.data), ldb: H, C: gh, ldc: GH },
    cell: rnn.cell.bind(be, w, B, H),
    h, hNew: at(hs, BH), c: at(cs), cNew: at(cs, BH),
  };
}
