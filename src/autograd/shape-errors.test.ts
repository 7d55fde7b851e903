import { describe, expect, it } from 'vitest';
import { DataError, ShapeError } from '../errors.js';
import { randn } from '../tensor/index.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import {
  add, backward, clamp, concat, div, gather, gradcheck, linear, logSoftmax, matmul, maximum, mean, mul, permute, reshape,
  slice, softmax, split, stack, sub, sum, transpose,
} from './index.js';

/** Bad input throws a ShapeError whose message names the op and says what it expected and what it got. */

const r = (...shape: number[]): Tensor => randn(shape);
const r64 = (...shape: number[]): Tensor => randn(shape, { dtype: 'float64' });

/** Asserts `fn` throws `Err` with a message matching every pattern (the text is quoted on failure). */
function expectThrow(fn: () => unknown, Err: typeof ShapeError | typeof DataError, ...patterns: (string | RegExp)[]): void {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'expected a throw').toBeInstanceOf(Err);
  const msg = (err as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
}

describe('shape errors say expected versus got', () => {
  it.each([
    ['add', () => add(r(3, 4), r(2, 4)), 'add: shapes [3, 4] and [2, 4] cannot be broadcast (dim 0: 3 vs 2)'],
    ['sub (trailing dims)', () => sub(r(2, 3), r(2)), 'sub: shapes [2, 3] and [2] cannot be broadcast (dim 1: 3 vs 2)'],
    ['mul (3-D against 2-D)', () => mul(r(3, 1, 4), r(2, 5)), 'mul: shapes [3, 1, 4] and [2, 5] cannot be broadcast (dim 2: 4 vs 5)'],
    ['div', () => div(r(4), r(5)), 'div: shapes [4] and [5] cannot be broadcast'],
    ['maximum', () => maximum(r(2, 2), r(3)), 'maximum: shapes [2, 2] and [3] cannot be broadcast'],
    ['mixed dtypes', () => mul(r(2), r64(2)), 'mul: expected operands of one dtype, got float32 and float64'],
    ['clamp bounds', () => clamp(r(2), 1, 0), 'clamp: expected lo ≤ hi, got 1 > 0'],
    ['matmul inner sizes', () => matmul(r(3, 4), r(5, 6)), 'matmul: inner sizes differ: op(A) [3, 4] has K = 4, op(B) [5, 6] has K = 5'],
    ['matmul inner sizes with transB', () => matmul(r(3, 4), r(6, 5), { transB: true }), 'op(B) [6, 5]ᵀ has K = 5'],
    ['matmul 3-D A inner sizes', () => matmul(r(2, 3, 4), r(3, 2)), 'op(A) [2, 3, 4] has K = 4, op(B) [3, 2] has K = 3'],
    ['matmul 1-D B', () => matmul(r(3, 4), r(4)), 'matmul: expected A (…, M, K) [or (K, M) with transA] and B 2-D, got [3, 4] and [4]'],
    ['matmul transA of 3-D A', () => matmul(r(2, 3, 4), r(3, 2), { transA: true }), 'got [2, 3, 4] and [3, 2]'],
    ['matmul mixed dtypes', () => matmul(r(2, 2), r64(2, 2)), 'matmul: expected operands of one dtype, got float32 and float64'],
    ['linear input size', () => linear(r(2, 5), r(3, 4)), 'linear: expected input (…, 4) for weight [3, 4], got [2, 5]'],
    ['linear 0-d input', () => linear(r(), r(3, 4)), 'linear: expected input (…, 4) for weight [3, 4], got []'],
    ['linear dtypes', () => linear(r(2, 4), r64(3, 4)), 'linear: expected one dtype, got input float32, weight float64'],
    ['linear 1-D weight', () => linear(r(2, 4), r(4)), 'linear: expected a 2-D weight (out, in), got [4]'],
    ['linear bias size', () => linear(r(2, 4), r(3, 4), r(4)), 'linear: expected bias of shape [3], got [4]'],
    ['linear bias [1] (would broadcast)', () => linear(r(2, 4), r(3, 4), r(1)), 'linear: expected bias of shape [3], got [1]'],
    ['sum dim', () => sum(r(2, 3, 4), 3), 'sum: expected dim in [-3, 2], got 3'],
    ['mean negative dim', () => mean(r(2, 3), -3), 'mean: expected dim in [-2, 1], got -3'],
    ['softmax dim', () => softmax(r(2, 3), 2), 'softmax: expected dim in [-2, 1], got 2'],
    ['logSoftmax dim', () => logSoftmax(r(4), -2), 'logSoftmax: expected dim in [-1, 0], got -2'],
    ['fractional dim', () => sum(r(2, 3), 0.5), 'sum: expected dim in [-2, 1], got 0.5'],
    ['reshape size', () => reshape(r(2, 3), [4, -1]), 'reshape: cannot view [2, 3] (6 values) as [4, -1]'],
    ['reshape two free dims', () => reshape(r(2, 3), [-1, -1]), 'reshape: cannot view [2, 3] (6 values) as [-1, -1]'],
    ['reshape count', () => reshape(r(2, 3), [7]), 'reshape: cannot view [2, 3] (6 values) as [7]'],
    ['permute length', () => permute(r(2, 3, 4), [0, 1]), 'permute: expected a permutation of 3 dims, got [0, 1]'],
    ['permute repeat', () => permute(r(2, 3, 4), [0, 1, 1]), 'permute: expected a permutation of 3 dims, got [0, 1, 1]'],
    ['permute dim', () => permute(r(2, 3), [0, 2]), 'permute: expected dim in [-2, 1], got 2'],
    ['transpose of a vector', () => transpose(r(3)), 'transpose: expected dim in [-1, 0], got -2'],
    ['concat other dims', () => concat([r(2, 3), r(3, 3)], 1), 'concat: expected shapes like [2, 3] except in dim 1, got [3, 3] (tensor 1)'],
    ['concat ranks', () => concat([r(2, 3), r(2, 3, 1)]), 'concat: expected shapes like [2, 3] except in dim 0, got [2, 3, 1] (tensor 1)'],
    ['concat dtypes', () => concat([r(2, 3), r64(2, 3)]), 'concat: expected every tensor of dtype float32, got float64 (tensor 1)'],
    ['concat nothing', () => concat([]), 'concat: expected at least one tensor, got none'],
    ['concat dim', () => concat([r(2), r(2)], 1), 'concat: expected dim in [-1, 0], got 1'],
    ['stack shapes', () => stack([r(2, 3), r(2, 3), r(2, 4)], 1), 'stack: expected every tensor of shape [2, 3], got [2, 4] (tensor 2)'],
    ['stack dtypes', () => stack([r(2), r64(2)]), 'stack: expected every tensor of dtype float32, got float64 (tensor 1)'],
    ['stack dim', () => stack([r(2), r(2)], 3), 'stack: expected dim in [-2, 1], got 3'],
    ['slice range', () => slice(r(2, 5), 1, 2, 7), 'slice: expected 0 ≤ start ≤ end ≤ 5 in dim 1, got 2:7'],
    ['slice reversed', () => slice(r(2, 5), -1, 3, 2), 'slice: expected 0 ≤ start ≤ end ≤ 5 in dim 1, got 3:2'],
    ['split sizes', () => split(r(2, 5), [2, 2], 1), 'split: expected non-negative sizes adding up to 5 (dim 1 of [2, 5]), got [2, 2]'],
    ['split negative size', () => split(r(4), [5, -1]), 'split: expected non-negative sizes adding up to 4 (dim 0 of [4]), got [5, -1]'],
    ['split piece size', () => split(r(4), 0), 'split: expected a positive size, got 0'],
    ['gather table rank', () => gather(r(2, 3, 4), new IntTensor(Int32Array.of(0), [1])), 'gather: expected a 2-D table (V, E), got [2, 3, 4]'],
    ['gather id range', () => gather(r(3, 2), new IntTensor(Int32Array.of(0, 3), [2])), 'gather: expected ids in [0, 3), got 3 at position 1'],
    ['gather negative id', () => gather(r(3, 2), new IntTensor(Int32Array.of(-1), [1])), 'gather: expected ids in [0, 3), got -1 at position 0'],
  ] as const)('%s', (_n, fn, msg) => expectThrow(fn, ShapeError, msg));

  it('methods report the same errors as the functions', () => {
    expectThrow(() => r(2, 3).matmul(r(2, 3)), ShapeError, 'has K = 3', 'has K = 2');
    expectThrow(() => r(2, 3).add(r(4)), ShapeError, 'add: shapes [2, 3] and [4]');
    expectThrow(() => r(2, 3).sum(2), ShapeError, 'sum: expected dim in [-2, 1], got 2');
    expectThrow(() => r(2, 3).split([1, 1], 1), ShapeError, 'adding up to 3');
  });
});

describe('backward and gradcheck reject bad input', () => {
  it('backward of a non-scalar needs a gradient', () => {
    const x = r(2, 3).requireGrad();
    expectThrow(() => backward(x.mul(2)), ShapeError, 'backward: a gradient is needed for a non-scalar root of shape [2, 3]');
  });
  it('backward with a gradient of the wrong size', () => {
    const x = r(2, 3).requireGrad();
    expectThrow(() => x.mul(2).backward({ grad: new Float32Array(5) }), ShapeError, 'backward: expected a gradient of 6 values, got 5');
  });
  it('backward of a tensor that needs no gradient', () => {
    expectThrow(() => r(2).sum().backward(), ShapeError, 'backward: the tensor does not require grad');
  });
  it('gradcheck refuses float32', () => {
    const x = r(2);
    expectThrow(() => gradcheck(() => x.mul(2), [x]), DataError, 'gradcheck: expected float64 tensors, got float32 (shape [2])');
  });
  it('requireGrad on a non-leaf', () => {
    expectThrow(() => r(2).requireGrad().mul(2).requireGrad(), ShapeError, 'only leaf tensors');
  });
});
