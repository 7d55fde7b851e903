import { describe, expect, it } from 'vitest';
import { splitOrigins } from './dataset.js';

describe('splitOrigins', () => {
  it('keeps every target of a window inside its own part, in time order', () => {
    const N = 200, L = 10, H = 5;
    const s = splitOrigins(N, L, H, 0.15, 0.15);
    expect(s.valEnd).toBe(N - 30);
    expect(s.trainEnd).toBe(N - 60);
    expect(s.train[0]).toBe(L - 1);
    for (const t of s.train) expect(t + H).toBeLessThan(s.trainEnd);
    for (const t of s.val) { expect(t + 1).toBeGreaterThanOrEqual(s.trainEnd); expect(t + H).toBeLessThan(s.valEnd); }
    for (const t of s.test) { expect(t + 1).toBeGreaterThanOrEqual(s.valEnd); expect(t + H).toBeLessThan(N); }
    expect(Math.max(...s.train)).toBeLessThan(Math.min(...s.val));
    expect(Math.max(...s.val)).toBeLessThan(Math.min(...s.test));
  });

  it('a recursive forecaster trains on one-step windows but is scored on the whole horizon', () => {
    const N = 200, L = 10, H = 12;
    const s = splitOrigins(N, L, H, 0.15, 0.15, [{ start: 0, end: N }], 1);
    expect(Math.max(...s.train)).toBe(s.trainEnd - 2); // last training target is trainEnd - 1
    expect(Math.max(...s.val)).toBe(s.valEnd - H - 1);
    expect(Math.max(...s.test)).toBe(N - H - 1);
  });

  it('splits each segment on its own', () => {
    const s = splitOrigins(200, 5, 1, 0.2, 0.2, [{ start: 0, end: 100 }, { start: 100, end: 200 }]);
    expect(s.trainRanges).toEqual([[0, 60], [100, 160]]);
    expect(s.train.some((t) => t >= 60 && t < 104)).toBe(false); // no window straddles a segment boundary
    expect(s.test.filter((t) => t < 100).every((t) => t + 1 < 100)).toBe(true);
  });

  it('a series too short says what it needs', () => {
    expect(() => splitOrigins(12, 10, 5, 0.15, 0.15)).toThrow(/lookback 10 \+ horizon 5 needs at least 15/);
  });
});
