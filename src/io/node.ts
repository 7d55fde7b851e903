/**
 * Node-only part of `io/`: atomic writes and model files on disk. Kept out of `./index.js`
 * (which must stay importable in browsers); import this one from the CLI and Node scripts.
 */
export * from './index.js';
export { loadModelFile, saveModel, writeFileAtomic } from './fs.js';
