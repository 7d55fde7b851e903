import { gradOf, record } from '../autograd/engine.js';
import { ShapeError, fmtShape } from '../errors.js';
import { type Tensor, allocData, assertFinite } from '../tensor/tensor.js';
import { type LossOptions, checkMask, checkReduction, reduceLoss, reductionScale } from './reduce.js';

/**
 * Quantile (pinball) loss for prediction intervals: pred (…, Q) holds one forecast per quantile
 * q ∈ (0, 1), target (…). For e = y − ŷ_q: ℓ = max(q·e, (q − 1)·e), so the minimiser of the
 * expected loss is the q-th quantile. Reduced over all (…, Q) elements.
 */
export function pinballLoss(pred: Tensor, target: Tensor, quantiles: readonly number[], opts: LossOptions = {}): Tensor {
  const reduction = checkReduction('pinballLoss', opts.reduction ?? 'mean');
  const Q = quantiles.length;
  if (Q === 0 || quantiles.some((q) => !(q > 0 && q < 1))) {
    throw new ShapeError(`pinballLoss: expected quantiles in (0, 1), got [${quantiles.join(', ')}]`);
  }
  if (pred.shape[pred.ndim - 1] !== Q || pred.size !== target.size * Q) {
    throw new ShapeError(`pinballLoss: expected pred of shape [${[...target.shape, Q].join(', ')}], got ${fmtShape(pred.shape)}`);
  }
  assertFinite('pinballLoss target', target.data);
  const n = pred.size, mask = checkMask('pinballLoss', opts.mask, n), P = pred.data, Y = target.data;
  const el = allocData(pred.dtype, n);
  for (let i = 0; i < n; i++) {
    const q = quantiles[i % Q], e = Y[Math.floor(i / Q)] - P[i];
    el[i] = (mask ? mask[i] : 1) * Math.max(q * e, (q - 1) * e);
  }
  const scale = reductionScale(reduction, mask, n);
  const out = reduceLoss(el, pred.shape, reduction, scale);
  return record(out, [pred], 'pinballLoss', () => {
    const g = out.grad!, gp = gradOf(pred);
    for (let i = 0; i < n; i++) {
      if (mask && mask[i] === 0) continue; // no gradient, even when the mean is over nothing (NaN)
      const q = quantiles[i % Q], e = Y[Math.floor(i / Q)] - P[i];
      // dℓ/dŷ = −q where e > 0, 1 − q where e < 0 (0 at the kink, as torch's max gives for equal slopes)
      const d = e > 0 ? -q : e < 0 ? 1 - q : 0;
      gp[i] += d * (mask ? mask[i] : 1) * (reduction === 'none' ? g[i] : g[0] * scale);
    }
  });
}
