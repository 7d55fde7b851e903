/** recur for Node: everything in the portable entry plus files and the bundled data sets. */
export * from './index.js';
export * from './io/node.js';
export * from './data/csv.js';
export * from './data/datasets.js';
