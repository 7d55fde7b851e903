/** The WebAssembly SIMD backend: registration, the backend class and its loader. */
export { initWasm } from './register.js';
export { WasmBackend, wasmTuning, type WasmOptions } from './backend.js';
export { hostTuning } from './host.js';
export { type Variant, relaxedSimdAvailable, canShareMemory } from './loader.js';
