/**
 * recur's error classes. Every check in the library throws one of them,
 * with a message that says what was expected and what arrived.
 *
 * @example
 * assertShape('LSTM input', x.shape, [T, B, 8]);
 * // ShapeError: LSTM input: expected shape [T, B, 8] = [5, 2, 8], got [5, 2, 7]
 */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** Malformed or mismatched data: files, CSV, text, model metadata, NaN inputs. */
export class DataError extends Error {
  override name = 'DataError';
}

/** A compute backend that is unknown or not available on this machine, with the reason. */
export class DeviceError extends Error {
  override name = 'DeviceError';
}

/** Lazy assertion: the message is only built when the check fails. */
export function assert(cond: unknown, message: () => string, Err: new (m: string) => Error = ShapeError): asserts cond {
  if (!cond) throw new Err(message());
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;
