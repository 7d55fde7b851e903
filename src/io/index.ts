/**
 * Saving and loading models: safetensors files and recur's model files.
 *
 * Everything exported here is pure (bytes in, bytes out) and runs in browsers too, so the
 * playground can import it. File-system helpers live in `./node.js`, a separate entry point:
 * re-exporting them here would pull `node:fs` into every browser bundle that imports `io/`.
 */
export * from './safetensors.js';
export * from './model-file.js';
