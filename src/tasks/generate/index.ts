/** One-to-many: conditional generation of short texts (first names by sex), sampling, and the unconditional control. */
export * from './data.js';
export * from './model.js';
export * from './learner.js';
export * from './sample.js';
export * from './run.js';
export * from './load.js';
