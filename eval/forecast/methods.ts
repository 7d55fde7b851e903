/**
 * The forecasters under evaluation. A `Method` forecasts h steps from origin t, given the series
 * cut at t (it cannot see past it); `prepare` runs once before, with every series' plan (a global
 * model would train there on the parts before the test tails). R's anchors come as a batch
 * (r-anchors.ts). The hybrid is in hybrid-method.ts.
 */
import type { Series } from '../../src/data/series.js';
import { runLoop } from '../../src/train/loop.js';
import { makeProgress } from '../../src/train/progress.js';
import { baselines } from '../../src/tasks/forecast/metrics.js';
import { autoEts, naive2Forecast, thetaForecast } from '../../src/tasks/forecast/stats/index.js';
import { type Candidate, forecastTask, resolveOptions } from '../../src/tasks/forecast/train.js';
import type { SeriesRecord } from './collection.js';
import type { Plan } from './protocol.js';


export interface Method {
  name: string;
  prepare?(plans: readonly Plan[]): Promise<void>;
  /** h forecasts after origin t; `series.values` holds y[0..t] only. */
  forecast(series: SeriesRecord, t: number, h: number): Float64Array;
}

/** Forecasts of one method: per series id, one array of h values per origin. */
export interface BatchResult {
  name: string;
  forecasts: Map<string, Float64Array[]>;
  /** Origins where the method failed; they are scored as naive. */
  failures: { id: string; origin: number; error: string }[];
  seconds: number;
  /** Model chosen per origin (R's anchors). */
  models?: Map<string, string[]>;
}

const last = (s: SeriesRecord): number => s.values[s.values.length - 1];

export const naive: Method = { name: 'naive', forecast: (s, _t, h) => new Float64Array(h).fill(last(s)) };

export const seasonalNaive: Method = {
  name: 'snaive',
  forecast: (s, t, h) => {
    const m = s.values.length > s.m ? s.m : 1;
    return Float64Array.from({ length: h }, (_, k) => baselines.seasonalNaive(s.values, t, k + 1, m));
  },
};

/** M4's naive2 (src/tasks/forecast/stats; a series that is not positive is left seasonally unadjusted there). */
export const naive2: Method = { name: 'naive2', forecast: (s, _t, h) => naive2Forecast(s.values, s.m, h) };

/** recur's ETS (as forecast::ets, automatic model choice) and Theta (as forecast::thetaf). */
export const recurEts: Method = { name: 'recur ets', forecast: (s, _t, h) => autoEts(s.values, s.m).forecast(h) };
export const recurTheta: Method = { name: 'recur theta', forecast: (s, _t, h) => thetaForecast(s.values, s.m, h) };



/**
 * The series as recur's forecaster sees it for training: the test tail blanked out (NaN), so a
 * leak would show; splitPoints puts its test part exactly there (protocol.ts).
 */
function trainingSeries(p: Plan): Series {
  const values = Float64Array.from(p.series.values, (v, i) => (i < p.testStart ? v : NaN));
  return {
    names: [p.series.id], nTargets: 1, N: values.length, F: 1, values, dates: null, frequency: null,
    report: {
      rows: values.length, missing: {}, policy: 'error', filled: 0, dropped: 0, gaps: 0, insertedRows: 0, sorted: true,
      notes: [],
    },
  };
}

export interface RnnOptions { epochs: number; hidden: number; seed: number }

/** Trains recur's forecaster on one series (both feature candidates) and keeps the one best on validation. */
async function trainRnn(p: Plan, o: RnnOptions): Promise<Candidate> {
  const s = trainingSeries(p);
  const opts = resolveOptions(s, {
    horizon: p.h, season: p.series.m, hidden: o.hidden, epochs: o.epochs, patience: 5, seed: o.seed, features: 'auto',
  });
  const { task, candidates } = forecastTask(s, opts);
  await runLoop(task, {
    label: `rnn ${p.series.id}`, unit: 'windows', progress: makeProgress({ quiet: true }), store: null,
    checkpointEvery: 0, resume: false, fingerprint: '',
  });
  for (const c of candidates) c.useBest();
  return candidates.reduce((a, b) => (b.best.valMae < a.best.valMae ? b : a));
}

/**
 * recur's plain forecaster (an LSTM, direct multi-step, src/tasks/forecast): trained once per series
 * on the part before the test tail (its last 15% for early stopping), then rolled over the origins
 * without refitting.
 */
export function rnnMethod(o: RnnOptions): Method {
  const models = new Map<string, Candidate>();
  return {
    name: 'recur rnn',
    async prepare(plans) {
      for (const p of plans) models.set(p.series.id, await trainRnn(p, o));
    },
    forecast(s, t) {
      const c = models.get(s.id);
      if (!c) throw new Error(`recur rnn: no model trained for ${s.id}`);
      return c.predictor.predict(Float64Array.from(s.values), t).point;
    },
  };
}

/** Runs a method over every plan; a throw or a non-finite forecast is recorded and replaced by naive. */
export async function runMethod(m: Method, plans: readonly Plan[]): Promise<BatchResult> {
  const t0 = performance.now();
  await m.prepare?.(plans);
  const res: BatchResult = { name: m.name, forecasts: new Map(), failures: [], seconds: 0 };
  for (const p of plans) {
    res.forecasts.set(p.series.id, p.origins.map((t) => {
      const seen = { ...p.series, values: p.series.values.slice(0, t + 1), dates: p.series.dates?.slice(0, t + 1) };
      let f: Float64Array | null = null, error = '';
      try { f = m.forecast(seen, t, p.h); } catch (e) { error = (e as Error).message; }
      const ok = f && f.length >= p.h && f.subarray(0, p.h).every(Number.isFinite);
      if (ok) return Float64Array.from(f!.subarray(0, p.h));
      res.failures.push({ id: p.series.id, origin: t, error: error || `expected ${p.h} finite values` });
      return new Float64Array(p.h).fill(p.series.values[t]);
    }));
  }
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}
