import { concat } from '../autograd/shape-ops.js';
import { Module } from '../layers/module.js';
import type { Rng } from '../tensor/rng.js';
import { zeros } from '../tensor/init.js';
import { type IntTensor, Tensor } from '../tensor/tensor.js';
import { MyRNNCell } from './seed-cell.js';

/**
 * The seed's own cell as a character model, trained with autograd through its explicit matrices:
 *
 *   h_t = tanh(W_hh·h_{t−1} + W_xh·x_t)      y_t = W_hy·h_t      (logits over the vocabulary)
 *
 * x_t is the one-hot column of a character, so the batch lives in the columns: x (V, B), h (H, B),
 * y (V, B), and the seed's cell runs unchanged. forward(ids, h0) → { logits (T, B, V), hT } has
 * CharLM's signature, so the same trainer, evaluation and sampler serve both.
 * Legend: T time, B streams, V vocabulary, H units.
 */
/** `hidden` is the seed's rnnUnits; input and output are the vocabulary. */
export interface SeedCharArch { cell: 'seed'; hidden: number; vocab: number }

/**
 * The seed's cell (MyRNNCell) as a character model: h_t = tanh(W_hh·h_{t−1} + W_xh·x_t), y_t = W_hy·h_t over one-hot
 * characters, with CharLM's forward signature (see the file's header for the layout).
 */
export class SeedCharLM extends Module {
  readonly cell: MyRNNCell;

  constructor(readonly arch: SeedCharArch, rng?: Rng) {
    super();
    this.cell = this.module('cell', new MyRNNCell(arch.hidden, arch.vocab, arch.vocab, rng));
  }

  /** ids (T, B) → logits (T, B, V); the state starts at h0 (H, B) or zeros and comes back as hT. */
  forward(ids: IntTensor, h0: Tensor | null = null, _c0: Tensor | null = null): { logits: Tensor; hT: Tensor; cT: null } {
    const [T, B] = ids.shape, V = this.arch.vocab;
    this.cell.h = h0 ?? zeros([this.arch.hidden, B]);
    const ys: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const [y] = this.cell.forward(oneHotColumns(ids.data, t * B, B, V));
      ys.push(y.t()); // (B, V)
    }
    const hT = this.cell.h;
    this.cell.h = zeros([this.arch.hidden, 1]); // the saved buffer keeps the seed's (H, 1) shape
    return { logits: concat(ys, 0).reshape([T, B, V]), hT, cT: null };
  }
}

/** The one-hot columns (V, B) of ids[off … off + B). */
export function oneHotColumns(ids: ArrayLike<number>, off: number, B: number, V: number): Tensor {
  const x = new Float32Array(V * B);
  for (let b = 0; b < B; b++) x[ids[off + b] * B + b] = 1;
  return new Tensor(x, [V, B]);
}
