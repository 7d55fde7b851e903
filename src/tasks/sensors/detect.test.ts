import { describe, expect, it } from 'vitest';
import { type Errors, detect, score01, scores } from './detect.js';

const rows = (t0: number, e: number[][]): Errors[] => e.map((v, k) => ({ t: t0 + k, e: v }));

describe('anomaly scores', () => {
  it('z is the RMS over sensors of errors in units of σ; window 1 leaves it alone', () => {
    expect(scores(rows(0, [[3, 4], [0, 0]]), [1, 2], 1)).toEqual([Math.sqrt((9 + 4) / 2), 0]);
  });
  it('the trailing median needs most of the window off, and restarts where readings do not follow each other', () => {
    const e = [[0], [9], [0], [9], [9], [0]], z = scores(rows(10, e), [1], 3);
    expect(z).toEqual([0, 4.5, 0, 9, 9, 9]); // a lone spike at 11 is damped; the run 13–14 is not
    const broken = [...rows(10, [[0], [0]]), ...rows(20, [[9], [9]])];
    expect(scores(broken, [1], 3)).toEqual([0, 0, 9, 9]); // 20 starts a new run: no zeros from 10–11
  });
});

describe('detect', () => {
  it('fits σ and the threshold on validation only, then scores flags against the labels', () => {
    const val = rows(0, Array.from({ length: 100 }, (_, k) => [k % 10 === 0 ? 2 : 1]));
    const test = rows(100, [[1], [5], [5], [5], [1], [1]]), labels = new Int8Array(106);
    labels[101] = labels[102] = labels[103] = labels[104] = 1;
    const d = detect(val, test, labels, { quantile: 0.99, window: 1 });
    expect(d.threshold).toBeCloseTo(2 / Math.sqrt((10 * 4 + 90) / 100), 12);
    expect(d).toMatchObject({ flagged: 3, precision: 1, recall: 0.75, events: { total: 1, detected: 1 } });
  });
});

describe('score01', () => {
  it('point-wise precision and recall; an event is caught by any of its readings', () => {
    const d = score01([true, false, false, true, true], [true, true, false, false, true], [0, 1, 2, 3, 4], 1);
    expect(d).toMatchObject({ flagged: 3, precision: 2 / 3, recall: 2 / 3, events: { total: 2, detected: 2 } });
  });
});
