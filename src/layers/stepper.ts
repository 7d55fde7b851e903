import type { StepBuffers } from '../cells/cell.js';
import { ShapeError, assert } from '../errors.js';
import type { AnyBackend, StepKernel } from '../kernels/backend.js';
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
  private readonly layers: {
    w: StepBuffers<unknown>; wih: unknown; wihT: unknown | null; whh: unknown; bih: unknown | null; bhh: unknown | null; D: number;
  }[] = [];
  private readonly tok = new Int32Array(1);
  private readonly head: StepperHead | null;
  /** Hidden state of the last layer after the latest step (B, H), on the host (overwritten in place). */
  readonly h: Data;
  /** The head's output after the latest step (B, O), when the stepper has a head (overwritten in place). */
  readonly y: Data;
  private readonly owned: unknown[] = [];

  constructor(readonly rnn: RecurrentBase, readonly B = 1, opts: { head?: StepperHead | null } = {}) {
    if (rnn.bidirectional) throw new ShapeError('stepper: a bidirectional layer needs the whole sequence; run forward() instead');
    const be = (this.be = rnn.backend), H = rnn.hiddenSize, G = rnn.cell.G, GH = G * H, L = rnn.numLayers;
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
    const own = (b: unknown) => { this.owned.push(b); return b; };
    const up = (d: Data) => own(be.fromHost(d.slice()));
    for (let l = 0; l < L; l++) {
      const wt = rnn.weights[l], D = wt.wih.shape[1];
      const buf = (n: number) => own(be.alloc(n));
      const hs = buf(2 * B * H);
      const w: StepBuffers<unknown> = {
        gx: buf(B * GH), gh: buf(B * GH), hs, cs: rnn.cell.hasCellState ? buf(2 * B * H) : hs,
        aux: rnn.cell.hasAux ? buf(B * H) : hs, dgx: hs, dgh: hs,
      };
      let wihT: unknown | null = null;
      if (l === 0) { wihT = buf(D * GH); be.transpose(up(wt.wih.data), 0, GH, D, wihT, 0); }
      this.layers.push({ w, wih: up(wt.wih.data), wihT, whh: up(wt.whh.data), bih: wt.bih ? up(wt.bih.data) : null, bhh: wt.bhh ? up(wt.bhh.data) : null, D });
    }
    this.h = allocData(rnn.dtype, B * H);
    this.y = allocData(rnn.dtype, B * O);
  }

  /** Zero state (or the given h0/c0 of shape (layers, B, H)). */
  reset(h0?: Data, c0?: Data): void {
    if (this.kernel) { this.kernel.reset(h0, c0); return; }
    const { be } = this, BH = this.B * this.rnn.hiddenSize;
    const hb = h0 ? be.fromHost(h0) : null, cb = c0 ? be.fromHost(c0) : null;
    this.layers.forEach((L, k) => {
      if (hb) be.copy(hb, k * BH, L.w.hs, 0, BH); else be.fill(L.w.hs, 0, BH, 0);
      if (this.rnn.cell.hasCellState) { if (cb) be.copy(cb, k * BH, L.w.cs, 0, BH); else be.fill(L.w.cs, 0, BH, 0); }
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
    const { be, B } = this, H = this.rnn.hiddenSize, GH = this.rnn.cell.G * H, BH = B * H;
    this.layers.forEach((L, k) => {
      if (L.bih) be.broadcastRows(L.bih, 0, B, GH, L.w.gx, 0); else be.fill(L.w.gx, 0, B * GH, 0);
      if (k > 0) {
        const prev = this.layers[k - 1].w.hs;
        be.gemm(false, true, B, GH, L.D, 1, prev, BH, L.D, L.wih, 0, L.D, 1, L.w.gx, 0, GH);
      } else if (typeof input === 'number' || input instanceof Int32Array) {
        const ids = typeof input === 'number' ? ((this.tok[0] = input), this.tok) : input;
        be.gatherAddRows(L.wihT!, GH, ids, L.w.gx, 0);
      } else {
        const xb = be.fromHost(input);
        be.gemm(false, true, B, GH, L.D, 1, xb, 0, L.D, L.wih, 0, L.D, 1, L.w.gx, 0, GH);
        be.release(xb);
      }
      if (L.bhh) be.broadcastRows(L.bhh, 0, B, GH, L.w.gh, 0); else be.fill(L.w.gh, 0, B * GH, 0);
      be.gemm(false, true, B, GH, H, 1, L.w.hs, 0, H, L.whh, 0, H, 1, L.w.gh, 0, GH);
      this.rnn.cell.forward(be, L.w, 0, B, H);
    });
    // the new state becomes the previous one (after the next layer read it above)
    for (const L of this.layers) {
      be.copy(L.w.hs, BH, L.w.hs, 0, BH);
      if (this.rnn.cell.hasCellState) be.copy(L.w.cs, BH, L.w.cs, 0, BH);
    }
    be.toHost(this.layers[this.layers.length - 1].w.hs, this.h, 0);
    const head = this.head;
    if (head) {
      const O = this.y.length / B;
      for (let b = 0; b < B; b++) { if (head.bias) this.y.set(head.bias, b * O); else this.y.fill(0, b * O, (b + 1) * O); }
      hostGemm(false, true, B, O, H, 1, this.h, 0, H, head.weight, 0, H, 1, this.y, 0, O);
    }
    return this.h;
  }

  dispose(): void {
    this.kernel?.dispose();
    for (const b of this.owned) this.be.release(b);
    this.owned.length = 0;
  }
}
