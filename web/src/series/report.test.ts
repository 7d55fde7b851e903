import { describe, expect, it } from 'vitest';
import type { EtsFit, Evaluation, Metrics } from '../../../src/web.js';
import { scoreRows, verdictOf } from './report.js';

const m = (mae: number): Metrics => ({ mae, rmse: mae * 1.2, smape: mae, mase: mae / 2 });
const ev = (model: number, baselines: Partial<Record<keyof Evaluation['baselines'], number>>): Evaluation => ({
  horizon: 1, season: 12, test_points: 10, units: 'series', model: m(model), per_step: [], filled_excluded: 0,
  baselines: Object.fromEntries(Object.entries(baselines).map(([k, v]) => [k, m(v)])) as Evaluation['baselines'],
});
const ALL = { naive: 1.2, seasonal_naive: 2.4, moving_average: 2.2, ets: 0.33, theta: 0.35, naive2: 0.37 };
const ets = { name: 'ETS(M,Ad,M)' } as EtsFit;

describe('the Series tab verdict', () => {
  it('names the best of all baselines, ETS by its form', () => {
    expect(verdictOf(ev(0.57, ALL), 'hybrid', ets.name))
      .toBe('The hybrid did not beat the best baseline, ETS(M,Ad,M) (MAE 72.7% worse): use ETS(M,Ad,M), or more data.');
    expect(verdictOf(ev(0.3, ALL), 'network', ets.name))
      .toMatch(/^The network's error \(MAE\) is 9\.1% below the best baseline, ETS\(M,Ad,M\);/);
  });

  it('names Theta, naive2 or a naive baseline when it is the best', () => {
    expect(verdictOf(ev(1, { ...ALL, ets: 0.5, theta: 0.3 }), 'hybrid', ets.name)).toContain('best baseline, Theta (MAE');
    expect(verdictOf(ev(1, { ...ALL, naive2: 0.1 }), 'hybrid', ets.name)).toContain('naive2 (M4)');
    const naiveOnly = ev(1, { naive: 3, seasonal_naive: 2, moving_average: 4 });
    expect(verdictOf(naiveOnly, 'network', null)).toContain('seasonal naive (m=12)');
  });
});

describe('the scores table', () => {
  const model = { name: 'hybrid', detail: 'ES-RNN ×2', values: [] };

  it('lists the model and every baseline, ETS by its form', () => {
    const rows = scoreRows({ model, ets, season: 12, window: 12, ev: ev(0.57, ALL) });
    expect(rows.map((r) => r.name))
      .toEqual(['hybrid', 'persistence', 'seasonal naive', 'moving average', 'ETS(M,Ad,M)', 'Theta', 'naive2']);
    expect(rows[4]).toMatchObject({ detail: 'chosen by AICc', mae: 0.33 });
  });

  it('keeps its seven rows when the statistical baselines are missing', () => {
    const naiveOnly = ev(1, { naive: 3, seasonal_naive: 2, moving_average: 4 });
    const rows = scoreRows({ model, ets: null, season: 7, window: 7, ev: naiveOnly });
    expect(rows).toHaveLength(7);
    expect(rows[4]).toMatchObject({ name: 'ETS', detail: 'left out' });
    expect(rows.slice(4).every((r) => Number.isNaN(r.mae))).toBe(true);
    expect(rows[5].detail).toBe('one target only');
  });
});
