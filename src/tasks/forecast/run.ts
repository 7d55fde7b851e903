import type { ModelMeta } from '../../io/model-file.js';
import { type Series, column } from '../../data/series.js';
import { type LoopResult, type RunOptions, runLoop } from '../../train/loop.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { statBaselines } from './stat-baselines.js';
import type { EtsFit } from './stats/ets-fit.js';
import { type Candidate, type ForecastOptions, type ResolvedForecastOptions, forecastTask, resolveOptions } from './train.js';

/** What runForecast returns: the chosen candidate, its evaluation against the baselines, and the model's metadata. */
export interface ForecastRun {
  options: ResolvedForecastOptions;
  loop: LoopResult;
  /** null when the run was interrupted before finishing. */
  chosen: Candidate | null;
  candidates: { features: string; valMae: number; bestEpoch: number }[];
  evaluation: Evaluation | null;
  /** The ETS baseline the evaluation scored (one target only; null otherwise or when it cannot be fitted). */
  ets: EtsFit | null;
  meta: ModelMeta | null;
}

/**
 * Trains, picks the best candidate on validation, and scores it on the held-out tail against
 * the baselines. The fingerprint of the options guards --resume.
 */
export async function runForecast(s: Series, opts: ForecastOptions & { dateColumn?: string | null }, run: RunOptions): Promise<ForecastRun> {
  const o = resolveOptions(s, opts);
  const { task, candidates, splits } = forecastTask(s, o);
  const fingerprint = JSON.stringify({ ...o, device: undefined, N: s.N, F: s.F, names: s.names });
  const loop = await runLoop(task, {
    label: 'forecast', unit: 'windows', progress: run.progress, store: run.store,
    checkpointEvery: run.checkpointEvery, resume: run.resume, fingerprint, skipBadBatches: run.skipBadBatches, gradWarn: 1e3, signal: run.signal,
  });
  const summary = candidates.map((c) => ({ features: c.mode, valMae: c.best.valMae, bestEpoch: c.best.epoch }));
  // Ctrl-C leaves a checkpoint to resume; a Stop (the signal) keeps the best weights found so far
  if (loop.interrupted && !loop.aborted) return { options: o, loop, chosen: null, candidates: summary, evaluation: null, ets: null, meta: null };
  for (const c of candidates) c.useBest();
  const chosen = candidates.reduce((a, b) => (b.best.valMae < a.best.valMae ? b : a));
  const window = Math.min(o.lookback, o.season >= 2 ? o.season : o.lookback);
  // one target: ETS, Theta and naive2 beside the naive baselines, fitted on what precedes the test part
  const base = s.nTargets === 1 && s.segments === undefined
    ? statBaselines(column(s), splits.valEnd, o.season, o.horizon) : null;
  const evaluation = evaluate(s, splits.test, o.horizon, o.season, window, splits.trainEnd, (t) => chosen.predict(t), base?.extras);
  return { options: o, loop, chosen, candidates: summary, evaluation, ets: base?.ets ?? null, meta: forecasterMeta(chosen, s, opts.dateColumn ?? null, window) };
}

/** What a forecaster's model file carries besides its weights (read back by load.ts). */
export function forecasterMeta(c: Candidate, s: Series, dateColumn: string | null, movingAverageWindow: number): ModelMeta {
  return {
    kind: 'forecaster',
    arch: { ...c.model.arch },
    features: c.spec.toJSON(),
    mode: c.o.mode,
    horizon: c.o.horizon,
    quantiles: c.o.quantiles,
    columns: s.names,
    nTargets: s.nTargets,
    frequency: s.frequency,
    lastDate: s.dates ? s.dates[s.N - 1] : null,
    dateColumn,
    movingAverageWindow,
  };
}
