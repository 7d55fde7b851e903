import { DataError, ShapeError, assert, fmtShape } from '../errors.js';
import { type Shape, assertValidShape, numel, stridesOf } from './shape.js';

export type DType = 'float32' | 'float64';
export type Data = Float32Array | Float64Array;

/** Tensor storage of n elements, counted against the allocation budget while one is set. */
export function allocData(dtype: DType, n: number): Data {
  if (budget !== null) {
    if (!(Number.isInteger(n) && n >= 0)) throw new DataError(`${budget.what()}: a tensor of ${n} elements`);
    budget.left -= n;
    if (budget.left < 0 || --budget.count < 0) throw new DataError(budget.what());
  }
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

let budget: { left: number; count: number; what: () => string } | null = null;

/**
 * Runs `fn` allowing it at most `elements` elements of tensor storage in at most `count` tensors;
 * more is a DataError saying `what()`. Building a model from a file's metadata runs under the
 * file's own size, so a header that claims a hidden size of 10⁹, or 10⁹ layers, fails at once
 * instead of allocating gigabytes or looping for minutes.
 */
export function withAllocationBudget<T>(elements: number, count: number, what: () => string, fn: () => T): T {
  const outer = budget;
  budget = { left: elements, count, what };
  try { return fn(); } finally { budget = outer; }
}

export const dtypeOf = (d: Data): DType => (d instanceof Float64Array ? 'float64' : 'float32');

/**
 * A dense, row-major tensor of float32 (or float64, for gradient checks) with a place
 * on the autograd tape. Ops live in `autograd/` and are attached as methods there.
 *
 * `data` is the only storage: views never alias across tensors except where an op says so
 * (`detach`, `reshape`). Gradients are accumulated into `grad`, never replaced, so a
 * flat parameter buffer can hand out `grad` views that optimizers loop over once.
 */
export class Tensor {
  data: Data;
  readonly shape: readonly number[];
  grad: Data | null = null;
  requiresGrad: boolean;
  /** Tape: inputs this tensor was computed from and the rule that sends its gradient to them. */
  _parents: readonly Tensor[] = [];
  _backward: (() => void) | null = null;
  _op = '';
  /** Set after backward ran through this node, so a second pass fails loudly instead of silently. */
  _freed = false;
  /** Called when the tape node is freed: fused ops return their workspaces here. */
  _release: (() => void) | null = null;
  name = '';

  constructor(data: Data, shape: Shape, requiresGrad = false) {
    assertValidShape(shape, 'Tensor');
    assert(data.length === numel(shape),
      () => `Tensor: shape ${fmtShape(shape)} needs ${numel(shape)} values, got ${data.length}`);
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  get dtype(): DType { return dtypeOf(this.data); }
  get size(): number { return this.data.length; }
  get ndim(): number { return this.shape.length; }
  /** True for tensors made by the user (parameters, inputs), false for results of ops. */
  get isLeaf(): boolean { return this._op === ''; }

  /** The single value of a one-element tensor. */
  item(): number {
    assert(this.size === 1, () => `item: expected a tensor with 1 element, got shape ${fmtShape(this.shape)}`);
    return this.data[0];
  }

  /** Value at a multi-index, e.g. `t.at(2, 0)`. */
  at(...idx: number[]): number {
    assert(idx.length === this.ndim, () => `at: expected ${this.ndim} indices, got ${idx.length}`);
    const st = stridesOf(this.shape);
    let off = 0;
    idx.forEach((v, i) => {
      assert(Number.isInteger(v) && v >= 0 && v < this.shape[i],
        () => `at: index ${v} out of range for dim ${i} of size ${this.shape[i]}`);
      off += v * st[i];
    });
    return this.data[off];
  }

  /** Nested JS arrays, like `tensor.tolist()`. */
  toArray(): unknown {
    const st = stridesOf(this.shape);
    const rec = (d: number, off: number): unknown =>
      d === this.ndim ? this.data[off]
        : Array.from({ length: this.shape[d] }, (_, i) => rec(d + 1, off + i * st[d]));
    return rec(0, 0);
  }

  /** A tensor sharing this one's data, cut from the tape (like `torch.Tensor.detach`). */
  detach(): Tensor { return new Tensor(this.data, this.shape, false); }

  /** Marks a leaf as trainable; returns `this` for chaining. */
  requireGrad(flag = true): this {
    assert(this.isLeaf, () => 'requireGrad: only leaf tensors can be marked; use detach() first', ShapeError);
    this.requiresGrad = flag;
    return this;
  }

  zeroGrad(): void { this.grad?.fill(0); }

  toString(): string {
    const vals = Array.from(this.data.subarray(0, 8), (v) => +v.toPrecision(4)).join(', ');
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ', grad' : ''}) [${vals}${this.size > 8 ? ', …' : ''}]`;
  }
}

/** Integer tensor for token ids, targets and lengths: no gradient, no autograd. */
export class IntTensor {
  readonly data: Int32Array;
  readonly shape: readonly number[];
  constructor(data: Int32Array, shape: Shape) {
    assertValidShape(shape, 'IntTensor');
    assert(data.length === numel(shape),
      () => `IntTensor: shape ${fmtShape(shape)} needs ${numel(shape)} values, got ${data.length}`);
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }
  get size(): number { return this.data.length; }
}

/** Throws a DataError naming the first NaN or infinity, if any. */
export function assertFinite(what: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new DataError(`${what}: expected finite values, got ${v} at flat index ${i}`);
  }
}
