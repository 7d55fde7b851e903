import { gradOf, record } from '../autograd/engine.js';
import { type Tensor, allocData, assertFinite } from '../tensor/tensor.js';
import { type LossOptions, checkMask, checkReduction, checkSameShape, reduceLoss, reductionScale } from './reduce.js';

/** Mean squared error, PyTorch's F.mse_loss: (input − target)², reduced. */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const reduction = checkReduction('mseLoss', opts.reduction ?? 'mean');
  checkSameShape('mseLoss', input.shape, target.shape);
  assertFinite('mseLoss target', target.data);
  const n = input.size, mask = checkMask('mseLoss', opts.mask, n), X = input.data, Y = target.data;
  const el = allocData(input.dtype, n);
  for (let i = 0; i < n; i++) { const d = X[i] - Y[i]; el[i] = (mask ? mask[i] : 1) * d * d; }
  const scale = reductionScale(reduction, mask, n);
  const out = reduceLoss(el, input.shape, reduction, scale);
  return record(out, [input, target], 'mseLoss', () => {
    const g = out.grad!;
    const gi = input.requiresGrad ? gradOf(input) : null, gt = target.requiresGrad ? gradOf(target) : null;
    for (let i = 0; i < n; i++) {
      if (mask && mask[i] === 0) continue; // no gradient, even when the mean is over nothing (NaN, as torch)
      const d = 2 * (X[i] - Y[i]) * (mask ? mask[i] : 1) * (reduction === 'none' ? g[i] : g[0] * scale);
      if (gi) gi[i] += d;
      if (gt) gt[i] -= d;
    }
  });
}
