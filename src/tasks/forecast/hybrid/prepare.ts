import { DataError } from '../../../errors.js';

/**
 * How each series enters the hybrid: its transform to u ("log units") and the starting values of
 * its smoothing parameters, all from the part the model may learn from (never validation or test).
 *   multiplicative: u = log y      (every value > 0: the season and the level scale together)
 *   additive:       u = y / scale  (zeros or negatives; scale = max(mean |y|, sd y) on the fit part)
 */
export type SeasonKind = 'multiplicative' | 'additive';

export interface PreparedSeries {
  id: string;
  kind: SeasonKind;
  scale: number;
  /** u of every value given (training part first); the model reads windows of it. */
  u: Float64Array;
  /** Values [0, fitEnd) are what the parameters are fitted on. */
  fitEnd: number;
}

export function toU(y: ArrayLike<number>, kind: SeasonKind, scale: number): Float64Array {
  return Float64Array.from(y, (v) => (kind === 'multiplicative' ? Math.log(v) : v / scale));
}

export function fromU(u: number, kind: SeasonKind, scale: number): number {
  return kind === 'multiplicative' ? Math.exp(u) : u * scale;
}

/** Chooses the transform from the fit part: log when every value is positive, else additive (and says why). */
export function prepareSeries(id: string, y: ArrayLike<number>, fitEnd: number, forced?: SeasonKind): PreparedSeries {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw new DataError(`series '${id}': value ${i + 1} is ${y[i]}; fill or drop missing values first`);
    }
  }
  let positive = true, sum = 0, sumAbs = 0;
  for (let i = 0; i < fitEnd; i++) { positive &&= y[i] > 0; sum += y[i]; sumAbs += Math.abs(y[i]); }
  const mean = sum / fitEnd;
  let ss = 0;
  for (let i = 0; i < fitEnd; i++) ss += (y[i] - mean) ** 2;
  const scale = Math.max(sumAbs / fitEnd, Math.sqrt(ss / fitEnd)) || 1;
  let kind: SeasonKind = forced ?? (positive ? 'multiplicative' : 'additive');
  if (kind === 'multiplicative' && !allPositive(y)) kind = 'additive';
  return { id, kind, scale, u: toU(y, kind, scale), fitEnd };
}

const allPositive = (y: ArrayLike<number>): boolean => Array.prototype.every.call(y, (v: number) => v > 0);

/** Starting seasonal indices: the mean deviation of u from its season's mean, over up to 4 whole seasons. */
export function initialSeason(u: ArrayLike<number>, fitEnd: number, m: number): number[] {
  const k = Math.min(4, Math.floor(fitEnd / m));
  const s = new Array<number>(m).fill(0);
  if (k < 1) return s;
  for (let c = 0; c < k; c++) {
    let mean = 0;
    for (let j = 0; j < m; j++) mean += u[c * m + j] / m;
    for (let j = 0; j < m; j++) s[j] += (u[c * m + j] - mean) / k;
  }
  return s;
}

export const logit = (p: number): number => Math.log(p / (1 - p));

/** Starting smoothing parameters of one series, raw (before the squashing sigmoids). */
export interface SmoothingInit { alpha: number; gamma: number; beta: number; phi: number; season0: number[] }

/** What an ETS fit on u says (recur's autoEts, additive error: u is already in log units). */
export interface EtsStart {
  spec: { trend: 'N' | 'A' | 'Ad'; season: 'N' | 'A' | 'M' };
  alpha: number; beta: number | null; gamma: number | null; phi: number | null; s0: number[];
}

const clampP = (p: number) => Math.min(0.98, Math.max(0.02, p));
const OFF = -8; // σ(−8) ≈ 3e-4: a component the fit left out starts (nearly) switched off

/**
 * Starts the smoothing where ETS selected by AICc on u ends, so the network learns what the
 * smoothing misses. ETS writes b_t = φb + (β/α)(l_t − l_{t−1} − φb) and
 * s_t = s_{t−m} + γ(u_t − l_{t−1} − φb_{t−1} − s_{t−m}); here the trend's gain is β/α and the
 * season's γ/(1 − α). A trend or season the fit has not chosen starts off; without a fit
 * (too short, flat), the defaults.
 */
export function initialSmoothing(u: Float64Array, fitEnd: number, m: number,
  fit: (y: Float64Array, m: number) => EtsStart | null): SmoothingInit {
  const fallback = {
    alpha: logit(0.3), gamma: logit(0.1), beta: -3, phi: 2, season0: m > 1 ? initialSeason(u, fitEnd, m) : [],
  };
  const f = fit(u.subarray(0, fitEnd), m);
  if (!f) return fallback;
  const a = f.alpha, trend = f.spec.trend !== 'N', season = m > 1 && f.spec.season !== 'N';
  return {
    alpha: logit(clampP(a)),
    beta: trend && f.beta !== null ? logit(clampP(f.beta / a)) : OFF,
    phi: logit(clampP(f.phi !== null ? (f.phi - 0.8) / 0.2 : 1)),
    gamma: season && f.gamma !== null ? logit(clampP(f.gamma / (1 - a))) : OFF,
    // ETS lists the initial season newest first (s_0, s_{−1}, …, s_{1−m}); time j here reads s_{j+1−m}
    season0: m <= 1 ? []
      : season && f.s0.length === m ? Array.from({ length: m }, (_, j) => f.s0[m - 1 - j]) : new Array(m).fill(0),
  };
}
