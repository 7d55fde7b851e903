import { DataError } from '../../errors.js';

/**
 * Vector autoregression with a constant, the classic multivariate baseline, fitted by least squares
 * exactly as statsmodels' `VAR(y).fit(maxlags, ic='aic')` fits it. Legend: N rows, K series, p lags.
 *
 *   y_t = c + A_1 y_{t−1} + … + A_p y_{t−p} + u_t        y_t, c: (K)   A_i: (K, K)
 *
 * Lag order: the p in 0…maxLags with the least AIC = ln det(SSE_p / n) + 2(pK² + K)/n, every p scored
 * on the same n = N − maxLags targets (rows maxLags…N−1); the chosen p is then refitted on all N − p.
 */
export interface VarModel {
  p: number;
  K: number;
  /** (1 + pK, K), statsmodels' params: row 0 the constant c, row 1 + (i−1)K + k the weights of y_{t−i}[k]. */
  params: Float64Array;
  /** AIC of every order 0…maxLags, as select_order scores them. */
  aic: number[];
}

/** Fits a VAR to y (N, K) row-major, choosing the order by AIC among 0…maxLags. */
export function fitVar(y: ArrayLike<number>, K: number, maxLags: number): VarModel {
  const N = y.length / K;
  if (!Number.isInteger(maxLags) || maxLags < 0) {
    throw new DataError(`VAR: maxLags: expected a non-negative integer, got ${maxLags}`);
  }
  const maxEstimable = Math.floor((N - K - 1) / (1 + K));
  if (maxLags > maxEstimable) {
    throw new DataError(`VAR: ${N} rows of ${K} series allow at most ${maxEstimable} lags, got maxLags ${maxLags}`);
  }
  const aic = Array.from({ length: maxLags + 1 }, (_, p) => {
    const { sse, n } = leastSquares(y, K, p, maxLags);
    return logDet(sse.map((v) => v / n), K) + (2 * (p * K * K + K)) / n;
  });
  const p = aic.reduce((best, v, i) => (v < aic[best] ? i : best), 0);
  return { p, K, params: leastSquares(y, K, p, p).params, aic };
}

/** One-step forecast of row t, (K), from the actual rows t−p…t−1 of values (stride F, the K series first). */
export function varPredict(m: VarModel, values: ArrayLike<number>, F: number, t: number): Float64Array {
  const { p, K, params } = m, out = Float64Array.from(params.subarray(0, K));
  for (let i = 1; i <= p; i++) {
    for (let k = 0; k < K; k++) {
      const v = values[(t - i) * F + k], row = params.subarray((1 + (i - 1) * K + k) * K, (2 + (i - 1) * K + k) * K);
      for (let j = 0; j < K; j++) out[j] += v * row[j];
    }
  }
  return out;
}

/** OLS of rows first…N−1 on [1, y_{t−1}, …, y_{t−p}]: params (1 + pK, K), residual SSE (K, K), n targets. */
function leastSquares(y: ArrayLike<number>, K: number, p: number, first: number):
  { params: Float64Array; sse: Float64Array; n: number } {
  const N = y.length / K, n = N - first, m = 1 + p * K;
  const Z = new Float64Array(n * m), Y = new Float64Array(n * K);
  for (let r = 0; r < n; r++) {
    const t = first + r;
    Z[r * m] = 1;
    for (let i = 1; i <= p; i++) for (let k = 0; k < K; k++) Z[r * m + 1 + (i - 1) * K + k] = y[(t - i) * K + k];
    for (let k = 0; k < K; k++) Y[r * K + k] = y[t * K + k];
  }
  const params = solveLeastSquares(Float64Array.from(Z), n, m, Float64Array.from(Y), K);
  const sse = new Float64Array(K * K), u = new Float64Array(K);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < K; k++) {
      let f = 0;
      for (let c = 0; c < m; c++) f += Z[r * m + c] * params[c * K + k];
      u[k] = Y[r * K + k] - f;
    }
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) sse[a * K + b] += u[a] * u[b];
  }
  return { params, sse, n };
}

/**
 * min ‖A X − B‖ for A (n, m), B (n, K) by Householder QR (A and B are overwritten): X (m, K).
 * A column that QR finds (numerically) dependent on the earlier ones gets weight 0.
 */
export function solveLeastSquares(A: Float64Array, n: number, m: number, B: Float64Array, K: number): Float64Array {
  const diag = new Float64Array(m);
  let scale = 0;
  for (let c = 0; c < m; c++) {
    let norm = 0;
    for (let r = c; r < n; r++) norm += A[r * m + c] ** 2;
    norm = Math.sqrt(norm);
    scale = Math.max(scale, norm);
    if (norm <= 1e-13 * scale) { diag[c] = 0; continue; }
    const alpha = A[c * m + c] > 0 ? -norm : norm;
    A[c * m + c] -= alpha; // v = a − α e₁ stored in place of a; H = I − 2vvᵀ/vᵀv, vᵀv = −2α v₁
    const vtv = -2 * alpha * A[c * m + c];
    const reflect = (get: (r: number) => number, set: (r: number, v: number) => void) => {
      let d = 0;
      for (let r = c; r < n; r++) d += A[r * m + c] * get(r);
      const f = (2 * d) / vtv;
      for (let r = c; r < n; r++) set(r, get(r) - f * A[r * m + c]);
    };
    for (let c2 = c + 1; c2 < m; c2++) reflect((r) => A[r * m + c2], (r, v) => { A[r * m + c2] = v; });
    for (let k = 0; k < K; k++) reflect((r) => B[r * K + k], (r, v) => { B[r * K + k] = v; });
    diag[c] = alpha;
  }
  const X = new Float64Array(m * K);
  for (let c = m - 1; c >= 0; c--) {
    if (diag[c] === 0) continue;
    for (let k = 0; k < K; k++) {
      let s = B[c * K + k];
      for (let c2 = c + 1; c2 < m; c2++) s -= A[c * m + c2] * X[c2 * K + k];
      X[c * K + k] = s / diag[c];
    }
  }
  return X;
}

/** ln det of a symmetric positive definite (K, K) matrix by Cholesky; −∞ when it is singular. */
export function logDet(S: ArrayLike<number>, K: number): number {
  const L = new Float64Array(K * K);
  let ld = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j <= i; j++) {
      let s = S[i * K + j];
      for (let k = 0; k < j; k++) s -= L[i * K + k] * L[j * K + k];
      if (i === j) {
        if (!(s > 0)) return -Infinity;
        L[i * K + i] = Math.sqrt(s);
        ld += 2 * Math.log(L[i * K + i]);
      } else L[i * K + j] = s / L[j * K + j];
    }
  }
  return ld;
}
