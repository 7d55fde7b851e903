import { DataError, assert } from '../errors.js';
import type { Data, Tensor } from '../tensor/tensor.js';
import { ParamBuffer } from './params.js';

/**
 * The gradient arrays to clip: a ParamBuffer's one flat `grad`, or each tensor's `grad`. Tensors
 * without a gradient are skipped, as torch skips `.grad is None`. Tensors are not flattened into
 * a new ParamBuffer here, since clipping should not rebind anyone's storage.
 */
function gradsOf(params: readonly Tensor[] | ParamBuffer): Data[] {
  if (params instanceof ParamBuffer) { params.sync(); return [params.grad]; }
  return params.flatMap((p) => (p.grad ? [p.grad] : []));
}

/**
 * Rescales all gradients together so their joint p-norm is at most `maxNorm`, like
 * `torch.nn.utils.clip_grad_norm_`; returns the total norm before clipping.
 *
 *   total = (Σ |g|ᵖ)^(1/p)   (max |g| for p = Infinity)
 *   c = maxNorm / (total + 1e-6);  g ← g·c  only if c < 1
 *
 * A NaN or infinite total is returned so the caller can skip the step; as in torch the gradients
 * are still scaled by the (then NaN or 0) coefficient, unless `errorIfNonfinite` makes it throw.
 *
 * @example
 * const norm = clipGradNorm(opt.params, 1.0);
 * if (!Number.isFinite(norm)) opt.zeroGrad(); else opt.step();
 */
export function clipGradNorm(params: readonly Tensor[] | ParamBuffer, maxNorm: number, normType = 2,
  opts: { errorIfNonfinite?: boolean } = {}): number {
  assert(normType > 0, () => `clipGradNorm: expected normType > 0 or Infinity, got ${normType}`, DataError);
  assert(maxNorm >= 0, () => `clipGradNorm: expected maxNorm >= 0, got ${maxNorm}`, DataError);
  const grads = gradsOf(params);
  let total = 0;
  if (normType === Infinity) {
    // Math.max propagates NaN, as torch's max does.
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]));
  } else {
    if (normType === 2) for (const g of grads) for (let i = 0; i < g.length; i++) total += g[i] * g[i]; // ** is a slow pow
    else for (const g of grads) for (let i = 0; i < g.length; i++) total += Math.abs(g[i]) ** normType;
    total **= 1 / normType;
  }
  assert(!opts.errorIfNonfinite || Number.isFinite(total),
    () => `clipGradNorm: expected a finite total norm of order ${normType}, got ${total}; `
      + 'pass errorIfNonfinite: false to scale the gradients by it anyway', DataError);
  const coef = maxNorm / (total + 1e-6);
  // `!(coef >= 1)` rather than `coef < 1`: a NaN coefficient is applied, as torch's clamp does.
  if (!(coef >= 1)) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return total;
}

/** Clamps every gradient element into [−clipValue, clipValue] in place, like `torch.nn.utils.clip_grad_value_`. */
export function clipGradValue(params: readonly Tensor[] | ParamBuffer, clipValue: number): void {
  assert(clipValue >= 0, () => `clipGradValue: expected clipValue >= 0, got ${clipValue}`, DataError);
  for (const g of gradsOf(params)) {
    for (let i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i], -clipValue), clipValue);
  }
}
