import { type Series, filledAt } from '../../data/series.js';
import type { ModelMeta } from '../../io/model-file.js';
import { type RunOptions, runLoop } from '../../train/loop.js';
import type { Splits } from '../forecast/dataset.js';
import { type Metrics, metrics } from '../forecast/metrics.js';
import type { Forecaster } from '../forecast/model.js';
import { forecasterMeta } from '../forecast/run.js';
import { type ForecastOptions, forecastTask, resolveOptions } from '../forecast/train.js';
import { type Detection, type Errors, detect } from './detect.js';
import { type VarModel, fitVar, varPredict } from './var.js';

export type { Detection } from './detect.js';
export { type VarModel, fitVar, varPredict } from './var.js';

/**
 * Sensor prediction and anomaly flags: one model reads a window of several sensors and
 * predicts all of their next readings; a reading is flagged when its prediction errors, in units
 * of the typical validation error, stay unusually large over the last few readings (detect.ts).
 * Scored against labels, next to the same detector run on the errors of persistence and of a
 * vector autoregression (var.ts, lag order by AIC up to the window length, fitted per unit).
 *
 * Each group (e.g. each mote) is its own sequence; every group is split in time — the early part
 * trains, the next part sets the error scale and threshold, the rest is scored. Readings that were
 * filled in (missing cells) are neither scored nor flagged. The model is a one-step forecaster of
 * every sensor, saved as such: `recur forecast predict` reads it.
 */
export interface SensorOptions extends Omit<ForecastOptions, 'horizon' | 'mode' | 'quantiles'> {
  /** Quantile of validation scores above which a reading is flagged (default 0.999). */
  thresholdQuantile?: number;
  /** Readings in the trailing median of scores (default 5; 1: each reading alone). */
  scoreWindow?: number;
}

const FORECASTERS = ['model', 'persistence', 'var'] as const;
/** The sensor forecasters compared. */
export type SensorForecaster = typeof FORECASTERS[number];

/** What runSensors reports: one-step accuracy per sensor, the anomaly scores (with labels), and the model. */
export interface SensorRun {
  interrupted: boolean;
  features: string[];
  /** One-step forecast accuracy on the scored part, per sensor: model, persistence and VAR. */
  forecast: Record<string, Record<SensorForecaster, Metrics>>;
  /** The VAR of each group: its lag order (chosen by AIC). */
  var: { group: string; lags: number }[];
  anomalies: { model: Detection; persistence_baseline: Detection; var_baseline: Detection } | null;
  scored_readings: number;
  /** Scored-part readings left out because a sensor's value was filled in. */
  filled_excluded: number;
  /** The rows, splits and scored readings, for checking the VAR outside recur (eval/sensors-var.py). */
  splits: SplitsExport;
  model_state: { model: Forecaster; meta: ModelMeta } | null;
}

export interface SplitsExport {
  mase_scale: number[];
  groups: { name: string; maxlags: number; values: number[][]; train_end: number; scored: number[] }[];
}

/**
 * Sensor prediction and anomaly flags end to end (see SensorOptions): trains the one-step forecaster of every sensor,
 * scores it against persistence and the VAR, and, given `labels` (1 = anomaly, per row of `s`), scores the flags of
 * all three. `recur sensors` runs it.
 */
export async function runSensors(s: Series, opts: SensorOptions, run: RunOptions, labels: Int8Array | null):
  Promise<SensorRun> {
  const o = resolveOptions(s, {
    valFraction: 0.1, testFraction: 0.55, ...opts, horizon: 1, mode: 'direct', quantiles: [],
  });
  const { task, candidates, splits } = forecastTask(s, o, 'predict');
  const fingerprint = JSON.stringify({ task: 'sensors', ...o, device: undefined, N: s.N, names: s.names });
  const loop = await runLoop(task, {
    label: 'sensors', unit: 'windows', progress: run.progress, store: run.store, signal: run.signal,
    checkpointEvery: run.checkpointEvery, resume: run.resume, fingerprint, skipBadBatches: run.skipBadBatches,
    gradWarn: 1e3,
  });
  const T = s.nTargets, F = s.F;
  const y = (t: number, j: number) => s.values[t * F + j];
  const observed = (t: number): boolean => {
    for (let j = 0; j < T; j++) if (filledAt(s, t, j)) return false;
    return true;
  };
  const testOrigins = splits.test.filter((t) => observed(t + 1));
  const vars = fitVars(s, splits, o.lookback);
  const scale = Array.from({ length: T }, (_, j) => maseScale(s, splits, j));
  const base = {
    features: s.names.slice(0, T), scored_readings: testOrigins.length,
    filled_excluded: splits.test.length - testOrigins.length,
    var: vars.map((v) => ({ group: v.name, lags: v.model.p })), splits: exportSplits(s, vars, testOrigins, scale),
  };
  if (loop.interrupted) return { ...base, interrupted: true, forecast: {}, anomalies: null, model_state: null };
  for (const c of candidates) c.useBest();
  const best = candidates.reduce((a, b) => (b.best.valMae < a.best.valMae ? b : a));

  // one-step predictions of reading t + 1 from origin t
  const predict: Record<SensorForecaster, (t: number) => ArrayLike<number>> = {
    model: (t) => best.predict(t).point,
    persistence: (t) => Array.from({ length: T }, (_, j) => y(t, j)),
    var: (t) => varPredict(vars.find((v) => v.start <= t && t < v.end)!.model, s.values, F, t + 1),
  };
  const errs = (origins: number[], kind: SensorForecaster): Errors[] => origins.map((t) => {
    const p = predict[kind](t);
    return { t: t + 1, e: Array.from({ length: T }, (_, j) => p[j] - y(t + 1, j)) };
  });
  const valOrigins = splits.val.filter((t) => observed(t + 1));
  const allErrs = (origins: number[]) =>
    Object.fromEntries(FORECASTERS.map((k) => [k, errs(origins, k)])) as Record<SensorForecaster, Errors[]>;
  const val = allErrs(valOrigins), test = allErrs(testOrigins);
  const forecast: SensorRun['forecast'] = {};
  for (let j = 0; j < T; j++) {
    const actual = test.model.map((r) => y(r.t, j));
    const m = (kind: SensorForecaster) => metrics(actual, test[kind].map((r, k) => actual[k] + r.e[j]), scale[j]);
    forecast[s.names[j]] = { model: m('model'), persistence: m('persistence'), var: m('var') };
  }
  let anomalies: SensorRun['anomalies'] = null;
  if (labels) {
    const d = { quantile: opts.thresholdQuantile ?? 0.999, window: opts.scoreWindow ?? 5 };
    const flags = (kind: SensorForecaster) => detect(val[kind], test[kind], labels, d);
    anomalies = { model: flags('model'), persistence_baseline: flags('persistence'), var_baseline: flags('var') };
  }
  const model_state = { model: best.model, meta: forecasterMeta(best, s, null, o.lookback) };
  return { ...base, interrupted: false, forecast, anomalies, model_state };
}

interface GroupVar { name: string; start: number; end: number; trainEnd: number; maxLags: number; model: VarModel }

/** A VAR per group on its training rows, lag order by AIC among 0…maxLags (the model's window length). */
function fitVars(s: Series, splits: Splits, maxLags: number): GroupVar[] {
  const segs = s.segments ?? [{ name: 'all', start: 0, end: s.N }];
  return segs.map((g, k) => {
    const [start, trainEnd] = splits.trainRanges[k], T = s.nTargets;
    const n = trainEnd - start;
    const rows = Float64Array.from({ length: n * T }, (_, i) => s.values[(start + Math.floor(i / T)) * s.F + (i % T)]);
    const lags = Math.min(maxLags, Math.floor((n - T - 1) / (1 + T))); // no more than the rows can estimate
    return { name: g.name, start: g.start, end: g.end, trainEnd, maxLags: lags, model: fitVar(rows, T, lags) };
  });
}

/** MASE's scale: in-sample one-step persistence MAE over the training windows (never across a unit boundary). */
function maseScale(s: Series, splits: Splits, j: number): number {
  const y = (t: number) => s.values[t * s.F + j];
  return splits.train.reduce((a, t) => a + Math.abs(y(t + 1) - y(t)), 0) / splits.train.length || 1;
}

function exportSplits(s: Series, vars: GroupVar[], testOrigins: number[], scale: number[]): SplitsExport {
  const groups = vars.map((v) => ({
    name: v.name, maxlags: v.maxLags, train_end: v.trainEnd - v.start,
    values: Array.from({ length: v.end - v.start }, (_, i) => {
      const row = (v.start + i) * s.F;
      return Array.from(s.values.subarray(row, row + s.nTargets));
    }),
    scored: testOrigins.filter((t) => v.start <= t && t < v.end).map((t) => t + 1 - v.start),
  }));
  return { mase_scale: scale, groups };
}
