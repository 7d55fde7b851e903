import { decompose } from './decompose.js';
import type { EtsParams, EtsSpec } from './ets.js';
import { DEFAULT_BOUNDS, type EtsBounds } from './bounds.js';

/**
 * Starting values for the ETS optimiser, as R's ets() picks them (initparam, initstate).
 *   α = lo + 0.2·(hi − lo)/m,  β = lo + 0.1·(min(hi, α) − lo),  γ = lo + 0.05·(min(hi, 1 − α) − lo),
 *   φ = lo + 0.99·(hi − lo).
 * States: with a season, the seasonal indexes of a classical decomposition (n ≥ 3m) or the detrended series of
 * a regression on [1, t, sin 2πt/m, cos 2πt/m] (n < 3m); then, on the seasonally adjusted series over its first
 * k = min(max(10, 2m), n) values, l_0 = mean (no trend) or the intercept and b_0 the slope of a line over t = 1…k.
 */
export function initParams(spec: EtsSpec, m: number, bd: EtsBounds = DEFAULT_BOUNDS): EtsParams {
  const { lower: lo, upper: hi } = bd;
  let alpha = lo[0] + (0.2 * (hi[0] - lo[0])) / m;
  if (alpha > 1 || alpha < 0) alpha = lo[0] + 0.002;
  let beta = 0, gamma = 0, phi = 1;
  if (spec.trend !== 'N') {
    beta = lo[1] + 0.1 * (Math.min(hi[1], alpha) - lo[1]);
    if (beta < 0 || beta > alpha) beta = alpha - 0.001;
  }
  if (spec.season !== 'N') {
    gamma = lo[2] + 0.05 * (Math.min(hi[2], 1 - alpha) - lo[2]);
    if (gamma < 0 || gamma > 1 - alpha) gamma = 1 - alpha - 0.001;
  }
  if (spec.trend === 'Ad') {
    phi = lo[3] + 0.99 * (hi[3] - lo[3]);
    if (phi < 0 || phi > 1) phi = hi[3] - 0.001;
  }
  return { alpha, beta, gamma, phi };
}

/** Initial states [l_0, b_0?, s_0, s_{−1}, …, s_{2−m}] — the last season s_{1−m} is implied by normalisation. */
export function initState(y: ArrayLike<number>, m: number, spec: EtsSpec): number[] {
  const n = y.length;
  let ySa: ArrayLike<number> = y, seas: number[] = [], k = Math.min(10, n);
  if (spec.season !== 'N') {
    const mult = spec.season === 'M';
    let seasonal: ArrayLike<number>;
    if (n >= 3 * m) seasonal = decompose(y, m, mult ? 'multiplicative' : 'additive').seasonal;
    else {
      // too short to decompose: the "seasonal" part is what a line plus one harmonic leaves over
      const w = (2 * Math.PI) / m;
      const X = Array.from({ length: n }, (_, i) => {
        const t = i + 1;
        return m > 2 ? [1, t, Math.sin(w * t), Math.cos(w * t)] : [1, t, Math.cos(w * t)];
      });
      const [a, b] = leastSquares(X, y);
      seasonal = Float64Array.from({ length: n }, (_, i) => (mult ? y[i] / (a + b * (i + 1)) : y[i] - a - b * (i + 1)));
    }
    for (let j = m - 1; j >= 1; j--) seas.push(seasonal[j]);
    if (mult) {
      seas = seas.map((v) => Math.max(v, 0.01));
      const sum = seas.reduce((acc, v) => acc + v, 0);
      if (sum > m) { const d = seas.reduce((acc, v) => acc + v + 0.01, 0); seas = seas.map((v) => v / d); }
      ySa = Float64Array.from(y, (v, i) => v / Math.max(seasonal[i], 0.01));
    } else ySa = Float64Array.from(y, (v, i) => v - seasonal[i]);
    k = Math.min(Math.max(10, 2 * m), n);
  }
  if (spec.trend === 'N') {
    let s = 0;
    for (let i = 0; i < k; i++) s += ySa[i];
    return [s / k, ...seas];
  }
  const X = Array.from({ length: k }, (_, i) => [1, i + 1]);
  let [l0, b0] = leastSquares(X, Array.from({ length: k }, (_, i) => ySa[i]));
  if (Math.abs(l0 + b0) < 1e-8) { l0 *= 1 + 1e-3; b0 *= 1 - 1e-3; }
  return [l0, b0, ...seas];
}

/** Ordinary least squares by the normal equations XᵀX·c = Xᵀy (a handful of well-scaled columns). */
export function leastSquares(X: number[][], y: ArrayLike<number>): number[] {
  const p = X[0].length;
  const A = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  X.forEach((row, i) => {
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) A[r][c] += row[r] * row[c];
      A[r][p] += row[r] * y[i];
    }
  });
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let r = 0; r < p; r++) {
      if (r === c || A[c][c] === 0) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= p; k++) A[r][k] -= f * A[c][k];
    }
  }
  return A.map((row, i) => (row[i] === 0 ? 0 : row[p] / row[i]));
}
