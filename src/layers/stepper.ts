import type { StepBuffers } from '../cells/cell.js';
import { ShapeError } from '../errors.js';
import type { AnyBackend } from '../kernels/backend.js';
import type { Data } from '../tensor/tensor.js';
import type { RecurrentBase } from './recurrent.js';

/**
 * One time step at a time, for generation and streaming inference: the fused cell kernels on
 * buffers allocated once, no tape and no allocation per step. The stepper snapshots the weights
 * when it is made (make a new one after training further). Unidirectional stacks only.
 *
 * Legend: B batch, H hidden, G gates, D input size of layer 0.
 */
export class RecurrentStepper {
  private readonly be: AnyBackend;
  private readonly layers: {
    w: StepBuffers<unknown>; wih: unknown; wihT: unknown | null; whh: unknown; bih: unknown | null; bhh: unknown | null; D: number;
  }[] = [];
  private readonly tok = new Int32Array(1);
  /** Hidden state of the last layer after the latest step (B, H), on the host. */
  readonly h: Data;
  private readonly owned: unknown[] = [];

  constructor(readonly rnn: RecurrentBase, readonly B = 1) {
    if (rnn.bidirectional) throw new ShapeError('stepper: a bidirectional layer needs the whole sequence; run forward() instead');
    const be = (this.be = rnn.backend), H = rnn.hiddenSize, G = rnn.cell.G, GH = G * H;
    const own = (b: unknown) => { this.owned.push(b); return b; };
    const up = (d: Data) => own(be.fromHost(d.slice()));
    for (let l = 0; l < rnn.numLayers; l++) {
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
    this.h = new (rnn.dtype === 'float64' ? Float64Array : Float32Array)(B * H);
  }

  /** Zero state (or the given h0/c0 of shape (layers, B, H)). */
  reset(h0?: Data, c0?: Data): void {
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
   * inputs (B, D). Returns the last layer's new hidden state (this.h, overwritten next step).
   */
  step(input: number | Int32Array | Data): Data {
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
    return this.h;
  }

  dispose(): void { for (const b of this.owned) this.be.release(b); this.owned.length = 0; }
}
