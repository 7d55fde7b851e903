import { DataError } from '../errors.js';
import type { Data, Tensor } from '../tensor/tensor.js';
import { type FlatView, type OptimizerSpec, Optimizer, checkDecay, checkNonNegative } from './optimizer.js';
import type { ParamBuffer } from './params.js';

/** Options of {@link Adam} and {@link AdamW}; defaults are torch 1.13's (AdamW's weightDecay is 1e-2). */
export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}
/** Adam's hyperparameters with every default filled in. */
export type AdamHyper = Required<AdamOptions>;

function spec(name: string, weightDecay: number): OptimizerSpec<AdamHyper> {
  return {
    name,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false },
    check(h) {
      checkNonNegative(name, 'eps', h.eps);
      checkNonNegative(name, 'weightDecay', h.weightDecay);
      if (h.betas.length !== 2) throw new DataError(`${name}: expected betas [beta1, beta2], got [${h.betas.join(', ')}]`);
      checkDecay(name, 'betas[0]', h.betas[0]);
      checkDecay(name, 'betas[1]', h.betas[1]);
    },
    buffers: (h) => ({ expAvg: 0, expAvgSq: 0, ...(h.amsgrad ? { maxExpAvgSq: 0 } : {}) }),
  };
}
const ADAM = spec('Adam', 0);
const ADAMW = spec('AdamW', 1e-2);

/**
 * Adam, like `torch.optim.Adam`: weight decay is L2 regularisation added to the gradient, so it
 * is rescaled by the adaptive denominator. See {@link AdamW} for the decoupled form.
 *
 * @example
 * const opt = new Adam(model.parameters(), { lr: 3e-4 });
 */
export class Adam extends Optimizer<AdamHyper> {
  constructor(params: readonly Tensor[] | ParamBuffer, options: AdamOptions = {}) {
    super(ADAM, params, options);
  }

  protected update(t: number, { data, grad, state: s }: FlatView): void {
    adamUpdate(data, grad, s.expAvg, s.expAvgSq, s.maxExpAvgSq ?? null, t, this.hyper, false);
  }
}

/**
 * AdamW, like `torch.optim.AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter), which
 * shrinks θ by lr·λ directly instead of going through the gradient.
 */
export class AdamW extends Optimizer<AdamHyper> {
  constructor(params: readonly Tensor[] | ParamBuffer, options: AdamOptions = {}) {
    super(ADAMW, params, options);
  }

  protected update(t: number, { data, grad, state: s }: FlatView): void {
    adamUpdate(data, grad, s.expAvg, s.expAvgSq, s.maxExpAvgSq ?? null, t, this.hyper, true);
  }
}

/**
 * One Adam/AdamW step over flat arrays, as in torch's docs (m, v the moments, β1, β2 the betas,
 * λ weight decay, γ lr, t the 1-based step):
 *
 *   g ← ∇ (or −∇ when maximizing)
 *   AdamW: θ ← θ(1 − γλ)            Adam: g ← g + λθ
 *   m ← β1·m + (1 − β1)g;  v ← β2·v + (1 − β2)g²
 *   amsgrad: v̂max ← max(v̂max, v), used in place of v below
 *   θ ← θ − (γ / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 *
 * The bias corrections are folded into scalars the way torch's single-tensor path does, so
 * the rounding matches it.
 */
export function adamUpdate(theta: Data, grad: Data, m: Data, v: Data, vMax: Data | null, t: number,
  h: AdamHyper, decoupled: boolean): void {
  const { lr, eps, weightDecay: wd, maximize } = h;
  const [beta1, beta2] = h.betas;
  const stepSize = lr / (1 - beta1 ** t);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
  for (let i = 0; i < theta.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (decoupled) theta[i] *= 1 - lr * wd;
    else if (wd !== 0) g += wd * theta[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    let vi = v[i];
    if (vMax !== null) vi = vMax[i] = Math.max(vMax[i], vi);
    theta[i] -= stepSize * (m[i] / (Math.sqrt(vi) / bc2Sqrt + eps));
  }
}
