import { Embedding } from '../../layers/embedding.js';
import { Linear } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import { type CellName, type RecurrentBase, makeRecurrent } from '../../layers/recurrent.js';
import type { Device } from '../../kernels/device.js';
import type { Rng } from '../../tensor/rng.js';
import type { IntTensor, Tensor } from '../../tensor/tensor.js';

/**
 * Character-level language model, the seed's text use: characters in as one-hot vectors (a
 * gather of W_ih's columns, never a dense multiply) or through a learned embedding, a recurrent
 * stack, and a linear head giving logits for the next character.
 *   ids (T, B) → logits (T, B, V); the final state comes back for the next chunk.
 */
export interface CharLMArch { cell: CellName; vocab: number; hidden: number; layers: number; dropout: number; embed: number }

export class CharLM extends Module {
  readonly embed: Embedding | null;
  readonly rnn: RecurrentBase;
  readonly head: Linear;

  constructor(readonly arch: CharLMArch, rng?: Rng, device?: Device) {
    super();
    this.embed = arch.embed > 0 ? this.module('embed', new Embedding(arch.vocab, arch.embed, { rng })) : null;
    this.rnn = this.module('rnn', makeRecurrent(arch.cell, {
      inputSize: arch.embed > 0 ? arch.embed : arch.vocab, hiddenSize: arch.hidden, numLayers: arch.layers, dropout: arch.dropout, rng, device, batchFirst: false,
    }));
    this.head = this.module('head', new Linear(arch.hidden, arch.vocab, { rng }));
  }

  forward(ids: IntTensor, h0: Tensor | null = null, c0: Tensor | null = null): { logits: Tensor; hT: Tensor; cT: Tensor | null } {
    const x = this.embed ? this.embed.forward(ids) : ids;
    const { output, hT, cT } = this.rnn.forward(x, { h0, c0 });
    return { logits: this.head.forward(output), hT, cT };
  }
}
