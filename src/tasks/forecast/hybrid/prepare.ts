import { DataError } from '../../../errors.js';

/**
 * How each series enters the hybrid: its transform to u ("log units") and the starting values of
 * its smoothing parameters, all from the part the model may learn from (never validation or test).
 *   multiplicative: u = log y      (every value > 0: the season and the level scale together)
 *   additive:       u = y / scale  (zeros or negatives; scale = max(mean |y|, sd y) on the fit part)
 */
export type SeasonKind = 'multiplicative' | 'additive';

export interface PreparedSeries {
  id: string;
  kind: SeasonKind;
  scale: number;
  /** u of every value given (training part first); the model reads windows of it. */
  u: Float64Array;
  /** Values [0, fitEnd) are what the parameters are fitted on. */
  fitEnd: number;
}

export function toU(y: ArrayLike<number>, kind: SeasonKind, scale: number): Float64Array {
  return Float64Array.from(y, (v) => (kind === 'multiplicative' ? Math.log(v) : v / scale));
}

export function fromU(u: number, kind: SeasonKind, scale: number): number {
  return kind === 'multiplicative' ? Math.exp(u) : u * scale;
}

/** Chooses the transform from the fit part: log when every value is positive, else additive (and says why). */
export function prepareSeries(id: string, y: ArrayLike<number>, fitEnd: number, forced?: SeasonKind): PreparedSeries {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new DataError(`series '${id}': value ${i + 1} is ${y[i]}; fill or drop missing values first`);
  }
  let positive = true, sum = 0, sumAbs = 0;
  for (let i = 0; i < fitEnd; i++) { positive &&= y[i] > 0; sum += y[i]; sumAbs += Math.abs(y[i]); }
  const mean = sum / fitEnd;
  let ss = 0;
  for (let i = 0; i < fitEnd; i++) ss += (y[i] - mean) ** 2;
  const scale = Math.max(sumAbs / fitEnd, Math.sqrt(ss / fitEnd)) || 1;
  let kind: SeasonKind = forced ?? (positive ? 'multiplicative' : 'additive');
  if (kind === 'multiplicative' && !allPositive(y)) kind = 'additive';
  return { id, kind, scale, u: toU(y, kind, scale), fitEnd };
}

const allPositive = (y: ArrayLike<number>) => { for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) return false; return true; };

/** Starting seasonal indices: the mean deviation of u from its season's mean, over up to 4 whole seasons. */
export function initialSeason(u: ArrayLike<number>, fitEnd: number, m: number): number[] {
  const k = Math.min(4, Math.floor(fitEnd / m));
  const s = new Array<number>(m).fill(0);
  if (k < 1) return s;
  for (let c = 0; c < k; c++) {
    let mean = 0;
    for (let j = 0; j < m; j++) mean += u[c * m + j] / m;
    for (let j = 0; j < m; j++) s[j] += (u[c * m + j] - mean) / k;
  }
  return s;
}

export const logit = (p: number): number => Math.log(p / (1 - p));
