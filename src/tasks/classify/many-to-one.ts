import { Dropout } from '../../layers/dropout.js';
import { Embedding } from '../../layers/embedding.js';
import { Linear } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import { type CellName, type RecurrentBase, makeRecurrent } from '../../layers/recurrent.js';
import { type Vocab, tokenizeWords } from '../../data/vocab.js';
import type { Device } from '../../kernels/device.js';
import { type Rng, defaultRng } from '../../tensor/rng.js';
import { IntTensor, type Tensor } from '../../tensor/tensor.js';
import { outputsFor } from './head.js';

/**
 * Many-to-one: a sequence of words in, one class out.
 *
 *   ids (B, T) → Embedding → (B, T, E) → GRU/LSTM [bidirectional] → the final *real* state of
 *   each sequence, hT of the last layer (dirs, B, H) → (B, dirs·H) → Linear → logits (B, O)
 *
 * Sequences are padded with <pad> (id 0) to the longest in the batch, and `lengths` masks the
 * padding inside the recurrent layer, so hT is the state after each sequence's last token and
 * padding can never change a prediction (the backward direction starts at the last real token).
 * Legend: B batch, T time, E embedding, H hidden, V vocabulary, O outputs (1 for two classes).
 */
export interface SequenceClassifierArch {
  cell: CellName; vocab: number; embed: number; hidden: number; layers: number; bidirectional: boolean; dropout: number; classes: number;
  /** In training, each word becomes <unk> (id 1) with this probability. */
  wordDropout?: number;
}

export class SequenceClassifier extends Module {
  readonly embed: Embedding;   // weight (V, E)
  readonly drop: Dropout;
  readonly rnn: RecurrentBase;  // weight_ih_l0 (G·H, E), weight_hh_l0 (G·H, H), …
  readonly head: Linear;       // weight (O, dirs·H)

  private readonly rng: Rng;

  constructor(readonly arch: SequenceClassifierArch, rng: Rng = defaultRng(), device?: Device) {
    super();
    this.rng = rng;
    this.embed = this.module('embed', new Embedding(arch.vocab, arch.embed, { paddingIdx: 0, rng }));
    this.drop = this.module('drop', new Dropout(arch.dropout, { rng }));
    this.rnn = this.module('rnn', makeRecurrent(arch.cell, {
      inputSize: arch.embed, hiddenSize: arch.hidden, numLayers: arch.layers, dropout: arch.layers > 1 ? arch.dropout : 0,
      bidirectional: arch.bidirectional, rng, device,
    }));
    this.head = this.module('head', new Linear((arch.bidirectional ? 2 : 1) * arch.hidden, outputsFor(arch.classes), { rng }));
  }

  /** ids (B, T) padded with 0, lengths (B) → logits (B, O). */
  forward(ids: IntTensor, lengths: ArrayLike<number>): Tensor {
    const { hT } = this.rnn.forward(this.drop.forward(this.embed.forward(this.wordDropout(ids))), {}, { lengths });
    const dirs = this.arch.bidirectional ? 2 : 1, K = hT.shape[0], B = hT.shape[1], H = this.arch.hidden;
    const last = hT.slice(0, K - dirs, K); // (dirs, B, H): the last layer, both directions
    const feat = dirs === 1 ? last.reshape([B, H]) : last.permute([1, 0, 2]).reshape([B, dirs * H]);
    return this.head.forward(this.drop.forward(feat));
  }

  /** Word dropout: the model learns to read a sentence with words it has never seen, as at test time. */
  private wordDropout(ids: IntTensor): IntTensor {
    const p = this.arch.wordDropout ?? 0;
    if (!this.training || p === 0) return ids;
    return new IntTensor(ids.data.map((v) => (v > 1 && this.rng.uniform() < p ? 1 : v)), ids.shape);
  }
}

/** Word ids of a text (at most maxTokens; longer texts keep their beginning). */
export function encodeText(vocab: Vocab, text: string, maxTokens = Infinity): Int32Array {
  return vocab.encode(tokenizeWords(text).slice(0, maxTokens));
}

/**
 * The sequences idx of `seqs` as one batch (B, T) padded with 0, T the longest length plus
 * `extraPad` (only tests add padding on purpose).
 */
export function padBatch(seqs: readonly Int32Array[], idx: ArrayLike<number>, extraPad = 0): { ids: IntTensor; lengths: Int32Array } {
  const B = idx.length, lengths = Int32Array.from(idx, (i) => seqs[i].length);
  const T = Math.max(1, ...lengths) + extraPad, ids = new Int32Array(B * T);
  for (let b = 0; b < B; b++) ids.set(seqs[idx[b]], b * T);
  return { ids: new IntTensor(ids, [B, T]), lengths };
}
