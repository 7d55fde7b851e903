/**
 * The hybrid (ES-RNN) in the series worker: trained with the library's runUnivariate on the chosen
 * column (the CLI's `recur forecast train --model hybrid`, made smaller so that it finishes in
 * seconds in a page), or opened from the CLI's hybrid files and scored on the same test tail.
 */
import {
  DataError, Ensemble, type HybridForecaster, type MemberReport, type ModelMeta, type Module, type ParsedModel,
  type Series, type SeriesResult, evaluate, hybridFromFile, hybridMeta, runUnivariate, statBaselines, testStart,
} from '../../../src/web.js';
import type { DeviceChoice, ForecastPlot, SeriesConfig } from '../protocol.js';
import { plotOf } from './report.js';

/**
 * What the page trains smaller than the CLI (whose defaults are 2 layers, 20 steps an epoch, 3 seeds
 * on short series, and a refit on all the data after early stopping): one seed per lookback, one
 * layer, 10 steps an epoch, no refit. The panel says so.
 */
export const PAGE_HYBRID = { seeds: 1, layers: 1, stepsPerEpoch: 10, refit: false } as const;

export interface HybridResult { plot: ForecastPlot; trained: { model: Module; meta: ModelMeta } }

const targetOf = (s: Series) => Float64Array.from({ length: s.N }, (_, i) => s.values[i * s.F]);

/** Origins of the test part whose whole horizon is observed, as runUnivariate scores them. */
function testOrigins(n: number, fitEnd: number, H: number): number[] {
  const out: number[] = [];
  for (let t = fitEnd - 1; t + H < n; t++) out.push(t);
  return out;
}

/** The forecaster's forecasts at the origins: its point (the median, quantile 0.5) and interval per origin. */
function forecastsOf(f: HybridForecaster, id: string, y: Float64Array, origins: number[]) {
  const H = f.options.horizon, q = f.options.quantiles, Q = q.length, qm = q.indexOf(0.5);
  const out = f.forecast(id, y, origins);
  const pick = (k: number, j: number) => Float64Array.from({ length: H }, (_, h) => out[(k * H + h) * Q + j]);
  const at = new Map(origins.map((t, k) => [t, k]));
  const predict = (t: number) => {
    const k = at.get(t)!;
    return Q > 1 ? { point: pick(k, qm), lo: pick(k, 0), hi: pick(k, Q - 1) } : { point: pick(k, qm) };
  };
  return { predict, oneStep: origins.map((_, k) => out[k * H * Q + qm]) };
}

/** The plot of a scored hybrid: its one-step forecasts beside ETS (fitted, as the run did, before the test part). */
function hybridPlot(f: HybridForecaster, s: Series, id: string, r: SeriesResult, summary: string): ForecastPlot {
  const y = targetOf(s), origins = testOrigins(s.N, r.fitEnd, r.evaluation.horizon);
  const season = r.evaluation.season, window = Math.min(r.fitEnd, season >= 2 ? season : 12);
  const ets = statBaselines(y, r.fitEnd, season, r.evaluation.horizon).ets;
  return plotOf({
    s, target: s.names[0], origins, ets, season, window, ev: r.evaluation, summary,
    model: { name: 'hybrid', detail: `ES-RNN ×${f.members.length}`, values: forecastsOf(f, id, y, origins).oneStep },
  });
}

/** What Save writes: the members as one module and the metadata `recur forecast predict` reads. */
const saved = (f: HybridForecaster, s: Series, target: string, dateColumn: string | null) => ({
  model: new Ensemble(f.members),
  meta: hybridMeta(f, {
    target, idColumn: null, dateColumn, frequency: s.frequency, lastDate: s.dates ? s.dates[s.N - 1] : null,
  }),
});

/** Trains the page's hybrid on one column and scores it beside every baseline. */
export function trainHybridIn(s: Series, c: SeriesConfig, dateColumn: string | null,
  onMember: (m: MemberReport, k: number, of: number) => void): HybridResult {
  const r = runUnivariate([{ id: c.target, series: s }], {
    model: 'hybrid', horizon: c.horizon, season: null, ...PAGE_HYBRID, cell: c.cell, hidden: c.hidden,
    epochs: c.epochs, seed: c.seed, device: c.device, onMember,
  });
  const f = r.forecaster!, res = r.series[0];
  // runUnivariate's notes, short enough for the status line
  const season = f.options.season === r.season ? `season ${r.season}` : 'no season (too short for two)';
  const additive = f.series[0].kind === 'additive' ? ', additive (not log)' : '';
  const summary = `hybrid of ${f.members.length}, ${season}${additive}`;
  return { plot: hybridPlot(f, s, c.target, res, summary), trained: saved(f, s, c.target, dateColumn) };
}

/** The page forecasts one column: the hybrid must know it by name (the CLI names a wide CSV's series by column). */
function idOf(meta: { series: { id: string }[]; target: string }, name: string): string {
  if (meta.series.length === 1) return meta.series[0].id;
  const known = meta.series.map((p) => p.id);
  if (known.includes(meta.target)) return meta.target;
  throw new DataError(`${name}: a hybrid of ${known.length} series (${known.slice(0, 4).join(', ')}…); `
    + 'the page forecasts one column — use recur forecast predict --series');
}

/** Opens a CLI hybrid and scores it on the data's test tail exactly as runUnivariate did. */
export function openHybridIn(parsed: ParsedModel, name: string, load: (target: string, date: string | null) => Series,
  device: DeviceChoice): HybridResult & { note: string; rows: number } {
  const { forecaster: f, meta } = hybridFromFile(parsed, device);
  const s = load(meta.target, meta.dateColumn), y = targetOf(s), H = meta.horizon, id = idOf(meta, name);
  const fitEnd = testStart(s.N, H, 0.15), origins = testOrigins(s.N, fitEnd, H), season = meta.season;
  const base = statBaselines(y, fitEnd, season, H), window = Math.min(fitEnd, season >= 2 ? season : 12);
  const { predict } = forecastsOf(f, id, y, origins);
  const evaluation = evaluate(s, origins, H, season, window, fitEnd, predict, base.extras);
  const r: SeriesResult = { id, n: s.N, fitEnd, ets: base.ets?.name ?? null, evaluation, notes: base.notes };
  const a = meta.arch.members[0], n = f.members.length;
  return {
    plot: hybridPlot(f, s, id, r, `hybrid of ${n}, season ${season}`),
    trained: { model: new Ensemble(f.members), meta }, rows: s.N,
    note: `opened ${name}: hybrid of ${n} (${a.cell.toUpperCase()} ${a.hidden}), horizon ${H}`,
  };
}
