import { DataError } from '../../../errors.js';
import type { Series } from '../../../data/series.js';
import { type Evaluation, type ExtraName, evaluate } from '../evaluate.js';
import { guessSeason } from '../metrics.js';
import { etsForecastAt, statBaselines } from '../stat-baselines.js';
import { type HybridForecaster, type HybridOptions, trainHybrid } from './ensemble.js';

/**
 * A univariate run over one or many series: the hybrid (one global model) or recur's ETS (one
 * fit per series) trained on everything before each series' test part — its last `testFraction`
 * (at least horizon + 1 points) — and scored at every origin of the test part whose whole horizon
 * is observed, beside persistence, seasonal naive, moving average, ETS, Theta and naive2.
 */
export type UnivariateModel = 'hybrid' | 'ets';

export interface UnivariateOptions extends Omit<HybridOptions, 'season'> {
  model: UnivariateModel;
  /** Season length; null or undefined: from the dates and the autocorrelation. */
  season?: number | null;
  testFraction?: number;
}

export interface SeriesResult {
  id: string; n: number; fitEnd: number; ets: string | null; evaluation: Evaluation; notes: string[];
}

export interface UnivariateRun {
  model: UnivariateModel;
  season: number; seasonGuessed: boolean; horizon: number;
  forecaster: HybridForecaster | null;
  series: SeriesResult[];
  /** Geometric mean of MASE over the series, per forecaster (model and each baseline). */
  geoMase: Record<string, number>;
  notes: string[];
}

/** Where a series' test part starts: the last testFraction of it, at least horizon + 1 points. */
export function testStart(n: number, H: number, testFraction: number): number {
  const fitEnd = n - Math.max(H + 1, Math.round(n * testFraction));
  if (fitEnd < 4) throw new DataError(`a series of ${n} points leaves ${fitEnd} before its test part (horizon ${H})`);
  return fitEnd;
}

/** The longest season the hybrid smooths (a year of weeks fits; a year of days does not). */
export const MAX_SEASON = 60;

const target = (s: Series) => Float64Array.from({ length: s.N }, (_, i) => s.values[i * s.F]);

export function runUnivariate(items: { id: string; series: Series }[], o: UnivariateOptions): UnivariateRun {
  if (items.length === 0) throw new DataError('forecast: expected at least one series, got none');
  const H = o.horizon, tf = o.testFraction ?? 0.15, notes: string[] = [];
  const data = items.map(({ id, series }) => {
    if (series.nTargets !== 1 || series.F !== 1) {
      throw new DataError(`series '${id}': the ${o.model} model is univariate`);
    }
    const y = target(series), fitEnd = testStart(y.length, H, tf);
    if (y.subarray(0, fitEnd).every((v) => v === y[0])) {
      throw new DataError(
        `series '${id}' is constant before its test part (every value is ${y[0]}): there is nothing to forecast`);
    }
    return { id, series, y, fitEnd };
  });
  const first = data.reduce((a, b) => (b.fitEnd > a.fitEnd ? b : a));
  const season = o.season ?? guessSeason(first.y, first.fitEnd, first.series.frequency?.label ?? null);
  let forecaster: HybridForecaster | null = null;
  if (o.model === 'hybrid') {
    // a season of hundreds of steps (daily data's year) has as many indices per series as it has data: none then
    const own = season > MAX_SEASON ? 1 : season;
    if (own !== season) notes.push(`season ${season} is longer than the hybrid smooths (at most ${MAX_SEASON}): none`);
    forecaster = trainHybrid(data.map((d) => ({ id: d.id, values: d.y.subarray(0, d.fitEnd) })), { ...o, season: own });
    if (forecaster.options.season !== own) notes.push(`season ${own} dropped: a series is shorter than two seasons`);
    const kinds = forecaster.series.filter((p) => p.kind === 'additive').map((p) => p.id);
    if (kinds.length > 0) notes.push(`additive (not log) smoothing for ${kinds.join(', ')}: zeros or negative values`);
  }
  const series = data.map((d) => scoreSeries(d, season, H, forecaster));
  return {
    model: o.model, season, seasonGuessed: o.season == null, horizon: H, forecaster, series,
    geoMase: geoMase(series), notes,
  };
}

function scoreSeries(d: { id: string; series: Series; y: Float64Array; fitEnd: number }, season: number, H: number,
  forecaster: HybridForecaster | null): SeriesResult {
  const { id, series, y, fitEnd } = d;
  const origins: number[] = [];
  for (let t = fitEnd - 1; t + H < y.length; t++) origins.push(t);
  const base = statBaselines(y, fitEnd, season, H);
  let predict: (t: number) => { point: Float64Array; lo?: Float64Array; hi?: Float64Array };
  if (forecaster) {
    const f = forecaster.forecast(id, y, origins), Q = forecaster.options.quantiles.length;
    const qm = forecaster.options.quantiles.indexOf(0.5), qlo = 0, qhi = Q - 1;
    const pick = (k: number, q: number) => Float64Array.from({ length: H }, (_, h) => f[(k * H + h) * Q + q]);
    const at = new Map(origins.map((t, k) => [t, k]));
    predict = (t) => {
      const k = at.get(t)!;
      return Q > 1 ? { point: pick(k, qm), lo: pick(k, qlo), hi: pick(k, qhi) } : { point: pick(k, qm) };
    };
  } else {
    if (!base.ets) throw new DataError(`series '${id}': ${base.notes.join('; ')}`);
    const fit = base.ets;
    predict = (t) => ({ point: etsForecastAt(fit, y, t, H) });
  }
  const window = Math.min(fitEnd, season >= 2 && season <= 24 ? season : 12);
  const evaluation = evaluate(series, origins, H, season, window, fitEnd, predict, base.extras);
  return { id, n: y.length, fitEnd, ets: base.ets?.name ?? null, evaluation, notes: base.notes };
}

function geoMase(rs: SeriesResult[]): Record<string, number> {
  const names = ['model', ...Object.keys(rs[0].evaluation.baselines)];
  const get = (r: SeriesResult, k: string) =>
    (k === 'model' ? r.evaluation.model : r.evaluation.baselines[k as ExtraName]);
  return Object.fromEntries(names.map((k) => {
    const ms = rs.map((r) => get(r, k)?.mase).filter((v): v is number => v !== undefined && v > 0);
    return [k, Math.exp(ms.reduce((a, v) => a + Math.log(v), 0) / ms.length)];
  }));
}
