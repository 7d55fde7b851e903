import { DataError } from '../errors.js';
import type { Data } from '../tensor/tensor.js';

/**
 * A training checkpoint: everything needed to continue a run exactly where it stopped —
 * model and optimizer buffers, data order, RNG states, counters (tensors plus JSON).
 */
export interface Checkpoint {
  tensors: Record<string, Data | Int32Array>;
  json: Record<string, unknown>;
}

/** Copies a saved array into a live one, checking the length. */
export function restoreInto(c: Checkpoint, name: string, into: Data | Int32Array): void {
  const src = c.tensors[name];
  if (src === undefined) throw new DataError(`checkpoint: missing '${name}'`);
  if (src.length !== into.length) throw new DataError(`checkpoint: '${name}' has ${src.length} values, expected ${into.length}`);
  into.set(src);
}
