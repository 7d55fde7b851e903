import { DataError } from '../../../errors.js';
import { ETS_MAX_SEASON, type EtsFit, autoEts } from '../stats/ets-fit.js';
import { etsForecastAt } from '../stat-baselines.js';

/**
 * The hybrid's final forecast: the equal-weight mean of the network ensemble's median and ETS
 * (the form AICc selects, fitted on the values up to the first origin asked for, as `forecast::ets()`
 * would be, and run forward over later origins without refitting — the eval asks one origin at a time).
 * A forecast combination of the two model families that M4's leaders used in one form or another; on
 * the eval collection (npm run eval:forecast) it lowers the geometric-mean MASE from 1.319 (network
 * alone) to about 1.28. The weights are not fitted: ½ and ½. Quantiles move with the median, so an
 * interval keeps the network's width around the combined point.
 *
 * Only where ETS models the same season: a season longer than ETS_MAX_SEASON (a year of weeks) is
 * one ETS would ignore, and averaging with a forecast blind to it undid what the network had learnt
 * (weekly temperatures: MASE 0.88 alone, 1.15 combined). There the network's forecast stands alone.
 *
 * Dimensions:  K origins, H horizon, Q quantiles.
 */
export type Combine = 'ets' | 'none';

/** Whether ETS joins the forecast of a hybrid with this season and `combine` option. */
export const combinesWithEts = (combine: Combine, season: number): boolean =>
  combine === 'ets' && season <= ETS_MAX_SEASON;

/**
 * Combines in place. out: (K, H, Q) the ensemble's forecasts in the series' units; y the series;
 * ts the K origins; qm the index of the median quantile; m the season; `fitted` an ETS fit the caller
 * already has (the report's ETS baseline), used when it was fitted to the same values with the same season.
 * Where ETS cannot be fitted (too few values) the network's forecast stays as it is, and the count of such
 * origins is returned.
 */
export function combineWithEts(out: Float64Array, y: ArrayLike<number>, ts: readonly number[], H: number, Q: number,
  qm: number, m: number, fitted?: EtsFit | null): number {
  if (out.length !== ts.length * H * Q) {
    throw new Error(`combineWithEts: expected ${ts.length}×${H}×${Q} forecasts, got ${out.length}`);
  }
  if (ts.length === 0) return 0;
  // one fit, at the first origin, run forward over the later ones: a refit per origin made scoring a long test part
  // (the CLI, the playground) minutes slower
  const t0 = Math.min(...ts);
  const same = fitted && fitted.m === m && fitted.fitted.length === t0 + 1;
  const fit = same ? fitted : etsFit(y, t0, m);
  if (!fit) return ts.length;
  ts.forEach((t, k) => {
    const e = etsForecastAt(fit, y, t, H);
    for (let h = 0; h < H; h++) {
      const row = (k * H + h) * Q, shift = (e[h] - out[row + qm]) / 2;
      for (let j = 0; j < Q; j++) out[row + j] += shift;
    }
  });
  return 0;
}

/** ETS fitted on y[0..t], or null where no form can be fitted. */
function etsFit(y: ArrayLike<number>, t: number, m: number): EtsFit | null {
  const past = Float64Array.from({ length: t + 1 }, (_, i) => y[i]);
  try {
    return autoEts(past, m);
  } catch (e) {
    if (e instanceof DataError) return null;
    throw e;
  }
}
