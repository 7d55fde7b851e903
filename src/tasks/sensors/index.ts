import { type Series, filledAt } from '../../data/series.js';
import type { ModelMeta } from '../../io/model-file.js';
import { runLoop } from '../../train/loop.js';
import { type Metrics, metrics } from '../forecast/metrics.js';
import type { Forecaster } from '../forecast/model.js';
import { type RunOptions, forecasterMeta } from '../forecast/run.js';
import { type ForecastOptions, forecastTask, resolveOptions } from '../forecast/train.js';

/**
 * Sensor prediction and anomaly flags: one model reads a window of several sensors and
 * predicts all of their next readings; a reading is flagged when its prediction error,
 * in units of the typical validation error, is unusually large. Scored against labels.
 *
 * Each group (e.g. each mote) is its own sequence; every group is split in time — the early part
 * trains, the next part sets the error scale and threshold, the rest is scored. Readings that were
 * filled in (missing cells) are neither scored nor flagged. The model is a one-step forecaster of
 * every sensor, saved as such: `recur forecast predict` reads it.
 */
export interface SensorOptions extends Omit<ForecastOptions, 'horizon' | 'mode' | 'quantiles'> {
  /** Quantile of validation scores above which a reading is flagged (default 0.995). */
  thresholdQuantile?: number;
}

export interface Detection { threshold: number; flagged: number; precision: number; recall: number; f1: number; events: { total: number; detected: number } }

export interface SensorRun {
  interrupted: boolean;
  features: string[];
  /** One-step forecast accuracy on the scored part, per sensor: model and persistence. */
  forecast: Record<string, { model: Metrics; persistence: Metrics }>;
  anomalies: { model: Detection; persistence_baseline: Detection } | null;
  scored_readings: number;
  /** Scored-part readings left out because a sensor's value was filled in. */
  filled_excluded: number;
  model_state: { model: Forecaster; meta: ModelMeta } | null;
}

export async function runSensors(s: Series, opts: SensorOptions, run: RunOptions, labels: Int8Array | null): Promise<SensorRun> {
  const o = resolveOptions(s, { valFraction: 0.1, testFraction: 0.55, ...opts, horizon: 1, mode: 'direct', quantiles: [] });
  const { task, candidates, splits } = forecastTask(s, o, 'predict');
  const fingerprint = JSON.stringify({ task: 'sensors', ...o, device: undefined, N: s.N, names: s.names });
  const loop = await runLoop(task, {
    label: 'sensors', unit: 'windows', progress: run.progress, store: run.store, signal: run.signal,
    checkpointEvery: run.checkpointEvery, resume: run.resume, fingerprint, skipBadBatches: run.skipBadBatches, gradWarn: 1e3,
  });
  const T = s.nTargets, F = s.F;
  const y = (t: number, j: number) => s.values[t * F + j];
  const observed = (t: number): boolean => { for (let j = 0; j < T; j++) if (filledAt(s, t, j)) return false; return true; };
  const testOrigins = splits.test.filter((t) => observed(t + 1));
  const base = { features: s.names.slice(0, T), scored_readings: testOrigins.length, filled_excluded: splits.test.length - testOrigins.length };
  if (loop.interrupted) return { ...base, interrupted: true, forecast: {}, anomalies: null, model_state: null };
  for (const c of candidates) c.useBest();
  const best = candidates.reduce((a, b) => (b.best.valMae < a.best.valMae ? b : a));

  // prediction errors of the model and of persistence for reading t + 1
  const errs = (origins: number[]) => origins.map((t) => {
    const p = best.predict(t).point;
    return { t: t + 1, model: Array.from({ length: T }, (_, j) => p[j] - y(t + 1, j)), naive: Array.from({ length: T }, (_, j) => y(t, j) - y(t + 1, j)) };
  });
  const val = errs(splits.val.filter((t) => observed(t + 1))), test = errs(testOrigins);
  const forecast: SensorRun['forecast'] = {};
  for (let j = 0; j < T; j++) {
    const actual = test.map((e) => y(e.t, j));
    // MASE's scale: in-sample one-step persistence MAE over the training windows (never across a unit boundary)
    const scale = splits.train.reduce((a, t) => a + Math.abs(y(t + 1, j) - y(t, j)), 0) / splits.train.length || 1;
    forecast[s.names[j]] = {
      model: metrics(actual, test.map((e, k) => actual[k] + e.model[j]), scale),
      persistence: metrics(actual, test.map((e, k) => actual[k] + e.naive[j]), scale),
    };
  }
  let anomalies: SensorRun['anomalies'] = null;
  if (labels) {
    const q = opts.thresholdQuantile ?? 0.995;
    const detect = (key: 'model' | 'naive'): Detection => {
      const sd = Array.from({ length: T }, (_, j) => Math.sqrt(val.reduce((a, e) => a + e[key][j] ** 2, 0) / val.length) || 1);
      const score = (e: typeof val[number]) => Math.sqrt(e[key].reduce((a, v, j) => a + (v / sd[j]) ** 2, 0) / T);
      const vs = val.map(score).sort((a, b) => a - b);
      const threshold = vs[Math.min(vs.length - 1, Math.floor(q * vs.length))];
      return score01(test.map((e) => score(e) > threshold), test.map((e) => labels[e.t] === 1), test.map((e) => e.t), threshold);
    };
    anomalies = { model: detect('model'), persistence_baseline: detect('naive') };
  }
  return { ...base, interrupted: false, forecast, anomalies, model_state: { model: best.model, meta: forecasterMeta(best, s, null, o.lookback) } };
}

/** Point-wise precision/recall/F1, and events (runs of consecutive labelled readings) caught at least once. */
function score01(flag: boolean[], truth: boolean[], idx: number[], threshold: number): Detection {
  let tp = 0, fp = 0, fn = 0;
  flag.forEach((f, k) => { if (f && truth[k]) tp++; else if (f) fp++; else if (truth[k]) fn++; });
  let total = 0, detected = 0, inEvent = false, caught = false;
  for (let k = 0; k <= truth.length; k++) {
    const on = k < truth.length && truth[k] && (k === 0 || !inEvent || idx[k] === idx[k - 1] + 1);
    if (on && !inEvent) { inEvent = true; caught = false; total++; }
    if (on && flag[k]) caught = true;
    if (!on && inEvent) { inEvent = false; if (caught) detected++; }
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0, recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return { threshold, flagged: tp + fp, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, events: { total, detected } };
}
