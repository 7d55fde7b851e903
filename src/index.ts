/**
 * recur: recurrent neural networks from first principles.
 * Data flows one way: data → tasks → models → layers → cells → kernels.
 *
 * This entry runs anywhere (Node, browsers, workers). Node-only parts (files, bundled data
 * sets) are added by `node.ts`, which is what `import 'recur'` resolves to under Node.
 * Browsers and bundlers get this entry for `import 'recur'`; `import 'recur/portable'` asks for it anywhere.
 *
 * @module recur/portable
 */
export * from './errors.js';
export * from './tensor/index.js';
export * from './autograd/index.js';
export * from './kernels/index.js';
export * from './layers/index.js';
export * from './losses/index.js';
export * from './optim/index.js';
export * from './io/index.js';
export * from './cells/index.js';
export * from './models/seed-cell.js';
export * from './data/vocab.js';
export * from './data/scaler.js';
export * from './data/table.js';
export * from './data/series.js';
export * from './data/collection.js';
export * from './interop/index.js';
export * from './models/seed-char-lm.js';
