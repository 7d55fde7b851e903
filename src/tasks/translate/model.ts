import { concat, stack } from '../../autograd/shape-ops.js';
import { Embedding } from '../../layers/embedding.js';
import { Linear } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import { GRU, LSTM, type RecurrentBase } from '../../layers/recurrent.js';
import type { Device } from '../../kernels/device.js';
import type { Rng } from '../../tensor/rng.js';
import { type DType, IntTensor, Tensor } from '../../tensor/tensor.js';
import { AdditiveAttention } from './attention.js';
import { PAD_ID } from './data.js';

/**
 * Encoder–decoder (sequence-to-sequence) translator, many-to-many with different lengths.
 *
 * Legend: B batch, S source steps, T target steps, D embedding size, H hidden size,
 * E = dirs·H encoder features, V_s / V_t source / target vocabulary sizes.
 *
 *   encoder: src_embed (V_s, D) → GRU/LSTM (D → H per direction) over the real steps only (lengths)
 *   bridge:  the encoder's final state → the decoder's initial state; tanh(Linear(2H → H)) when
 *            bidirectional (forward and backward finals side by side), identity otherwise
 *   decoder: tgt_embed (V_t, D) [+ attention context E] → GRU/LSTM (H), one step per target token
 *   out:     Linear(H [+ E] → V_t) logits
 *
 * Without attention the teacher-forced decoder is one fused layer call over all T steps. With
 * attention every step needs the previous state as the query, so it runs step by step (T layer
 * calls of one step each, the attention from autograd ops); inference always runs step by step.
 */
export type TranslatorCell = 'gru' | 'lstm';

export interface TranslatorArch {
  cell: TranslatorCell; srcVocab: number; tgtVocab: number; embed: number; hidden: number;
  bidirectional: boolean; attention: boolean;
}

/** Decoder state: h (1, B, H) and, for LSTM, c (1, B, H). */
export interface DecoderState { h: Tensor; c: Tensor | null }

/** What the decoder reads about a source batch. */
export interface Memory {
  /** Encoder outputs (B, S, E), zero at padded steps. */
  outputs: Tensor;
  /** Real length of each source. */
  lengths: Int32Array;
  /** Attention keys (B, S, A); null without attention. */
  keys: Tensor | null;
  state: DecoderState;
}

export class Translator extends Module {
  readonly srcEmbed: Embedding;
  readonly encoder: RecurrentBase;
  readonly bridge: Linear | null;
  readonly bridgeC: Linear | null;
  readonly tgtEmbed: Embedding;
  readonly decoder: RecurrentBase;
  readonly attention: AdditiveAttention | null;
  readonly out: Linear;

  constructor(readonly arch: TranslatorArch, opts: { rng?: Rng; device?: Device; dtype?: DType } = {}) {
    super();
    const { embed: D, hidden: H } = arch, dirs = arch.bidirectional ? 2 : 1, E = dirs * H;
    const { rng, device, dtype } = opts;
    const rnn = (inputSize: number, bidirectional: boolean) => {
      const o = { inputSize, hiddenSize: H, batchFirst: true, bidirectional, rng, device, dtype };
      return arch.cell === 'lstm' ? new LSTM(o) : new GRU(o);
    };
    this.srcEmbed = this.module('src_embed', new Embedding(arch.srcVocab, D, { paddingIdx: PAD_ID, rng, dtype }));
    this.encoder = this.module('encoder', rnn(D, arch.bidirectional));
    this.bridge = arch.bidirectional ? this.module('bridge', new Linear(E, H, { rng, dtype })) : null;
    this.bridgeC = arch.bidirectional && arch.cell === 'lstm' ? this.module('bridge_c', new Linear(E, H, { rng, dtype })) : null;
    this.tgtEmbed = this.module('tgt_embed', new Embedding(arch.tgtVocab, D, { paddingIdx: PAD_ID, rng, dtype }));
    this.decoder = this.module('decoder', rnn(D + (arch.attention ? E : 0), false));
    this.attention = arch.attention ? this.module('attention', new AdditiveAttention(H, E, H, { rng, dtype })) : null;
    this.out = this.module('out', new Linear(H + (arch.attention ? E : 0), arch.tgtVocab, { rng, dtype }));
  }

  get memorySize(): number { return (this.arch.bidirectional ? 2 : 1) * this.arch.hidden; }

  /** src (B, S) ids padded with <pad>, lengths (B) → the memory the decoder reads. */
  encode(src: IntTensor, lengths: ArrayLike<number>): Memory {
    const B = src.shape[0], H = this.arch.hidden, lens = Int32Array.from(lengths);
    const { output, hT, cT } = this.encoder.forward(this.srcEmbed.forward(src), {}, { lengths });
    const bridge = (t: Tensor, lin: Linear | null): Tensor => (lin === null ? t
      : lin.forward(t.permute([1, 0, 2]).reshape([B, 2 * H])).tanh().reshape([1, B, H]));
    const state = { h: bridge(hT, this.bridge), c: cT ? bridge(cT, this.bridgeC) : null };
    return { outputs: output, lengths: lens, keys: this.attention ? this.attention.keys(output) : null, state };
  }

  /**
   * One decoder step for N rows: prev (N) the previous tokens → features (N, H [+ E]) for `out`,
   * the new state, and the attention weights (N, S) when there is attention.
   */
  step(prev: Int32Array, state: DecoderState, mem: Memory): { features: Tensor; state: DecoderState; weights: Tensor | null } {
    const N = prev.length, H = this.arch.hidden;
    let x = this.tgtEmbed.forward(new IntTensor(prev, [N]));
    let context: Tensor | null = null, weights: Tensor | null = null;
    if (this.attention) {
      ({ context, weights } = this.attention.forward(state.h.reshape([N, H]), mem.outputs, mem.keys!, mem.lengths));
      x = concat([x, context], 1);
    }
    const r = this.decoder.forward(x.reshape([N, 1, x.shape[1]]), { h0: state.h, c0: state.c });
    const h = r.hT.reshape([N, H]);
    return { features: context ? concat([h, context], 1) : h, state: { h: r.hT, c: r.cT }, weights };
  }

  /** Teacher forcing: src (B, S), lengths, tgtIn (B, T) = <bos> y1 … → logits (B, T, V_t). */
  forward(src: IntTensor, lengths: ArrayLike<number>, tgtIn: IntTensor): Tensor {
    const mem = this.encode(src, lengths);
    const [B, T] = tgtIn.shape;
    if (!this.attention) {
      // the target side is causal and padding comes last, so no lengths are needed: padded steps only feed padded steps
      const { output } = this.decoder.forward(this.tgtEmbed.forward(tgtIn), { h0: mem.state.h, c0: mem.state.c });
      return this.out.forward(output);
    }
    const feats: Tensor[] = [];
    let state = mem.state;
    for (let t = 0; t < T; t++) {
      const prev = Int32Array.from({ length: B }, (_, b) => tgtIn.data[b * T + t]);
      const r = this.step(prev, state, mem);
      feats.push(r.features);
      state = r.state;
    }
    // one output projection over all steps: one GEMM instead of T
    return this.out.forward(stack(feats, 1));
  }
}
