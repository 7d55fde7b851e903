import type { Series } from '../../data/series.js';
import { type Metrics, baselines, maseScale, metrics } from './metrics.js';

/**
 * Scores forecasts on the test origins against the three baselines, per horizon step and
 * overall, in the series' units. `predict(t)` returns the forecasts for origin t as (H, T)
 * (horizon steps × targets); lower bound/upper bound (H, T) when the model gives intervals.
 */
export interface StepScores { h: number; model: Metrics; naive: Metrics; seasonal_naive: Metrics; moving_average: Metrics }
export interface Evaluation {
  horizon: number;
  season: number;
  test_points: number;
  model: Metrics;
  baselines: { naive: Metrics; seasonal_naive: Metrics; moving_average: Metrics };
  per_step: StepScores[];
  /** Per target column when there are several. */
  per_target?: Record<string, { model: Metrics; naive: Metrics; seasonal_naive: Metrics; moving_average: Metrics }>;
  /** Share of actual values inside the predicted interval, when quantiles were trained. */
  interval_coverage?: number;
}

type Who = 'model' | 'naive' | 'seasonal_naive' | 'moving_average';
const WHO: Who[] = ['model', 'naive', 'seasonal_naive', 'moving_average'];

const mean = (ms: Metrics[]): Metrics => ({
  mae: avg(ms.map((m) => m.mae)), rmse: avg(ms.map((m) => m.rmse)), smape: avg(ms.map((m) => m.smape)), mase: avg(ms.map((m) => m.mase)),
});
const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function evaluate(s: Series, origins: number[], H: number, season: number, window: number, trainEnd: number,
  predict: (t: number) => { point: Float64Array; lo?: Float64Array; hi?: Float64Array }): Evaluation {
  const T = s.nTargets, F = s.F, n = origins.length;
  const col = (j: number) => Float64Array.from({ length: s.N }, (_, i) => s.values[i * F + j]);
  const cols = Array.from({ length: T }, (_, j) => col(j));
  // forecasts[who][j][h] = values over the origins
  const fc: Record<Who, Float64Array[][]> = Object.fromEntries(WHO.map((w) => [w, cols.map(() => Array.from({ length: H }, () => new Float64Array(n)))])) as Record<Who, Float64Array[][]>;
  const actual = cols.map(() => Array.from({ length: H }, () => new Float64Array(n)));
  let inside = 0, withInterval = 0;
  origins.forEach((t, k) => {
    const p = predict(t);
    for (let j = 0; j < T; j++) {
      const y = cols[j];
      for (let h = 1; h <= H; h++) {
        const a = y[t + h];
        actual[j][h - 1][k] = a;
        fc.model[j][h - 1][k] = p.point[(h - 1) * T + j];
        fc.naive[j][h - 1][k] = baselines.naive(y, t);
        fc.seasonal_naive[j][h - 1][k] = baselines.seasonalNaive(y, t, h, season);
        fc.moving_average[j][h - 1][k] = baselines.movingAverage(y, t, window);
        if (p.lo && p.hi) { withInterval++; if (a >= p.lo[(h - 1) * T + j] && a <= p.hi[(h - 1) * T + j]) inside++; }
      }
    }
  });
  const scales = cols.map((y) => maseScale(y, trainEnd, season));
  const score = (w: Who, j: number, h: number) => metrics(actual[j][h], fc[w][j][h], scales[j]);
  const perStep: StepScores[] = Array.from({ length: H }, (_, h) => {
    const r = Object.fromEntries(WHO.map((w) => [w, mean(cols.map((_, j) => score(w, j, h)))])) as Record<Who, Metrics>;
    return { h: h + 1, ...r };
  });
  const overall = (w: Who) => mean(perStep.map((p) => p[w]));
  const ev: Evaluation = {
    horizon: H, season, test_points: n, model: overall('model'),
    baselines: { naive: overall('naive'), seasonal_naive: overall('seasonal_naive'), moving_average: overall('moving_average') },
    per_step: perStep,
  };
  if (T > 1) {
    ev.per_target = Object.fromEntries(s.names.slice(0, T).map((name, j) => [name,
      Object.fromEntries(WHO.map((w) => [w, mean(Array.from({ length: H }, (_, h) => score(w, j, h)))])) as Record<Who, Metrics>]));
  }
  if (withInterval > 0) ev.interval_coverage = inside / withInterval;
  return ev;
}

/** The baselines table as text, one row per forecaster, one column group per horizon step. */
export function formatTable(ev: Evaluation): string {
  const rows: [string, (p: StepScores | Evaluation) => Metrics][] = [
    ['model', (p) => p.model],
    ['persistence (naive)', (p) => ('naive' in p ? p.naive : p.baselines.naive)],
    [`seasonal naive (m=${ev.season})`, (p) => ('seasonal_naive' in p ? p.seasonal_naive : p.baselines.seasonal_naive)],
    ['moving average', (p) => ('moving_average' in p ? p.moving_average : p.baselines.moving_average)],
  ];
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number) => (Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(3)).padStart(9);
  const lines: string[] = [];
  const steps = ev.per_step.length > 1 ? [...ev.per_step.map((p) => [`h=${p.h}`, p] as const), ['all', ev] as const] : [['all', ev] as const];
  for (const [label, p] of steps) {
    lines.push(`${pad(`${label} (${ev.test_points} test points)`, 28)}${['MAE', 'RMSE', 'sMAPE%', 'MASE'].map((h) => h.padStart(9)).join('')}`);
    for (const [name, get] of rows) {
      const m = get(p);
      lines.push(`  ${pad(name, 26)}${num(m.mae)}${num(m.rmse)}${num(m.smape)}${num(m.mase)}`);
    }
  }
  return lines.join('\n');
}
