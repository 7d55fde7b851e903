import type { ModelMeta } from '../../io/model-file.js';
import { type LoopResult, type RunOptions, runLoop } from '../../train/loop.js';
import { type Pair, SPECIALS, buildVocabs, encodePairs, splitPairs } from './data.js';
import { type Evaluation, evaluateTranslation } from './evaluate.js';
import { type ResolvedTranslateOptions, type TranslateOptions, TranslatorTrainer, resolveTranslateOptions } from './train.js';
import { Translation } from './translation.js';

export interface TranslateRunOptions extends TranslateOptions {
  valFraction?: number;
  testFraction?: number;
  /** Use at most this many distinct sources (a seeded sample), e.g. part of CMUdict's 116k words. */
  limit?: number | null;
  /** Beam width for the test evaluation (1: greedy) and its length normalisation. */
  beam?: number;
  alpha?: number;
  /** Test sources scored by the nearest-neighbour baseline. */
  nnSample?: number;
  /** Saved in the model file (e.g. 'cmudict', or the data file's name). */
  dataLabel?: string;
}

/** What runTranslate returns: the data counts, the trainer, the test scores (null if interrupted), the metadata. */
export interface TranslateRun {
  options: ResolvedTranslateOptions;
  counts: { train: number; val: number; test: number; srcVocab: number; tgtVocab: number };
  loop: LoopResult;
  trainer: TranslatorTrainer;
  /** null when the run was interrupted. */
  translation: Translation | null;
  evaluation: Evaluation | null;
  meta: ModelMeta | null;
}

/** FNV-1a of the pairs, so --resume refuses a checkpoint made from other data. */
function hashPairs(pairs: readonly Pair[]): string {
  let h = 0x811c9dc5;
  for (const p of pairs) {
    const s = `${p.source}\t${p.target.join(' ')}\n`;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/**
 * Splits by source, builds the vocabularies from the training part, trains (checkpoints and
 * --resume through the shared loop), restores the best validation weights, and scores the test
 * sources against the baselines.
 */
export async function runTranslate(pairs: readonly Pair[], opts: TranslateRunOptions, run: RunOptions): Promise<TranslateRun> {
  const o = resolveTranslateOptions(opts);
  const split = splitPairs(pairs, { valFraction: opts.valFraction ?? 0.05, testFraction: opts.testFraction ?? 0.1, seed: o.seed, limit: opts.limit });
  const { src, tgt } = buildVocabs(split.train);
  const trainer = new TranslatorTrainer(o, src, tgt, encodePairs(split.train, src, tgt), encodePairs(split.val, src, tgt));
  const counts = { train: split.train.length, val: split.val.length, test: split.test.length, srcVocab: src.size, tgtVocab: tgt.size };
  run.progress.note(`split by source: ${counts.train} training, ${counts.val} validation, ${counts.test} test pairs; `
    + `${src.size - SPECIALS.length} source symbols, ${tgt.size - SPECIALS.length} target tokens`);
  const fingerprint = JSON.stringify({ task: 'translate', ...o, device: undefined, counts, valFraction: opts.valFraction, testFraction: opts.testFraction, limit: opts.limit, data: hashPairs(pairs) });
  const loop = await runLoop(trainer.task(), {
    label: 'translate', unit: 'pairs', progress: run.progress, store: run.store, signal: run.signal,
    checkpointEvery: run.checkpointEvery, resume: run.resume, fingerprint, skipBadBatches: run.skipBadBatches, gradWarn: 1e3,
  });
  if (loop.interrupted) return { options: o, counts, loop, trainer, translation: null, evaluation: null, meta: null };
  trainer.useBest();
  const translation = new Translation(trainer.model, src, tgt, trainer.maxLen);
  const evaluation = evaluateTranslation(translation, split.train, split.test, { beam: opts.beam, alpha: opts.alpha, nnSample: opts.nnSample, seed: o.seed });
  const meta = translation.meta({ data: opts.dataLabel ?? null, bestEpoch: trainer.best.epoch, valTokenErrorRate: trainer.best.valTer });
  return { options: o, counts, loop, trainer, translation, evaluation, meta };
}
