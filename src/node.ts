/**
 * recur for Node: everything in the portable entry plus files, the bundled data sets, checkpoints and every task.
 * `import … from 'recur'` resolves here under Node.
 *
 * @module recur
 */
export * from './index.js';
export * from './io/node.js';
export * from './data/csv.js';
export * from './data/datasets.js';
export * from './data/collection-node.js';
export * from './train/checkpoint.js';
export * from './train/loop.js';
export * from './train/training-state.js';
export * from './train/progress.js';
export * from './tasks/forecast/index.js';
export * from './tasks/text/index.js';
export * from './tasks/smooth/index.js';
export * from './tasks/sensors/index.js';
export * from './tasks/classify/index.js';
export * from './tasks/generate/index.js';
export * from './tasks/translate/index.js';
// Names two modules export: the one public first keeps the plain name, the other goes under its task's name.
export type { DecodeOptions } from './io/index.js';
export type { Evaluation } from './tasks/forecast/index.js';
export type { SampleOptions } from './tasks/text/index.js';
export { padBatch } from './tasks/classify/index.js';
export { encodePairs } from './tasks/generate/index.js';
export type { SampleOptions as GenerateSampleOptions } from './tasks/generate/index.js';
export {
  type DecodeOptions as TranslateDecodeOptions, type Evaluation as TranslateEvaluation,
  encodePairs as translateEncodePairs, padBatch as translatePadBatch,
} from './tasks/translate/index.js';
export * from './tasks/text/corpus.js';
export * from './tasks/text/streams-file.js';
