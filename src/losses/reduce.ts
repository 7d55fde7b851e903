import { DataError, ShapeError, assert, fmtShape } from '../errors.js';
import { type Data, Tensor, allocData, dtypeOf } from '../tensor/tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
  /** Per-element weights of the unreduced loss, usually 0/1 to drop padded positions; mean divides by their sum. */
  mask?: ArrayLike<number> | null;
}

/** Checks a mask against the number of loss elements. */
export function checkMask(what: string, mask: ArrayLike<number> | null | undefined, n: number): ArrayLike<number> | null {
  if (!mask) return null;
  assert(mask.length === n, () => `${what}: expected a mask of ${n} values (one per loss element), got ${mask.length}`);
  for (let i = 0; i < mask.length; i++) {
    if (!Number.isFinite(mask[i]) || mask[i] < 0) throw new DataError(`${what}: expected mask values ≥ 0, got ${mask[i]} at ${i}`);
  }
  return mask;
}

/**
 * Scale that turns per-element losses into the reduced loss, and the gradient factor per element:
 * mean → 1/Σw, sum → 1. With no mask every weight is 1.
 */
export function reductionScale(reduction: Reduction, weights: ArrayLike<number> | null, n: number): number {
  if (reduction !== 'mean') return 1;
  let s = 0;
  if (weights) for (let i = 0; i < n; i++) s += weights[i]; else s = n;
  return 1 / s;
}

export function checkReduction(what: string, r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ShapeError(`${what}: expected reduction 'mean', 'sum' or 'none', got '${r}'`);
  return r;
}

export function checkSameShape(what: string, a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new ShapeError(`${what}: expected target of shape ${fmtShape(a)}, got ${fmtShape(b)}`);
  }
}

export type { Data };

/** The loss tensor: the per-element losses ('none') or their scaled sum (a scalar). */
export function reduceLoss(el: Data, shape: readonly number[], reduction: Reduction, scale: number): Tensor {
  if (reduction === 'none') return new Tensor(el, shape);
  let s = 0;
  for (let i = 0; i < el.length; i++) s += el[i];
  const out = allocData(dtypeOf(el), 1);
  out[0] = s * scale;
  return new Tensor(out, []);
}
