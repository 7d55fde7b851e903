/** Classification: many-to-one over texts, one-to-one over feature vectors, and their logistic-regression baselines. */
export * from './data.js';
export * from './head.js';
export * from './fit.js';
export * from './learner.js';
export * from './many-to-one.js';
export * from './one-to-one.js';
export * from './baseline.js';
export * from './run.js';
export * from './load.js';
