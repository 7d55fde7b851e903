/**
 * Derivative-free minimisation by the Nelder–Mead simplex, in the variant of Nash's "Compact Numerical
 * Methods" that R's optim(method = "Nelder-Mead") uses, so that ETS fits land where R's do:
 *   start: vertex 0 = x0, vertex j = x0 + step·e_j with step = 0.1·max|x0_i| (0.1 if x0 = 0);
 *   each round, with c the centroid of all vertices but the worst h (value V_H) and the best l (V_L):
 *     reflect  x_r = (1 + a)·c − a·x_h                           (a = 1)
 *     if f(x_r) < V_L: expand x_e = g·x_r + (1 − g)·c, keep the better of x_e, x_r   (g = 2)
 *     else: x_h ← x_r if f(x_r) < V_H; contract x_c = (1 − b)·x_h + b·c          (b = 0.5)
 *           keep x_c if it improves on x_h, else (when x_r was no better than V_H) shrink all towards x_l;
 *   stop when V_H ≤ V_L + reltol·(|f(x0)| + reltol), or after maxit evaluations.
 * Bounds are the objective's business: return Infinity (or NaN) outside them, counted as 1e35.
 */
export interface NelderMeadOptions { maxit?: number; reltol?: number; abstol?: number }
export interface NelderMeadResult { x: Float64Array; value: number; evals: number; converged: boolean }

const BIG = 1e35;

export function nelderMead(f: (x: Float64Array) => number, x0: ArrayLike<number>,
  opts: NelderMeadOptions = {}): NelderMeadResult {
  const { maxit = 2000, reltol = Math.sqrt(Number.EPSILON), abstol = -Infinity } = opts;
  const n = x0.length;
  const start = Float64Array.from(x0);
  const f0 = f(start);
  if (!Number.isFinite(f0)) throw new RangeError('nelderMead: the objective is not finite at the starting point');
  if (n === 0) return { x: start, value: f0, evals: 1, converged: true };
  const convtol = reltol * (Math.abs(f0) + reltol);
  const safe = (x: Float64Array) => { const v = f(x); return Number.isFinite(v) ? v : BIG; };
  const { P, V, size } = initialSimplex(start, f0);
  let oldSize = size, evals = 1, L = 0, recompute = true, converged = false;
  const c = new Float64Array(n), xr = new Float64Array(n), xt = new Float64Array(n);
  while (evals <= maxit) {
    if (recompute) {
      for (let j = 0; j <= n; j++) if (j !== L) { V[j] = safe(P[j]); evals++; }
      recompute = false;
    }
    let VL = V[L], VH = VL, H = L;
    for (let j = 0; j <= n; j++) {
      if (j === L) continue;
      if (V[j] < VL) { L = j; VL = V[j]; }
      if (V[j] > VH) { H = j; VH = V[j]; }
    }
    if (VH <= VL + convtol || VL <= abstol) { converged = true; break; }
    for (let i = 0; i < n; i++) {
      let s = -P[H][i];
      for (let j = 0; j <= n; j++) s += P[j][i];
      c[i] = s / n;
    }
    for (let i = 0; i < n; i++) xr[i] = 2 * c[i] - P[H][i];
    const VR = safe(xr); evals++;
    if (VR < VL) {
      for (let i = 0; i < n; i++) xt[i] = 2 * xr[i] - c[i];
      const VE = safe(xt); evals++;
      if (VE < VR) { P[H].set(xt); V[H] = VE; } else { P[H].set(xr); V[H] = VR; }
      continue;
    }
    if (VR < VH) { P[H].set(xr); V[H] = VR; }
    for (let i = 0; i < n; i++) xt[i] = 0.5 * P[H][i] + 0.5 * c[i];
    const VC = safe(xt); evals++;
    if (VC < V[H]) { P[H].set(xt); V[H] = VC; continue; }
    if (VR < VH) continue;
    // shrink towards the best vertex; give up when the simplex stops getting smaller
    let shrunk = 0;
    for (let j = 0; j <= n; j++) {
      if (j === L) continue;
      for (let i = 0; i < n; i++) {
        P[j][i] = 0.5 * (P[j][i] - P[L][i]) + P[L][i];
        shrunk += Math.abs(P[j][i] - P[L][i]);
      }
    }
    recompute = true;
    if (shrunk >= oldSize) break;
    oldSize = shrunk;
  }
  return { x: Float64Array.from(P[L]), value: V[L], evals, converged };
}

/** Vertex 0 = x0, vertex j = x0 + step·e_j; size = Σ of the steps (the shrink test's yardstick). */
function initialSimplex(start: Float64Array, f0: number): { P: Float64Array[]; V: Float64Array; size: number } {
  const n = start.length;
  const P = Array.from({ length: n + 1 }, () => Float64Array.from(start));
  const V = new Float64Array(n + 1);
  V[0] = f0;
  let step = 0;
  for (let i = 0; i < n; i++) step = Math.max(step, 0.1 * Math.abs(start[i]));
  if (step === 0) step = 0.1;
  let size = 0;
  for (let j = 1; j <= n; j++) {
    let tryStep = step;
    // a step lost to rounding (huge coordinate) grows until the vertex moves
    while (P[j][j - 1] === start[j - 1]) { P[j][j - 1] = start[j - 1] + tryStep; tryStep *= 10; }
    size += tryStep;
  }
  return { P, V, size };
}
