/**
 * The hybrid (ES-RNN) in the series worker: trained with the library's runUnivariate on the chosen
 * column (the CLI's `recur forecast train --model hybrid`, made smaller so that it finishes in
 * seconds in a page), or opened from the CLI's hybrid files and scored on the same test tail.
 */
import {
  DataError, Ensemble, type HybridForecaster, type MemberReport, type ModelMeta, type Module, type ParsedModel,
  type Series, type SeriesResult, averageWindow, hybridFromFile, hybridMeta, runUnivariate, scoreSeries, testStart,
  column,
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

/** The plot of a scored hybrid: its one-step forecasts beside ETS (the fit the scores used). */
function hybridPlot(f: HybridForecaster, s: Series, r: SeriesResult, summary: string): ForecastPlot {
  const season = r.evaluation.season;
  return plotOf({
    s, target: s.names[0], origins: r.origins, ets: r.etsFit, season, window: averageWindow(r.fitEnd, season),
    ev: r.evaluation, summary,
    model: { name: 'hybrid', detail: `ES-RNN ×${f.members.length}`, values: r.point.map((p) => p[0]) },
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
  return { plot: hybridPlot(f, s, res, summary), trained: saved(f, s, c.target, dateColumn) };
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
  const s = load(meta.target, meta.dateColumn), y = column(s), H = meta.horizon, id = idOf(meta, name);
  const r = scoreSeries({ id, series: s, y, fitEnd: testStart(s.N, H, 0.15) }, meta.season, H, f);
  const a = meta.arch.members[0], n = f.members.length;
  return {
    plot: hybridPlot(f, s, r, `hybrid of ${n}, season ${meta.season}`),
    trained: { model: new Ensemble(f.members), meta }, rows: s.N,
    note: `opened ${name}: hybrid of ${n} (${a.cell.toUpperCase()} ${a.hidden}), horizon ${H}`,
  };
}
