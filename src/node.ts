/** recur for Node: everything in the portable entry plus files and the bundled data sets. */
export * from './index.js';
export * from './io/node.js';
export * from './data/csv.js';
export * from './data/datasets.js';
export * from './data/collection-node.js';
export * from './train/checkpoint.js';
export * from './train/loop.js';
export * from './train/progress.js';
export * from './tasks/forecast/index.js';
export * from './tasks/text/index.js';
export * from './tasks/smooth/index.js';
export * from './tasks/sensors/index.js';
export * from './tasks/text/corpus.js';
export * from './tasks/text/streams-file.js';
