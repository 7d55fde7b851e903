/**
 * Losses, fused forward/backward like PyTorch's F.*: cross-entropy from logits, MSE, BCE with
 * logits, pinball. Targets and masks are data, so a NaN or Infinity in them is refused (DataError
 * naming where); a non-finite prediction is a numerical event, not bad input: it gives a
 * non-finite loss, as in torch, and the training loop stops on it naming the step.
 */
export type { Reduction, LossOptions } from './reduce.js';
export * from './cross-entropy.js';
export * from './mse.js';
export * from './bce.js';
export * from './pinball.js';
