import { describe, expect, it } from 'vitest';
import { type Series, buildSeries } from '../../data/series.js';
import { parseTable } from '../../data/table.js';
import { Rng } from '../../tensor/rng.js';
import { FeatureSpec } from './features.js';
import { Forecaster } from './model.js';
import { Predictor } from './predict.js';

/** Daily rows from 2012-01-01 with a weekly wave, from row `from` on. */
const daily = (n: number, from = 0, dated = true): Series => {
  const rows = Array.from({ length: n }, (_, k) => {
    const i = from + k, d = new Date(Date.UTC(2012, 0, 1 + i)).toISOString().slice(0, 10);
    return `${dated ? `${d},` : ''}${(10 + 3 * Math.sin((2 * Math.PI * i) / 7) + 0.01 * i).toFixed(4)}`;
  });
  return buildSeries(parseTable(`${dated ? 'date,' : ''}y\n${rows.join('\n')}`, 'd.csv'), { targets: ['y'], date: dated ? 'date' : null });
};

const predictorOf = (spec: FeatureSpec, mode: 'direct' | 'recursive', H: number) => {
  const model = new Forecaster({ cell: 'gru', inputSize: spec.inputSize, hidden: 6, layers: 1, dropout: 0, horizon: spec.horizon, targets: 1, quantiles: [] }, new Rng(3), 'cpu');
  return new Predictor(model, spec, mode, H, 1, 1, []);
};

describe('the seasonal phase comes from the dates, anchored at the first training row', () => {
  const full = daily(120), last = daily(30, 90); // 90 rows cut off: not a whole number of weeks
  const spec = FeatureSpec.fit(full, 'level', 14, 1, 7, [[0, 80]]);

  it('the same last window gives the same forecast, however many rows precede it', () => {
    expect(spec.anchor).toEqual({ date: Date.UTC(2012, 0, 1), frequency: full.frequency });
    for (const [mode, H] of [['direct', 1], ['recursive', 5]] as const) {
      const p = predictorOf(spec, mode, H);
      const a = p.predict(full.values, full.N - 1, full.dates).point, b = p.predict(last.values, last.N - 1, last.dates).point;
      expect(Array.from(b), mode).toEqual(Array.from(a));
    }
  });

  it('the phase inputs of a row are those of its date', () => {
    const x = new Float32Array(14 * spec.inputSize), y = new Float32Array(14 * spec.inputSize);
    spec.window(full.values, full.N - 1, x, 0, full.dates);
    spec.window(last.values, last.N - 1, y, 0, last.dates);
    expect(Array.from(y)).toEqual(Array.from(x));
    expect(spec.seasonStep(2, [Date.UTC(2012, 0, 8)])).toBe(9); // a week after the anchor, then one step per row past the dates
  });

  it('is saved with the model; models without an anchor (undated, or older files) use the row index', () => {
    expect(FeatureSpec.fromJSON(JSON.parse(JSON.stringify(spec.toJSON()))).anchor).toEqual(spec.anchor);
    const { anchor: _a, ...old } = spec.toJSON();
    expect(FeatureSpec.fromJSON(old).seasonStep(40, full.dates)).toBe(40);
    expect(FeatureSpec.fit(daily(120, 0, false), 'level', 14, 1, 7, [[0, 80]]).anchor).toBeNull();
    expect(FeatureSpec.fit(full, 'level', 14, 1, 1, [[0, 80]]).anchor).toBeNull(); // no season, no phase
    expect(() => FeatureSpec.fromJSON({ ...old, anchor: { date: 0, frequency: { label: 'irregular', ms: 0, calendarMonths: 0 } } })).toThrow(/malformed seasonal anchor/);
  });
});

describe('FeatureSpec.fit: scalers from the training part only', () => {
  it('values after the training part change nothing fitted', () => {
    const s = daily(120), changed = { ...s, values: Float64Array.from(s.values, (v, i) => (i >= 80 ? v * 100 - 7 : v)) };
    for (const mode of ['level', 'relative'] as const) {
      for (const kind of ['standard', 'minmax'] as const) {
        expect(FeatureSpec.fit(changed, mode, 14, 1, 7, [[0, 80]], kind).toJSON()).toEqual(FeatureSpec.fit(s, mode, 14, 1, 7, [[0, 80]], kind).toJSON());
      }
    }
    const mm = FeatureSpec.fit(s, 'level', 14, 1, 7, [[0, 80]], 'minmax');
    const train = Array.from(s.values.subarray(0, 80));
    expect(mm.scaler.kind).toBe('minmax');
    expect(mm.scaler.shift[0]).toBe(Math.min(...train));
    expect(mm.scaler.scale[0]).toBeCloseTo(Math.max(...train) - Math.min(...train), 12);
  });
});
