import { DataError } from '../../errors.js';
import { type Series, column, filledAt } from '../../data/series.js';
import { type Metrics, baselines, maseScale, metrics } from './metrics.js';

/**
 * Scores forecasts on the test origins against the three baselines, per horizon step and
 * overall. `predict(t)` returns the forecasts for origin t as (H, T) (horizon steps × targets);
 * lower bound/upper bound (H, T) when the model gives intervals. Test values that were filled in
 * (missing cells, date gaps) are not scored: they are the filler's guesses, not observations.
 *
 * One target: every score in its units. Several targets: each target is scored in its own units
 * (per_target), and the overall and per-step scores average over targets after dividing each
 * target's MAE and RMSE by its MASE scale (its in-sample seasonal naive MAE), so that no unit
 * outweighs another — there, MAE equals MASE.
 */
export type StepScores = { h: number; interval_coverage?: number } & TargetScores;
export type TargetScores = { model: Metrics; naive: Metrics; seasonal_naive: Metrics; moving_average: Metrics }
  & Partial<Record<ExtraName, Metrics>>;
/** Statistical baselines scored beside the naive ones when the caller gives them (one target only). */
export type ExtraName = 'ets' | 'theta' | 'naive2';
/** Forecasts (H) of one target for origin t. */
export type Extras = Partial<Record<ExtraName, (t: number) => ArrayLike<number>>>;
export interface Evaluation {
  horizon: number;
  season: number;
  test_points: number;
  /** 'series': the one target's units; 'scaled': several targets, each divided by its MASE scale. */
  units: 'series' | 'scaled';
  model: Metrics;
  baselines: Omit<TargetScores, 'model'>;
  per_step: StepScores[];
  /** Per target column, in its own units, when there are several. */
  per_target?: Record<string, TargetScores>;
  /** Share of actual values inside the predicted interval, when quantiles were trained. */
  interval_coverage?: number;
  /** Test values (origin × step × target) left out of the scores because they were filled in. */
  filled_excluded: number;
}

type Who = 'model' | 'naive' | 'seasonal_naive' | 'moving_average' | ExtraName;
const NAIVE: Who[] = ['model', 'naive', 'seasonal_naive', 'moving_average'];
const LABELS: Record<Exclude<Who, 'model' | 'seasonal_naive'>, string> = {
  naive: 'persistence (naive)', moving_average: 'moving average', ets: 'ETS (AICc)', theta: 'Theta', naive2: 'naive2 (M4)',
};

/** The baseline with the lowest MAE, by its key. */
export function bestBaseline(b: Evaluation['baselines']): { name: Exclude<Who, 'model'>; m: Metrics } {
  const all = Object.entries(b).filter(([, m]) => m) as [Exclude<Who, 'model'>, Metrics][];
  const [name, m] = all.reduce((x, y) => (y[1].mae < x[1].mae ? y : x));
  return { name, m };
}

export const baselineLabel = (name: Exclude<Who, 'model'>, season: number): string =>
  (name === 'seasonal_naive' ? `seasonal naive (m=${season})` : LABELS[name]);

const mean = (ms: Metrics[]): Metrics => ({
  mae: avg(ms.map((m) => m.mae)), rmse: avg(ms.map((m) => m.rmse)), smape: avg(ms.map((m) => m.smape)), mase: avg(ms.map((m) => m.mase)),
});
const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function evaluate(s: Series, origins: number[], H: number, season: number, window: number, trainEnd: number,
  predict: (t: number) => { point: Float64Array; lo?: Float64Array; hi?: Float64Array }, extras: Extras = {}): Evaluation {
  const T = s.nTargets;
  if (T > 1 && Object.keys(extras).length > 0) throw new DataError('evaluate: statistical baselines score one target only');
  const WHO: Who[] = [...NAIVE, ...(Object.keys(extras) as ExtraName[])];
  const cols = Array.from({ length: T }, (_, j) => column(s, j));
  // scored[j][h]: actual and each forecaster's values over the origins whose target is observed
  const scored = cols.map(() => Array.from({ length: H }, () => ({ actual: [] as number[], fc: Object.fromEntries(WHO.map((w) => [w, [] as number[]])) as Record<Who, number[]> })));
  const inside = new Float64Array(H), withInterval = new Float64Array(H);
  let excluded = 0;
  for (const t of origins) {
    const p = predict(t);
    const ex = Object.fromEntries(Object.entries(extras).map(([k, f]) => [k, f(t)])) as Record<ExtraName, ArrayLike<number>>;
    for (let j = 0; j < T; j++) {
      const y = cols[j];
      for (let h = 1; h <= H; h++) {
        if (filledAt(s, t + h, j)) { excluded++; continue; }
        const a = y[t + h], k = (h - 1) * T + j, c = scored[j][h - 1];
        c.actual.push(a);
        c.fc.model.push(p.point[k]);
        c.fc.naive.push(baselines.naive(y, t));
        c.fc.seasonal_naive.push(baselines.seasonalNaive(y, t, h, season));
        c.fc.moving_average.push(baselines.movingAverage(y, t, window));
        for (const k of Object.keys(ex) as ExtraName[]) c.fc[k].push(ex[k][h - 1]);
        if (p.lo && p.hi) { withInterval[h - 1]++; if (a >= p.lo[k] && a <= p.hi[k]) inside[h - 1]++; }
      }
    }
  }
  const scales = cols.map((y) => maseScale(y, trainEnd, season));
  const score = (w: Who, j: number, h: number): Metrics => {
    const c = scored[j][h];
    if (c.actual.length === 0) throw new DataError(`every test value of '${s.names[j]}' at step ${h + 1} was filled in: nothing observed to score`);
    return metrics(c.actual, c.fc[w], scales[j]);
  };
  // several targets: in units of each target's MASE scale (mase is unit-free already)
  const pooled = (w: Who, h: number): Metrics => (T === 1 ? score(w, 0, h)
    : mean(cols.map((_, j) => { const m = score(w, j, h); return { ...m, mae: m.mae / scales[j], rmse: m.rmse / scales[j] }; })));
  const perStep: StepScores[] = Array.from({ length: H }, (_, h) => ({
    h: h + 1, ...(Object.fromEntries(WHO.map((w) => [w, pooled(w, h)])) as Record<Who, Metrics>),
    ...(withInterval[h] > 0 ? { interval_coverage: inside[h] / withInterval[h] } : {}),
  }));
  const overall = (w: Who) => mean(perStep.map((p) => p[w]!));
  const ev: Evaluation = {
    horizon: H, season, test_points: origins.length, units: T === 1 ? 'series' : 'scaled', model: overall('model'),
    baselines: Object.fromEntries(WHO.slice(1).map((w) => [w, overall(w)])) as Evaluation['baselines'],
    per_step: perStep, filled_excluded: excluded,
  };
  if (T > 1) {
    ev.per_target = Object.fromEntries(s.names.slice(0, T).map((name, j) => [name,
      Object.fromEntries(WHO.map((w) => [w, mean(Array.from({ length: H }, (_, h) => score(w, j, h)))])) as TargetScores]));
  }
  const covered = inside.reduce((a, b) => a + b, 0), total = withInterval.reduce((a, b) => a + b, 0);
  if (total > 0) ev.interval_coverage = covered / total;
  return ev;
}

/**
 * The baselines table as text, one row per forecaster, one block per horizon step; with several
 * targets, the scaled blocks first, then one block per target in its own units.
 */
export function formatTable(ev: Evaluation): string {
  type Scores = Partial<Record<Who, Metrics>>;
  const rows: [string, Who][] = [['model', 'model'],
    ...(Object.keys(ev.baselines) as Exclude<Who, 'model'>[]).map((w): [string, Who] => [baselineLabel(w, ev.season), w])];
  const num = (v: number) => (Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(3)).padStart(9);
  const lines: string[] = [];
  const block = (label: string, p: Scores) => {
    lines.push(`${label.padEnd(28)}${['MAE', 'RMSE', 'sMAPE%', 'MASE'].map((h) => h.padStart(9)).join('')}`);
    for (const [name, w] of rows) {
      const r = p[w];
      if (r) lines.push(`  ${name.padEnd(26)}${num(r.mae)}${num(r.rmse)}${num(r.smape)}${num(r.mase)}`);
    }
  };
  const all: Scores = { model: ev.model, ...ev.baselines };
  if (ev.units === 'scaled') lines.push('all targets: MAE and RMSE in units of each target\'s MASE scale (in-sample seasonal naive MAE)');
  const steps: [string, Scores][] = ev.per_step.length > 1 ? [...ev.per_step.map((p) => [`h=${p.h}`, p] as [string, Scores]), ['all', all]] : [['all', all]];
  for (const [label, p] of steps) block(`${label} (${ev.test_points} test points)`, p);
  for (const [name, p] of Object.entries(ev.per_target ?? {})) block(`${name}, its units, all steps`, p);
  return lines.join('\n');
}
