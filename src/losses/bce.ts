import { gradOf, record } from '../autograd/engine.js';
import { type Tensor, allocData, assertFinite } from '../tensor/tensor.js';
import { type LossOptions, checkMask, checkReduction, checkSameShape, reduceLoss, reductionScale } from './reduce.js';

export interface BceOptions extends LossOptions {
  /** Weight of the positive term, PyTorch's pos_weight (a scalar here). */
  posWeight?: number;
}

/**
 * Binary cross-entropy from logits, PyTorch's F.binary_cross_entropy_with_logits, in the stable
 * form ℓ = (1 − y)·x + (1 + (p − 1)·y)·(log(1 + e^{−|x|}) + max(−x, 0)), p = posWeight.
 * dℓ/dx = (1 + (p − 1)·y)·σ(x) − p·y … written below as σ(x)·(1 + (p−1)y) − p·y.
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, opts: BceOptions = {}): Tensor {
  const reduction = checkReduction('bceWithLogits', opts.reduction ?? 'mean');
  checkSameShape('bceWithLogits', logits.shape, targets.shape);
  assertFinite('bceWithLogits targets', targets.data);
  const n = logits.size, mask = checkMask('bceWithLogits', opts.mask, n), X = logits.data, Y = targets.data;
  const p = opts.posWeight ?? 1;
  const el = allocData(logits.dtype, n);
  for (let i = 0; i < n; i++) {
    const x = X[i], y = Y[i], lw = 1 + (p - 1) * y;
    el[i] = (mask ? mask[i] : 1) * ((1 - y) * x + lw * (Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0)));
  }
  const scale = reductionScale(reduction, mask, n);
  const out = reduceLoss(el, logits.shape, reduction, scale);
  return record(out, [logits], 'bceWithLogits', () => {
    const g = out.grad!, gx = gradOf(logits);
    for (let i = 0; i < n; i++) {
      if (mask && mask[i] === 0) continue; // no gradient, even when the mean is over nothing (NaN, as torch)
      const y = Y[i], s = 1 / (1 + Math.exp(-X[i]));
      const d = s * (1 + (p - 1) * y) - p * y;
      gx[i] += d * (mask ? mask[i] : 1) * (reduction === 'none' ? g[i] : g[0] * scale);
    }
  });
}
