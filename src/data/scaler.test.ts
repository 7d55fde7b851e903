import { describe, expect, it } from 'vitest';
import { Scaler } from './scaler.js';

// (N, F) = (6, 2): column 0 rises, column 1 jumps in the rows after the training part
const values = Float64Array.from([1, 10, 2, 10, 3, 14, 4, 14, /* after training: */ 100, -50, 200, 80]);

describe('Scaler: fitted on the training rows only', () => {
  it('standard: mean and population std of the training rows; later rows leak nothing', () => {
    const s = Scaler.fit('standard', values, 2, [[0, 4]]);
    expect(s.shift).toEqual([2.5, 12]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.scale[1]).toBeCloseTo(2, 12);
    const changed = Float64Array.from(values); changed.fill(1e6, 8);
    expect(Scaler.fit('standard', changed, 2, [[0, 4]]).toJSON()).toEqual(s.toJSON());
  });

  it('minmax: training rows into [0, 1]; later values may fall outside', () => {
    const s = Scaler.fit('minmax', values, 2, [[0, 4]]);
    expect(s.shift).toEqual([1, 10]);
    expect(s.scale).toEqual([3, 4]);
    expect(s.apply(4, 0)).toBe(1);
    expect(s.apply(200, 0)).toBeCloseTo(199 / 3, 12);
    expect(s.invert(s.apply(-50, 1), 1)).toBeCloseTo(-50, 12);
  });

  it('several training ranges (one per segment) pool their rows; a constant column is only shifted', () => {
    const s = Scaler.fit('standard', values, 2, [[0, 2], [4, 5]]);
    expect(s.shift[0]).toBeCloseTo((1 + 2 + 100) / 3, 12);
    expect(Scaler.fit('minmax', values, 2, [[0, 2]]).scale[1]).toBe(1);
    expect(Array.from(Scaler.fit('standard', values, 2, [[0, 4]]).transform(values.subarray(0, 2)))).toEqual([(1 - 2.5) / Math.sqrt(1.25), -1]);
  });

  it('round-trips through JSON and refuses a malformed one', () => {
    const s = Scaler.fit('minmax', values, 2, [[0, 4]]);
    expect(Scaler.fromJSON(s.toJSON()).toJSON()).toEqual(s.toJSON());
    expect(() => Scaler.fromJSON({ kind: 'minmax', shift: [0], scale: [] })).toThrow(/malformed scaler/);
  });
});
