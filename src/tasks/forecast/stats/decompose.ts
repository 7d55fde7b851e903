/**
 * Classical decomposition (R's stats::decompose) and the 90% seasonality test of forecast::thetaf and M4.
 *   trend T_t: centred moving average over one season (2×m MA for even m: weights ½, 1, …, 1, ½ over m + 1
 *              points, divided by m); undefined within ⌊m/2⌋ of either end
 *   detrended d_t = y_t / T_t (multiplicative) or y_t − T_t (additive)
 *   figure f_i = mean of d over positions i, i + m, … (0-based from the first observation), then
 *              normalised to mean 1 (÷ mean) or mean 0 (− mean); seasonal S_t = f_{t mod m}.
 */
export interface Decomposition { trend: Float64Array; seasonal: Float64Array; figure: Float64Array }

export function decompose(y: ArrayLike<number>, m: number, type: 'additive' | 'multiplicative'): Decomposition {
  const n = y.length, half = Math.floor(m / 2), even = m % 2 === 0;
  if (m <= 1 || n < 2 * m) throw new RangeError(`decompose: need at least 2 seasons of ${m}, got ${n} values`);
  const trend = new Float64Array(n).fill(NaN);
  for (let t = half; t < n - half; t++) {
    let s = 0;
    for (let k = -half; k <= half; k++) s += (even && Math.abs(k) === half ? 0.5 : 1) * y[t + k];
    trend[t] = s / m;
  }
  const figure = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0, c = 0;
    for (let t = i; t < n; t += m) {
      if (Number.isNaN(trend[t])) continue;
      s += type === 'additive' ? y[t] - trend[t] : y[t] / trend[t]; c++;
    }
    figure[i] = s / c;
  }
  const mean = figure.reduce((a, v) => a + v, 0) / m;
  for (let i = 0; i < m; i++) figure[i] = type === 'additive' ? figure[i] - mean : figure[i] / mean;
  const seasonal = Float64Array.from({ length: n }, (_, t) => figure[t % m]);
  return { trend, seasonal, figure };
}

/** Sample autocorrelations r_1 … r_K of y (R's acf: centred, divided by the lag-0 sum). */
export function acf(y: ArrayLike<number>, K: number): Float64Array {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let den = 0;
  for (let i = 0; i < n; i++) den += (y[i] - mean) ** 2;
  const r = new Float64Array(K);
  for (let k = 1; k <= K; k++) {
    let s = 0;
    for (let i = k; i < n; i++) s += (y[i] - mean) * (y[i - k] - mean);
    r[k - 1] = den === 0 ? 0 : s / den;
  }
  return r;
}

export const isConstant = (y: ArrayLike<number>): boolean => {
  for (let i = 1; i < y.length; i++) if (Math.abs(y[i] - y[0]) > 1.5e-8 * Math.max(1, Math.abs(y[0]))) return false;
  return true;
};

/**
 * Seasonal at lag m when |r_m| > 1.645·√((1 + 2·Σ_{k<m} r_k²)/n) (a one-sided 90% test with Bartlett's
 * variance), as forecast::thetaf and the M4 benchmarks decide. Only for m > 1, a non-constant series and
 * n ≥ minLength: thetaf asks for n > 2m (the default), M4's Naive2/Theta code for n ≥ 3m.
 */
export function seasonalityTest(y: ArrayLike<number>, m: number, minLength = 2 * m + 1): boolean {
  const n = y.length;
  if (m <= 1 || n < minLength || isConstant(y)) return false;
  const r = acf(y, m);
  let s = 0;
  for (let k = 0; k < m - 1; k++) s += r[k] * r[k];
  return Math.abs(r[m - 1]) / Math.sqrt((1 + 2 * s) / n) > 1.6448536269514722;
}

/**
 * y divided by its multiplicative seasonal index when the test finds a season; otherwise y and
 * indexes 1. Only for positive series: a ratio to a moving average that crosses zero explodes
 * (R's thetaf does divide there; recur leaves such a series unadjusted).
 */
export function seasonalAdjust(y: ArrayLike<number>, m: number, minLength = 2 * m + 1):
  { adjusted: Float64Array; seasonal: Float64Array | null } {
  const positive = Array.prototype.every.call(y, (v: number) => v > 0);
  if (!positive || !seasonalityTest(y, m, minLength)) return { adjusted: Float64Array.from(y), seasonal: null };
  const { seasonal } = decompose(y, m, 'multiplicative');
  return { adjusted: Float64Array.from(y, (v, t) => v / seasonal[t]), seasonal };
}

/** Seasonal index for forecast step i ≥ 0 after the last observation: continues the last season. */
export const seasonAhead = (seasonal: ArrayLike<number>, m: number, i: number): number =>
  seasonal[seasonal.length - m + (i % m)];
