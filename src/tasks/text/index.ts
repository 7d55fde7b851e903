export * from './streams.js';
export * from './model.js';
export * from './train.js';
export * from './sample.js';
export * from './abc.js';
export * from './load.js';
