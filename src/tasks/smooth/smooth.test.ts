import { describe, expect, it } from 'vitest';
import { readCsvColumn } from '../../data/csv.js';
import { vegaDataset } from '../../data/datasets.js';
import { makeProgress } from '../../train/progress.js';
import { exponentialSmoothing, movingAverage, runSmooth } from './index.js';

const quiet = { progress: makeProgress({ quiet: true }), store: null, checkpointEvery: 0, resume: false };

describe('smoothing', () => {
  it('the smoothers, by hand', () => {
    expect(Array.from(movingAverage([1, 2, 6, 3], 3))).toEqual([1.5, 3, 11 / 3, 4.5]); // shrinks at the edges
    expect(Array.from(exponentialSmoothing([4, 8, 0], 0.5))).toEqual([4, 6, 3]);
  });

  it('a short training on Seattle temperatures beats both tuned smoothers on the test tail', async () => {
    const r = await runSmooth(readCsvColumn(vegaDataset('seattle-weather.csv'), 'temp_max'), { steps: 100, window: 32, hidden: 16, seed: 0, device: 'cpu' }, quiet);
    expect(r.model!.mse).toBeLessThan(0.95 * r.moving_average.mse);
    expect(r.model!.mse).toBeLessThan(0.95 * r.exponential.mse);
    expect(r.moving_average.mse).toBeLessThan(r.noisy.mse);
  });

  it('refuses a constant signal, and one constant in its training part', async () => {
    await expect(runSmooth(new Float64Array(400).fill(2), { window: 16, name: 'level' }, quiet)).rejects.toThrow(/the signal 'level' is constant \(every value is 2\): there is nothing to smooth/);
    const step = Float64Array.from({ length: 400 }, (_, i) => (i < 300 ? 2 : i));
    await expect(runSmooth(step, { window: 16, name: 'level' }, quiet)).rejects.toThrow(/'level' is constant in its training part \(all 280 training values are 2/);
  });
});
