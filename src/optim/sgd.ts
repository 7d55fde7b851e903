import { DataError } from '../errors.js';
import type { Data, Tensor } from '../tensor/tensor.js';
import { type FlatView, type OptimizerSpec, Optimizer, checkNonNegative } from './optimizer.js';
import type { ParamBuffer } from './params.js';

/** Options of {@link SGD}; defaults are torch 1.13's, and lr is required as there. */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}
/** SGD's hyperparameters with every default filled in. */
export type SGDHyper = Required<SGDOptions>;

const SPEC: OptimizerSpec<SGDHyper> = {
  name: 'SGD',
  defaults: { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  check(h) {
    checkNonNegative('SGD', 'momentum', h.momentum);
    checkNonNegative('SGD', 'weightDecay', h.weightDecay);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new DataError(`SGD: nesterov expects momentum > 0 and dampening 0, got momentum ${h.momentum} and dampening ${h.dampening}`);
    }
  },
  buffers: (h): Record<string, number> => (h.momentum !== 0 ? { momentumBuffer: 0 } : {}),
};

/**
 * Stochastic gradient descent with optional momentum, like `torch.optim.SGD`.
 *
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export class SGD extends Optimizer<SGDHyper> {
  constructor(params: readonly Tensor[] | ParamBuffer, options: SGDOptions) {
    super(SPEC, params, options);
  }

  protected update(t: number, { data, grad, state }: FlatView): void {
    sgdUpdate(data, grad, state.momentumBuffer ?? null, t, this.hyper);
  }
}

/**
 * One SGD step over flat arrays, as in torch's docs (b is the momentum buffer, μ momentum,
 * τ dampening, λ weight decay, γ lr):
 *
 *   g ← ∇ (or −∇ when maximizing);  g ← g + λθ
 *   b ← g at t = 1, else μb + (1 − τ)g;  g ← g + μb if nesterov, else b
 *   θ ← θ − γg
 *
 * The first step copies g into b without dampening, as torch does.
 */
export function sgdUpdate(theta: Data, grad: Data, buf: Data | null, t: number, h: SGDHyper): void {
  const { lr, momentum: mu, dampening: tau, weightDecay: wd, nesterov, maximize } = h;
  for (let i = 0; i < theta.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (wd !== 0) g += wd * theta[i];
    if (buf !== null) {
      buf[i] = t === 1 ? g : mu * buf[i] + (1 - tau) * g;
      g = nesterov ? g + mu * buf[i] : buf[i];
    }
    theta[i] -= lr * g;
  }
}
