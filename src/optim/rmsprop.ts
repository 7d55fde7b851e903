import type { Data, Tensor } from '../tensor/tensor.js';
import { type FlatView, type OptimizerSpec, Optimizer, checkNonNegative } from './optimizer.js';
import type { ParamBuffer } from './params.js';

/** Options of {@link RMSprop}; defaults are torch 1.13's. */
export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}
/** RMSprop's hyperparameters with every default filled in. */
export type RMSpropHyper = Required<RMSpropOptions>;

const SPEC: OptimizerSpec<RMSpropHyper> = {
  name: 'RMSprop',
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  check(h) {
    for (const k of ['alpha', 'eps', 'weightDecay', 'momentum'] as const) checkNonNegative('RMSprop', k, h[k]);
  },
  buffers: (h) => ({
    squareAvg: 0,
    ...(h.momentum > 0 ? { momentumBuffer: 0 } : {}),
    ...(h.centered ? { gradAvg: 0 } : {}),
  }),
};

/**
 * RMSprop, like `torch.optim.RMSprop` (ε is added outside the square root, as in torch).
 *
 * @example
 * const opt = new RMSprop(model.parameters(), { lr: 1e-3, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropHyper> {
  constructor(params: readonly Tensor[] | ParamBuffer, options: RMSpropOptions = {}) {
    super(SPEC, params, options);
  }

  protected update(_t: number, { data, grad, state: s }: FlatView): void {
    rmspropUpdate(data, grad, s.squareAvg, s.gradAvg ?? null, s.momentumBuffer ?? null, this.hyper);
  }
}

/**
 * One RMSprop step over flat arrays, as in torch's docs (v the square average, ḡ the gradient
 * average when centered, b the momentum buffer, α smoothing, μ momentum, λ weight decay, γ lr):
 *
 *   g ← ∇ (or −∇ when maximizing);  g ← g + λθ
 *   v ← αv + (1 − α)g²
 *   centered: ḡ ← αḡ + (1 − α)g;  d ← √(v − ḡ²) + ε,   else d ← √v + ε
 *   μ > 0: b ← μb + g/d;  θ ← θ − γb,                   else θ ← θ − γ·g/d
 */
export function rmspropUpdate(theta: Data, grad: Data, v: Data, gAvg: Data | null, buf: Data | null, h: RMSpropHyper): void {
  const { lr, alpha, eps, weightDecay: wd, momentum: mu, maximize } = h;
  for (let i = 0; i < theta.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (wd !== 0) g += wd * theta[i];
    v[i] = alpha * v[i] + (1 - alpha) * g * g;
    let d: number;
    if (gAvg !== null) {
      gAvg[i] = alpha * gAvg[i] + (1 - alpha) * g;
      d = Math.sqrt(v[i] - gAvg[i] * gAvg[i]) + eps;
    } else {
      d = Math.sqrt(v[i]) + eps;
    }
    if (buf !== null) {
      buf[i] = mu * buf[i] + g / d;
      theta[i] -= lr * buf[i];
    } else {
      theta[i] -= lr * (g / d);
    }
  }
}
