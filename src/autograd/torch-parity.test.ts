import { describe, expect, it } from 'vitest';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { expectClose, expectSameFixture, loadJson, regenerate } from '../test-utils/index.js';
import {
  abs, add, backward, clamp, clone, concat, div, exp, gather, linear, log, logSoftmax, matmul, maximum, mean, mul,
  neg, permute, pow, relu, reshape, sigmoid, slice, softmax, split, sqrt, stack, sub, sum, tanh, transpose,
} from './index.js';

/**
 * PyTorch reference: tools/fixtures/ops.py. Every case builds the same expression in recur on the
 * same float32 inputs and compares the outputs and the gradients of L = Σ_k sum(out_k ⊙ w_k).
 */
interface Arr { shape: number[]; data: number[] }
interface Case {
  name: string; inputs: Arr[]; ids: Arr | null; outputs: Arr[]; w: number[][]; grads: (number[] | null)[];
}
const FIXTURE = 'src/autograd/fixtures/ops.json';
const fixture = loadJson(FIXTURE) as { torch: string; cases: Case[] };

type Op = (xs: Tensor[], ids: IntTensor | null) => Tensor | Tensor[];
/** recur's side of each fixture case, keyed by the case name in ops.py. */
const OPS: Record<string, Op> = {
  'add (3,1,4) + (2,4)': ([a, b]) => add(a, b),
  'add x + 2.5': ([x]) => add(x, 2.5),
  'sub (2,4) - (3,1,4)': ([a, b]) => sub(a, b),
  'sub 2 - x': ([x]) => sub(2, x),
  'mul 0-d * (2,3)': ([a, b]) => mul(a, b),
  'mul x * x': ([x]) => mul(x, x),
  'mul (3,1) * (1,4)': ([a, b]) => mul(a, b),
  'div (3,4) / (4,)': ([a, b]) => div(a, b),
  'div 1.5 / x': ([x]) => div(1.5, x),
  'pow x^3': ([x]) => pow(x, 3),
  'pow x^-1.5': ([x]) => pow(x, -1.5),
  'pow x^0 with a zero': ([x]) => pow(x, 0),
  'maximum (3,4) with (4,)': ([a, b]) => maximum(a, b),
  'maximum with ties': ([a, b]) => maximum(a, b),
  'maximum x with 0.1': ([x]) => maximum(x, 0.1),
  neg: ([x]) => neg(x),
  exp: ([x]) => exp(x),
  log: ([x]) => log(x),
  sqrt: ([x]) => sqrt(x),
  abs: ([x]) => abs(x),
  tanh: ([x]) => tanh(x),
  sigmoid: ([x]) => sigmoid(x),
  relu: ([x]) => relu(x),
  'clamp(-0.5, 0.5)': ([x]) => clamp(x, -0.5, 0.5),
  clone: ([x]) => clone(x),
  'relu at 0': ([x]) => relu(x),
  'abs at 0': ([x]) => abs(x),
  'clamp at its bounds': ([x]) => clamp(x, -0.5, 0.5),
  'matmul A·B': ([a, b]) => matmul(a, b),
  'matmul Aᵀ·B': ([a, b]) => matmul(a, b, { transA: true }),
  'matmul A·Bᵀ': ([a, b]) => matmul(a, b, { transB: true }),
  'matmul Aᵀ·Bᵀ': ([a, b]) => matmul(a, b, { transA: true, transB: true }),
  'matmul 3-D A': ([a, b]) => matmul(a, b),
  'matmul 3-D A·Bᵀ': ([a, b]) => matmul(a, b, { transB: true }),
  'linear with bias': ([x, w, b]) => linear(x, w, b),
  'linear without bias': ([x, w]) => linear(x, w),
  'linear 1-D input': ([x, w, b]) => linear(x, w, b),
  'linear 3-D input': ([x, w, b]) => linear(x, w, b),
  'sum all': ([x]) => sum(x),
  'sum dim 1': ([x]) => sum(x, 1),
  'sum dim -1 keepdim': ([x]) => sum(x, -1, true),
  'mean all': ([x]) => mean(x),
  'mean dim 0 keepdim': ([x]) => mean(x, 0, true),
  'mean dim -2': ([x]) => mean(x, -2),
  'softmax dim 1': ([x]) => softmax(x, 1),
  'softmax dim -1': ([x]) => softmax(x, -1),
  'logSoftmax dim 0': ([x]) => logSoftmax(x, 0),
  'logSoftmax dim -1': ([x]) => logSoftmax(x, -1),
  'reshape [4, -1]': ([x]) => reshape(x, [4, -1]),
  'permute [2, 0, 1]': ([x]) => permute(x, [2, 0, 1]),
  'transpose (0, 2)': ([x]) => transpose(x, 0, 2),
  't()': ([x]) => x.t(),
  'concat dim 1': (xs) => concat(xs, 1),
  'stack dim 1': (xs) => stack(xs, 1),
  'slice dim 1 1:4': ([x]) => slice(x, 1, 1, 4),
  'split dim 1 [1, 3, 1]': ([x]) => split(x, [1, 3, 1], 1),
  'split dim 1 size 2': ([x]) => split(x, 2, 1),
  'gather repeated ids': ([t], ids) => gather(t, ids!),
  'rnn step then logSoftmax': ([x, h0, wih, whh, bih, bhh]) =>
    logSoftmax(tanh(linear(x, wih, bih).add(linear(h0, whh, bhh))), -1),
};

/** float32 against the float64 reference, and float64 to the fixture's 12 stored digits. */
const TOL = {
  float32: { values: { atol: 1e-5, rtol: 1e-5 }, grads: { atol: 1e-6, rtol: 1e-4 } },
  float64: { values: { atol: 1e-11, rtol: 1e-10 }, grads: { atol: 1e-11, rtol: 1e-10 } },
} as const;

describe.each(['float32', 'float64'] as const)(`PyTorch ${fixture.torch} parity of every autograd op (%s)`, (dtype) => {
  it('the fixture and the op table name the same cases', () => {
    expect(fixture.cases.map((c) => c.name).sort()).toEqual(Object.keys(OPS).sort());
  });

  // the inputs are float32 values written with 9 digits: read back through float32 for either dtype
  const arr = (a: number[]): Float32Array | Float64Array => (dtype === 'float64' ? Float64Array.from(a, Math.fround) : Float32Array.from(a));
  const { values, grads } = TOL[dtype];
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const xs = c.inputs.map((a) => new Tensor(arr(a.data), a.shape, true));
    const ids = c.ids ? new IntTensor(Int32Array.from(c.ids.data), c.ids.shape) : null;
    const y = OPS[name](xs, ids);
    const ys = Array.isArray(y) ? y : [y];
    expect(ys.length, `${name}: number of outputs`).toBe(c.outputs.length);
    ys.forEach((t, k) => {
      expect(t.shape, `${name}: output ${k} shape`).toEqual(c.outputs[k].shape);
      expect(t.dtype).toBe(dtype);
      expectClose(t.data, c.outputs[k].data, `${name}: output ${k}`, values);
    });
    // L = Σ_k sum(y_k ⊙ w_k), exactly as the fixture defines it
    const loss = ys.map((t, k) => t.mul(new Tensor(arr(c.w[k]), t.shape)).sum()).reduce((a, b) => a.add(b));
    backward(loss);
    xs.forEach((x, i) => {
      const g = c.grads[i];
      if (g === null) expect(x.grad, `${name}: d input ${i} should be absent`).toBeNull();
      else expectClose(x.grad ?? new Float32Array(x.size), g, `${name}: d input ${i}`, grads);
    });
  });
});

describe('op fixtures', () => {
  it('regenerate identically from PyTorch (they cannot drift from the reference)', () => {
    const live = regenerate('ops.py', 'ops.json') as typeof fixture;
    expect(live.torch).toBe(fixture.torch);
    expect(live.cases.length).toBe(fixture.cases.length);
    live.cases.forEach((c, i) => expectSameFixture(c, fixture.cases[i], c.name));
  });
});
