import type { Data } from '../tensor/tensor.js';

/**
 * A training checkpoint: everything needed to continue a run exactly where it stopped —
 * model and optimizer buffers, data order, RNG states, counters (tensors plus JSON).
 */
export interface Checkpoint {
  tensors: Record<string, Data | Int32Array>;
  json: Record<string, unknown>;
}
