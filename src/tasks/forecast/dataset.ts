import { DataError } from '../../errors.js';
import type { Series } from '../../data/series.js';
import type { FeatureSpec } from './features.js';

/**
 * Forecast origins (the last observed index of each window) split chronologically: a window
 * belongs to the part that holds its last target, so no training target comes from the
 * validation or test tail. Windows inside the training part may be shuffled; the parts never mix.
 */
export interface Splits {
  /** Single-segment series: where training and validation end. */
  trainEnd: number; valEnd: number;
  /** Training rows [start, end) of every segment (what scalers are fitted on). */
  trainRanges: [number, number][];
  train: number[]; val: number[]; test: number[];
}

/** Where one segment of n points ends its training and validation parts (both relative to its start). */
export function splitPoints(n: number, horizon: number, valFraction: number, testFraction: number): { trainEnd: number; valEnd: number } {
  const testN = Math.max(horizon + 1, Math.round(n * testFraction)), valN = Math.max(horizon + 1, Math.round(n * valFraction));
  return { trainEnd: n - testN - valN, valEnd: n - testN };
}

/**
 * Splits every segment [start, end) of the series (one, unless the series holds several
 * sensors or groups) into its first part for training, then validation, then test. Validation
 * and test origins have their whole `horizon` inside their part; training origins need only
 * `trainHorizon` targets (1 for a recursive forecaster, which learns one step and is scored on H)
 * and are taken every `stride` steps. No window, inputs or targets, spans one of the `breaks` (rows
 * that do not follow the row before them, where rows were dropped).
 */
export function splitOrigins(N: number, lookback: number, horizon: number, valFraction: number, testFraction: number,
  segments: readonly { start: number; end: number }[] = [{ start: 0, end: N }], trainHorizon = horizon,
  more: { stride?: number; breaks?: readonly number[] } = {}): Splits {
  const need = lookback + horizon, stride = more.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) throw new DataError(`stride: expected a positive integer, got ${stride}`);
  // runStart[i]: the first row of the unbroken run that holds row i
  const runStart = new Int32Array(N), breaks = new Set(more.breaks ?? []);
  for (let i = 1; i < N; i++) runStart[i] = breaks.has(i) ? i : runStart[i - 1];
  const out: Splits = { trainEnd: 0, valEnd: 0, trainRanges: [], train: [], val: [], test: [] };
  for (const { start, end } of segments) {
    const n = end - start;
    if (n < need) throw new DataError(`the series has ${n} points, but lookback ${lookback} + horizon ${horizon} needs at least ${need}`);
    const p = splitPoints(n, horizon, valFraction, testFraction), valEnd = start + p.valEnd, trainEnd = start + p.trainEnd;
    const origins = (from: number, to: number, h: number, every = 1) => {
      const o: number[] = [];
      for (let t = Math.max(from, start + lookback - 1); t + h < to; t++) {
        if (runStart[t + h] <= t - lookback + 1 && (t - start - lookback + 1) % every === 0) o.push(t);
      }
      return o;
    };
    out.train.push(...origins(start, trainEnd, trainHorizon, stride));
    out.val.push(...origins(trainEnd - 1, valEnd, horizon)); out.test.push(...origins(valEnd - 1, end, horizon));
    out.trainRanges.push([start, Math.max(start, trainEnd)]);
    out.trainEnd = trainEnd; out.valEnd = valEnd;
  }
  if (out.train.length < 2 || out.val.length < 1 || out.test.length < 1) {
    throw new DataError(`the series is too short for lookback ${lookback} and horizon ${horizon}: `
      + `${out.train.length} training, ${out.val.length} validation and ${out.test.length} test windows from ${N} points`
      + `${breaks.size > 0 ? ` (no window may span the ${breaks.size} places where rows were dropped)` : ''}; shorten --lookback or --horizon`);
  }
  return out;
}

/** Inputs (B, L, I) and scaled targets (B, H·T) for a batch of origins. */
export function makeBatch(s: Series, spec: FeatureSpec, origins: ArrayLike<number>, nOut: number): { x: Float32Array; y: Float32Array } {
  const B = origins.length, L = spec.lookback, I = spec.inputSize, H = spec.horizon;
  const x = new Float32Array(B * L * I), y = new Float32Array(B * H * nOut);
  for (let b = 0; b < B; b++) {
    const t = origins[b];
    spec.window(s.values, t, x, b * L * I, s.dates);
    for (let h = 0; h < H; h++) for (let j = 0; j < nOut; j++) y[(b * H + h) * nOut + j] = spec.target(s.values, t, h + 1, j);
  }
  return { x, y };
}
