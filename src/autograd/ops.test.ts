import { describe, expect, it } from 'vitest';
import { Rng } from '../tensor/rng.js';
import { type Shape, numel } from '../tensor/shape.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import {
  abs, add, clamp, clone, concat, div, exp, fusedOp, gather, gradcheck, linear, log, logSoftmax, matmul, maximum,
  mean, mul, neg, permute, pow, relu, reshape, sigmoid, slice, softmax, split, sqrt, stack, sub, sum, tanh, transpose,
} from './index.js';

/**
 * Float64 central-difference checks of every autograd op (gradcheck projects the outputs onto
 * random weights, so each case checks the full Jacobian-vector product). Inputs sit at least
 * 0.05 from any kink (relu, abs, clamp, maximum), far outside the 1e-6 step.
 */

const rng = new Rng(2024);
/** Standard normal values, optionally resampled until every value is ≥ 0.05 from each kink. */
function randn(shape: Shape, kinks: readonly number[] = []): Tensor {
  const d = new Float64Array(numel(shape));
  for (let i = 0; i < d.length; i++) {
    let v: number;
    do v = rng.normal(); while (kinks.some((k) => Math.abs(v - k) < 0.05));
    d[i] = v;
  }
  return new Tensor(d, shape);
}
/** Uniform in [0.5, 2): for log, sqrt, fractional powers and denominators. */
function positive(shape: Shape): Tensor {
  return new Tensor(Float64Array.from({ length: numel(shape) }, () => 0.5 + 1.5 * rng.uniform()), shape);
}
const scalar = (v: number): Tensor => new Tensor(Float64Array.of(v), []);

/**
 * Runs gradcheck and also asserts the check was not vacuous: every element was perturbed and
 * every input received a gradient that is not all zero (unless `zeroGrad` says it must be).
 */
function check(fn: () => Tensor | Tensor[], wrt: Tensor[], opts: { zeroGrad?: boolean } = {}): void {
  const res = gradcheck(fn, wrt);
  expect(res.checked).toBe(wrt.reduce((n, t) => n + t.size, 0));
  for (const [i, t] of wrt.entries()) {
    expect(t.grad, `input ${i} got no gradient`).not.toBeNull();
    expect(t.grad!.some((v) => v !== 0), `input ${i} gradient all zero`).toBe(!opts.zeroGrad);
  }
}

type Case = [name: string, run: () => void];
const cases = (list: Case[]) => list;

describe('gradcheck: binary elementwise ops with broadcasting', () => {
  const binaries = { add, sub, mul, div, maximum } as const;
  // [a shape, b shape]: equal, stretched both ways, across missing leading dims, scalars
  const pairs: [Shape, Shape][] = [
    [[2, 3], [2, 3]], [[3, 1, 4], [2, 4]], [[2, 4], [3, 1, 4]], [[3, 1], [1, 4]],
    [[4], [3, 4]], [[3, 4], [4]], [[], [2, 3]], [[2, 3], []], [[2, 1, 3], [2, 4, 1]],
  ];
  const list: Case[] = [];
  for (const [name, op] of Object.entries(binaries)) {
    for (const [sa, sb] of pairs) {
      list.push([`${name} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, () => {
        const a = randn(sa), b = name === 'div' ? positive(sb) : randn(sb);
        if (name === 'maximum') {
          // a 0-d operand at 0 wins against some elements of the other and loses against the rest
          for (const t of [a, b]) if (t.ndim === 0) t.data[0] = 0;
          // the kink of maximum is a tie: every pair that meets in the broadcast must be well apart
          const gap = Math.min(...Array.from(sub(a, b).data, Math.abs));
          expect(gap, 'maximum inputs too close to a tie').toBeGreaterThan(1e-3);
        }
        check(() => op(a, b), [a, b]);
      }]);
    }
  }
  it.each(list)('%s', (_n, run) => run());

  it.each(cases([
    ['add(x, number)', () => { const x = randn([2, 3]); check(() => add(x, 2.5), [x]); }],
    ['add(number, x)', () => { const x = randn([2, 3]); check(() => add(-1.5, x), [x]); }],
    ['sub(number, x)', () => { const x = randn([2, 3]); check(() => sub(2, x), [x]); }],
    ['sub(x, number)', () => { const x = randn([2, 3]); check(() => sub(x, 2), [x]); }],
    ['mul(number, x)', () => { const x = randn([2, 3]); check(() => mul(3, x), [x]); }],
    ['div(number, x)', () => { const x = positive([2, 3]); check(() => div(1.5, x), [x]); }],
    ['div(x, number)', () => { const x = randn([2, 3]); check(() => div(x, -4), [x]); }],
    ['maximum(x, number)', () => { const x = randn([3, 4], [0.3]); check(() => maximum(x, 0.3), [x]); }],
    ['maximum(number, x)', () => { const x = randn([3, 4], [-0.2]); check(() => maximum(-0.2, x), [x]); }],
    ['mul(x, x): one tensor as both operands', () => { const x = randn([2, 3]); check(() => mul(x, x), [x]); }],
    ['add(x, x)', () => { const x = randn([4]); check(() => add(x, x), [x]); }],
    ['div(x, x·x + 1)', () => { const x = randn([5]); check(() => div(x, add(mul(x, x), 1)), [x]); }],
    ['sub(x, x) has zero gradient', () => { const x = randn([3]); check(() => sub(x, x), [x], { zeroGrad: true }); }],
    ['mul(x, x broadcast against itself (3,1)·(3,))', () => {
      const x = randn([3]);
      check(() => mul(reshape(x, [3, 1]), x), [x]);
    }],
    ['maximum(x, x) passes the whole gradient once', () => {
      const x = randn([4]);
      check(() => maximum(x, x), [x]);
    }],
    ['shared subexpression (diamond): y = tanh(x); y·y + y', () => {
      const x = randn([2, 3]);
      check(() => { const y = tanh(x); return add(mul(y, y), y); }, [x]);
    }],
    ['0-d tensor times 0-d tensor', () => { const a = scalar(0.7), b = scalar(-1.3); check(() => mul(a, b), [a, b]); }],
  ]))('%s', (_n, run) => run());
});

describe('gradcheck: pow', () => {
  it.each([2, 3, -1, 0.5, -1.5, 1])('x^%s', (p) => {
    const x = Number.isInteger(p) && p > 0 ? randn([2, 3], [0]) : positive([2, 3]);
    check(() => pow(x, p), [x]);
  });
  it('x^0 has zero gradient, also at x = 0 (like torch)', () => {
    const x = randn([4]);
    x.data[0] = 0;
    check(() => pow(x, 0), [x], { zeroGrad: true });
    expect(Array.from(x.grad!)).toEqual([0, 0, 0, 0]);
  });
});

describe('gradcheck: unary ops', () => {
  it.each(cases([
    ['neg', () => { const x = randn([2, 3]); check(() => neg(x), [x]); }],
    ['exp', () => { const x = randn([2, 3]); check(() => exp(x), [x]); }],
    ['log', () => { const x = positive([2, 3]); check(() => log(x), [x]); }],
    ['sqrt', () => { const x = positive([2, 3]); check(() => sqrt(x), [x]); }],
    ['abs (away from 0)', () => { const x = randn([3, 4], [0]); check(() => abs(x), [x]); }],
    ['tanh', () => { const x = randn([2, 3]); check(() => tanh(x), [x]); }],
    ['sigmoid', () => { const x = randn([2, 3]); check(() => sigmoid(x), [x]); }],
    ['relu (away from 0)', () => { const x = randn([3, 4], [0]); check(() => relu(x), [x]); }],
    ['clamp (away from lo and hi, values on all three sides)', () => {
      const x = randn([4, 5], [-0.5, 0.7]);
      const y = clamp(x, -0.5, 0.7).data;
      expect(Array.from(y).some((v) => v === -0.5) && Array.from(y).some((v) => v === 0.7)).toBe(true);
      check(() => clamp(x, -0.5, 0.7), [x]);
    }],
    ['clone', () => { const x = randn([2, 3]); check(() => clone(x), [x]); }],
    ['0-d input', () => { const x = scalar(0.4); check(() => tanh(x), [x]); }],
  ]))('%s', (_n, run) => run());

  it('relu, abs and clamp pass no gradient where they are flat', () => {
    const x = new Tensor(Float64Array.of(-2, -0.3, 0.3, 2), [4], true);
    relu(x).backward({ grad: Float64Array.of(1, 1, 1, 1) });
    expect(Array.from(x.grad!)).toEqual([0, 0, 1, 1]);
    x.grad = null;
    clamp(x, -1, 1).backward({ grad: Float64Array.of(1, 1, 1, 1) });
    expect(Array.from(x.grad!)).toEqual([0, 1, 1, 0]);
    x.grad = null;
    abs(x).backward({ grad: Float64Array.of(1, 1, 1, 1) });
    expect(Array.from(x.grad!)).toEqual([-1, -1, 1, 1]);
  });
});

describe('gradcheck: reductions and softmax over every dim', () => {
  const dims = [0, 1, 2, -1, -2, -3];
  const list: Case[] = [];
  for (const d of dims) {
    for (const keep of [false, true]) {
      list.push([`sum dim ${d} keepdim ${keep}`, () => {
        const x = randn([2, 3, 4]);
        const y = sum(x, d, keep);
        const dd = d < 0 ? d + 3 : d;
        expect(y.shape).toEqual(keep ? [2, 3, 4].map((s, i) => (i === dd ? 1 : s)) : [2, 3, 4].filter((_, i) => i !== dd));
        check(() => sum(x, d, keep), [x]);
      }]);
      list.push([`mean dim ${d} keepdim ${keep}`, () => { const x = randn([2, 3, 4]); check(() => mean(x, d, keep), [x]); }]);
    }
    list.push([`softmax dim ${d}`, () => { const x = randn([2, 3, 4]); check(() => softmax(x, d), [x]); }]);
    list.push([`logSoftmax dim ${d}`, () => { const x = randn([2, 3, 4]); check(() => logSoftmax(x, d), [x]); }]);
  }
  list.push(
    ['sum of all', () => { const x = randn([2, 3, 4]); check(() => sum(x), [x]); }],
    ['mean of all', () => { const x = randn([2, 3, 4]); check(() => mean(x), [x]); }],
    ['softmax of a 1-D vector (default dim)', () => { const x = randn([5]); check(() => softmax(x), [x]); }],
    ['logSoftmax of (B, V) logits, default dim', () => { const x = randn([3, 6]); check(() => logSoftmax(x), [x]); }],
    ['softmax with large logits stays finite', () => {
      const x = randn([2, 5]);
      for (let i = 0; i < x.size; i++) x.data[i] *= 200;
      const y = softmax(x);
      expect(Array.from(y.data).every(Number.isFinite)).toBe(true);
      const z = logSoftmax(x);
      expect(Array.from(z.data).every(Number.isFinite)).toBe(true);
    }],
  );
  it.each(list)('%s', (_n, run) => run());

  it('softmax rows sum to 1 and logSoftmax is its log', () => {
    const x = randn([3, 4, 5]);
    const s = softmax(x, 1), ls = logSoftmax(x, 1), tot = sum(s, 1);
    for (const v of tot.data) expect(v).toBeCloseTo(1, 14);
    for (let i = 0; i < s.size; i++) expect(ls.data[i]).toBeCloseTo(Math.log(s.data[i]), 13);
  });
});

describe('gradcheck: matmul and linear', () => {
  // op(A) (M, K) = (3, 4), op(B) (K, N) = (4, 5)
  it.each([[false, false], [true, false], [false, true], [true, true]])('matmul transA %s transB %s', (tA, tB) => {
    const a = randn(tA ? [4, 3] : [3, 4]), b = randn(tB ? [5, 4] : [4, 5]);
    const y = matmul(a, b, { transA: tA, transB: tB });
    expect(y.shape).toEqual([3, 5]);
    // the forward against a plain triple loop
    const A = (i: number, k: number) => (tA ? a.data[k * 3 + i] : a.data[i * 4 + k]);
    const B = (k: number, j: number) => (tB ? b.data[j * 4 + k] : b.data[k * 5 + j]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += A(i, k) * B(k, j);
        expect(y.data[i * 5 + j]).toBeCloseTo(s, 12);
      }
    }
    check(() => matmul(a, b, { transA: tA, transB: tB }), [a, b]);
  });

  it.each(cases([
    ['3-D A (2, 3, 4)·(4, 5)', () => {
      const a = randn([2, 3, 4]), b = randn([4, 5]);
      expect(matmul(a, b).shape).toEqual([2, 3, 5]);
      check(() => matmul(a, b), [a, b]);
    }],
    ['3-D A with transB (2, 3, 4)·(5, 4)ᵀ', () => {
      const a = randn([2, 3, 4]), b = randn([5, 4]);
      check(() => matmul(a, b, { transB: true }), [a, b]);
    }],
    ['4-D A (2, 2, 3, 4)·(4, 2)', () => { const a = randn([2, 2, 3, 4]), b = randn([4, 2]); check(() => matmul(a, b), [a, b]); }],
    ['one tensor as both operands: X·X', () => { const x = randn([3, 3]); check(() => matmul(x, x), [x]); }],
    ['X·Xᵀ (Gram matrix)', () => { const x = randn([3, 4]); check(() => matmul(x, x, { transB: true }), [x]); }],
    ['Xᵀ·X', () => { const x = randn([3, 4]); check(() => matmul(x, x, { transA: true }), [x]); }],
    ['Xᵀ·Xᵀ', () => { const x = randn([3, 3]); check(() => matmul(x, x, { transA: true, transB: true }), [x]); }],
    ['(1, K)·(K, 1)', () => { const a = randn([1, 4]), b = randn([4, 1]); check(() => matmul(a, b), [a, b]); }],
    ['linear with bias (B, in)', () => {
      const x = randn([2, 4]), w = randn([3, 4]), b = randn([3]);
      expect(linear(x, w, b).shape).toEqual([2, 3]);
      check(() => linear(x, w, b), [x, w, b]);
    }],
    ['linear without bias', () => { const x = randn([2, 4]), w = randn([3, 4]); check(() => linear(x, w), [x, w]); }],
    ['linear with null bias', () => { const x = randn([2, 4]), w = randn([3, 4]); check(() => linear(x, w, null), [x, w]); }],
    ['linear of a 1-D input', () => {
      const x = randn([4]), w = randn([3, 4]), b = randn([3]);
      expect(linear(x, w, b).shape).toEqual([3]);
      check(() => linear(x, w, b), [x, w, b]);
    }],
    ['linear of a 1-D input without bias', () => { const x = randn([4]), w = randn([3, 4]); check(() => linear(x, w), [x, w]); }],
    ['linear of a 3-D input (T, B, in)', () => {
      const x = randn([2, 3, 4]), w = randn([5, 4]), b = randn([5]);
      expect(linear(x, w, b).shape).toEqual([2, 3, 5]);
      check(() => linear(x, w, b), [x, w, b]);
    }],
  ]))('%s', (_n, run) => run());
});

describe('gradcheck: shape ops', () => {
  it.each(cases([
    ['reshape [4, -1]', () => {
      const x = randn([2, 3, 4]);
      expect(reshape(x, [4, -1]).shape).toEqual([4, 6]);
      check(() => reshape(x, [4, -1]), [x]);
    }],
    ['reshape [-1]', () => { const x = randn([2, 3]); check(() => reshape(x, [-1]), [x]); }],
    ['reshape [3, -1, 2] then tanh', () => { const x = randn([2, 3, 2]); check(() => tanh(reshape(x, [3, -1, 2])), [x]); }],
    ['reshape to 0-d', () => { const x = randn([1, 1]); check(() => reshape(x, []), [x]); }],
    ['permute [2, 0, 1]', () => {
      const x = randn([2, 3, 4]);
      const y = permute(x, [2, 0, 1]);
      expect(y.shape).toEqual([4, 2, 3]);
      expect(y.at(3, 1, 2)).toBe(x.at(1, 2, 3));
      check(() => permute(x, [2, 0, 1]), [x]);
    }],
    ['permute [1, 2, 0]', () => { const x = randn([2, 3, 4]); check(() => permute(x, [1, 2, 0]), [x]); }],
    ['permute [0, 2, 1]', () => { const x = randn([2, 3, 4]); check(() => permute(x, [0, 2, 1]), [x]); }],
    ['permute negative [-1, 0, -2]', () => {
      const x = randn([2, 3, 4]);
      expect(permute(x, [-1, 0, -2]).shape).toEqual([4, 2, 3]);
      check(() => permute(x, [-1, 0, -2]), [x]);
    }],
    ['permute 4-D [3, 1, 0, 2]', () => { const x = randn([2, 3, 2, 3]); check(() => permute(x, [3, 1, 0, 2]), [x]); }],
    ['transpose (0, 2)', () => {
      const x = randn([2, 3, 4]);
      const y = transpose(x, 0, 2);
      expect(y.shape).toEqual([4, 3, 2]);
      expect(y.at(3, 1, 0)).toBe(x.at(0, 1, 3));
      check(() => transpose(x, 0, 2), [x]);
    }],
    ['transpose default (last two dims)', () => {
      const x = randn([2, 3, 4]);
      expect(transpose(x).shape).toEqual([2, 4, 3]);
      check(() => transpose(x), [x]);
    }],
    ['t() of a matrix', () => { const x = randn([3, 5]); check(() => x.t(), [x]); }],
    ['concat dim 1 (middle)', () => {
      const a = randn([2, 3, 4]), b = randn([2, 1, 4]), c = randn([2, 2, 4]);
      const y = concat([a, b, c], 1);
      expect(y.shape).toEqual([2, 6, 4]);
      expect(y.at(1, 3, 2)).toBe(b.at(1, 0, 2));
      expect(y.at(1, 5, 3)).toBe(c.at(1, 1, 3));
      check(() => concat([a, b, c], 1), [a, b, c]);
    }],
    ['concat dim -2', () => { const a = randn([2, 3, 4]), b = randn([2, 2, 4]); check(() => concat([a, b], -2), [a, b]); }],
    ['concat dim 0', () => { const a = randn([1, 3]), b = randn([2, 3]); check(() => concat([a, b], 0), [a, b]); }],
    ['concat dim -1', () => { const a = randn([2, 3, 1]), b = randn([2, 3, 2]); check(() => concat([a, b], -1), [a, b]); }],
    ['concat of one tensor twice', () => { const a = randn([2, 3]); check(() => concat([a, a], 1), [a]); }],
    ['concat where one input needs no gradient', () => {
      const a = randn([2, 3]), b = randn([2, 2]);
      check(() => concat([a, b], 1), [a]);
      expect(b.grad).toBeNull();
    }],
    ['stack dim 1 (middle)', () => {
      const a = randn([2, 4]), b = randn([2, 4]), c = randn([2, 4]);
      const y = stack([a, b, c], 1);
      expect(y.shape).toEqual([2, 3, 4]);
      expect(y.at(1, 2, 3)).toBe(c.at(1, 3));
      check(() => stack([a, b, c], 1), [a, b, c]);
    }],
    ['stack dim 0', () => { const a = randn([2, 3]), b = randn([2, 3]); check(() => stack([a, b]), [a, b]); }],
    ['stack dim -1', () => {
      const a = randn([2, 3]), b = randn([2, 3]);
      expect(stack([a, b], -1).shape).toEqual([2, 3, 2]);
      check(() => stack([a, b], -1), [a, b]);
    }],
    ['slice dim 1 (middle) 1:4', () => {
      const x = randn([2, 5, 3]);
      const y = slice(x, 1, 1, 4);
      expect(y.shape).toEqual([2, 3, 3]);
      expect(y.at(1, 0, 2)).toBe(x.at(1, 1, 2));
      check(() => slice(x, 1, 1, 4), [x]);
    }],
    ['slice dim -1', () => { const x = randn([2, 3, 5]); check(() => slice(x, -1, 2, 5), [x]); }],
    ['slice dim 0', () => { const x = randn([4, 3]); check(() => slice(x, 0, 0, 2), [x]); }],
    ['split dim 1 into equal pieces of 2 (last piece 1)', () => {
      const x = randn([2, 5, 3]);
      expect(split(x, 2, 1).map((p) => p.shape)).toEqual([[2, 2, 3], [2, 2, 3], [2, 1, 3]]);
      check(() => split(x, 2, 1), [x]);
    }],
    ['split dim 1 by sizes [1, 3, 1]', () => { const x = randn([2, 5, 3]); check(() => split(x, [1, 3, 1], 1), [x]); }],
    ['split dim -1, only one piece used', () => {
      const x = randn([3, 4]);
      check(() => tanh(split(x, [1, 3], -1)[1]), [x]);
      expect(Array.from(x.grad!.subarray(0, 1))).toEqual([0]);
    }],
    ['gather with repeated ids accumulates', () => {
      const table = randn([5, 3]), ids = new IntTensor(Int32Array.of(1, 3, 1, 1, 0, 3), [2, 3]);
      const y = gather(table, ids);
      expect(y.shape).toEqual([2, 3, 3]);
      expect(y.at(1, 0, 2)).toBe(table.at(1, 2));
      check(() => gather(table, ids), [table]);
      // row 2 and 4 were never looked up
      for (const r of [2, 4]) expect(Array.from(table.grad!.subarray(r * 3, r * 3 + 3))).toEqual([0, 0, 0]);
    }],
    ['gather of 1-D ids', () => {
      const table = randn([4, 2]), ids = new IntTensor(Int32Array.of(3, 3, 3), [3]);
      check(() => gather(table, ids), [table]);
    }],
  ]))('%s', (_n, run) => run());

  it('gather sums the gradient of every repeat into its row', () => {
    const table = new Tensor(new Float64Array(6), [3, 2], true);
    const ids = new IntTensor(Int32Array.of(2, 0, 2, 2), [4]);
    gather(table, ids).sum().backward();
    expect(Array.from(table.grad!)).toEqual([1, 1, 0, 0, 3, 3]);
  });
});

describe('gradcheck: every rule adds into the gradient (op applied twice to the same inputs)', () => {
  // add(f(x), f(x)) puts two nodes with the same rule on the tape; the second to run finds the
  // first one's contribution in x.grad, so a rule that overwrote instead of adding would halve it
  const ids = new IntTensor(Int32Array.of(2, 0, 2), [3]);
  const list: [string, Shape[], (xs: Tensor[]) => Tensor][] = [
    ['neg', [[2, 3]], ([x]) => neg(x)], ['exp', [[2, 3]], ([x]) => exp(x)], ['tanh', [[2, 3]], ([x]) => tanh(x)],
    ['sigmoid', [[2, 3]], ([x]) => sigmoid(x)], ['clone', [[2, 3]], ([x]) => clone(x)],
    ['pow', [[2, 3]], ([x]) => pow(x, 3)], ['add', [[3, 1, 4], [2, 4]], ([a, b]) => add(a, b)],
    ['sub', [[3, 1, 4], [2, 4]], ([a, b]) => sub(a, b)], ['mul', [[3, 1, 4], [2, 4]], ([a, b]) => mul(a, b)],
    ['maximum', [[3, 1, 4], [2, 4]], ([a, b]) => maximum(a, b)],
    ['sum', [[2, 3, 4]], ([x]) => sum(x)], ['sum dim 1', [[2, 3, 4]], ([x]) => sum(x, 1)],
    ['mean dim -1', [[2, 3, 4]], ([x]) => mean(x, -1)], ['softmax', [[2, 3, 4]], ([x]) => softmax(x, 1)],
    ['logSoftmax', [[2, 3, 4]], ([x]) => logSoftmax(x, 0)],
    ['matmul', [[3, 4], [4, 5]], ([a, b]) => matmul(a, b)],
    ['matmul Aᵀ·Bᵀ', [[4, 3], [5, 4]], ([a, b]) => matmul(a, b, { transA: true, transB: true })],
    ['linear', [[2, 3, 4], [5, 4], [5]], ([x, w, b]) => linear(x, w, b)],
    ['reshape', [[2, 3, 4]], ([x]) => reshape(x, [4, -1])], ['permute', [[2, 3, 4]], ([x]) => permute(x, [2, 0, 1])],
    ['concat', [[2, 3, 4], [2, 1, 4]], (xs) => concat(xs, 1)], ['stack', [[2, 4], [2, 4]], (xs) => stack(xs, 1)],
    ['slice', [[2, 5, 3]], ([x]) => slice(x, 1, 1, 4)], ['split', [[2, 5, 3]], ([x]) => split(x, [2, 3], 1)[1]],
    ['gather', [[4, 3]], ([t]) => gather(t, ids)],
  ];
  it.each(list)('%s', (_n, shapes, f) => {
    const xs = shapes.map((s) => randn(s));
    check(() => add(f(xs), f(xs)), xs);
  });
  it('abs, relu and clamp (away from their kinks)', () => {
    const x = randn([3, 4], [0, -0.5, 0.5]);
    check(() => add(add(abs(x), abs(x)), add(add(relu(x), relu(x)), add(clamp(x, -0.5, 0.5), clamp(x, -0.5, 0.5)))), [x]);
  });
  it('log, sqrt and div', () => {
    const x = positive([2, 3]), y = positive([3]);
    check(() => add(add(log(x), log(x)), add(add(sqrt(x), sqrt(x)), add(div(x, y), div(x, y)))), [x, y]);
  });
});

describe('gradcheck: methods and composites', () => {
  it('chained methods: a.matmul(b).add(c).tanh()', () => {
    const a = randn([2, 3]), b = randn([3, 4]), c = randn([4]);
    check(() => a.matmul(b).add(c).tanh(), [a, b, c]);
  });

  it('every method agrees with its function', () => {
    const x = positive([2, 3]), y = positive([2, 3]);
    const pairs: [Tensor, Tensor][] = [
      [x.add(y), add(x, y)], [x.sub(y), sub(x, y)], [x.mul(y), mul(x, y)], [x.div(y), div(x, y)],
      [x.pow(1.5), pow(x, 1.5)], [x.maximum(y), maximum(x, y)], [x.neg(), neg(x)], [x.exp(), exp(x)],
      [x.log(), log(x)], [x.sqrt(), sqrt(x)], [x.abs(), abs(x)], [x.tanh(), tanh(x)], [x.sigmoid(), sigmoid(x)],
      [x.relu(), relu(x)], [x.clamp(0.7, 1.2), clamp(x, 0.7, 1.2)], [x.clone(), clone(x)],
      [x.matmul(y, { transB: true }), matmul(x, y, { transB: true })], [x.sum(1, true), sum(x, 1, true)],
      [x.mean(0), mean(x, 0)], [x.softmax(0), softmax(x, 0)], [x.logSoftmax(), logSoftmax(x)],
      [x.reshape([3, 2]), reshape(x, [3, 2])], [x.permute([1, 0]), permute(x, [1, 0])],
      [x.transpose(0, 1), transpose(x, 0, 1)], [x.t(), transpose(x, 0, 1)], [x.slice(1, 1, 3), slice(x, 1, 1, 3)],
      [x.split(2, 1)[1], split(x, 2, 1)[1]], [x.gather(new IntTensor(Int32Array.of(1, 0), [2])), gather(x, new IntTensor(Int32Array.of(1, 0), [2]))],
    ];
    for (const [m, f] of pairs) {
      expect(m.shape).toEqual(f.shape);
      expect(Array.from(m.data)).toEqual(Array.from(f.data));
    }
  });

  it('three steps of an Elman RNN with shared weights (gradients add up through time)', () => {
    const T = 3, B = 2, D = 3, H = 4;
    const xs = randn([T, B, D]), h0 = randn([B, H]);
    const Wxh = randn([H, D]), Whh = randn([H, H]), bh = randn([H]);
    check(() => {
      let h = h0;
      const outs: Tensor[] = [];
      for (const x of split(xs, 1, 0)) {
        h = tanh(linear(reshape(x, [B, D]), Wxh, bh).add(linear(h, Whh)));
        outs.push(h);
      }
      return [stack(outs), logSoftmax(h)];
    }, [xs, h0, Wxh, Whh, bh]);
  });
});

describe('gradcheck: fusedOp (several outputs, one node)', () => {
  /** y1 = 2x ⊙ w, y2 = x ⊙ x: a hand-written two-output op with its own backward. */
  function twoOut(x: Tensor, w: Tensor, released: { n: number }): [Tensor, Tensor] {
    const n = x.size;
    const y1 = new Tensor(new Float64Array(n), x.shape), y2 = new Tensor(new Float64Array(n), x.shape);
    for (let i = 0; i < n; i++) { y1.data[i] = 2 * x.data[i] * w.data[i]; y2.data[i] = x.data[i] ** 2; }
    fusedOp('twoOut', [x, w], [y1, y2], ([g1, g2]) => {
      const gx = x.grad ?? (x.grad = new Float64Array(n)), gw = w.grad ?? (w.grad = new Float64Array(n));
      for (let i = 0; i < n; i++) {
        if (g1) { gx[i] += 2 * w.data[i] * g1[i]; gw[i] += 2 * x.data[i] * g1[i]; }
        if (g2) gx[i] += 2 * x.data[i] * g2[i];
      }
    }, () => { released.n++; });
    return [y1, y2];
  }

  it('both outputs used', () => {
    const x = randn([2, 3]), w = randn([2, 3]), rel = { n: 0 };
    check(() => twoOut(x, w, rel), [x, w]);
  });

  it('outputs consumed by later ops, one of them twice', () => {
    const x = randn([4]), w = randn([4]), rel = { n: 0 };
    check(() => { const [a, b] = twoOut(x, w, rel); return tanh(a).mul(b).add(b); }, [x, w]);
  });

  it('an unused output gets a null gradient and release runs once after backward', () => {
    const x = new Tensor(Float64Array.of(1, 2), [2], true), w = new Tensor(Float64Array.of(3, 4), [2], true);
    const rel = { n: 0 };
    const [a] = twoOut(x, w, rel);
    a.sum().backward();
    expect(Array.from(x.grad!)).toEqual([6, 8]);
    expect(Array.from(w.grad!)).toEqual([2, 4]);
    expect(rel.n).toBe(1);
  });

  it('release runs at once when nothing needs a gradient', () => {
    const x = new Tensor(Float64Array.of(1, 2), [2]), w = new Tensor(Float64Array.of(3, 4), [2]);
    const rel = { n: 0 };
    const [a, b] = twoOut(x, w, rel);
    expect(rel.n).toBe(1);
    expect(a.requiresGrad || b.requiresGrad).toBe(false);
  });
});
