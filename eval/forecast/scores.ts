/**
 * Scores of the forecast evaluation, as the M4 competition defines them.
 *   MASE  = mean |y − ŷ| over all origins and steps / in-sample MAE of the seasonal naive forecast
 *           on y[0..first origin] (lag m; lag 1 when m = 1)
 *   sMAPE = 100 · mean 2|y − ŷ| / (|y| + |ŷ|)
 *   OWA   = ½ (sMAPE / sMAPE_naive2 + MASE / MASE_naive2); over a group of series M4 takes the
 *           arithmetic means of sMAPE and MASE first and divides those (done here too).
 * naive2 is M4's benchmark: naive on the seasonally adjusted series, reseasonalised (methods.ts).
 */
import { maseScale, metrics } from '../../src/tasks/forecast/metrics.js';

export interface SeriesScore { mase: number; smape: number; mae: number }

/** Scores the forecasts at each origin (origins[i] → preds[i], h steps) against y. */
export function scoreSeries(y: ArrayLike<number>, origins: readonly number[], preds: readonly Float64Array[],
  h: number, m: number): SeriesScore {
  const actual = new Float64Array(origins.length * h), pred = new Float64Array(origins.length * h);
  origins.forEach((t, i) => {
    for (let k = 0; k < h; k++) { actual[i * h + k] = y[t + 1 + k]; pred[i * h + k] = preds[i][k]; }
  });
  const scale = maseScale(y, origins[0] + 1, m >= 2 && origins[0] + 1 > m ? m : 1);
  const r = metrics(actual, pred, scale);
  return { mase: r.mase, smape: r.smape, mae: r.mae };
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const geoMean = (xs: readonly number[]): number => Math.exp(mean(xs.map((x) => Math.log(Math.max(x, 1e-12)))));

/** A group's summary of one method against the references (naive2, R's ets, seasonal naive). */
export interface GroupScore {
  n: number; geoMase: number; meanMase: number; meanSmape: number; owa: number;
  /** Geometric mean of MASE / MASE(ets), per series. */
  relEts: number;
  beatsEts: number; worseThanSnaive: number;
}

export function groupScore(ids: readonly string[], of: (id: string) => SeriesScore,
  naive2: (id: string) => SeriesScore, ets: ((id: string) => SeriesScore) | null,
  snaive: (id: string) => SeriesScore): GroupScore {
  const mases = ids.map((id) => of(id).mase), smapes = ids.map((id) => of(id).smape);
  const meanMase = mean(mases), meanSmape = mean(smapes);
  const n2Smape = mean(ids.map((id) => naive2(id).smape)), n2Mase = mean(ids.map((id) => naive2(id).mase));
  const owa = 0.5 * (meanSmape / n2Smape + meanMase / n2Mase);
  const share = (p: (id: string) => boolean) => ids.filter(p).length / ids.length;
  // "beats" and "worse" need a margin: recur's ETS reproduces R's to about 1e-9, which is a tie
  const below = (a: number, b: number) => a < b * (1 - 1e-6);
  return {
    n: ids.length, geoMase: geoMean(mases), meanMase, meanSmape, owa,
    relEts: ets ? geoMean(ids.map((id) => of(id).mase / ets(id).mase)) : NaN,
    beatsEts: ets ? share((id) => below(of(id).mase, ets(id).mase)) : NaN,
    worseThanSnaive: share((id) => below(snaive(id).mase, of(id).mase)),
  };
}
