import { DataError } from '../errors.js';

/**
 * Per-column scalers fitted on the training part only and saved with the model.
 * standard: (x − mean) / std; minmax: (x − min) / (max − min) into [0, 1].
 * A constant column gets scale 1 (it is only shifted), so nothing divides by zero.
 */
export type ScalerKind = 'standard' | 'minmax' | 'none';
export interface ScalerJSON { kind: ScalerKind; shift: number[]; scale: number[] }

/** A per-column scaler, fitted by `Scaler.fit`: `apply`/`transform` give (x − shift) / scale, `invert` undoes it. */
export class Scaler {
  constructor(readonly kind: ScalerKind, readonly shift: number[], readonly scale: number[]) {}

  /** Fits on the rows of values (N, F) in the given [start, end) ranges (the training parts). */
  static fit(kind: ScalerKind, values: Float64Array, F: number, ranges: readonly (readonly [number, number])[]): Scaler {
    const rowsOf = (): number[] => ranges.flatMap(([a, b]) => Array.from({ length: Math.max(0, b - a) }, (_, k) => a + k));
    const idx = rowsOf(), rows = idx.length;
    if (rows < 1) throw new DataError('Scaler: expected at least one row to fit on');
    const shift: number[] = [], scale: number[] = [];
    for (let j = 0; j < F; j++) {
      let mean = 0, min = Infinity, max = -Infinity;
      for (const i of idx) { const v = values[i * F + j]; mean += v / rows; min = Math.min(min, v); max = Math.max(max, v); }
      let sq = 0;
      for (const i of idx) sq += (values[i * F + j] - mean) ** 2 / rows;
      if (kind === 'standard') { shift.push(mean); scale.push(Math.sqrt(sq) || 1); }
      else if (kind === 'minmax') { shift.push(min); scale.push(max - min || 1); }
      else { shift.push(0); scale.push(1); }
    }
    return new Scaler(kind, shift, scale);
  }

  static fromJSON(j: ScalerJSON): Scaler {
    if (!j || !['standard', 'minmax', 'none'].includes(j.kind) || !Array.isArray(j.shift) || !Array.isArray(j.scale)
      || j.shift.length !== j.scale.length || [...j.shift, ...j.scale].some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new DataError('Scaler: malformed scaler in the model file');
    }
    return new Scaler(j.kind, j.shift, j.scale);
  }

  toJSON(): ScalerJSON { return { kind: this.kind, shift: this.shift, scale: this.scale }; }

  get F(): number { return this.shift.length; }
  /** Column j of a value: scaled. */
  apply(v: number, j: number): number { return (v - this.shift[j]) / this.scale[j]; }
  invert(v: number, j: number): number { return v * this.scale[j] + this.shift[j]; }

  /** Scales every row of values (N, F) into a new array. */
  transform(values: Float64Array): Float64Array {
    const F = this.F, out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = (values[i] - this.shift[i % F]) / this.scale[i % F];
    return out;
  }
}
