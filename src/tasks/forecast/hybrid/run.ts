import { DataError } from '../../../errors.js';
import { type Series, column } from '../../../data/series.js';
import { type Evaluation, type ExtraName, evaluate } from '../evaluate.js';
import { guessSeason } from '../metrics.js';
import { etsForecastAt, statBaselines } from '../stat-baselines.js';
import { ETS_MAX_SEASON, type EtsFit } from '../stats/ets-fit.js';
import { type HybridForecaster, type HybridOptions, MAX_SEASON, trainHybrid } from './ensemble.js';
import { combinesWithEts } from './combine.js';

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
  id: string; n: number; fitEnd: number; evaluation: Evaluation; notes: string[];
  /** The ETS baseline: its form (e.g. "ETS(M,Ad,M)") and the fit, made on the values before the test part. */
  ets: string | null; etsFit: EtsFit | null;
  /** The test origins and the model's point forecasts (H each) at them. */
  origins: number[]; point: Float64Array[];
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

export function runUnivariate(items: { id: string; series: Series }[], o: UnivariateOptions): UnivariateRun {
  if (items.length === 0) throw new DataError('forecast: expected at least one series, got none');
  const H = o.horizon, tf = o.testFraction ?? 0.15, notes: string[] = [];
  const data = items.map(({ id, series }) => {
    if (series.nTargets !== 1 || series.F !== 1) {
      throw new DataError(`series '${id}': the ${o.model} model is univariate`);
    }
    const y = column(series), fitEnd = testStart(y.length, H, tf);
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
    forecaster = trainHybrid(data.map((d) => ({ id: d.id, values: d.y.subarray(0, d.fitEnd) })), { ...o, season });
    if (forecaster.options.season !== season) {
      notes.push(season > MAX_SEASON ? `season ${season} is longer than the hybrid smooths (at most ${MAX_SEASON}): none`
        : `season ${season} dropped: a series is shorter than two seasons`);
    }
    if (forecaster.options.combine === 'ets' && !combinesWithEts('ets', forecaster.options.season)) {
      notes.push(`season ${forecaster.options.season} is longer than ETS models (${ETS_MAX_SEASON}): `
        + 'the network forecasts alone, not averaged with ETS');
    }
    const kinds = forecaster.series.filter((p) => p.kind === 'additive').map((p) => p.id);
    if (kinds.length > 0) notes.push(`additive (not log) smoothing for ${kinds.join(', ')}: zeros or negative values`);
  }
  const series = data.map((d) => scoreSeries(d, season, H, forecaster));
  return {
    model: o.model, season, seasonGuessed: o.season == null, horizon: H, forecaster, series,
    geoMase: geoMase(series), notes,
  };
}

/** Origins t of the test part whose whole horizon t+1 … t+H is observed. */
export function testOrigins(n: number, fitEnd: number, H: number): number[] {
  const out: number[] = [];
  for (let t = fitEnd - 1; t + H < n; t++) out.push(t);
  return out;
}

/** The moving-average baseline's window: the season when it is short, else 12. */
export const averageWindow = (fitEnd: number, season: number): number =>
  Math.min(fitEnd, season >= 2 && season <= 24 ? season : 12);

type Predict = (t: number) => { point: Float64Array; lo?: Float64Array; hi?: Float64Array };

/**
 * A hybrid's forecasts at the origins, one ensemble pass: point (its median quantile) and interval per origin.
 * `ets`, the report's ETS baseline fitted on the same values, is the one the combination uses.
 */
function hybridAt(f: HybridForecaster, id: string, y: Float64Array, origins: number[], ets: EtsFit | null): Predict {
  const H = f.options.horizon, q = f.options.quantiles, Q = q.length, qm = q.indexOf(0.5);
  const out = f.forecast(id, y, origins, f.options.combine, ets);
  const pick = (k: number, j: number) => Float64Array.from({ length: H }, (_, h) => out[(k * H + h) * Q + j]);
  const at = new Map(origins.map((t, k) => [t, k]));
  return (t) => {
    const k = at.get(t)!;
    return Q > 1 ? { point: pick(k, qm), lo: pick(k, 0), hi: pick(k, Q - 1) } : { point: pick(k, qm) };
  };
}

/**
 * Scores one series at every origin of its test part: the hybrid's forecasts (or, without one,
 * ETS's) beside every baseline. What the CLI reports and the playground draws.
 */
export function scoreSeries(d: { id: string; series: Series; y: Float64Array; fitEnd: number }, season: number,
  H: number, forecaster: HybridForecaster | null): SeriesResult {
  const { id, series, y, fitEnd } = d;
  const origins = testOrigins(y.length, fitEnd, H);
  const base = statBaselines(y, fitEnd, season, H);
  let predict: Predict;
  if (forecaster) predict = hybridAt(forecaster, id, y, origins, base.ets);
  else {
    if (!base.ets) throw new DataError(`series '${id}': ${base.notes.join('; ')}`);
    const fit = base.ets;
    predict = (t) => ({ point: etsForecastAt(fit, y, t, H) });
  }
  const point = origins.map((t) => predict(t).point);
  const evaluation = evaluate(series, origins, H, season, averageWindow(fitEnd, season), fitEnd, predict, base.extras);
  return { id, n: y.length, fitEnd, ets: base.ets?.name ?? null, etsFit: base.ets, origins, point, evaluation,
    notes: base.notes };
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
