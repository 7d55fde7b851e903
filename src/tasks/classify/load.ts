import { noGrad } from '../../autograd/engine.js';
import { Vocab, type VocabJSON, tokenizeWords } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { type ParsedModel, loadInto } from '../../io/model-file.js';
import type { Device } from '../../kernels/device.js';
import { Tensor } from '../../tensor/tensor.js';
import { classProbs } from './head.js';
import { SequenceClassifier, type SequenceClassifierArch, encodeText, padBatch } from './many-to-one.js';
import { type OneStepArch, OneStepClassifier, Standardizer } from './one-to-one.js';

/** A trained classifier read back from its model file (kind 'classifier'). */
export interface Prediction { label: string; probabilities: Record<string, number>; unknown_words?: string[] }

export type LoadedClassifier =
  | { type: 'many-to-one'; classes: string[]; predict(text: string): Prediction }
  | { type: 'one-to-one'; classes: string[]; features: string[]; predict(values: readonly number[]): Prediction };

interface ClassifierMeta {
  arch: ({ type: 'many-to-one' } & SequenceClassifierArch) | ({ type: 'one-to-one' } & OneStepArch);
  classes: string[]; vocab?: VocabJSON; maxTokens?: number; features?: string[]; scaler?: { mean: number[]; std: number[] };
}

function predictionOf(p: Float32Array, classes: string[]): Prediction {
  const best = Array.from(p).reduce((a, v, i) => (v > p[a] ? i : a), 0);
  return { label: classes[best], probabilities: Object.fromEntries(classes.map((c, i) => [c, p[i]])) };
}

export function classifierFromFile(parsed: ParsedModel, device: Device = 'auto'): LoadedClassifier {
  const meta = parsed.meta as unknown as ClassifierMeta, a = meta.arch;
  const bad = (what: string) => new DataError(`model file: malformed classifier metadata (${what})`);
  if (!Array.isArray(meta.classes) || meta.classes.length < 2) throw bad('classes');
  if (a.type === 'many-to-one') {
    if (!meta.vocab) throw bad('vocab');
    const vocab = Vocab.fromJSON(meta.vocab);
    if (vocab.size !== a.vocab) throw bad('the vocabulary does not match the architecture');
    const model = loadInto(() => new SequenceClassifier({ ...a, dropout: 0 }, undefined, device), parsed).eval();
    return {
      type: 'many-to-one', classes: meta.classes,
      predict(text) {
        const ids = encodeText(vocab, text, meta.maxTokens ?? Infinity);
        if (ids.length === 0) throw new DataError('expected a text with at least one word, got an empty text');
        const b = padBatch([ids], [0]);
        const p = classProbs(noGrad(() => model.forward(b.ids, b.lengths)));
        return { ...predictionOf(p, meta.classes), unknown_words: vocab.unknown(tokenizeWords(text)) };
      },
    };
  }
  if (a.type === 'one-to-one') {
    if (!meta.features || !meta.scaler || meta.features.length !== a.inputs) throw bad('features');
    const scaler = new Standardizer(meta.scaler.mean, meta.scaler.std), features = meta.features;
    const model = loadInto(() => new OneStepClassifier(a), parsed).eval();
    return {
      type: 'one-to-one', classes: meta.classes, features,
      predict(values) {
        if (values.length !== features.length) {
          throw new DataError(`expected ${features.length} values (${features.join(', ')}), got ${values.length}`);
        }
        const x = new Tensor(scaler.transform(values), [1, features.length]);
        return predictionOf(classProbs(noGrad(() => model.forward(x))), meta.classes);
      },
    };
  }
  throw bad(`arch.type ${JSON.stringify((a as { type?: unknown }).type)}`);
}
