/** Optimizers (torch.optim's update rules and defaults), gradient clipping and lr schedules, over one flat parameter buffer. */
export * from './params.js';
export * from './optimizer.js';
export * from './sgd.js';
export * from './adam.js';
export * from './rmsprop.js';
export * from './adagrad.js';
export * from './clip.js';
export * from './schedule.js';
