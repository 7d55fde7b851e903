import { DataError } from '../../../errors.js';
import { seasonAhead, seasonalAdjust } from './decompose.js';

/**
 * Naive2, the M4 competition's benchmark: the naive forecast of the seasonally adjusted series,
 *   ŷ_{n+h} = (y_n / S_n) · S_{n+h},
 * with S the classical multiplicative seasonal indexes when m > 1, n ≥ 3m and the 90% seasonality test
 * passes (the M4 code's rule), otherwise S ≡ 1 (plain naive).
 */
export function naive2Forecast(y: ArrayLike<number>, m: number, h: number): Float64Array {
  const n = y.length;
  if (n < 1) throw new DataError('Naive2: the series is empty');
  const { adjusted, seasonal } = seasonalAdjust(y, m, 3 * m);
  const last = adjusted[n - 1];
  return Float64Array.from({ length: h }, (_, i) => last * (seasonal ? seasonAhead(seasonal, m, i) : 1));
}

