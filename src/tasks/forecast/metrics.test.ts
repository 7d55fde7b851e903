import { describe, expect, it } from 'vitest';
import { baselines, guessSeason, maseScale, metrics } from './metrics.js';

describe('metrics against hand-computed values', () => {
  it('MAE, RMSE, sMAPE and MASE', () => {
    // errors 1, −2, 0, 3: MAE 6/4, RMSE √(14/4); sMAPE terms 2·1/(10+9), 2·2/(10+12), 0 (both 0), 2·3/(4+1)
    const m = metrics([10, 10, 0, 4], [9, 12, 0, 1], 2);
    expect(m.mae).toBeCloseTo(1.5, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(3.5), 12);
    expect(m.smape).toBeCloseTo((100 * (2 / 19 + 4 / 22 + 0 + 6 / 5)) / 4, 10);
    expect(m.mase).toBeCloseTo(0.75, 12);
  });

  it('MASE scale: in-sample MAE of the seasonal naive forecast on the training part only', () => {
    const y = [1, 2, 4, 7, 11, 100, 1000];
    expect(maseScale(y, 5, 1)).toBeCloseTo((1 + 2 + 3 + 4) / 4, 12); // persistence errors inside [0, 5)
    expect(maseScale(y, 5, 2)).toBeCloseTo((3 + 5 + 7) / 3, 12);      // y_t − y_{t−2}
    expect(maseScale([3, 3, 3, 3], 4, 1)).toBe(1);                    // nothing to divide by: unscaled
  });

  it('baselines: persistence, seasonal naive one season back (whole seasons for long horizons), moving average', () => {
    const y = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(baselines.naive(y, 5)).toBe(6);
    expect(baselines.seasonalNaive(y, 5, 1, 4)).toBe(3);  // y[5 + 1 − 4]
    expect(baselines.seasonalNaive(y, 5, 4, 4)).toBe(6);  // y[5 + 4 − 4]
    expect(baselines.seasonalNaive(y, 5, 5, 4)).toBe(3);  // y[5 + 5 − 8]
    expect(baselines.seasonalNaive(y, 5, 2, 1)).toBe(6);  // no season: persistence
    expect(baselines.movingAverage(y, 5, 3)).toBe(5);     // (4 + 5 + 6) / 3
    expect(baselines.movingAverage(y, 1, 4)).toBe(1.5);   // shorter at the start
  });
});

describe('guessSeason', () => {
  const wave = (n: number, m: number, trend = 0, noise = 0) => Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / m) + trend * i + noise * Math.sin(i * i));
  it('finds the usual period of the frequency, even under a trend', () => {
    expect(guessSeason(wave(240, 12, 0.05), 240, 'monthly')).toBe(12);
    expect(guessSeason(wave(400, 7), 400, 'daily')).toBe(7);
    expect(guessSeason(wave(24 * 30, 24), 24 * 30, 'hourly')).toBe(24);
  });
  it('without dates, from the peaks of the autocorrelation', () => {
    expect(guessSeason(wave(300, 10), 300, null)).toBe(10);
  });
  it('1 when there is no season: noise, a straight line, or a period the frequency does not use', () => {
    expect(guessSeason(Array.from({ length: 300 }, (_, i) => Math.sin(i * i)), 300, null)).toBe(1);
    expect(guessSeason(Array.from({ length: 300 }, (_, i) => i), 300, 'daily')).toBe(1);
    expect(guessSeason(wave(240, 10), 240, 'monthly')).toBe(1);
  });
  it('looks only at the first `end` values', () => {
    const y = [...Array.from({ length: 200 }, (_, i) => Math.sin(i * i)), ...wave(400, 12)];
    expect(guessSeason(y, 200, 'monthly')).toBe(1);
    expect(guessSeason(y, 600, 'monthly')).toBe(12);
  });
});
