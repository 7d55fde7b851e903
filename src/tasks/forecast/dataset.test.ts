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

  it('--stride takes every k-th training window; validation and test keep every origin', () => {
    const all = splitOrigins(200, 10, 1, 0.15, 0.15), s = splitOrigins(200, 10, 1, 0.15, 0.15, undefined, 1, { stride: 4 });
    expect(s.train).toEqual(all.train.filter((_, k) => k % 4 === 0));
    expect(s.train[0]).toBe(9);
    expect(s.val).toEqual(all.val); expect(s.test).toEqual(all.test);
    expect(() => splitOrigins(200, 10, 1, 0.15, 0.15, undefined, 1, { stride: 0 })).toThrow(/stride: expected a positive integer, got 0/);
  });

  it('no window spans a break (rows dropped between), in any part', () => {
    const L = 5, H = 2, breaks = [50, 150, 190];
    const s = splitOrigins(200, L, H, 0.15, 0.15, undefined, H, { breaks });
    for (const t of [...s.train, ...s.val, ...s.test]) for (const b of breaks) expect(b > t - L + 1 && b <= t + H, `origin ${t}, break ${b}`).toBe(false);
    expect(s.train).toContain(50 + L - 1); // the first window after a break starts on it
    expect(s.train).toContain(50 - H - 1); // the last one before it ends just before it
    expect(s.train.length).toBe(splitOrigins(200, L, H, 0.15, 0.15).train.length - (L + H - 1));
  });

  it('a series too short says what it needs', () => {
    expect(() => splitOrigins(12, 10, 5, 0.15, 0.15)).toThrow(/lookback 10 \+ horizon 5 needs at least 15/);
  });
});
