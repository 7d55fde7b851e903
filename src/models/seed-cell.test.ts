import { describe, expect, it } from 'vitest';
import '../autograd/index.js';
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
