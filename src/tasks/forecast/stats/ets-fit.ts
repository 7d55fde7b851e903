import { DataError } from '../../../errors.js';
import { DEFAULT_BOUNDS, paramsOk, type EtsBounds } from './bounds.js';
import { isConstant } from './decompose.js';
import { class3Mean, etsFilter, etsName, etsPointForecast, type EtsParams, type EtsSpec } from './ets.js';
import { initParams, initState } from './ets-init.js';
import { nelderMead } from './optim.js';

/**
 * Maximum-likelihood ETS as R's forecast::ets() fits it: the smoothing parameters and the initial states
 * (l_0, b_0, s_0 … s_{2−m}; s_{1−m} = m − Σ (M) or −Σ (A) keeps the season normalised) are optimised together
 * by Nelder–Mead (maxit 2000) from R's heuristic start, the objective being R's `lik` (or the one-step MSE),
 * ∞ outside the bounds or with a negative multiplicative season. With k = #parameters + 1 (for σ):
 *   loglik = −lik/2, AIC = lik + 2k, AICc = AIC + 2k(k+1)/(n−k−1), BIC = lik + k·log n,
 *   σ² = Σe²/(n − k + 1).
 */
export interface EtsFit {
  spec: EtsSpec; m: number;
  alpha: number; beta: number | null; gamma: number | null; phi: number | null;
  /** initial states; s0 = [s_0, s_{−1}, …, s_{1−m}] (R's s1 … sm: most recent first), [] without a season */
  l0: number; b0: number | null; s0: number[];
  loglik: number; aic: number; aicc: number; bic: number; sigma2: number;
  fitted: Float64Array; residuals: Float64Array;
  name: string;
  /** R's forecast(fit, h)$mean: the recursion's forecast, or the class-3 mean for ETS(M,·,M) */
  forecast(h: number): Float64Array;
  /** the recursion's forecast (errors set to 0) for every model */
  pointForecast(h: number): Float64Array;
  /** final state [l_n, b_n?, s_n, …, s_{n−m+1}] */
  state: Float64Array;
}

export interface EtsOptions {
  maxit?: number;
  optCrit?: 'lik' | 'mse';
  bounds?: 'both' | 'usual' | 'admissible';
  /** lower/upper for α, β, γ, φ */
  limits?: EtsBounds;
}

const specName = (s: EtsSpec) => `${s.error}${s.trend}${s.season}`;

/** Fits one model type, like forecast::ets(y, model = "MAM", damped = TRUE) with frequency m. */
export function fitEts(y: ArrayLike<number>, m: number, spec: EtsSpec, opts: EtsOptions = {}): EtsFit {
  const n = y.length;
  checkSeries(y);
  const seasonal = spec.season !== 'N';
  if (seasonal && (m <= 1 || n <= m)) {
    throw new DataError(`ETS: a seasonal model needs m > 1 and more than m values, got m = ${m}, n = ${n}`);
  }
  if (spec.error === 'M' || spec.season === 'M') {
    for (let i = 0; i < n; i++) {
      if (y[i] > 0) continue;
      throw new DataError(`ETS ${specName(spec)}: multiplicative models need y > 0, got y[${i}] = ${y[i]}`);
    }
  }
  const ms = seasonal ? m : 1, bd = opts.limits ?? DEFAULT_BOUNDS, kind = opts.bounds ?? 'both';
  const p0 = initParams(spec, ms, bd);
  const smooth: (keyof EtsParams)[] = ['alpha'];
  if (spec.trend !== 'N') smooth.push('beta');
  if (seasonal) smooth.push('gamma');
  if (spec.trend === 'Ad') smooth.push('phi');
  const x0 = [...smooth.map((k) => p0[k]), ...initState(y, ms, spec)];
  const np = x0.length;
  if (np >= n - 1) {
    throw new DataError(`ETS ${specName(spec)}: ${np} parameters need more than ${np + 1} values, got ${n}`);
  }
  const unpack = makeUnpack(spec, ms, smooth);
  const e = new Float64Array(n);
  const crit = opts.optCrit ?? 'lik';
  const objective = (v: Float64Array) => {
    const { p, x } = unpack(v);
    if (!paramsOk(spec, p, ms, kind, bd)) return Infinity;
    if (spec.season === 'M') for (let j = x.length - ms; j < x.length; j++) if (x[j] < 0) return Infinity;
    const r = etsFilter(y, ms, spec, p, x, e);
    if (crit === 'mse') return Number.isNaN(r.mse) ? Infinity : r.mse;
    return Number.isNaN(r.lik) ? Infinity : Math.max(r.lik, -1e10);
  };
  if (!Number.isFinite(objective(Float64Array.from(x0)))) {
    throw new DataError(`ETS ${specName(spec)}: the starting values give no finite likelihood`);
  }
  const best = nelderMead(objective, x0, { maxit: opts.maxit ?? 2000 });
  return makeFit(y, ms, spec, unpack(best.x), np);
}

/** Splits the optimiser's vector into parameters and the full initial state (the last season implied). */
function makeUnpack(spec: EtsSpec, m: number, smooth: (keyof EtsParams)[]) {
  const ns = smooth.length, seasonal = spec.season !== 'N';
  return (v: ArrayLike<number>) => {
    const p: EtsParams = { alpha: 0, beta: 0, gamma: 0, phi: 1 };
    smooth.forEach((k, i) => { p[k] = v[i]; });
    const x = new Float64Array(v.length - ns + (seasonal ? 1 : 0));
    for (let i = ns; i < v.length; i++) x[i - ns] = v[i];
    if (seasonal) {
      const first = spec.trend === 'N' ? 1 : 2;
      let sum = 0;
      for (let i = first; i < x.length - 1; i++) sum += x[i];
      x[x.length - 1] = (spec.season === 'M' ? m : 0) - sum;
    }
    return { p, x };
  };
}

function makeFit(y: ArrayLike<number>, m: number, spec: EtsSpec, fit: { p: EtsParams; x: Float64Array },
  np: number): EtsFit {
  const n = y.length, { p, x } = fit;
  const e = new Float64Array(n);
  const r = etsFilter(y, m, spec, p, x, e);
  const k = np + 1, lik = r.lik;
  const aic = lik + 2 * k;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += e[i] * e[i];
  const sigma2 = sse / (n - np);
  const fitted = Float64Array.from(e, (v, i) => (spec.error === 'A' ? y[i] - v : y[i] / (1 + v)));
  const hasTrend = spec.trend !== 'N', seasonal = spec.season !== 'N';
  const pointForecast = (h: number) => etsPointForecast(r.xN, m, spec, p.phi, h);
  const class3 = spec.error === 'M' && spec.season === 'M';
  return {
    spec, m,
    alpha: p.alpha, beta: hasTrend ? p.beta : null, gamma: seasonal ? p.gamma : null,
    phi: spec.trend === 'Ad' ? p.phi : null,
    l0: x[0], b0: hasTrend ? x[1] : null, s0: seasonal ? Array.from(x.subarray(hasTrend ? 2 : 1)) : [],
    loglik: -0.5 * lik, aic, aicc: aic + (2 * k * (k + 1)) / (n - k - 1), bic: lik + Math.log(n) * k, sigma2,
    fitted, residuals: e, name: etsName(spec), state: r.xN,
    forecast: (h: number) => (class3 ? class3Mean(r.xN, m, spec, p, sigma2, h) : pointForecast(h)),
    pointForecast,
  };
}

function checkSeries(y: ArrayLike<number>): void {
  const n = y.length;
  if (n < 4) throw new DataError(`ETS: need at least 4 observations, got ${n}`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(y[i])) throw new DataError(`ETS: y[${i}] = ${y[i]} is not finite`);
  if (isConstant(y)) throw new DataError(`ETS: the series is constant (${y[0]}); nothing to smooth`);
}

/** The longest season autoEts tries (R's ets() ignores a longer one, with a warning). */
export const ETS_MAX_SEASON = 24;

export interface AutoEtsOptions extends EtsOptions {
  /** multiplicative error and season (only ever tried on positive data); default true */
  allowMultiplicative?: boolean;
  /** allow damped trends; default true */
  allowDamped?: boolean;
  ic?: 'aicc' | 'aic' | 'bic';
}

/**
 * Selects among the admissible types by AICc, like forecast::ets(y) with its defaults: error A/M, trend N/A/Ad,
 * season N/A/M, without the unstable A-error multiplicative-season types (restrict = TRUE), multiplicative error
 * only for y > 0, seasons only for 1 < m ≤ 24 and n > m, and only types with fewer than n − 1 parameters.
 * Candidates are tried in R's order and the first minimum wins.
 */
export function autoEts(y: ArrayLike<number>, m: number, opts: AutoEtsOptions = {}): EtsFit {
  checkSeries(y);
  const n = y.length, positive = Array.prototype.every.call(y, (v: number) => v > 0);
  const mult = (opts.allowMultiplicative ?? true) && positive;
  const seasons: EtsSpec['season'][] = m > 1 && m <= ETS_MAX_SEASON && n > m ? ['N', 'A', 'M'] : ['N'];
  const damping = opts.allowDamped === false ? [false] : [true, false];
  const ic = opts.ic ?? 'aicc';
  let best: EtsFit | null = null;
  for (const error of ['A', 'M'] as const) {
    if (error === 'M' && !mult) continue;
    for (const trendType of ['N', 'A'] as const) {
      for (const season of seasons) {
        if (season === 'M' && (error === 'A' || !mult)) continue;
        for (const damped of trendType === 'N' ? [false] : damping) {
          const trend: EtsSpec['trend'] = damped ? 'Ad' : trendType;
          let fit: EtsFit;
          try { fit = fitEts(y, m, { error, trend, season }, opts); } catch (err) {
            if (err instanceof DataError) continue;
            throw err;
          }
          if (Number.isFinite(fit[ic]) && (best === null || fit[ic] < best[ic])) best = fit;
        }
      }
    }
  }
  if (best === null) throw new DataError(`ETS: no model could be fitted to ${n} values`);
  return best;
}
