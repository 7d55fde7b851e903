export * from './smoothing.js';
export * from './prepare.js';
export * from './model.js';
export * from './train.js';
export * from './ensemble.js';
export * from './run.js';
export * from './file.js';
export * from './combine.js';
