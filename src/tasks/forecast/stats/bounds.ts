import type { EtsParams, EtsSpec } from './ets.js';

/**
 * The two parameter regions of R's ets(bounds = "both").
 * Usual (Hyndman et al. 2008, §5.2): lower ≤ α ≤ upper, lower ≤ β ≤ min(α, upper), lower ≤ γ ≤ min(1 − α, upper),
 *   φ_lo ≤ φ ≤ φ_hi, with lower = 1e−4, upper = 0.9999, φ in [0.8, 0.98].
 * Admissible (ch. 10, the forecastable region): the discount matrix D = F − g·w' is stable. Without a season
 *   1 − 1/φ < α < 1 + 1/φ and α(φ − 1) < β < (1 + φ)(2 − α); with one (m > 1), the linear conditions below
 *   and every root of the characteristic polynomial
 *   z^{m+1} + (α + β − φ)·z^m + (α + β − αφ)·(z^{m−1} + … + z²) + (α + β − αφ + γ − 1)·z + φ(1 − α − γ)
 *   inside the unit circle (|z| ≤ 1 + 1e−10).
 */
export interface EtsBounds { lower: [number, number, number, number]; upper: [number, number, number, number] }
export const DEFAULT_BOUNDS: EtsBounds = { lower: [1e-4, 1e-4, 1e-4, 0.8], upper: [0.9999, 0.9999, 0.9999, 0.98] };

export function usualOk(spec: EtsSpec, p: EtsParams, bd: EtsBounds = DEFAULT_BOUNDS): boolean {
  const { lower: lo, upper: hi } = bd;
  if (!(p.alpha >= lo[0] && p.alpha <= hi[0])) return false;
  if (spec.trend !== 'N' && !(p.beta >= lo[1] && p.beta <= p.alpha && p.beta <= hi[1])) return false;
  if (spec.trend === 'Ad' && !(p.phi >= lo[3] && p.phi <= hi[3])) return false;
  if (spec.season !== 'N' && !(p.gamma >= lo[2] && p.gamma <= 1 - p.alpha && p.gamma <= hi[2])) return false;
  return true;
}

export function admissible(spec: EtsSpec, p: EtsParams, m: number): boolean {
  const phi = spec.trend === 'Ad' ? p.phi : 1, alpha = p.alpha;
  const beta = spec.trend === 'N' ? 0 : p.beta;
  if (phi < 0 || phi > 1 + 1e-8) return false;
  if (spec.season === 'N' || m <= 1) {
    if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
    if (spec.trend !== 'N' && (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha))) return false;
    return true;
  }
  const gamma = p.gamma;
  if (gamma < Math.max(1 - 1 / phi - alpha, 0) || gamma > 1 + 1 / phi - alpha) return false;
  if (alpha < 1 - 1 / phi - (gamma * (1 - m + phi + phi * m)) / (2 * phi * m)) return false;
  if (beta < -(1 - phi) * (gamma / m + alpha)) return false;
  // coefficients c_0 … c_{m+1} (ascending powers)
  const c = new Float64Array(m + 2);
  c[0] = phi * (1 - alpha - gamma);
  c[1] = alpha + beta - alpha * phi + gamma - 1;
  for (let k = 2; k < m; k++) c[k] = alpha + beta - alpha * phi;
  c[m] = alpha + beta - phi;
  c[m + 1] = 1;
  return rootsInDisk(c, 1 + 1e-10);
}

/**
 * Whether every root of Σ c_k z^k lies in |z| < ρ, by the Schur–Cohn recursion instead of finding roots:
 * with w = z/ρ (a_k = c_k ρ^k) and a_d the leading coefficient, p is stable iff |a_0| < |a_d| and
 *   q(w) = (a_d·p(w) − a_0·p*(w)) / w,  p* the reversed polynomial,  of degree d − 1 is stable
 * (Rouché: on |w| = 1, |p*| = |p|, so a_d·p − a_0·p* has as many roots inside as p).
 */
export function rootsInDisk(c: ArrayLike<number>, rho = 1): boolean {
  let a = Float64Array.from(c, (v, k) => v * rho ** k);
  let d = a.length - 1;
  while (d > 0 && a[d] === 0) d--;
  for (; d > 0; d--) {
    const lead = a[d], a0 = a[0];
    if (!(Math.abs(a0) < Math.abs(lead))) return false;
    const q = new Float64Array(d);
    for (let k = 0; k < d; k++) q[k] = lead * a[k + 1] - a0 * a[d - 1 - k];
    // rescale to keep the numbers in range over many steps
    const s = Math.max(...q.map(Math.abs)) || 1;
    a = q.map((v) => v / s);
  }
  return true;
}

/** R's check.param: usual and admissible regions both ("both"), or one of them. */
export function paramsOk(spec: EtsSpec, p: EtsParams, m: number, kind: 'both' | 'usual' | 'admissible' = 'both',
  bd: EtsBounds = DEFAULT_BOUNDS): boolean {
  if (kind !== 'admissible' && !usualOk(spec, p, bd)) return false;
  if (kind !== 'usual' && !admissible(spec, p, m)) return false;
  return true;
}
