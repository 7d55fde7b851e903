export * from './module.js';
export * from './linear.js';
export * from './embedding.js';
export * from './dropout.js';
export * from './recurrent.js';
export * from './stepper.js';
