import { DataError } from '../../errors.js';
import type { ModelMeta } from '../../io/model-file.js';
import type { Device } from '../../kernels/device.js';
import { Rng } from '../../tensor/rng.js';
import { type LoopResult, type RunOptions, runLoop } from '../../train/loop.js';
import { Fitter, fitTask } from '../classify/fit.js';
import type { CellName } from '../../layers/recurrent.js';
import { type LabelledTexts, charVocab, encodePairs, splitByText } from './data.js';
import { GeneratorLearner } from './learner.js';
import { ConditionalGenerator } from './model.js';
import { sampleTexts } from './sample.js';

/**
 * Conditional generation end to end: a split by distinct text, a character vocabulary from the
 * training texts, the conditional generator and its unconditional twin (same size, category
 * zeroed) trained with early stopping on validation nats per character, then scored: held-out
 * nats per character of both, and how many samples of each category are real texts of that
 * category rather than of another.
 */
export interface GenerateOptions {
  cell?: CellName; hidden?: number; layers?: number; epochs?: number; batch?: number; lr?: number; clip?: number; patience?: number;
  valFraction?: number;
  /** Samples per category for the category-match check, and their temperature. */
  evalSamples?: number; evalTemperature?: number;
  seed?: number; device?: Device;
}
export type ResolvedGenerateOptions = Required<Omit<GenerateOptions, 'device'>> & { device: Device };

export function resolveGenerateOptions(o: GenerateOptions): ResolvedGenerateOptions {
  const r: ResolvedGenerateOptions = {
    cell: o.cell ?? 'gru', hidden: o.hidden ?? 128, layers: o.layers ?? 1, epochs: o.epochs ?? 30, batch: o.batch ?? 64, lr: o.lr ?? 3e-3,
    clip: o.clip ?? 1, patience: o.patience ?? 4, valFraction: o.valFraction ?? 0.1, evalSamples: o.evalSamples ?? 200,
    evalTemperature: o.evalTemperature ?? 1, seed: o.seed ?? 0, device: o.device ?? 'auto',
  };
  for (const k of ['hidden', 'layers', 'epochs', 'batch', 'patience', 'evalSamples'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new DataError(`${k}: expected a positive integer, got ${r[k]}`);
  }
  if (!(r.valFraction > 0 && r.valFraction < 1)) throw new DataError(`valFraction: expected a value in (0, 1), got ${r.valFraction}`);
  return r;
}

/** Shares of samples that are texts of the requested category, of another category, or new. */
export interface CategoryMatch { same: number; other: number; novel: number; examples: string[] }

export interface GenerateResult {
  val_nats_per_char: { conditional: number; unconditional: number };
  categories: string[];
  train_texts: number;
  validation_texts: number;
  /** Per category: samples of the conditional model, and of the unconditional one for comparison. */
  samples: Record<string, { conditional: CategoryMatch; unconditional: CategoryMatch }>;
  best_epoch: { conditional: number; unconditional: number };
  notes: string[];
}

/** What runGenerate returns: the scores (null if interrupted), both trained models, and the model file's metadata. */
export interface GenerateRun {
  options: ResolvedGenerateOptions;
  loop: LoopResult;
  result: GenerateResult | null;
  model: ConditionalGenerator;
  unconditional: ConditionalGenerator;
  meta: ModelMeta | null;
}

export function categoryMatch(samples: string[], cat: number, byCategory: Set<string>[]): CategoryMatch {
  const n = samples.length;
  const same = samples.filter((s) => byCategory[cat].has(s)).length;
  const other = samples.filter((s) => byCategory.some((set, k) => k !== cat && set.has(s))).length;
  const novel = samples.filter((s) => !byCategory.some((set) => set.has(s))).length;
  return { same: same / n, other: other / n, novel: novel / n, examples: samples.slice(0, 10) };
}

/**
 * Conditional generation end to end (see GenerateOptions): trains the generator and its unconditional twin on the
 * labelled texts and scores both. `recur generate train` runs it.
 */
export async function runGenerate(d: LabelledTexts, opts: GenerateOptions, run: RunOptions): Promise<GenerateRun> {
  const o = resolveGenerateOptions(opts), K = d.categories.length;
  if (K < 2) throw new DataError(`${d.source}: expected at least two categories, got only '${d.categories[0]}'`);
  const split = splitByText(d.texts, o.valFraction, o.seed);
  const vocab = charVocab(Array.from(split.train, (i) => d.texts[i]));
  const { inputs, targets } = encodePairs(vocab, d.texts);
  const maxLength = Math.max(...Array.from(split.train, (i) => targets[i].length)) + 5;
  // both start from the same weights and see the same batches: the category is the only difference
  const make = (conditional: boolean) => {
    const rng = new Rng(o.seed * 1000 + 1);
    const model = new ConditionalGenerator({ cell: o.cell, vocab: vocab.size, hidden: o.hidden, layers: o.layers, categories: K, conditional }, rng, o.device);
    const learner = new GeneratorLearner(conditional ? 'conditional' : 'unconditional', model, inputs, targets, d.labels, split);
    return new Fitter(learner, { epochs: o.epochs, batch: o.batch, lr: o.lr, clip: o.clip, patience: o.patience, weightDecay: 0 }, rng);
  };
  const fitters = [make(true), make(false)];
  const [model, unconditional] = fitters.map((f) => f.learner.module as ConditionalGenerator);
  const fingerprint = JSON.stringify({ task: 'generate', ...o, device: undefined, source: d.source, N: d.texts.length, categories: d.categories, vocab: vocab.size });
  const loop = await runLoop(fitTask(fitters), {
    label: 'generate', unit: 'texts', progress: run.progress, store: run.store, signal: run.signal,
    checkpointEvery: run.checkpointEvery, resume: run.resume, fingerprint, skipBadBatches: run.skipBadBatches, gradWarn: 1e3,
  });
  if (loop.interrupted) return { options: o, loop, result: null, model, unconditional, meta: null };
  for (const f of fitters) f.useBest();
  const [cond, uncond] = fitters.map((f) => (f.learner as GeneratorLearner).natsPerChar(split.val));

  const byCategory = d.categories.map((_, k) => new Set(d.texts.filter((_, i) => d.labels[i] === k)));
  const rng = new Rng(o.seed * 1000 + 3);
  const draw = (m: ConditionalGenerator, k: number) => sampleTexts(m, vocab, k, { count: o.evalSamples, temperature: o.evalTemperature, maxLength, rng });
  const samples = Object.fromEntries(d.categories.map((c, k) => [c, {
    conditional: categoryMatch(draw(model, k), k, byCategory),
    unconditional: categoryMatch(draw(unconditional, k), k, byCategory),
  }]));
  const result: GenerateResult = {
    val_nats_per_char: { conditional: cond, unconditional: uncond }, categories: d.categories,
    train_texts: split.train.length, validation_texts: split.val.length, samples,
    best_epoch: { conditional: fitters[0].best.epoch, unconditional: fitters[1].best.epoch },
    notes: [...d.notes, `validation: ${split.val.length} texts held out by distinct text; character vocabulary of ${vocab.size - 4} characters from the training texts`],
  };
  const meta: ModelMeta = {
    kind: 'conditional-generator', arch: { ...model.arch }, vocab: vocab.toJSON(), categories: d.categories, maxLength,
    textField: d.textField, labelField: d.labelField, val_nats_per_char: result.val_nats_per_char,
  };
  return { options: o, loop, result, model, unconditional, meta };
}
