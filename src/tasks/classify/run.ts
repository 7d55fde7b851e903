import { Vocab, tokenizeWords } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import type { ModelMeta } from '../../io/model-file.js';
import type { Device } from '../../kernels/device.js';
import type { Module } from '../../layers/module.js';
import { Rng } from '../../tensor/rng.js';
import { type LoopResult, type RunOptions, runLoop } from '../../train/loop.js';
import type { CellName } from '../../layers/recurrent.js';
import { LogisticRegression, bagOfWords } from './baseline.js';
import { type Examples, type Split, dropDuplicateTexts, stratifiedSplit } from './data.js';
import { type FitOptions, Fitter, fitTask } from './fit.js';
import { ClassifierLearner, gatherRows } from './learner.js';
import { SequenceClassifier, encodeText, padBatch } from './many-to-one.js';
import { OneStepClassifier, Standardizer } from './one-to-one.js';

/**
 * Classification end to end: a seeded stratified split, the model (many-to-one over texts,
 * one-to-one over numeric features) and the logistic-regression baseline trained with early
 * stopping on validation accuracy, both scored once on the held-out test part.
 */
export interface ClassifyOptions {
  cell?: CellName; hidden?: number; embed?: number; layers?: number; bidirectional?: boolean; dropout?: number;
  /** Probability of replacing a training word by <unk>. */
  wordDropout?: number;
  epochs?: number; batch?: number; lr?: number; clip?: number; patience?: number; weightDecay?: number;
  /** Baseline (logistic regression) learning rate and L2 weight decay. */
  baselineLr?: number; baselineWeightDecay?: number;
  /** Words seen fewer times in the training texts become <unk>. */
  minFreq?: number;
  /** Longer texts keep their first maxTokens words. */
  maxTokens?: number;
  valFraction?: number; testFraction?: number; seed?: number; device?: Device;
}
export type ResolvedClassifyOptions = Required<Omit<ClassifyOptions, 'device'>> & { device: Device };

/** Defaults by kind: texts need an embedding and a few epochs, feature vectors many cheap epochs. */
export function resolveClassifyOptions(kind: Examples['kind'], o: ClassifyOptions): ResolvedClassifyOptions {
  const text = kind === 'text';
  const r: ResolvedClassifyOptions = {
    cell: o.cell ?? 'gru', hidden: o.hidden ?? (text ? 64 : 16), embed: o.embed ?? 64, layers: o.layers ?? 1,
    bidirectional: o.bidirectional ?? text, dropout: o.dropout ?? (text ? 0.5 : 0), wordDropout: o.wordDropout ?? (text ? 0.1 : 0),
    epochs: o.epochs ?? (text ? 20 : 300), batch: o.batch ?? 32, lr: o.lr ?? 1e-2, clip: o.clip ?? 1,
    patience: o.patience ?? (text ? 6 : 40), weightDecay: o.weightDecay ?? (text ? 1e-4 : 0),
    baselineLr: o.baselineLr ?? 1e-2, baselineWeightDecay: o.baselineWeightDecay ?? (text ? 1e-4 : 0),
    minFreq: o.minFreq ?? 2, maxTokens: o.maxTokens ?? 256,
    valFraction: o.valFraction ?? 0.15, testFraction: o.testFraction ?? 0.15, seed: o.seed ?? 0, device: o.device ?? 'auto',
  };
  for (const k of ['hidden', 'embed', 'layers', 'epochs', 'batch', 'minFreq', 'maxTokens', 'patience'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new DataError(`${k}: expected a positive integer, got ${r[k]}`);
  }
  for (const k of ['dropout', 'wordDropout'] as const) {
    if (!(r[k] >= 0 && r[k] < 1)) throw new DataError(`${k}: expected a value in [0, 1), got ${r[k]}`);
  }
  if (!(r.valFraction > 0 && r.testFraction > 0 && r.valFraction + r.testFraction < 1)) {
    throw new DataError(`expected validation and test fractions > 0 that leave room for training, got ${r.valFraction} and ${r.testFraction}`);
  }
  return r;
}

export interface ClassifyResult {
  accuracy: number;
  baseline_accuracy: number;
  /** Always predicting the most frequent training class: the floor both must beat. */
  majority_accuracy: number;
  test_examples: number;
  train_examples: number;
  validation_examples: number;
  classes: string[];
  model: string;
  baseline: string;
  validation: { accuracy: number; baseline_accuracy: number; best_epoch: number; baseline_best_epoch: number };
  vocab_size?: number;
  features?: string[];
  notes: string[];
}

/** What runClassify returns: the split, the scores (null if interrupted), the trained model and its baseline. */
export interface ClassifyRun {
  options: ResolvedClassifyOptions;
  /** What was trained and tested on: the input, without repeated texts. */
  examples: Examples;
  loop: LoopResult;
  split: Split;
  /** null when the run was interrupted. */
  result: ClassifyResult | null;
  model: Module;
  learners: { model: ClassifierLearner; baseline: ClassifierLearner };
  meta: ModelMeta | null;
}

/** rngs[k] built learner k's model and keeps drawing for it (shuffles, dropout): one checkpointed stream each. */
interface Setup { model: Module; learners: ClassifierLearner[]; rngs: Rng[]; arch: Record<string, unknown>; describe: string; baseline: string; extra: Record<string, unknown>; notes: string[] }

function setupText(ex: Examples, o: ResolvedClassifyOptions, split: Split): Setup {
  const C = ex.classes.length;
  const vocab = Vocab.words(Array.from(split.train, (i) => tokenizeWords(ex.texts[i])), { minFreq: o.minFreq });
  if (vocab.size <= 2) throw new DataError(`${ex.source}: no word occurs ${o.minFreq} times in the training texts; lower --min-freq`);
  const seqs = ex.texts.map((t) => encodeText(vocab, t, o.maxTokens));
  const cut = ex.texts.filter((t) => tokenizeWords(t).length > o.maxTokens).length;
  const rng = new Rng(o.seed * 1000 + 1), rngB = new Rng(o.seed * 1000 + 2);
  const arch = { cell: o.cell, vocab: vocab.size, embed: o.embed, hidden: o.hidden, layers: o.layers, bidirectional: o.bidirectional, dropout: o.dropout, wordDropout: o.wordDropout, classes: C };
  const model = new SequenceClassifier(arch, rng, o.device);
  const V = vocab.size, bow = bagOfWords(seqs, V), lr = new LogisticRegression(V, C, rngB);
  return {
    model, rngs: [rng, rngB],
    learners: [
      new ClassifierLearner(o.cell, model, (idx) => { const b = padBatch(seqs, idx); return model.forward(b.ids, b.lengths); }, ex.labels, C, split),
      new ClassifierLearner('bag-of-words', lr, (idx) => lr.forward(gatherRows(bow, V, idx)), ex.labels, C, split),
    ],
    arch: { type: 'many-to-one', ...arch },
    describe: `many-to-one ${o.cell}${o.bidirectional ? ' (bidirectional)' : ''}, ${o.hidden} hidden, ${o.embed}-d embeddings`,
    baseline: 'bag-of-words logistic regression',
    extra: { vocab: vocab.toJSON(), maxTokens: o.maxTokens, textField: ex.textField },
    notes: [`vocabulary: ${V} words seen at least ${o.minFreq} times in the training texts (the rest are <unk>)`,
      ...(cut > 0 ? [`${cut} texts longer than ${o.maxTokens} words were cut to their first ${o.maxTokens}`] : [])],
  };
}

function setupVector(ex: Examples, o: ResolvedClassifyOptions, split: Split): Setup {
  const C = ex.classes.length, D = ex.features.length;
  const scaler = Standardizer.fit(ex.x, D, split.train), x = scaler.transform(ex.x);
  const rng = new Rng(o.seed * 1000 + 1), rngB = new Rng(o.seed * 1000 + 2);
  const arch = { inputs: D, hidden: o.hidden, classes: C };
  const model = new OneStepClassifier(arch, rng), lr = new LogisticRegression(D, C, rngB);
  return {
    model, rngs: [rng, rngB],
    learners: [
      new ClassifierLearner('one-step', model, (idx) => model.forward(gatherRows(x, D, idx)), ex.labels, C, split),
      new ClassifierLearner('logistic', lr, (idx) => lr.forward(gatherRows(x, D, idx)), ex.labels, C, split),
    ],
    arch: { type: 'one-to-one', ...arch },
    describe: `one-to-one: one step of the seed's cell, ${o.hidden} hidden`,
    baseline: 'logistic regression',
    extra: { features: ex.features, scaler: { mean: scaler.mean, std: scaler.std } },
    notes: ['features standardised with the mean and standard deviation of the training rows'],
  };
}

/**
 * Trains model and baseline, scores both on the test part; the fingerprint guards --resume.
 * Repeated texts are dropped first (dropDuplicateTexts), so `split` indexes `examples`.
 */
export async function runClassify(input: Examples, opts: ClassifyOptions, run: RunOptions): Promise<ClassifyRun> {
  const ex = input.kind === 'text' ? dropDuplicateTexts(input) : input;
  const o = resolveClassifyOptions(ex.kind, opts);
  const split = stratifiedSplit(ex.labels, ex.classes, o.valFraction, o.testFraction, o.seed);
  const s = ex.kind === 'text' ? setupText(ex, o, split) : setupVector(ex, o, split);
  const fit = (lr: number, weightDecay: number): FitOptions => ({ epochs: o.epochs, batch: o.batch, lr, clip: o.clip, patience: o.patience, weightDecay });
  const [m, b] = s.learners;
  const fitters = [new Fitter(m, fit(o.lr, o.weightDecay), s.rngs[0]), new Fitter(b, fit(o.baselineLr, o.baselineWeightDecay), s.rngs[1])];
  const fingerprint = JSON.stringify({ task: 'classify', ...o, device: undefined, kind: ex.kind, source: ex.source, N: ex.labels.length, classes: ex.classes, features: ex.features, text: ex.textField, label: ex.labelField });
  const loop = await runLoop(fitTask(fitters), {
    label: 'classify', unit: 'examples', progress: run.progress, store: run.store, signal: run.signal,
    checkpointEvery: run.checkpointEvery, resume: run.resume, fingerprint, skipBadBatches: run.skipBadBatches, gradWarn: 1e3,
  });
  const base = { options: o, examples: ex, loop, split, model: s.model, learners: { model: m, baseline: b } };
  if (loop.interrupted) return { ...base, result: null, meta: null };
  for (const f of fitters) f.useBest();
  const test = m.evaluate(split.test), testB = b.evaluate(split.test);
  const counts = new Array<number>(ex.classes.length).fill(0);
  for (const i of split.train) counts[ex.labels[i]]++;
  const majority = counts.indexOf(Math.max(...counts));
  const result: ClassifyResult = {
    accuracy: test.accuracy, baseline_accuracy: testB.accuracy,
    majority_accuracy: split.test.filter((i) => ex.labels[i] === majority).length / split.test.length,
    test_examples: split.test.length, train_examples: split.train.length, validation_examples: split.val.length,
    classes: ex.classes, model: s.describe, baseline: s.baseline,
    validation: { accuracy: fitters[0].best.score[0], baseline_accuracy: fitters[1].best.score[0], best_epoch: fitters[0].best.epoch, baseline_best_epoch: fitters[1].best.epoch },
    ...(ex.kind === 'text' ? { vocab_size: (s.arch.vocab as number) } : { features: ex.features }),
    notes: [...ex.notes, ...s.notes],
  };
  const meta: ModelMeta = {
    kind: 'classifier', arch: s.arch, classes: ex.classes, labelField: ex.labelField, ...s.extra,
    test_accuracy: test.accuracy, baseline_test_accuracy: testB.accuracy,
  };
  return { ...base, result, meta };
}
