/**
 * The rolling-origin protocol. Per series of n points:
 *   horizon h: monthly 12, quarterly 4 (8 from 160 points on), weekly 13, daily 14 (M4's 18/8/13/14,
 *              shortened for monthly and quarterly series of 70–230 points);
 *   test part: the last max(h + 1, round(0.15 n)) points — src/tasks/forecast/dataset.ts's
 *              splitPoints, so recur's forecaster trains on exactly the part before it;
 *   origins:   every t (last observed index) whose whole horizon t+1..t+h lies in the test part,
 *              thinned evenly (first and last kept) to at most maxOrigins.
 * A method at origin t sees y[0..t] only, and every method gets the same origins.
 */
import { splitPoints } from '../../src/tasks/forecast/dataset.js';
import type { Frequency, SeriesRecord } from './collection.js';

export interface Plan {
  series: SeriesRecord;
  h: number;
  /** First index of the test part. */
  testStart: number;
  origins: number[];
}

export function horizonOf(frequency: Frequency, n: number): number {
  return { monthly: 12, quarterly: n >= 160 ? 8 : 4, weekly: 13, daily: 14 }[frequency];
}

/** `count` indices evenly spread over [a, b], both ends included. */
export function thin(a: number, b: number, count: number): number[] {
  const K = b - a + 1;
  if (K <= count) return Array.from({ length: K }, (_, i) => a + i);
  if (count === 1) return [b];
  return Array.from({ length: count }, (_, i) => a + Math.round((i * (K - 1)) / (count - 1)));
}

export function planOf(series: SeriesRecord, maxOrigins: number): Plan {
  const n = series.values.length, h = horizonOf(series.frequency, n);
  const testStart = splitPoints(n, h, 0.15, 0.15).valEnd;
  // origins t: t + 1 ≥ testStart and t + h ≤ n − 1
  return { series, h, testStart, origins: thin(testStart - 1, n - 1 - h, maxOrigins) };
}
