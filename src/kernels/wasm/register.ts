import { registerBackend } from '../device.js';
import { WasmBackend } from './backend.js';
import { workerUnavailableReason } from './team.js';
import { bestVariant, canShareMemory, compileKernels, importBuiltins, instantiate, simdUnavailableReason } from './loader.js';

/**
 * Registers the 'wasm' device (priority 1: above the reference 'cpu', below 'native'). Importing
 * this module is all it takes in Node and in workers; a browser main thread, which may not
 * compile a module synchronously, awaits initWasm() before using the device.
 */
let unavailable: string | null | undefined;

function unavailableReason(): string | null {
  if (unavailable !== undefined) return unavailable;
  unavailable = simdUnavailableReason();
  if (unavailable === null) {
    try { // can this thread compile and instantiate synchronously? (cached: the backend reuses the module)
      const shared = canShareMemory();
      instantiate(compileKernels(bestVariant(), shared), new WebAssembly.Memory({ initial: 1, maximum: 1, shared }));
    }
    catch (e) { unavailable = `${(e as Error).message} (on a browser main thread, await initWasm() first)`; }
  }
  return unavailable;
}

let prepared: WasmBackend | null = null;
let current: WasmBackend | null = null;
/** The device's backend: the one initWasm() made, else a new one (synchronously). */
const create = (): WasmBackend => (current = prepared ?? new WasmBackend());

registerBackend({ name: 'wasm', priority: 1, unavailableReason, create });

/**
 * Prepares the 'wasm' device asynchronously: loads Node built-ins where they cannot be had
 * synchronously (relaxed SIMD and the worker thread need them), then compiles and instantiates
 * the kernels, which browser main threads must do asynchronously. Safe to call more than once.
 * @example await initWasm(); setDefaultDevice('wasm');
 */
export async function initWasm(): Promise<void> {
  await importBuiltins();
  if (prepared !== null || simdUnavailableReason() !== null) return;
  // a backend made synchronously before is replaced only if it had to do without something
  const full = current !== null && current.variant === bestVariant() && (current.threads === 2 || !canShareMemory() || workerUnavailableReason() !== null);
  if (full) return;
  prepared = await WasmBackend.createAsync();
  current?.dispose();
  unavailable = null;
  registerBackend({ name: 'wasm', priority: 1, unavailableReason, create });
}
