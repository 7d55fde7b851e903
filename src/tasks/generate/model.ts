import { Linear } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import { type CellName, type RecurrentBase, makeRecurrent } from '../../layers/recurrent.js';
import type { Device } from '../../kernels/device.js';
import type { Rng } from '../../tensor/rng.js';
import { IntTensor, Tensor } from '../../tensor/tensor.js';

/**
 * One-to-many: one input vector, a whole sequence out. The category becomes the initial hidden
 * state, and a character-level recurrent layer unrolls from <bos> until it emits <eos>:
 *
 *   h0 = tanh(W·onehot(category) + b)            (L, B, H)
 *   h_t = cell(onehot(c_{t−1}), h_{t−1})          c_0 = <bos>
 *   p(c_t | c_<t, category) = softmax(W_hy·h_t + b_y)
 *
 * With `conditional` false the category vector is all zeros, so h0 = tanh(b) is one learned
 * state for every category: the same model and size without the information, the control that
 * shows what conditioning adds. (An LSTM's c0 starts at zero either way.)
 * Legend: B batch, T time, V characters (one-hot inputs), H hidden, L layers, K categories.
 */
export interface GeneratorArch { cell: CellName; vocab: number; hidden: number; layers: number; categories: number; conditional: boolean }

export class ConditionalGenerator extends Module {
  readonly init: Linear;       // weight (L·H, K), bias (L·H)
  readonly rnn: RecurrentBase; // weight_ih_l0 (G·H, V) read as one-hot columns, weight_hh_l0 (G·H, H)
  readonly head: Linear;       // weight (V, H)

  constructor(readonly arch: GeneratorArch, rng?: Rng, device?: Device) {
    super();
    this.init = this.module('init', new Linear(arch.categories, arch.layers * arch.hidden, { rng }));
    this.rnn = this.module('rnn', makeRecurrent(arch.cell, { inputSize: arch.vocab, hiddenSize: arch.hidden, numLayers: arch.layers, dropout: 0, rng, device }));
    this.head = this.module('head', new Linear(arch.hidden, arch.vocab, { rng }));
  }

  /** h0 (L, B, H) for category ids (B). */
  initialState(cats: ArrayLike<number>): Tensor {
    const B = cats.length, K = this.arch.categories, L = this.arch.layers, H = this.arch.hidden;
    const onehot = new Float32Array(B * K);
    if (this.arch.conditional) for (let b = 0; b < B; b++) onehot[b * K + cats[b]] = 1;
    const h = this.init.forward(new Tensor(onehot, [B, K])).tanh();
    return L === 1 ? h.reshape([1, B, H]) : h.reshape([B, L, H]).permute([1, 0, 2]);
  }

  /** Teacher forcing: ids (B, T) padded with 0, categories (B), lengths (B) → logits (B, T, V). */
  forward(ids: IntTensor, cats: ArrayLike<number>, lengths: ArrayLike<number>): Tensor {
    const { output } = this.rnn.forward(ids, { h0: this.initialState(cats) }, { lengths });
    return this.head.forward(output);
  }

  /** One step for sampling: tokens (B), state → logits (B, V) and the next state. */
  step(tokens: Int32Array, h: Tensor, c: Tensor | null): { logits: Tensor; h: Tensor; c: Tensor | null } {
    const B = tokens.length;
    const { output, hT, cT } = this.rnn.forward(new IntTensor(tokens, [B, 1]), { h0: h, c0: c });
    return { logits: this.head.forward(output.reshape([B, this.arch.hidden])), h: hT, c: cT };
  }
}
