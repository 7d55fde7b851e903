import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DataError, DeviceError, ShapeError } from '../errors.js';
import { getBackend } from '../kernels/device.js';
import { bceWithLogits } from '../losses/bce.js';
import { mseLoss } from '../losses/mse.js';
import { pinballLoss } from '../losses/pinball.js';
import { MyRNNCell } from '../models/seed-cell.js';
import { SGD } from '../optim/sgd.js';
import { gradcheck } from '../autograd/gradcheck.js';
import { ints, randn, tensor, zeros } from '../tensor/init.js';
import { Rng, manualSeed } from '../tensor/rng.js';
import { ROOT } from '../test-utils/index.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { GRU, LSTM } from './recurrent.js';
import '../autograd/methods.js';

describe('optimizers see what the user sees', () => {
  it('p.grad = null (set_to_none) before backward: the step still uses the new gradient', () => {
    manualSeed(0);
    const a = new Linear(3, 2), b = new Linear(3, 2);
    b.loadStateDict(a.stateDict());
    const x = randn([4, 3]);
    const oa = new SGD(a.parameters(), { lr: 0.5 }), ob = new SGD(b.parameters(), { lr: 0.5 });
    for (const p of a.parameters()) p.grad = null;           // as torch's zero_grad(set_to_none=True)
    ob.zeroGrad();
    a.forward(x).sum().backward(); oa.step();
    b.forward(x).sum().backward(); ob.step();
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    expect(Array.from(a.weight.data)).not.toEqual(Array.from(new Linear(3, 2).weight.data));
    // and the views are bound again: the next zeroGrad reaches the parameter's grad
    oa.zeroGrad();
    expect(Array.from(a.weight.grad!)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('p.data reassigned: the step starts from the new values', () => {
    const lin = new Linear(2, 1, { bias: false });
    const opt = new SGD(lin.parameters(), { lr: 1 });
    lin.weight.data = Float32Array.of(1, 2);
    opt.zeroGrad();
    lin.forward(tensor([[1, 1]])).sum().backward();
    opt.step();
    expect(Array.from(lin.weight.data)).toEqual([0, 1]);
    lin.weight.data = Float32Array.of(1, 2, 3);
    expect(() => opt.step()).toThrow(/expected 2 values, got 3/);
  });

  it('a weight shared by two submodules is one parameter (state dicts keep both names)', () => {
    class Tied extends Module {
      enc: Linear; dec: Linear;
      constructor() { super(); this.enc = this.module('enc', new Linear(4, 4)); this.dec = this.module('dec', new Linear(4, 4)); this.dec.weight = this.enc.weight; }
    }
    const m = new Tied();
    expect(m.parameters()).toHaveLength(3);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['enc.weight', 'enc.bias', 'dec.bias']);
    expect(Object.keys(m.stateDict()).sort()).toEqual(['dec.bias', 'dec.weight', 'enc.bias', 'enc.weight']);
    expect(() => new SGD(m.parameters(), { lr: 0.1 })).not.toThrow();
  });
});

describe('seeds', () => {
  it('manualSeed reaches layers built before it, as torch.manual_seed does', () => {
    manualSeed(1); const d1 = new Dropout(0.5);
    manualSeed(2); const d2 = new Dropout(0.5);
    const x = randn([64]);
    manualSeed(42); const m1 = Array.from(d1.forward(x).data);
    manualSeed(42); const m2 = Array.from(d2.forward(x).data);
    manualSeed(43); const m3 = Array.from(d1.forward(x).data);
    expect(m1).toEqual(m2);
    expect(m1).not.toEqual(m3);
  });
});

describe('Dropout', () => {
  it('zeroes about p of the values and scales the rest by 1/(1−p); eval is the identity', () => {
    const d = new Dropout(0.25, { rng: new Rng(5) }), x = zeros([20000]).add(1);
    const y = d.forward(x).data;
    const zerosShare = Array.from(y).filter((v) => v === 0).length / y.length;
    expect(zerosShare).toBeGreaterThan(0.23); expect(zerosShare).toBeLessThan(0.27);
    expect(Array.from(new Set(y)).sort()).toEqual([0, Math.fround(1 / 0.75)]);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(Array.from(new Dropout(1).forward(x).data).every((v) => v === 0)).toBe(true); // torch: p = 1 zeroes all
    expect(() => new Dropout(1.5)).toThrow('Dropout: expected p in [0, 1], got 1.5');
  });

  it('between LSTM layers: active in training, off in eval, and its gradient passes a float64 check', () => {
    const rng = new Rng(3);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.4, dtype: 'float64', rng, device: 'cpu' });
    const x = randn([5, 2, 3], { dtype: 'float64' });
    const a = lstm.forward(x).output.data, b = lstm.forward(x).output.data;
    expect(Array.from(a)).not.toEqual(Array.from(b)); // a new mask each call
    lstm.eval();
    expect(Array.from(lstm.forward(x).output.data)).toEqual(Array.from(lstm.forward(x).output.data));
    lstm.train();
    const r = gradcheck(() => { rng.seed(9); return lstm.forward(x).output; }, [...lstm.parameters(), x]);
    expect(r.checked).toBeGreaterThan(300);
  });
});

describe('Embedding', () => {
  it('gradients pass a float64 check; the padding row gets none', () => {
    const g = new Embedding(5, 3, { dtype: 'float64' });
    expect(gradcheck(() => g.forward(ints([1, 0, 4, 1], [2, 2])), g.parameters()).checked).toBe(15);
    const e = new Embedding(5, 3, { dtype: 'float64', paddingIdx: 0 });
    e.forward(ints([0, 2], [2])).sum().backward();
    expect(Array.from(e.weight.grad!.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(e.weight.grad!.subarray(6, 9))).toEqual([1, 1, 1]);
  });
  it('a negative paddingIdx counts from the end, as torch', () => {
    const e = new Embedding(5, 3, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(4);
    expect(Array.from(e.weight.data.subarray(12, 15))).toEqual([0, 0, 0]);
    expect(() => new Embedding(5, 3, { paddingIdx: -6 })).toThrow('Embedding: expected paddingIdx in [-5, 5), got -6');
  });
});

describe('public entry points refuse NaN and wrong shapes, saying expected versus got', () => {
  it('Linear input', () => {
    const x = randn([2, 3]); x.data[4] = NaN;
    expect(() => new Linear(3, 2).forward(x)).toThrow(new DataError('Linear input: expected finite values, got NaN at flat index 4'));
  });
  it('loss targets', () => {
    const y = randn([4]); y.data[1] = Infinity;
    expect(() => mseLoss(randn([4]), y)).toThrow(/mseLoss target: expected finite values, got Infinity at flat index 1/);
    expect(() => bceWithLogits(randn([4]), y)).toThrow(/bceWithLogits targets: expected finite values/);
    expect(() => pinballLoss(randn([4, 2]), y, [0.1, 0.9])).toThrow(/pinballLoss target: expected finite values/);
  });
  it("the seed's cell", () => {
    const rnn = new MyRNNCell(16, 8, 4);
    expect(() => rnn.forward(randn([7, 1]))).toThrow(new ShapeError('MyRNNCell: expected x of shape [8, 1] (input_dim, batch as in h), got [7, 1]'));
    const x = randn([8, 1]); x.data[0] = NaN;
    expect(() => rnn.forward(x)).toThrow(/MyRNNCell input: expected finite values, got NaN/);
  });
  it('Embedding given float ids', () => {
    expect(() => new Embedding(4, 2).forward(tensor([1, 2.7]) as never)).toThrow(/Embedding: expected an IntTensor of ids/);
  });
  it('a failed loadStateDict leaves the module as it was', () => {
    const lin = new Linear(3, 2), before = Array.from(lin.weight.data);
    expect(() => lin.loadStateDict({ weight: zeros([2, 3]), bias: zeros([5]) })).toThrow(/'bias' expected shape \[2\], got \[5\]/);
    const nan = zeros([2]); nan.data[1] = NaN;
    expect(() => lin.loadStateDict({ weight: zeros([2, 3]), bias: nan })).toThrow(/'bias' holds NaN at flat index 1/);
    expect(Array.from(lin.weight.data)).toEqual(before);
    // a parsed payload whose values do not fill its shape: refused before anything is copied
    expect(() => lin.loadStateDict({ weight: { shape: [2, 3], data: [9, 9, 9, 9, 9, 9] }, bias: { shape: [2], data: [1, 2, 3] } }))
      .toThrow(/'bias' has shape \[2\] \(2 values\), got 3 values/);
    expect(() => lin.loadStateDict({ weight: { shape: [2, 3], data: [9] }, bias: { shape: [2], data: [1, 2] } })).toThrow(DataError);
    expect(Array.from(lin.weight.data)).toEqual(before);
  });
});

describe('devices', () => {
  it('an unknown device is a DeviceError naming the ones that exist, at construction', () => {
    expect(() => getBackend('bogus' as never)).toThrow(DeviceError);
    expect(() => getBackend('bogus' as never)).toThrow(/device: expected one of auto, .*cpu.*, got 'bogus'/);
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 2, device: 'bogus' as never })).toThrow(DeviceError);
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 2, device: 'gpu' as never, dtype: 'float64' })).toThrow(/got 'gpu'/);
  });
  it('float64 runs on cpu: asking a float32-only backend for it is a DeviceError, not a silent switch', () => {
    expect(() => new GRU({ inputSize: 2, hiddenSize: 2, device: 'wasm', dtype: 'float64' })).toThrow(/'wasm' computes in float32 only/);
    expect(new GRU({ inputSize: 2, hiddenSize: 2, device: 'auto', dtype: 'float64' }).backend.name).toBe('cpu');
  });
  it('forcing a backend that is not available says why; auto falls back', () => {
    const script = `import { getBackend } from './src/kernels/index.ts';
      console.log('auto=' + getBackend('auto').name);
      try { getBackend('native'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RECUR_NATIVE: '0' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/auto=wasm/);
    expect(r.stdout).toMatch(/DeviceError: device 'native' is not available here: disabled by RECUR_NATIVE=0/);
  });
});
