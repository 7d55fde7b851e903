import { noGrad } from '../../autograd/engine.js';
import { Vocab } from '../../data/vocab.js';
import { Scaler } from '../../data/scaler.js';
import { type ModelMeta, type ParsedModel, parseModelFile, serializeModel } from '../../io/model-file.js';
import type { Module } from '../../layers/module.js';
import type { SequenceClassifier } from '../../tasks/classify/many-to-one.js';
import { FeatureSpec } from '../../tasks/forecast/features.js';
import type { CellName } from '../../layers/recurrent.js';
import type { Forecaster } from '../../tasks/forecast/model.js';
import type { ConditionalGenerator } from '../../tasks/generate/model.js';
import type { Denoiser } from '../../tasks/smooth/index.js';
import type { CharLM } from '../../tasks/text/model.js';
import { Rng } from '../../tensor/rng.js';
import { IntTensor, Tensor } from '../../tensor/tensor.js';
import { buildModule } from '../kinds.js';

/**
 * Small recur models of every kind interop moves, with seeded random weights and inputs, and
 * recur's own forward for them: the reference every export is compared with.
 * Legend: B batch, T time, V vocabulary, I input features.
 */
export interface Input { name: string; dtype: 'int64' | 'float32'; shape: number[]; data: number[] }
export interface Case { name: string; parsed: ParsedModel; inputs: Input[] }

const B = 3, T = 5;
const chars = (n: number) => new Vocab('char', Array.from({ length: n }, (_, i) => String.fromCharCode(97 + i)), []).toJSON();
const words = (n: number) => new Vocab('word', ['<pad>', '<unk>', ...Array.from({ length: n - 2 }, (_, i) => `w${i}`)], ['<pad>', '<unk>']).toJSON();
const ids = (rng: Rng, n: number, V: number, from = 0) => Array.from({ length: n }, () => from + rng.int(V - from));
const floats = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.normal());

/** A model file of `meta`'s architecture with the weights of seed `seed`, parsed back. */
function modelOf(meta: ModelMeta, seed: number): ParsedModel {
  const m = buildModule(meta), rng = new Rng(seed);
  for (const p of m.parameters()) for (let i = 0; i < p.data.length; i++) p.data[i] = (2 * rng.uniform() - 1) * 0.8;
  return parseModelFile(serializeModel(m, meta));
}

export function charLM(cell: CellName, layers: number, embed = 0, seed = 1): Case {
  const V = 7, rng = new Rng(seed + 100);
  const meta = { kind: 'char-lm', arch: { cell, vocab: V, hidden: 6, layers, dropout: 0.1, embed }, vocab: chars(V), seq: 16, abc: false };
  return { name: `char-lm ${cell} ×${layers}${embed ? ' embed' : ''}`, parsed: modelOf(meta, seed), inputs: [{ name: 'ids', dtype: 'int64', shape: [T, B], data: ids(rng, T * B, V) }] };
}

export function forecaster(cell: CellName, layers: number, seed = 2): Case {
  const I = 3, rng = new Rng(seed + 100);
  const spec = new FeatureSpec('level', 4, 2, 0, 1, I, new Scaler('standard', [0, 0, 0], [1, 1, 1]), [1, 1, 1]);
  const meta = {
    kind: 'forecaster', arch: { cell, inputSize: I, hidden: 5, layers, dropout: 0, horizon: 2, targets: 1, quantiles: [] },
    features: spec.toJSON(), mode: 'direct', horizon: 2, quantiles: [], columns: ['a', 'b', 'c'], nTargets: 1,
    frequency: null, lastDate: null, dateColumn: null,
  };
  return { name: `forecaster ${cell} ×${layers}`, parsed: modelOf(meta, seed), inputs: [{ name: 'x', dtype: 'float32', shape: [B, 4, I], data: floats(rng, B * 4 * I) }] };
}

export function denoiser(cell: CellName, layers: number, seed = 3): Case {
  const rng = new Rng(seed + 100);
  const meta = { kind: 'denoiser', arch: { cell, hidden: 4, layers }, window: T, scale: 1, noise_std: 0.1 };
  return { name: `denoiser ${cell} ×${layers} bidirectional`, parsed: modelOf(meta, seed), inputs: [{ name: 'x', dtype: 'float32', shape: [B, T, 1], data: floats(rng, B * T) }] };
}

export function classifier(cell: CellName, layers: number, bidirectional: boolean, classes = 3, seed = 4): Case {
  const V = 9, rng = new Rng(seed + 100), lengths = [T, 2, 4];
  const data = lengths.flatMap((n) => [...ids(rng, n, V, 1), ...new Array<number>(T - n).fill(0)]);
  const meta = {
    kind: 'classifier', arch: { type: 'many-to-one', cell, vocab: V, embed: 4, hidden: 5, layers, bidirectional, dropout: 0.2, classes },
    classes: Array.from({ length: classes }, (_, i) => `c${i}`), labelField: 'label', vocab: words(V), maxTokens: 50,
  };
  return {
    name: `classifier ${cell} ×${layers}${bidirectional ? ' bidirectional' : ''}`, parsed: modelOf(meta, seed),
    inputs: [{ name: 'ids', dtype: 'int64', shape: [B, T], data }, { name: 'lengths', dtype: 'int64', shape: [B], data: lengths }],
  };
}

export function generator(cell: CellName, layers: number, conditional = true, seed = 5): Case {
  const V = 6, K = 3, rng = new Rng(seed + 100);
  const meta = {
    kind: 'conditional-generator', arch: { cell, vocab: V, hidden: 5, layers, categories: K, conditional },
    vocab: chars(V), categories: ['x', 'y', 'z'], maxLength: 10,
  };
  return {
    name: `conditional-generator ${cell} ×${layers}${conditional ? '' : ' unconditional'}`, parsed: modelOf(meta, seed),
    inputs: [{ name: 'ids', dtype: 'int64', shape: [B, T], data: ids(rng, B * T, V) },
      { name: 'categories', dtype: 'int64', shape: [B], data: [2, 0, 1] }, { name: 'lengths', dtype: 'int64', shape: [B], data: [T, 3, 4] }],
  };
}

/** recur's output for a case's inputs, from a (possibly different) model file of the case's kind. */
export function recurOutput(parsed: ParsedModel, inputs: Input[]): Float32Array {
  const m: Module = buildModule(parsed.meta).loadStateDict(parsed.state).eval();
  const get = (n: string) => inputs.find((i) => i.name === n)!;
  const intT = (n: string) => new IntTensor(Int32Array.from(get(n).data), get(n).shape);
  const floatT = (n: string) => new Tensor(Float32Array.from(get(n).data), get(n).shape);
  const out = noGrad(() => {
    switch (parsed.meta.kind) {
      case 'char-lm': return (m as CharLM).forward(intT('ids')).logits;
      case 'forecaster': return (m as Forecaster).forward(floatT('x'));
      case 'denoiser': return (m as Denoiser).forward(floatT('x'));
      case 'classifier': return (m as SequenceClassifier).forward(intT('ids'), get('lengths').data);
      default: return (m as ConditionalGenerator).forward(intT('ids'), get('categories').data, get('lengths').data);
    }
  });
  return Float32Array.from(out.data);
}

/** One case per kind, cell, depth and direction that the tests cover. */
export function allCases(): Case[] {
  return [
    charLM('lstm', 2), charLM('gru', 1, 4), charLM('rnn', 2),
    forecaster('gru', 2), forecaster('lstm', 1), forecaster('rnn', 1),
    denoiser('lstm', 1), denoiser('gru', 2), denoiser('rnn', 1),
    classifier('lstm', 2, true), classifier('gru', 1, false, 2),
    generator('gru', 2), generator('lstm', 1, false),
  ];
}
