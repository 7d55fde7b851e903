/**
 * The Series tab's result, built in the worker from the library's evaluation: the one-step
 * forecasts on the test tail beside ETS and the naive baselines, one row of scores for the model
 * and for every baseline (always the same rows, so the table keeps its height), and a verdict
 * that names the best baseline of all, ETS, Theta and naive2 included.
 */
import {
  type EtsFit, type Evaluation, type Metrics, type Series, baselineLabel, baselines, bestBaseline, etsForecastAt,
  column,
} from '../../../src/web.js';
import type { ForecastPlot, ScoreRow, SeriesLine } from '../protocol.js';

export interface PlotInput {
  s: Series; target: string;
  /** Test origins t: the one-step forecast of each is for t + 1. */
  origins: number[];
  /** The model's one-step forecasts, one per origin; name: the label the chart and table give it. */
  model: { name: string; detail: string; values: number[] };
  /** recur's ETS fitted before the test part (null: left out); drawn beside the model. */
  ets: EtsFit | null;
  season: number; window: number; ev: Evaluation; summary: string;
}

type BaselineKey = keyof Evaluation['baselines'];

/** The table's rows after the model's, in order: [key, name, detail] (details short: one line on a phone). */
function baselineRows(season: number, window: number, ets: EtsFit | null): [BaselineKey, string, string][] {
  return [
    ['naive', 'persistence', 'the last value'],
    ['seasonal_naive', 'seasonal naive', `season ${season}`],
    ['moving_average', 'moving average', `window ${window}`],
    ['ets', ets?.name ?? 'ETS', ets ? 'chosen by AICc' : 'left out'],
    ['theta', 'Theta', "as R's thetaf"],
    ['naive2', 'naive2', 'M4 benchmark'],
  ];
}

const NONE: Metrics = { mae: NaN, rmse: NaN, smape: NaN, mase: NaN };

/** The rows of the scores table: the model, then every baseline; NaN scores for one not scored. */
export function scoreRows(p: Pick<PlotInput, 'model' | 'ets' | 'season' | 'window' | 'ev'>): ScoreRow[] {
  const rows = baselineRows(p.season, p.window, p.ets).map(([key, name, detail]): ScoreRow => {
    const m = p.ev.baselines[key];
    return { name, detail: m ? detail : key === 'ets' && !p.ets ? detail : 'one target only', ...(m ?? NONE) };
  });
  return [{ name: p.model.name, detail: p.model.detail, ...p.ev.model }, ...rows];
}

/** Did the model beat the best of all baselines on MAE? Named, ETS by its form (e.g. ETS(M,Ad,M)). */
export function verdictOf(ev: Evaluation, who: string, etsName: string | null): string {
  const { name, m } = bestBaseline(ev.baselines);
  const label = name === 'ets' && etsName ? etsName : baselineLabel(name, ev.season);
  const gain = (1 - ev.model.mae / m.mae) * 100, pct = Math.abs(gain).toFixed(1);
  return gain > 0
    ? `The ${who}'s error (MAE) is ${pct}% below the best baseline, ${label}; MASE ${ev.model.mase.toFixed(3)}.`
    : `The ${who} did not beat the best baseline, ${label} (MAE ${pct}% worse): use ${label}, or more data.`;
}

/** The lines drawn: actual, the model, ETS beside it, persistence and seasonal naive (one step ahead). */
function linesOf(p: PlotInput, y: Float64Array): SeriesLine[] {
  const { origins, season, ets } = p, one = (f: (t: number) => number) => origins.map(f);
  return [
    { name: 'actual', role: 'actual', values: one((t) => y[t + 1]) },
    { name: p.model.name, role: 'model', values: p.model.values },
    ...(ets ? [{ name: ets.name, role: 'ets' as const, values: one((t) => etsForecastAt(ets, y, t, 1)[0]) }] : []),
    { name: 'persistence', role: 'baseline', values: one((t) => baselines.naive(y, t)) },
    { name: `seasonal naive (${season})`, role: 'baseline', values: one((t) => baselines.seasonalNaive(y, t, 1, season)) },
  ];
}

export function plotOf(p: PlotInput): ForecastPlot {
  const { s, origins, ev } = p;
  const y = column(s);
  const at = (t: number) => (s.dates ? new Date(s.dates[t]).toISOString().slice(0, 10) : t);
  return {
    target: p.target, xIsDate: !!s.dates, x: origins.map((t) => at(t + 1)), horizon: ev.horizon, summary: p.summary,
    lines: linesOf(p, y), table: scoreRows(p), verdict: verdictOf(ev, p.model.name, p.ets?.name ?? null),
  };
}
