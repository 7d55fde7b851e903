import { describe, expect, it } from 'vitest';
import '../autograd/index.js';
import { noGrad } from '../autograd/engine.js';
import '../kernels/index.js';
import { listDevices } from '../kernels/device.js';
import { Rng } from '../tensor/rng.js';
import { expectClose } from '../test-utils/index.js';
import { readCsvColumn } from '../data/csv.js';
import { vegaDataset } from '../data/datasets.js';
import { gradcheck } from '../autograd/gradcheck.js';
import { randn } from '../tensor/init.js';
import { Tensor } from '../tensor/tensor.js';
import { MyRNNCell, trainSeedCell } from './seed-cell.js';

describe('the seed cell', () => {
  it('has the seed\'s names, shapes and outputs', () => {
    const rnn = new MyRNNCell(16, 8, 4);
    const [y, h] = rnn.forward(randn([8, 1]));
    expect(y.shape).toEqual([4, 1]);
    expect(h.shape).toEqual([16, 1]);
    expect(Object.keys(rnn.stateDict())).toEqual(['W_xh', 'W_hh', 'W_hy', 'h']);
    expect(rnn.stateDict().h).toBe(rnn.h); // the buffer follows reassignment
    const w = rnn.W_hh.data;
    let s = 0;
    for (const v of w) s += v * v;
    expect(Math.sqrt(s / w.length)).toBeGreaterThan(0.005); // randn·0.01
    expect(Math.sqrt(s / w.length)).toBeLessThan(0.02);
  });

  it('carries memory: the same input gives a different output once h has changed', () => {
    const rnn = new MyRNNCell(4, 2, 2);
    for (const p of rnn.parameters()) p.data.forEach((_, i) => { p.data[i] *= 100; });
    const x = randn([2, 1]);
    const a = Float32Array.from(rnn.forward(x)[0].data), b = Float32Array.from(rnn.forward(x)[0].data);
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('gradients through time are right (float64, finite differences)', () => {
    const rnn = new MyRNNCell(3, 2, 2);
    for (const p of rnn.parameters()) { p.data = Float64Array.from(p.data, (v) => v * 50); }
    const xs = [randn([2, 1], { dtype: 'float64' }), randn([2, 1], { dtype: 'float64' }), randn([2, 1], { dtype: 'float64' })];
    gradcheck(() => {
      rnn.h = new Tensor(new Float64Array(3), [3, 1]);
      return xs.map((x) => rnn.forward(x)[0]);
    }, rnn.parameters());
  });

  it('learns a real series (Seattle daily max temperature): beats its untrained self and persistence', () => {
    const temps = readCsvColumn(vegaDataset('seattle-weather.csv'), 'temp_max');
    const r = trainSeedCell(temps, { epochs: 6, seed: 1 });
    expect(r.testMseBefore).toBeGreaterThan(0.8); // predicting ≈ 0 in standardised units
    expect(r.testMseAfter).toBeLessThan(0.5 * r.testMseBefore);
    expect(r.testMseAfter).toBeLessThan(r.testMsePersistence);
    expect(r.epochLosses[r.epochLosses.length - 1]).toBeLessThan(r.epochLosses[0]);
  });
});

describe('the seed cell\'s stepper (the inference fast path)', () => {
  const devices = listDevices().filter((d) => d.available).map((d) => d.name);

  it.each(devices)('on %s: step after step equals forward, from the cell\'s current memory, leaving the cell alone', (device) => {
    const rng = new Rng(3), rnn = new MyRNNCell(16, 8, 4, rng);
    for (const p of rnn.parameters()) p.data.forEach((_, i) => { p.data[i] *= 40; }); // out of tanh's linear part
    const xs = Array.from({ length: 12 }, () => Float32Array.from({ length: 8 }, () => rng.normal()));
    noGrad(() => rnn.forward(randn([8, 1], { rng }))); // some memory to start from
    const st = rnn.stepper(device), hCell = rnn.h;
    expect(rnn.h).toBe(hCell);
    const y0 = st.y;
    for (const [t, x] of xs.entries()) {
      const y = st.step(x);
      const [yRef, hRef] = noGrad(() => rnn.forward(new Tensor(x.slice(), [8, 1])));
      expectClose(y, yRef.data, `y at step ${t}`, { atol: 1e-5, rtol: 1e-5 });
      expectClose(st.h, hRef.data, `h at step ${t}`, { atol: 1e-6 });
      expect(y).toBe(y0); // the same array every step: nothing allocated
    }
    // a one-hot input given as its index
    const a = rnn.stepper(device), b = rnn.stepper(device), onehot = new Float32Array(8);
    onehot[5] = 1;
    expectClose(a.step(5), b.step(onehot), 'token 5 = one-hot 5', { atol: 1e-6 });
    expect(() => a.step(new Float32Array(7))).toThrow('MyRNNCell stepper: expected an input of size 8, got 7');
    st.reset();
    expect(Array.from(st.h)).toEqual(new Array(16).fill(0));
    for (const s of [st, a, b]) s.dispose();
  });

  it('runs a float64 cell in float64 (on the reference kernels)', () => {
    const rnn = new MyRNNCell(3, 2, 2);
    for (const p of rnn.parameters()) p.data = Float64Array.from(p.data, (v) => v * 50);
    rnn.h = new Tensor(new Float64Array(3), [3, 1]);
    const st = rnn.stepper();
    const x = randn([2, 1], { dtype: 'float64' });
    const y = st.step(x.data), [yRef] = noGrad(() => rnn.forward(x));
    expect(y).toBeInstanceOf(Float64Array);
    expectClose(y, yRef.data, 'y', { atol: 1e-12 });
  });

  it('refuses a batch of states (it steps one sequence)', () => {
    const rnn = new MyRNNCell(4, 2, 2);
    rnn.h = new Tensor(new Float32Array(8), [4, 2]);
    expect(() => rnn.stepper()).toThrow('expected h of shape [4, 1], got [4, 2]');
  });
});
