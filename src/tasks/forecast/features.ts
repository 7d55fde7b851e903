import { DataError } from '../../errors.js';
import { type Frequency, type Series, stepsBetween } from '../../data/series.js';
import { Scaler, type ScalerJSON, type ScalerKind } from '../../data/scaler.js';

/**
 * How a window of the series becomes model inputs and targets. Legend: L lookback, H horizon,
 * F value columns (the first nT are targets), t the forecast origin (last observed index).
 *
 *   'level':    inputs (x − mean)/std per column; targets (y_{t+h} − mean)/std — the classic
 *               global standardisation, which knows where a value sits in its range.
 *   'relative': inputs (x_k − x_t)/s per column; targets (y_{t+h} − y_t)/s, s = std of one-step
 *               changes on the training part — the network starts from persistence and
 *               extrapolates trends it never saw (levels outside the training range).
 * Both add sin/cos of the seasonal phase of each step when the series has a season (m ≥ 2). On a
 * dated series the phase is counted in steps from the date of the first training row (the anchor,
 * saved with the model), so the same last window gives the same forecast however many rows precede
 * it; without dates it is the row index, so a file must start where the training file started.
 * Everything is fitted on the training part only and saved with the model.
 */
export type FeatureMode = 'level' | 'relative';

/** Where the seasonal phase is counted from: the date of step 0 and the series' step. */
export interface PhaseAnchor { date: number; frequency: Frequency }

export interface FeatureSpecJSON {
  mode: FeatureMode; lookback: number; horizon: number; season: number; nTargets: number; F: number;
  scaler: ScalerJSON; diffScale: number[];
  /** Absent in models of undated series (and in files written before anchors existed): row index. */
  anchor?: PhaseAnchor;
}

export class FeatureSpec {
  constructor(readonly mode: FeatureMode, readonly lookback: number, readonly horizon: number, readonly season: number,
    readonly nTargets: number, readonly F: number, readonly scaler: Scaler, readonly diffScale: number[],
    readonly anchor: PhaseAnchor | null = null) {}

  /** Fits the scalers on the training ranges [start, end) of the series (one per segment). */
  static fit(s: Series, mode: FeatureMode, lookback: number, horizon: number, season: number, train: readonly (readonly [number, number])[],
    scalerKind: ScalerKind = 'standard'): FeatureSpec {
    const scaler = Scaler.fit(scalerKind, s.values, s.F, train);
    const diffScale = Array.from({ length: s.F }, (_, j) => {
      let sum = 0, sq = 0, n = 0;
      for (const [a, b] of train) {
        for (let i = a + 1; i < b; i++) { const d = s.values[i * s.F + j] - s.values[(i - 1) * s.F + j]; sum += d; sq += d * d; n++; }
      }
      const sd = n > 0 ? Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2)) : 0;
      return sd > 0 ? sd : scaler.scale[j];
    });
    const regular = s.dates && s.frequency && s.frequency.label !== 'irregular';
    const anchor = regular && season >= 2 ? { date: s.dates![train[0][0]], frequency: s.frequency! } : null;
    return new FeatureSpec(mode, lookback, horizon, season, s.nTargets, s.F, scaler, diffScale, anchor);
  }

  static fromJSON(j: FeatureSpecJSON): FeatureSpec {
    const a = j.anchor;
    if (a !== undefined && !(Number.isFinite(a?.date) && a.frequency && (a.frequency.ms > 0 || a.frequency.calendarMonths > 0))) {
      throw new DataError('model file: malformed seasonal anchor (expected a date and a regular frequency)');
    }
    return new FeatureSpec(j.mode, j.lookback, j.horizon, j.season, j.nTargets, j.F, Scaler.fromJSON(j.scaler), j.diffScale, a ?? null);
  }
  toJSON(): FeatureSpecJSON {
    return { mode: this.mode, lookback: this.lookback, horizon: this.horizon, season: this.season, nTargets: this.nTargets, F: this.F,
      scaler: this.scaler.toJSON(), diffScale: this.diffScale, ...(this.anchor ? { anchor: this.anchor } : {}) };
  }

  get seasonal(): boolean { return this.season >= 2; }
  /** Inputs per step: one per column, plus the seasonal phase as sin and cos. */
  get inputSize(): number { return this.F + (this.seasonal ? 2 : 0); }

  /**
   * Steps from the anchor to row i: by the rows' dates when the model is anchored and they are
   * given (rows past the last date, forecast recursively, follow it one step each), else i.
   */
  seasonStep(i: number, dates: readonly number[] | null): number {
    if (!this.anchor || !dates || dates.length === 0) return i;
    const last = Math.min(i, dates.length - 1);
    return this.stepsOf(dates)[last] + i - last;
  }

  /** Each date's steps from the anchor, worked out once per series (window() asks L times per window). */
  private stepsOf(dates: readonly number[]): Float64Array {
    let steps = this.steps.get(dates);
    if (steps === undefined) {
      const { date, frequency } = this.anchor!;
      steps = Float64Array.from(dates, (d) => stepsBetween(date, d, frequency));
      this.steps.set(dates, steps);
    }
    return steps;
  }

  private readonly steps = new WeakMap<readonly number[], Float64Array>();

  /** Writes the window ending at origin t into out (L, inputSize) at offset; dates (N) place its seasonal phase. */
  window(values: Float64Array, t: number, out: Float32Array, off: number, dates: readonly number[] | null = null): void {
    const { lookback: L, F } = this, I = this.inputSize;
    for (let k = 0; k < L; k++) {
      const i = t - L + 1 + k, o = off + k * I;
      for (let j = 0; j < F; j++) {
        const v = values[i * F + j];
        out[o + j] = this.mode === 'level' ? (v - this.scaler.shift[j]) / this.scaler.scale[j] : (v - values[t * F + j]) / this.diffScale[j];
      }
      if (this.seasonal) {
        const m = this.season, a = (2 * Math.PI * (((this.seasonStep(i, dates) % m) + m) % m)) / m;
        out[o + F] = Math.sin(a); out[o + F + 1] = Math.cos(a);
      }
    }
  }

  /** Scaled target of column j (< nTargets) at t + h, for origin t. */
  target(values: Float64Array, t: number, h: number, j: number): number {
    const y = values[(t + h) * this.F + j];
    return this.mode === 'level' ? (y - this.scaler.shift[j]) / this.scaler.scale[j] : (y - values[t * this.F + j]) / this.diffScale[j];
  }

  /** A scaled prediction back in the series' units. */
  unscale(z: number, values: Float64Array, t: number, j: number): number {
    return this.mode === 'level' ? z * this.scaler.scale[j] + this.scaler.shift[j] : values[t * this.F + j] + z * this.diffScale[j];
  }
}
