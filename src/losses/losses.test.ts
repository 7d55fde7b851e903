import { describe, expect, it } from 'vitest';
import '../autograd/index.js';
import { gradcheck } from '../autograd/gradcheck.js';
import { Rng } from '../tensor/rng.js';
import { randn } from '../tensor/init.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { expectClose, loadJson, regenerate } from '../test-utils/index.js';
import { bceWithLogits, crossEntropy, mseLoss, pinballLoss, type Reduction } from './index.js';

interface Case {
  name: string; kind: 'ce' | 'mse' | 'bce' | 'pinball'; input: number[]; inputShape: number[]; out: number[]; outShape: number[];
  w: number[]; grad: number[]; targets?: number[]; target?: number[]; reduction: Reduction; mask?: number[]; posWeight?: number; quantiles?: number[];
}
const fixture = loadJson('src/losses/fixtures/losses.json') as { cases: Case[] };

function run(c: Case, x: Tensor): Tensor {
  const opts = { reduction: c.reduction, mask: c.mask ?? null };
  const dt = x.dtype;
  const tgt = (v: number[]) => new Tensor(dt === 'float64' ? Float64Array.from(v) : Float32Array.from(v), x.shape);
  if (c.kind === 'ce') {
    const C = c.inputShape[c.inputShape.length - 1];
    return crossEntropy(x.reshape([-1, C]), new IntTensor(Int32Array.from(c.targets!), [c.targets!.length]), opts);
  }
  if (c.kind === 'mse') return mseLoss(x, tgt(c.target!), opts);
  if (c.kind === 'pinball') {
    const y = new Tensor(dt === 'float64' ? Float64Array.from(c.target!) : Float32Array.from(c.target!), x.shape.slice(0, -1));
    return pinballLoss(x, y, c.quantiles!, opts);
  }
  return bceWithLogits(x, tgt(c.target!), { ...opts, posWeight: c.posWeight });
}

describe('losses: PyTorch parity', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const x = new Tensor(Float32Array.from(c.input), c.inputShape, true);
    const out = run(c, x);
    expectClose(out.data, c.out, `${c.name} value`, { atol: 1e-5, rtol: 1e-5 });
    out.mul(new Tensor(Float32Array.from(c.w), out.shape)).sum().backward();
    expectClose(x.grad!, c.grad, `${c.name} grad`, { atol: 1e-6, rtol: 1e-4 });
  });

  it('fixtures regenerate identically from PyTorch', () => {
    expect(regenerate('losses.py', 'losses.json')).toEqual(fixture);
  });
});

describe('losses: float64 finite differences', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const x = new Tensor(Float64Array.from(c.input), c.inputShape);
    gradcheck(() => run(c, x), [x]);
  });
  it('mse gradient reaches the target too', () => {
    const rng = new Rng(2), a = randn([3, 2], { dtype: 'float64', rng }), b = randn([3, 2], { dtype: 'float64', rng });
    gradcheck(() => mseLoss(a, b), [a, b]);
  });
});

describe('losses: bad input', () => {
  it('cross-entropy names expected target shape', () => {
    expect(() => crossEntropy(randn([4, 3]), new IntTensor(new Int32Array(5), [5]))).toThrow('crossEntropy: expected targets of shape [4], got [5]');
  });
  it('cross-entropy refuses targets of the right size but the wrong shape (transposed)', () => {
    expect(() => crossEntropy(randn([2, 3, 5]), new IntTensor(new Int32Array(6), [3, 2]))).toThrow('expected targets of shape [2, 3], got [3, 2]');
    expect(crossEntropy(randn([2, 3, 5]), new IntTensor(new Int32Array(6), [6])).shape).toEqual([]); // flattened is fine
  });
  it('cross-entropy refuses a class out of range', () => {
    expect(() => crossEntropy(randn([2, 3]), new IntTensor(Int32Array.from([0, 3]), [2]))).toThrow('expected targets in [0, 3) or ignoreIndex -100, got 3 at position 1');
  });
  it('mse names expected target shape', () => {
    expect(() => mseLoss(randn([4, 3]), randn([3, 4]))).toThrow('mseLoss: expected target of shape [4, 3], got [3, 4]');
  });
  it('mask length must match', () => {
    expect(() => bceWithLogits(randn([4]), randn([4]), { mask: [1, 0] })).toThrow('expected a mask of 4 values');
  });
  it('unknown reduction', () => {
    expect(() => mseLoss(randn([2]), randn([2]), { reduction: 'avg' as Reduction })).toThrow("expected reduction 'mean', 'sum' or 'none', got 'avg'");
  });
});

describe('losses: a mean over nothing (every target ignored, or an all-zero mask)', () => {
  // as torch: the loss is NaN (0/0) and the gradient is zero, so a step on it moves nothing
  const cases: [string, (x: Tensor) => Tensor][] = [
    ['cross-entropy, all ignored', (x) => crossEntropy(x, new IntTensor(Int32Array.from([-100, -100]), [2]))],
    ['cross-entropy, zero mask', (x) => crossEntropy(x, new IntTensor(Int32Array.from([0, 1]), [2]), { mask: [0, 0] })],
    ['mse, zero mask', (x) => mseLoss(x, randn([2, 3]), { mask: [0, 0, 0, 0, 0, 0] })],
    ['bce, zero mask', (x) => bceWithLogits(x, randn([2, 3]), { mask: [0, 0, 0, 0, 0, 0] })],
    ['pinball, zero mask', (x) => pinballLoss(x, randn([2]), [0.1, 0.5, 0.9], { mask: [0, 0, 0, 0, 0, 0] })],
  ];
  it.each(cases)('%s', (_n, f) => {
    const x = randn([2, 3], { requiresGrad: true });
    const loss = f(x);
    expect(loss.item()).toBeNaN();
    loss.backward();
    expect(Array.from(x.grad!)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
