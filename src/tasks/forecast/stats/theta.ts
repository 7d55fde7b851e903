import { DataError } from '../../../errors.js';
import { isConstant, seasonAhead, seasonalAdjust } from './decompose.js';
import { fitEts } from './ets-fit.js';
import { leastSquares } from './ets-init.js';

/**
 * The Theta method as forecast::thetaf computes it (Hyndman & Billah 2003: SES with drift):
 *   x = y / S (classical multiplicative seasonal indexes S) when m > 1 and the 90% test finds a season;
 *   SES on x (α and ℓ_0 by least one-step MSE, R's ses()) gives the level ℓ_n;
 *   b = half the slope of the least-squares line through x over t = 0 … n−1;
 *   x̂_{n+h} = ℓ_n + b·((h − 1) + (1 − (1 − α)^n)/α),   ŷ = x̂ · S continued from the last season.
 */
export function thetaForecast(y: ArrayLike<number>, m: number, h: number): Float64Array {
  const n = y.length;
  if (n < 4) throw new DataError(`Theta: need at least 4 observations, got ${n}`);
  if (isConstant(y)) return new Float64Array(h).fill(y[0]);
  let { adjusted: x, seasonal } = seasonalAdjust(y, m);
  // indexes near zero would blow the adjusted series up: thetaf falls back to the plain method
  if (seasonal && seasonal.some((s) => Math.abs(s) < 1e-4)) { x = Float64Array.from(y); seasonal = null; }
  const ses = fitEts(x, 1, { error: 'A', trend: 'N', season: 'N' }, { optCrit: 'mse' });
  const alpha = Math.max(1e-10, ses.alpha), level = ses.state[0];
  const [, slope] = leastSquares(Array.from({ length: n }, (_, t) => [1, t]), x);
  const b = slope / 2, tail = (1 - (1 - alpha) ** n) / alpha;
  const index = (i: number) => (seasonal ? seasonAhead(seasonal, m, i) : 1);
  return Float64Array.from({ length: h }, (_, i) => (level + b * (i + tail)) * index(i));
}
