import { describe, expect, it } from 'vitest';
import { buildSeries } from '../../data/series.js';
import { parseTable } from '../../data/table.js';
import { evaluate, formatTable } from './evaluate.js';
import { maseScale, metrics } from './metrics.js';

// two targets in different units (b = 1000·a + noise), 40 rows; row 35 of 'a' is missing (interpolated)
const rows = Array.from({ length: 40 }, (_, i) => {
  const a = Math.sin(i / 3) + i / 10;
  return `${i === 35 ? 'NA' : a.toFixed(4)},${(1000 * a + 50 * Math.cos(i)).toFixed(2)}`;
});
const s = buildSeries(parseTable(`a,b\n${rows.join('\n')}`, 'ab.csv'), { targets: ['a', 'b'] });
const col = (j: number) => Float64Array.from({ length: s.N }, (_, i) => s.values[i * 2 + j]);
const origins = Array.from({ length: 8 }, (_, k) => 30 + k); // t + h ≤ 39
// a model that is off by 0.1 in a and by 30 in b, with an interval ±0.15 / ±20
const predict = (t: number) => {
  const point = new Float64Array(4), lo = new Float64Array(4), hi = new Float64Array(4);
  for (let h = 1; h <= 2; h++) {
    point[(h - 1) * 2] = s.values[(t + h) * 2] + 0.1; point[(h - 1) * 2 + 1] = s.values[(t + h) * 2 + 1] + 30;
    lo[(h - 1) * 2] = point[(h - 1) * 2] - 0.15; hi[(h - 1) * 2] = point[(h - 1) * 2] + 0.15;
    lo[(h - 1) * 2 + 1] = point[(h - 1) * 2 + 1] - (h === 1 ? 40 : 20); hi[(h - 1) * 2 + 1] = point[(h - 1) * 2 + 1] + 20;
  }
  return { point, lo, hi };
};

describe('evaluate', () => {
  const ev = evaluate(s, origins, 2, 1, 3, 28, predict);

  it('leaves filled-in test values out of every score and counts them', () => {
    expect(s.filled![35 * 2]).toBe(1);
    expect(ev.filled_excluded).toBe(2); // row 35 is the step-1 target of origin 34 and the step-2 target of origin 33
    expect(ev.per_target!.a.model.mae).toBeCloseTo(0.1, 9);
  });

  it('several targets: each in its own units, and the pooled scores in units of each MASE scale', () => {
    expect(ev.units).toBe('scaled');
    expect(ev.per_target!.b.model.mae).toBeCloseTo(30, 6);
    const sa = maseScale(col(0), 28, 1), sb = maseScale(col(1), 28, 1);
    expect(ev.model.mae).toBeCloseTo((0.1 / sa + 30 / sb) / 2, 9);
    expect(ev.model.mae).toBeCloseTo(ev.model.mase, 12);
    expect(formatTable(ev)).toMatch(/all targets: MAE and RMSE in units of each target's MASE scale[\s\S]*b, its units, all steps/);
  });

  it('interval coverage overall and per step, over the observed values', () => {
    // 'a' always inside (0.1 < 0.15); 'b' inside at step 1 only (30 < 40, but 30 > 20): 7 + 8 of 15, then 7 + 0 of 15
    expect(ev.per_step[0].interval_coverage).toBe(1);
    expect(ev.per_step[1].interval_coverage).toBeCloseTo(7 / 15, 12);
    expect(ev.interval_coverage).toBeCloseTo(22 / 30, 12);
  });

  it('one target: its own units', () => {
    const one = buildSeries(parseTable(`a\n${rows.map((r) => r.split(',')[0]).join('\n')}`, 'a.csv'), { targets: ['a'] });
    const e = evaluate(one, origins, 1, 1, 3, 28, (t) => ({ point: Float64Array.of(one.values[t + 1] + 0.1) }));
    expect(e.units).toBe('series');
    expect(e.model.mae).toBeCloseTo(0.1, 9);
    expect(e.per_target).toBeUndefined();
    expect(e.filled_excluded).toBe(1);
    // persistence over the origins whose target was observed (not 34: its target, row 35, was filled in)
    const a = col(0), kept = origins.filter((t) => t !== 34);
    expect(e.baselines.naive).toEqual(metrics(kept.map((t) => a[t + 1]), kept.map((t) => a[t]), maseScale(a, 28, 1)));
  });
});
