/**
 * Forecast accuracy on held-out points, in the series' own units.
 *   MAE  = mean |y − ŷ|            RMSE = √mean (y − ŷ)²
 *   sMAPE = 100 · mean 2|y − ŷ| / (|y| + |ŷ|)   (terms with y = ŷ = 0 count as 0)
 *   MASE = MAE / mean |y_t − y_{t−m}| over the training part (m the season, 1 without one):
 *          below 1 means better than the in-sample seasonal naive forecast.
 */
export interface Metrics { mae: number; rmse: number; smape: number; mase: number }

export function metrics(actual: ArrayLike<number>, pred: ArrayLike<number>, maseScale: number): Metrics {
  const n = actual.length;
  let ae = 0, se = 0, sm = 0;
  for (let i = 0; i < n; i++) {
    const e = actual[i] - pred[i], d = Math.abs(actual[i]) + Math.abs(pred[i]);
    ae += Math.abs(e); se += e * e; sm += d === 0 ? 0 : (2 * Math.abs(e)) / d;
  }
  return { mae: ae / n, rmse: Math.sqrt(se / n), smape: (100 * sm) / n, mase: ae / n / maseScale };
}

/** Denominator of MASE: in-sample MAE of the seasonal naive forecast on y[0, end). */
export function maseScale(y: ArrayLike<number>, end: number, season: number): number {
  const m = Math.max(1, season);
  let s = 0, k = 0;
  for (let t = m; t < end; t++) { s += Math.abs(y[t] - y[t - m]); k++; }
  return k > 0 && s > 0 ? s / k : 1;
}

/**
 * The baselines a forecaster has to beat, for origin t (last observed index) and step h ≥ 1:
 * persistence ŷ = y_t; seasonal naive ŷ = y_{t+h−m·⌈h/m⌉}; moving average of the last w values.
 */
export const baselines = {
  naive: (y: ArrayLike<number>, t: number): number => y[t],
  seasonalNaive: (y: ArrayLike<number>, t: number, h: number, m: number): number => {
    const s = Math.max(1, m);
    return y[t + h - s * Math.ceil(h / s)];
  },
  movingAverage: (y: ArrayLike<number>, t: number, w: number): number => {
    let s = 0;
    const a = Math.max(0, t - w + 1);
    for (let i = a; i <= t; i++) s += y[i];
    return s / (t - a + 1);
  },
};

/** Autocorrelation of x at lag k (x already centred). */
function acf(x: Float64Array, k: number): number {
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) { den += x[i] * x[i]; if (i >= k) num += x[i] * x[i - k]; }
  return den === 0 ? 0 : num / den;
}

/**
 * Guesses the season length from the first `end` values: among the periods usual for the
 * frequency (or, without dates, among autocorrelation peaks) the one whose autocorrelation of the
 * detrended series is highest, if above 0.3 and near a peak (the highest value within ±10% of the
 * period lies inside that window, and half the period is lower); otherwise 1 (no season).
 */
export function guessSeason(y: ArrayLike<number>, end: number, frequency: string | null): number {
  const n = end;
  const xs = Float64Array.from({ length: n }, (_, i) => y[i]);
  // remove a least-squares line so a trend does not look like every period at once
  let sx = 0, sy = 0, sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sx += i; sy += xs[i]; sxy += i * xs[i]; sxx += i * i; }
  const b = n > 1 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0, a = (sy - b * sx) / n;
  for (let i = 0; i < n; i++) xs[i] -= a + b * i;
  const byFreq: Record<string, number[]> = {
    minutely: [60, 1440], hourly: [24, 168], daily: [7, 365], weekly: [52], monthly: [12], quarterly: [4],
  };
  let cands = frequency ? byFreq[frequency] ?? [] : [];
  if (cands.length === 0) {
    // peaks of the autocorrelation after it first drops below zero
    const maxLag = Math.min(Math.floor(n / 3), 1000), r = [1];
    for (let k = 1; k <= maxLag; k++) r.push(acf(xs, k));
    const firstNeg = r.findIndex((v) => v < 0);
    cands = [];
    if (firstNeg > 0) for (let k = firstNeg + 1; k < maxLag; k++) if (r[k] > r[k - 1] && r[k] >= r[k + 1]) cands.push(k);
  }
  // a season is a peak of the autocorrelation (near m), not just a short lag of a smooth series
  const isPeak = (m: number) => {
    const w = Math.max(1, Math.round(m / 10));
    let arg = m, top = -Infinity;
    for (let k = Math.max(1, m - w); k <= Math.min(n - 1, m + w); k++) { const r = acf(xs, k); if (r > top) { top = r; arg = k; } }
    return arg > m - w && arg < m + w && acf(xs, Math.max(1, Math.floor(m / 2))) < acf(xs, m);
  };
  let best = 1, bestR = 0.3;
  for (const m of cands) {
    if (m * 2 >= n) continue;
    const r = acf(xs, m);
    if (r > bestR && isPeak(m)) { best = m; bestR = r; }
  }
  return best;
}
