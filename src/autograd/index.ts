import './methods.js';
export * from './engine.js';
export * from './elementwise.js';
export * from './matmul.js';
export * from './reduce.js';
export * from './shape-ops.js';
export * from './fused.js';
export * from './gradcheck.js';
