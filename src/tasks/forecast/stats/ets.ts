/**
 * Exponential smoothing state space models, ETS(error, trend, season), after Hyndman, Koehler, Ord &
 * Snyder (2008), "Forecasting with Exponential Smoothing", tables 2.2–2.3, in the smoothing form that the
 * `forecast` R package's ets() evaluates. Legend: n observations, m season length (1 without a season),
 * t = 1…n, l level, b trend, s season, φ damping (1 unless damped), h horizon.
 *
 *   q_t = l_{t−1} + φ·b_{t−1}                        (trend N: b ≡ 0)
 *   ŷ_t = q_t (+ s_{t−m} | · s_{t−m})                (season N | A | M)
 *   l_t = q_t + α·(p_t − q_t),   p_t = y_t (− s_{t−m} | / s_{t−m})
 *   b_t = φ·b_{t−1} + (β/α)·(l_t − l_{t−1} − φ·b_{t−1})
 *   s_t = s_{t−m} + γ·(r_t − s_{t−m}),  r_t = y_t − q_t | y_t / q_t
 *   e_t = y_t − ŷ_t (error A)  or  (y_t − ŷ_t)/ŷ_t (error M)
 * The error type changes only the likelihood; both error forms reduce to these updates. Up to constants,
 *   −2·log L = n·log Σe_t²  (+ 2·Σ log|ŷ_t| for multiplicative errors)   — R's `lik`; loglik = −lik/2.
 * States x = [l, b?, s_0, s_{−1}, …, s_{1−m}] in R's order (most recent season first).
 */
export type EtsError = 'A' | 'M';
export type EtsTrend = 'N' | 'A' | 'Ad';
export type EtsSeason = 'N' | 'A' | 'M';
export interface EtsSpec { error: EtsError; trend: EtsTrend; season: EtsSeason }
/** Smoothing parameters; beta/gamma/phi are ignored by models without trend/season/damping. */
export interface EtsParams { alpha: number; beta: number; gamma: number; phi: number }

export const etsName = (s: EtsSpec): string => `ETS(${s.error},${s.trend},${s.season})`;

const TOL = 1e-10, HUGE = 1e10;

export interface EtsFilterResult {
  lik: number;     // n·log Σe² (+ 2Σlog|ŷ|): NaN/∞ when the recursion breaks down
  mse: number;     // mean (y − ŷ)², R's opt.crit = "mse"
  xN: Float64Array; // state after the last observation, same layout as x0
}

/**
 * Runs the recursion over y from the initial state x0 (length 1 + hasTrend + m·hasSeason);
 * writes the errors e_t into `e` (length n).
 */
export function etsFilter(y: ArrayLike<number>, m: number, spec: EtsSpec, p: EtsParams, x0: ArrayLike<number>,
  e: Float64Array): EtsFilterResult {
  const n = y.length, hasTrend = spec.trend !== 'N', season = spec.season, ms = season === 'N' ? 1 : m;
  const phi = spec.trend === 'Ad' ? p.phi : 1, alpha = p.alpha, bOverA = hasTrend ? p.beta / alpha : 0;
  const gamma = p.gamma, off = hasTrend ? 2 : 1, multErr = spec.error === 'M';
  let l = x0[0], b = hasTrend ? x0[1] : 0;
  // ring[τ mod m] holds s_{τ−m} when y_τ is read (τ = t + 1), then receives s_τ
  const ring = new Float64Array(ms);
  if (season !== 'N') for (let j = 0; j < m; j++) ring[(m - j) % m] = x0[off + j];
  let sse = 0, sseRaw = 0, sumLog = 0;
  for (let t = 0; t < n; t++) {
    const k = (t + 1) % ms, yt = y[t];
    const phib = phi * b, q = l + phib, s = ring[k];
    const f = season === 'A' ? q + s : season === 'M' ? q * s : q;
    const err = multErr ? (yt - f) / f : yt - f;
    e[t] = err; sse += err * err; sseRaw += (yt - f) * (yt - f); sumLog += Math.log(Math.abs(f));
    const pt = season === 'A' ? yt - s : season === 'M' ? (Math.abs(s) < TOL ? HUGE : yt / s) : yt;
    const lNew = q + alpha * (pt - q);
    if (hasTrend) b = phib + bOverA * (lNew - l - phib);
    if (season !== 'N') {
      const r = season === 'A' ? yt - q : Math.abs(q) < TOL ? HUGE : yt / q;
      ring[k] = s + gamma * (r - s);
    }
    l = lNew;
  }
  const xN = new Float64Array(x0.length);
  xN[0] = l;
  if (hasTrend) xN[1] = b;
  if (season !== 'N') for (let j = 0; j < m; j++) xN[off + j] = ring[(((n - j) % m) + m) % m];
  const lik = n * Math.log(sse) + (multErr ? 2 * sumLog : 0);
  return { lik, mse: sseRaw / n, xN };
}

/**
 * Point forecasts by the recursion with the errors set to zero (R's C `etsforecast`):
 *   ŷ_{n+h} = (l_n + (φ + … + φ^h)·b_n) (+|·) s_{n+h−m⌈h/m⌉}
 */
export function etsPointForecast(xN: ArrayLike<number>, m: number, spec: EtsSpec, phi: number,
  h: number): Float64Array {
  const hasTrend = spec.trend !== 'N', off = hasTrend ? 2 : 1, damp = spec.trend === 'Ad' ? phi : 1;
  const out = new Float64Array(h);
  let phiSum = 0, phiPow = 1;
  for (let i = 0; i < h; i++) {
    phiPow *= damp; phiSum += phiPow;
    let f = xN[0] + (hasTrend ? phiSum * xN[1] : 0);
    if (spec.season !== 'N') {
      const s = xN[off + (((m - 1 - i) % m) + m) % m];
      f = spec.season === 'A' ? f + s : f * s;
    }
    out[i] = f;
  }
  return out;
}

/**
 * The forecast mean that R's forecast.ets() reports for multiplicative error and season with trend N, A
 * or Ad ("class 3", Hyndman et al. 2008 ch. 6): with M_h = [l; b]·[s_1 … s_m] (outer product, s_1 newest),
 *   μ_h = (1, 1)·M_h·e_m,   M_{h+1} = F₁·M_h·F₂ᵀ + σ²·G₁·M_h·G₂ᵀ,
 *   F₁ = [[1, 1], [0, φ]], G₁ = [[α, α], [β, β]], F₂ the seasonal rotation, G₂ = γ·e_1·e_mᵀ.
 * For h ≤ m this is the recursion's forecast when undamped; for h > m the σ² term adds the seasonal
 * variance. R uses (1, 1), not (1, φ), to read the damped trend, so its μ_h differs from the recursion's
 * by one power of φ: this function follows R.
 */
export function class3Mean(xN: ArrayLike<number>, m: number, spec: EtsSpec, p: EtsParams, sigma2: number,
  h: number): Float64Array {
  const hasTrend = spec.trend !== 'N', rows = hasTrend ? 2 : 1, phi = spec.trend === 'Ad' ? p.phi : 1;
  let M = Array.from({ length: rows }, (_, r) => Float64Array.from({ length: m }, (_, j) => xN[r] * xN[rows + j]));
  const mu = new Float64Array(h);
  for (let i = 0; i < h; i++) {
    const last = M.reduce((a, row) => a + row[m - 1], 0);
    mu[i] = last;
    // F₁·M·F₂ᵀ: rotate the seasons (new s_1 = old s_m), then the level row gains the trend row
    const R = M.map((row) => {
      const o = new Float64Array(m);
      o[0] = row[m - 1]; o.set(row.subarray(0, m - 1), 1);
      return o;
    });
    const next = hasTrend ? [R[0].map((v, j) => v + R[1][j]), R[1].map((v) => phi * v)] : [R[0]];
    next[0][0] += sigma2 * p.alpha * p.gamma * last;
    if (hasTrend) next[1][0] += sigma2 * p.beta * p.gamma * last;
    M = next;
  }
  return mu;
}
