import { DataError } from '../errors.js';
import { type ModelMeta, buildWithin } from '../io/model-file.js';
import type { Module } from '../layers/module.js';
import { SequenceClassifier, type SequenceClassifierArch } from '../tasks/classify/many-to-one.js';
import { outputsFor } from '../tasks/classify/head.js';
import type { CellName } from '../layers/recurrent.js';
import { Forecaster, type ForecasterArch } from '../tasks/forecast/model.js';
import { ConditionalGenerator, type GeneratorArch } from '../tasks/generate/model.js';
import { Denoiser } from '../tasks/smooth/index.js';
import { CharLM, type CharLMArch } from '../tasks/text/model.js';

/**
 * Every model kind interop moves is the same shape of network: an input stage (token ids one-hot
 * or through an Embedding, or feature vectors), one recurrent stack `rnn` (nn.RNN/LSTM/GRU) and a
 * Linear `head` read either at every step or from the last layer's final state. `Net` says which,
 * with the sizes, so the PyTorch and ONNX writers need no per-kind code beyond this file.
 * Legend: B batch, T time, V vocabulary, E embedding, I input features, H hidden, L layers.
 */
export interface Net {
  kind: string;
  /** The Python class name in the generated model.py. */
  className: string;
  /** ids (one-hot over `vocab`, or looked up in `embed`) or feature vectors of `size`. */
  input: { ids: true; vocab: number; embed: { dim: number; paddingIdx: number | null } | null } | { ids: false; size: number };
  /** Inputs and per-step outputs are (B, T, …); otherwise (T, B, …). */
  batchFirst: boolean;
  rnn: { cell: CellName; inputSize: number; hidden: number; layers: number; bidirectional: boolean; dropout: number };
  /** 'steps': head on every step's output; 'last': head on the last layer's final state(s). */
  head: { inFeatures: number; outFeatures: number; from: 'steps' | 'last' };
  /** The forward takes each sequence's real length (padding masked inside the recurrent layer). */
  lengths: boolean;
  /** Dropout module `drop` around the recurrent stack (identity at inference). */
  drop: number | null;
  /** conditional-generator: h0 = tanh(init(onehot(category))) with `init` a Linear(K → L·H). */
  init: { categories: number; conditional: boolean } | null;
}

export const SUPPORTED_KINDS = ['char-lm', 'forecaster', 'denoiser', 'classifier', 'conditional-generator'] as const;

const bad = (kind: string, what: string) => new DataError(`model file: malformed ${kind} metadata (${what})`);

/** arch[k] as a positive integer, or a DataError naming it. */
function size(meta: ModelMeta, k: string, min = 1): number {
  const v = meta.arch[k];
  if (!Number.isInteger(v) || (v as number) < min) throw bad(meta.kind, `arch.${k} = ${JSON.stringify(v)}`);
  return v as number;
}

function cellOf(meta: ModelMeta): CellName {
  const c = meta.arch.cell;
  if (c === 'seed') {
    throw new DataError("the seed's own cell (cell 'seed') is not a fused RNN/LSTM/GRU layer, so it has no nn.RNN names to export under; "
      + 'its matrices are in the model file as cell.W_xh, cell.W_hh and cell.W_hy, readable by any safetensors reader');
  }
  if (c !== 'rnn' && c !== 'lstm' && c !== 'gru') throw bad(meta.kind, `arch.cell = ${JSON.stringify(c)}`);
  return c;
}

const dropoutOf = (meta: ModelMeta): number => {
  const d = meta.arch.dropout;
  return typeof d === 'number' && d >= 0 && d < 1 ? d : 0;
};

/** The network a recur model file describes; a DataError for kinds interop does not move. */
export function netOf(meta: ModelMeta): Net {
  // what cannot move is said first, before its metadata is read as if it were a recurrent stack
  if (!(SUPPORTED_KINDS as readonly string[]).includes(meta.kind)) {
    throw new DataError(`cannot move a '${meta.kind}' model: interop supports ${SUPPORTED_KINDS.map((k) => `'${k}'`).join(', ')}`
      + (meta.kind === 'translator' ? ' (a translator decodes step by step with attention, not one recurrent stack and a head)' : ''));
  }
  if (meta.kind === 'classifier' && meta.arch.type !== 'many-to-one') {
    throw new DataError(`a '${String(meta.arch.type)}' classifier is the seed's cell run for one step, with no recurrent layer `
      + 'to move; interop exports many-to-one classifiers');
  }
  const cell = cellOf(meta), hidden = size(meta, 'hidden'), layers = size(meta, 'layers'), dropout = dropoutOf(meta);
  const base = { kind: meta.kind, lengths: false, drop: null, init: null };
  switch (meta.kind) {
    case 'char-lm': {
      const V = size(meta, 'vocab'), E = size(meta, 'embed', 0);
      return {
        ...base, className: 'CharLM', batchFirst: false,
        input: { ids: true, vocab: V, embed: E > 0 ? { dim: E, paddingIdx: null } : null },
        rnn: { cell, inputSize: E > 0 ? E : V, hidden, layers, bidirectional: false, dropout },
        head: { inFeatures: hidden, outFeatures: V, from: 'steps' },
      };
    }
    case 'forecaster': {
      const q = Array.isArray(meta.arch.quantiles) ? meta.arch.quantiles.length : 0;
      const I = size(meta, 'inputSize');
      return {
        ...base, className: 'Forecaster', batchFirst: true, input: { ids: false, size: I },
        rnn: { cell, inputSize: I, hidden, layers, bidirectional: false, dropout },
        head: { inFeatures: hidden, outFeatures: size(meta, 'horizon') * size(meta, 'targets') * Math.max(1, q), from: 'last' },
      };
    }
    case 'denoiser':
      return {
        ...base, className: 'Denoiser', batchFirst: true, input: { ids: false, size: 1 },
        rnn: { cell, inputSize: 1, hidden, layers, bidirectional: true, dropout: 0 },
        head: { inFeatures: 2 * hidden, outFeatures: 1, from: 'steps' },
      };
    case 'classifier': {
      const dirs = meta.arch.bidirectional === true ? 2 : 1, E = size(meta, 'embed');
      return {
        ...base, className: 'SequenceClassifier', batchFirst: true, lengths: true, drop: dropout,
        input: { ids: true, vocab: size(meta, 'vocab'), embed: { dim: E, paddingIdx: 0 } },
        rnn: { cell, inputSize: E, hidden, layers, bidirectional: dirs === 2, dropout: layers > 1 ? dropout : 0 },
        head: { inFeatures: dirs * hidden, outFeatures: outputsFor(size(meta, 'classes', 2)), from: 'last' },
      };
    }
    case 'conditional-generator': {
      const V = size(meta, 'vocab');
      return {
        ...base, className: 'ConditionalGenerator', batchFirst: true, lengths: true,
        init: { categories: size(meta, 'categories'), conditional: meta.arch.conditional !== false },
        input: { ids: true, vocab: V, embed: null },
        rnn: { cell, inputSize: V, hidden, layers, bidirectional: false, dropout: 0 },
        head: { inFeatures: hidden, outFeatures: V, from: 'steps' },
      };
    }
    default:
      throw new Error(`netOf: kind '${meta.kind}' is listed as supported but has no case`);
  }
}

/**
 * recur's own module for a model file's metadata, with fresh weights (dropout off): its state
 * dict says which tensors, of which shapes, a file of this architecture must hold. Given the
 * tensors it is for, it may not grow larger than they are (buildWithin).
 */
export function buildModule(meta: ModelMeta, state?: Record<string, { data: ArrayLike<number> }>): Module {
  const kind = netOf(meta).kind, arch = <A>() => ({ ...meta.arch, dropout: 0 }) as unknown as A;
  const build = (): Module => {
    switch (kind) {
      case 'char-lm': return new CharLM(arch<CharLMArch>());
      case 'forecaster': return new Forecaster({ ...arch<ForecasterArch>(), quantiles: (meta.arch.quantiles as number[] | undefined) ?? [] });
      case 'denoiser': return new Denoiser(arch<Denoiser['arch']>());
      case 'classifier': return new SequenceClassifier(arch<SequenceClassifierArch>());
      default: return new ConditionalGenerator(arch<GeneratorArch>());
    }
  };
  return state ? buildWithin(state, build) : build();
}
