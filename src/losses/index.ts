export type { Reduction, LossOptions } from './reduce.js';
export * from './cross-entropy.js';
export * from './mse.js';
export * from './bce.js';
export * from './pinball.js';
