import { concat } from '../../../autograd/shape-ops.js';
import '../../../autograd/methods.js';
import { ShapeError } from '../../../errors.js';
import { type DType, Tensor, allocData } from '../../../tensor/tensor.js';

/**
 * The exponential-smoothing half of the hybrid (ES-RNN, Smyl 2020), as a cell made of tensor ops
 * so autograd trains its coefficients together with the network.
 *
 * Legend: S series in the batch, T time steps, m season length (1: no season).
 *
 * It runs on u, the series in "log units": u = log y for a multiplicative series (so dividing by
 * the level and the seasonal index is a subtraction) and u = y / scale for an additive one. With
 * α = σ(α̃) and γ = σ(γ̃) per series, squashed into (0, 1):
 *   l_t     = α (u_t − s_t) + (1 − α) l_{t−1}        l_{−1} = u_0 − s_0
 *   s_{t+m} = γ (u_t − l_t) + (1 − γ) s_t            s_0 … s_{m−1} = s̃ − mean(s̃)   (initial indices)
 * The seasonal sequence is one season longer than the data: s_{t+h} for 1 ≤ h ≤ m is known at t.
 * With a damped trend (β = σ(β̃), φ = 0.8 + 0.2·σ(φ̃), b_{−1} = 0), as Holt's method:
 *   l_t = α (u_t − s_t) + (1 − α)(l_{t−1} + φ b_{t−1})
 *   b_t = β (l_t − l_{t−1}) + (1 − β) φ b_{t−1}
 * and the base of the forecast h steps ahead is l_t + (φ + … + φ^h) b_t + s_{t+h}.
 */
export interface SmoothingParams {
  alpha: Tensor; //  (S, 1) raw, before the sigmoid
  gamma: Tensor | null; //  (S, 1) raw; null without a season
  season0: Tensor | null; // (S, m) raw initial seasonal indices; null without a season
  beta?: Tensor | null; //  (S, 1) raw trend smoothing; null or absent without a trend
  phi?: Tensor | null; //  (S, 1) raw damping
}

export interface Smoothed {
  level: Tensor; //  (S, T)
  season: Tensor | null; // (S, T + m)
  trend: Tensor | null; //  (S, T)
  /** φ + … + φ^h for h = 1 … H: (S, H), with a trend and when H is given. */
  damp: Tensor | null;
}

/** φ = 0.8 + 0.2·σ(φ̃): damping in (0.8, 1), 1 being Holt's undamped trend. */
export const dampOf = (raw: number): number => 0.8 + 0.2 / (1 + Math.exp(-raw));

/** The recursions above over u (S, T) row-major, padded past each series' end by its last value. */
export function smooth(u: ArrayLike<number>, S: number, T: number, m: number, p: SmoothingParams,
  dtype: DType = 'float32', H = 0): Smoothed {
  if (u.length !== S * T) throw new ShapeError(`smooth: expected ${S}·${T} = ${S * T} values, got ${u.length}`);
  if (p.alpha.size !== S) throw new ShapeError(`smooth: expected alpha of shape [${S}, 1], got [${p.alpha.shape}]`);
  const seasonal = m > 1;
  if (seasonal && (!p.gamma || !p.season0 || p.season0.size !== S * m || p.gamma.size !== S)) {
    throw new ShapeError(`smooth: a season of ${m} needs gamma [${S}, 1] and season0 [${S}, ${m}]`);
  }
  const col = (t: number) => {
    const d = allocData(dtype, S);
    for (let i = 0; i < S; i++) d[i] = u[i * T + t];
    return new Tensor(d, [S, 1]);
  };
  const a = p.alpha.sigmoid(), a1 = a.neg().add(1);
  let s: Tensor[] = [];
  let g: Tensor | null = null, g1: Tensor | null = null;
  if (seasonal) {
    const s0 = p.season0!.sub(p.season0!.mean(1, true)); // indices sum to zero: the level carries the mean
    s = s0.split(1, 1);
    g = p.gamma!.sigmoid(); g1 = g.neg().add(1);
  }
  const trended = !!p.beta && !!p.phi;
  const bt = trended ? p.beta!.sigmoid() : null, bt1 = bt ? bt.neg().add(1) : null;
  const phi = trended ? p.phi!.sigmoid().mul(0.2).add(0.8) : null;
  const u0 = col(0);
  let l = seasonal ? u0.sub(s[0]) : u0;
  let b: Tensor | null = null;
  const levels: Tensor[] = [], trends: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const ut = t === 0 ? u0 : col(t);
    const des = seasonal ? ut.sub(s[t]) : ut;
    if (t > 0) {
      const pb: Tensor | null = b ? phi!.mul(b) : null; // φ b_{t−1}; b_{−1} = b_0's predecessor = 0
      const lNew = a.mul(des).add(a1.mul(pb ? l.add(pb) : l));
      if (trended) b = pb ? bt!.mul(lNew.sub(l)).add(bt1!.mul(pb)) : bt!.mul(lNew.sub(l));
      l = lNew;
    }
    levels.push(l);
    if (trended) trends.push(b ?? l.mul(0));
    if (seasonal) s.push(g!.mul(ut.sub(l)).add(g1!.mul(s[t])));
  }
  let damp: Tensor | null = null;
  if (trended && H > 0) {
    const d: Tensor[] = [];
    let pw = phi!;
    for (let h = 1; h <= H; h++) { d.push(h === 1 ? pw : d[h - 2].add(pw)); pw = pw.mul(phi!); }
    damp = concat(d, 1);
  }
  return { level: concat(levels, 1), season: seasonal ? concat(s, 1) : null,
    trend: trended ? concat(trends, 1) : null, damp };
}

/** The same recursions on plain numbers, for forecasting (no tape): one series of n values. */
export function smoothValues(u: ArrayLike<number>, n: number, m: number, alphaRaw: number, gammaRaw: number,
  season0Raw: ArrayLike<number>, trendRaw?: { beta: number; phi: number }):
  { level: Float64Array; season: Float64Array | null; trend: Float64Array | null; phi: number } {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const a = sig(alphaRaw), level = new Float64Array(n), seasonal = m > 1;
  const g = sig(gammaRaw), season = seasonal ? new Float64Array(n + m) : null;
  const beta = trendRaw ? sig(trendRaw.beta) : 0, phi = trendRaw ? dampOf(trendRaw.phi) : 0;
  const trend = trendRaw ? new Float64Array(n) : null;
  if (season) {
    let mean = 0;
    for (let j = 0; j < m; j++) mean += season0Raw[j] / m;
    for (let j = 0; j < m; j++) season[j] = season0Raw[j] - mean;
  }
  const s = (k: number) => (season ? season[k] : 0);
  let l = u[0] - s(0), b = 0;
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const lNew = a * (u[t] - s(t)) + (1 - a) * (l + phi * b);
      b = beta * (lNew - l) + (1 - beta) * phi * b;
      l = lNew;
    }
    level[t] = l;
    if (trend) trend[t] = b;
    if (season) season[t + m] = g * (u[t] - l) + (1 - g) * season[t];
  }
  return { level, season, trend, phi };
}

/** Index into the seasonal sequence of step h ≥ 1 ahead of origin t: the latest estimate of that phase. */
export const seasonIndex = (t: number, h: number, m: number): number => t + 1 + ((h - 1) % m);
