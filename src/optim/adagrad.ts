import type { Data, Tensor } from '../tensor/tensor.js';
import { type FlatView, type OptimizerSpec, Optimizer, checkNonNegative } from './optimizer.js';
import type { ParamBuffer } from './params.js';

/** Options of {@link Adagrad}; defaults are torch 1.13's. */
export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}
/** Adagrad's hyperparameters with every default filled in. */
export type AdagradHyper = Required<AdagradOptions>;

const SPEC: OptimizerSpec<AdagradHyper> = {
  name: 'Adagrad',
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  check(h) {
    for (const k of ['lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] as const) checkNonNegative('Adagrad', k, h[k]);
  },
  // torch fills the sum at construction, so it is state from step 0 on.
  buffers: (h) => ({ sum: h.initialAccumulatorValue }),
};

/**
 * Adagrad, like `torch.optim.Adagrad`.
 *
 * @example
 * const opt = new Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-4 });
 */
export class Adagrad extends Optimizer<AdagradHyper> {
  constructor(params: readonly Tensor[] | ParamBuffer, options: AdagradOptions = {}) {
    super(SPEC, params, options);
  }

  protected update(t: number, { data, grad, state }: FlatView): void {
    adagradUpdate(data, grad, state.sum, t, this.hyper);
  }
}

/**
 * One Adagrad step over flat arrays, as in torch's docs (s the running sum of squares, η the lr
 * decay, λ weight decay, γ lr, t the 1-based step):
 *
 *   g ← ∇ (or −∇ when maximizing);  g ← g + λθ
 *   γ̃ ← γ / (1 + (t − 1)η)
 *   s ← s + g²
 *   θ ← θ − γ̃ · g / (√s + ε)
 */
export function adagradUpdate(theta: Data, grad: Data, sum: Data, t: number, h: AdagradHyper): void {
  const { lr, lrDecay, weightDecay: wd, eps, maximize } = h;
  const clr = lr / (1 + (t - 1) * lrDecay);
  for (let i = 0; i < theta.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (wd !== 0) g += wd * theta[i];
    sum[i] += g * g;
    theta[i] -= clr * (g / (Math.sqrt(sum[i]) + eps));
  }
}
