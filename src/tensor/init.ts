import { assert } from '../errors.js';
import { type Rng, defaultRng } from './rng.js';
import { type Shape, assertValidShape, numel } from './shape.js';
import { type DType, IntTensor, Tensor, allocData } from './tensor.js';

export interface CreateOptions { dtype?: DType; requiresGrad?: boolean }
export interface RandomOptions extends CreateOptions { rng?: Rng }

function make(shape: Shape, opts: CreateOptions, fill: (i: number) => number): Tensor {
  assertValidShape(shape);
  const data = allocData(opts.dtype ?? 'float32', numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = fill(i);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/** A tensor of zeros, like `torch.zeros` (float32 unless `dtype` says otherwise). */
export const zeros = (shape: Shape, opts: CreateOptions = {}): Tensor => make(shape, opts, () => 0);
/** A tensor of ones, like `torch.ones`. */
export const ones = (shape: Shape, opts: CreateOptions = {}): Tensor => make(shape, opts, () => 1);
/** A tensor filled with `value`, like `torch.full`. */
export const full = (shape: Shape, value: number, opts: CreateOptions = {}): Tensor => make(shape, opts, () => value);

/** Standard normal samples, like `torch.randn`. */
export const randn = (shape: Shape, opts: RandomOptions = {}): Tensor => {
  const rng = opts.rng ?? defaultRng();
  return make(shape, opts, () => rng.normal());
};

/** Uniform samples in [0, 1), like `torch.rand`. */
export const rand = (shape: Shape, opts: RandomOptions = {}): Tensor => {
  const rng = opts.rng ?? defaultRng();
  return make(shape, opts, () => rng.uniform());
};

/** Uniform samples in [low, high), like `torch.nn.init.uniform_`. */
export const uniform = (shape: Shape, low: number, high: number, opts: RandomOptions = {}): Tensor => {
  const rng = opts.rng ?? defaultRng();
  return make(shape, opts, () => low + (high - low) * rng.uniform());
};

/** 0, 1, …, n − 1 as a tensor of shape (n), like `torch.arange(n)`. */
export const arange = (n: number, opts: CreateOptions = {}): Tensor => make([n], opts, (i) => i);

/** A number or nested arrays of numbers (a tensor written as literals). */
export type Nested = number | readonly Nested[];

function shapeOfNested(v: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = v;
  while (Array.isArray(cur)) { shape.push(cur.length); cur = cur[0] as Nested; }
  return shape;
}

/**
 * A tensor from nested arrays or a flat array plus a shape.
 * @example tensor([[1, 2], [3, 4]]) // shape [2, 2]
 * @example tensor(new Float32Array(6), [2, 3])
 */
export function tensor(values: Nested | ArrayLike<number>, shape?: Shape, opts: CreateOptions = {}): Tensor {
  if (typeof values === 'number') return make(shape ?? [], opts, () => values);
  const nested = Array.isArray(values) && values.length > 0 && Array.isArray(values[0]);
  const sh = shape ?? (nested ? shapeOfNested(values as Nested) : [(values as ArrayLike<number>).length]);
  const flat = nested ? (values as unknown[]).flat(Infinity) as number[] : (values as ArrayLike<number>);
  assert(flat.length === numel(sh), () => `tensor: shape [${sh.join(', ')}] needs ${numel(sh)} values, got ${flat.length} (ragged nested arrays?)`);
  return make(sh, opts, (i) => flat[i]);
}

/** Integer tensor (token ids, class targets). */
export function ints(values: ArrayLike<number>, shape?: Shape): IntTensor {
  const data = Int32Array.from(values);
  for (let i = 0; i < data.length; i++) {
    assert(data[i] === values[i], () => `ints: expected integers in int32 range, got ${values[i]} at index ${i}`);
  }
  return new IntTensor(data, shape ?? [data.length]);
}
