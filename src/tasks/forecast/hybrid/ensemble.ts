import { DataError } from '../../../errors.js';
import type { Device } from '../../../kernels/device.js';
import type { CellName } from '../../../layers/recurrent.js';
import type { EsRnn } from './model.js';
import { type EtsFit, fitEts } from '../stats/ets-fit.js';
import {
  type EtsStart, type PreparedSeries, type SeasonKind, fromU, initialSmoothing, prepareSeries, toU,
} from './prepare.js';
import { type MemberOptions, type MemberReport, trainMember } from './train.js';
import { type Combine, combineWithEts, combinesWithEts } from './combine.js';

/**
 * The hybrid forecaster a user trains: one or many series (a global model: shared network,
 * per-series smoothing), an ensemble of members over seeds and lookbacks whose forecasts are
 * combined by the median — Smyl's remedy for the variance of a network trained on short series.
 */
export interface HybridOptions {
  horizon: number;
  /**
   * Season length (1: none). Fitted without one when a series is shorter than two seasons (plus the horizon) or
   * the season is longer than MAX_SEASON.
   */
  season: number;
  /** Lookbacks of the members (default: the season or the horizon, and 1.5 times that). */
  lookbacks?: number[];
  /** Seeds per lookback (default 3 when every series is short, under 200 points; else 1). */
  seeds?: number;
  cell?: CellName; hidden?: number; layers?: number;
  /** A linear map from the window to the output beside the network (default true). */
  skip?: boolean;
  /** A per-series damped trend in the smoothing (default true). */
  trend?: boolean;
  quantiles?: number[];
  epochs?: number; patience?: number; batch?: number; stepsPerEpoch?: number;
  lr?: number; lrSeries?: number; clip?: number; penalty?: number;
  /** Points held out at the end of each series for early stopping (default: the horizon). */
  valPoints?: number;
  refit?: boolean;
  /** Start the smoothing from Holt–Winters fitted by maximum likelihood (default true). */
  etsInit?: boolean;
  /** The final forecast: the ensemble's median averaged with ETS ('ets', the default; combine.ts) or alone. */
  combine?: Combine;
  /** Forces the transform of every series; default: log when a series is positive, else additive. */
  kind?: SeasonKind;
  seed?: number;
  device?: Device;
  /** Called after each member with what it did (a progress line). */
  onMember?: (r: MemberReport, k: number, of: number, trained: EsRnn[]) => void;
  /** Members trained before (a checkpoint of this same run): they are kept and not trained again. */
  resumeFrom?: EsRnn[];
}

/**
 * The longest season the hybrid smooths: a year of weeks fits; a year of days (365 indices per series, as many as
 * the data) does not — one day ahead on Seattle it made the hybrid worse than persistence (MAE 2.72 vs 2.25).
 */
export const MAX_SEASON = 60;

export interface SeriesInput { id: string; values: ArrayLike<number> }

export class HybridForecaster {
  constructor(readonly series: PreparedSeries[], readonly members: EsRnn[], readonly reports: MemberReport[],
    readonly options: { horizon: number; season: number; quantiles: number[]; combine: Combine }) {}

  /** Row of a series by id; a number is taken as the row. */
  row(id: string | number): number {
    const r = typeof id === 'number' ? id : this.series.findIndex((p) => p.id === id);
    if (r < 0 || r >= this.series.length) {
      throw new DataError(`hybrid: no series '${id}'; it knows ${this.series.map((p) => p.id).slice(0, 8).join(', ')}`);
    }
    return r;
  }

  /**
   * Forecasts (origins, H, Q) in the series' units for each origin t of `ts` (the last observed
   * index), from the values observed up to it: the median of the members' forecasts, averaged
   * with ETS's unless `combine` (default: the options') is 'none'. `ets`: a fit of ETS the caller
   * already made on the values up to the first origin (combineWithEts reuses it instead of fitting again).
   */
  forecast(id: string | number, y: ArrayLike<number>, ts: readonly number[],
    combine: Combine = this.options.combine, ets?: EtsFit | null): Float64Array {
    const r = this.row(id), p = this.series[r];
    const L = Math.max(...this.members.map((mm) => mm.arch.lookback));
    for (const t of ts) {
      if (!(t + 1 >= L && t < y.length)) {
        throw new DataError(`hybrid: origin ${t} needs ${L} values up to it, got ${Math.min(t + 1, y.length)}`);
      }
    }
    const u = toU(y, p.kind, p.scale);
    const outs = this.members.map((mm) => mm.forecastU(r, u, ts));
    const res = new Float64Array(outs[0].length), col = new Float64Array(outs.length);
    for (let i = 0; i < res.length; i++) {
      outs.forEach((o, k) => { col[k] = o[i]; });
      res[i] = fromU(median(col), p.kind, p.scale);
    }
    const { horizon: H, quantiles: q, season } = this.options;
    if (combinesWithEts(combine, season)) combineWithEts(res, y, ts, H, q.length, q.indexOf(0.5), season, ets);
    return res;
  }
}

/**
 * Holt–Winters with a damped trend, ETS(A,Ad,A) on u (A,Ad,N without a season), fitted by maximum
 * likelihood, or null where it cannot be. (Starting from the type AICc selects instead did worse
 * on the eval collection: geometric-mean MASE 0.81 vs 0.76 quarterly, 1.78 vs 1.77 monthly.)
 */
function etsStart(u: Float64Array, m: number): EtsStart | null {
  try {
    return fitEts(u, m, { error: 'A', trend: 'Ad', season: m > 1 ? 'A' : 'N' });
  } catch (e) {
    if (e instanceof DataError) return null;
    throw e;
  }
}

export function median(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort(), n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Member options with the defaults filled in. */
export function memberDefaults(o: HybridOptions, minLength: number, season: number):
  Omit<MemberOptions, 'lookback' | 'seed'> {
  return {
    horizon: o.horizon, season, cell: o.cell ?? 'lstm', hidden: o.hidden ?? 32, layers: o.layers ?? 2,
    skip: o.skip ?? true, trend: o.trend ?? true,
    quantiles: o.quantiles && o.quantiles.length > 0 ? o.quantiles : [0.5],
    epochs: o.epochs ?? 40, patience: o.patience ?? 6, batch: o.batch ?? 64, stepsPerEpoch: o.stepsPerEpoch ?? 20,
    lr: o.lr ?? 3e-3, lrSeries: o.lrSeries ?? 1e-2, clip: o.clip ?? 1, penalty: o.penalty ?? 1,
    valPoints: o.valPoints ?? (minLength >= 4 * o.horizon ? o.horizon : 0),
    refit: o.refit ?? true,
    device: o.device ?? 'auto',
  };
}

/** Trains the ensemble over every series given (all of each series is fit data). */
export function trainHybrid(items: SeriesInput[], o: HybridOptions): HybridForecaster {
  if (items.length === 0) throw new DataError('hybrid: expected at least one series, got none');
  const H = o.horizon;
  const minLength = Math.min(...items.map((s) => s.values.length));
  // a season needs two whole seasons besides the horizon to be estimated, and at most MAX_SEASON indices; else none
  const season = o.season > 1 && o.season <= MAX_SEASON && minLength >= 2 * o.season + H ? o.season : 1;
  const series = items.map((s) => prepareSeries(s.id, s.values, s.values.length, o.kind));
  const base = memberDefaults(o, minLength, season);
  const L0 = Math.max(season > 1 ? season : 0, H, 4);
  const lookbacks = (o.lookbacks ?? [L0, Math.round(1.5 * L0)])
    .filter((L) => L + H + base.valPoints + 1 <= minLength);
  if (lookbacks.length === 0) {
    throw new DataError(
      `hybrid: the shortest series has ${minLength} points; horizon ${H} needs at least ${L0 + H + 1}`);
  }
  const seeds = o.seeds ?? (minLength < 200 ? 3 : 1), seed0 = o.seed ?? 0;
  const init = series.map((p) => initialSmoothing(p.u, p.fitEnd, season, o.etsInit === false ? () => null : etsStart));
  const jobs = lookbacks.flatMap((lookback) =>
    Array.from({ length: seeds }, (_, k) => ({ lookback, seed: seed0 * 1000 + k })));
  const members: EsRnn[] = [], reports: MemberReport[] = [];
  const done = o.resumeFrom ?? [];
  if (done.length > jobs.length) {
    throw new DataError(`hybrid: the checkpoint holds ${done.length} members, this run has ${jobs.length}`);
  }
  jobs.forEach((j, k) => {
    const { model, report } = k < done.length
      ? { model: done[k], report: { ...j, bestEpoch: NaN, valLoss: NaN, epochs: 0 } }
      : trainMember(series, { ...base, ...j }, init);
    members.push(model); reports.push(report);
    o.onMember?.(report, k, jobs.length, members);
  });
  return new HybridForecaster(series, members, reports,
    { horizon: H, season, quantiles: base.quantiles, combine: o.combine ?? 'ets' });
}
