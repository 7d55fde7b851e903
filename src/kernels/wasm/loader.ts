import { RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from './module.generated.js';

/**
 * Finding and compiling the kernels: the embedded binaries (module.generated.ts), relaxed SIMD
 * where the engine takes it, shared memory where SharedArrayBuffer exists. Synchronous in Node
 * and in workers; browser main threads (which refuse large synchronous compiles) and Node
 * versions without process.getBuiltinModule call `await initWasm()` first.
 */
export type Variant = 'relaxed' | 'simd';

/** The exports of assembly/index.ts; pointers are byte addresses, booleans i32. */
export interface Kernels {
  gemm(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, A: number, lda: number,
    B: number, ldb: number, beta: number, C: number, ldc: number, ws: number): void;
  gemm_scratch_bytes(): number;
  transpose(src: number, rows: number, cols: number, lds: number, dst: number, ldd: number): void;
  rnn_forward(relu: boolean, n: number, gx: number, gh: number, h: number): void;
  rnn_backward(relu: boolean, n: number, h: number, dh: number, dg: number): void;
  lstm_forward(B: number, H: number, gates: number, gh: number, cPrev: number, c: number, tc: number, h: number): void;
  lstm_backward(B: number, H: number, gates: number, cPrev: number, tc: number, dh: number, dc: number, dg: number): void;
  gru_forward(B: number, H: number, gates: number, gh: number, hPrev: number, hn: number, h: number): void;
  gru_backward(B: number, H: number, gates: number, hn: number, hPrev: number, dh: number, dgx: number, dgh: number, dhPrev: number): void;
  mask_state(B: number, H: number, m: number, x: number, xPrev: number): void;
  mask_rows(B: number, W: number, m: number, x: number): void;
  axpy(n: number, alpha: number, x: number, y: number): void;
  broadcast_rows(v: number, rows: number, cols: number, dst: number): void;
  add_col_sums(src: number, rows: number, cols: number, ld: number, dst: number): void;
  gather_add_rows(table: number, cols: number, idx: number, n: number, dst: number, ldd: number): void;
  scatter_add_rows(src: number, cols: number, lds: number, idx: number, n: number, table: number): void;
  softmax_rows(N: number, C: number, X: number, P: number, stats: number): void;
  /** One step of a compiled plan (step.ts): token ≥ 0 one-hot, −1 the dense input. */
  step(plan: number, token: number): void;
}

export type KernelName = keyof Kernels;

// ---- Node built-ins without a static import (this module also runs in browsers) ----------------

type V8 = { setFlagsFromString(flags: string): void };
export type WorkerThreads = typeof import('node:worker_threads');

const nodeProcess = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
export const isNode = typeof nodeProcess?.versions?.node === 'string';
const builtins = new Map<string, unknown>();

/** A Node built-in, synchronously where process.getBuiltinModule exists (Node ≥ 20.16), else after initWasm(). */
export function nodeBuiltin<T>(id: 'node:v8' | 'node:worker_threads'): T | null {
  if (!isNode) return null;
  if (!builtins.has(id) && typeof nodeProcess?.getBuiltinModule === 'function') builtins.set(id, nodeProcess.getBuiltinModule(id));
  return (builtins.get(id) as T | undefined) ?? null;
}

/** Loads the Node built-ins asynchronously (Node releases without process.getBuiltinModule). */
export async function importBuiltins(): Promise<void> {
  if (!isNode) return;
  for (const id of ['node:v8', 'node:worker_threads']) {
    if (builtins.has(id)) continue;
    const spec = id; // a variable keeps bundlers from resolving it for browsers
    try { builtins.set(id, await import(/* @vite-ignore */ spec)); } catch { /* not Node after all */ }
  }
}

// ---- bytes ----------------------------------------------------------------------------------------

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function readLeb(b: Uint8Array, p: number): [number, number] {
  let v = 0, shift = 0, byte: number;
  do { byte = b[p++]; v += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [v, p];
}

/**
 * The binary with its memory import declared shared (limits flag 0x03) or not (0x01). The
 * build declares it shared; engines without SharedArrayBuffer get the same code on a plain
 * memory (a one-byte change; an import's sharedness must match the memory given to it).
 */
export function withSharedMemory(bytes: Uint8Array, shared: boolean): Uint8Array<ArrayBuffer> {
  const b = bytes.slice();
  let p = 8;
  while (p < b.length) {
    const id = b[p];
    const [size, body] = readLeb(b, p + 1);
    if (id === 2) { // import section: (module name, field name, kind, description)*
      let [count, q] = readLeb(b, body);
      for (; count > 0; count--) {
        let n: number;
        [n, q] = readLeb(b, q); q += n;
        [n, q] = readLeb(b, q); q += n;
        const kind = b[q++];
        if (kind === 2) { b[q] = shared ? 0x03 : 0x01; return b; }
        if (kind === 0) [, q] = readLeb(b, q);
        else throw new Error(`wasm loader: unexpected import kind ${kind}`);
      }
    }
    p = body + size;
  }
  throw new Error('wasm loader: the kernels import no memory');
}

const bytesOf = (v: Variant, shared: boolean): Uint8Array<ArrayBuffer> =>
  withSharedMemory(decode(v === 'relaxed' ? RELAXED_WASM_BASE64 : SIMD_WASM_BASE64), shared);

// ---- capabilities ---------------------------------------------------------------------------------

/** SharedArrayBuffer usable for a shared wasm memory (Node; cross-origin-isolated pages). */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (!isNode && g.crossOriginIsolated === false) return false;
  try { new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }); return true; } catch { return false; }
}

let relaxedOk: boolean | null = null;

/** Whether relaxed SIMD validates here, switching it on in Node 20's V8 (an experimental flag there). */
export function relaxedSimdAvailable(): boolean {
  if (relaxedOk !== null) return relaxedOk;
  if (typeof WebAssembly === 'undefined') return (relaxedOk = false);
  const bytes = bytesOf('relaxed', false);
  if (WebAssembly.validate(bytes)) return (relaxedOk = true);
  const v8 = nodeBuiltin<V8>('node:v8');
  if (v8 === null) return false; // maybe after initWasm()
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return (relaxedOk = WebAssembly.validate(bytes));
}

/** null when the SIMD kernels can run here, else why not. */
export function simdUnavailableReason(): string | null {
  if (typeof WebAssembly === 'undefined') return 'this JavaScript engine has no WebAssembly';
  if (!WebAssembly.validate(bytesOf('simd', false))) return 'this engine has no WebAssembly SIMD (fixed-width 128-bit)';
  return null;
}

export const bestVariant = (): Variant => (relaxedSimdAvailable() ? 'relaxed' : 'simd');

// ---- compiling ------------------------------------------------------------------------------------

const modules = new Map<string, WebAssembly.Module>();

/** The compiled kernels (cached); synchronous, so on a browser main thread call initWasm() first. */
export function compileKernels(variant: Variant, shared: boolean): WebAssembly.Module {
  const key = `${variant}:${shared}`;
  let m = modules.get(key);
  if (m === undefined) {
    if (variant === 'relaxed' && !relaxedSimdAvailable()) throw new Error('wasm: relaxed SIMD is not available in this engine');
    m = new WebAssembly.Module(bytesOf(variant, shared));
    modules.set(key, m);
  }
  return m;
}

/** Node built-ins on Node releases without getBuiltinModule, then the compiled kernels, asynchronously. */
export async function compileKernelsAsync(variant: Variant, shared: boolean): Promise<WebAssembly.Module> {
  await importBuiltins();
  const key = `${variant}:${shared}`;
  let m = modules.get(key);
  if (m === undefined) {
    if (variant === 'relaxed' && !relaxedSimdAvailable()) throw new Error('wasm: relaxed SIMD is not available in this engine');
    m = await WebAssembly.compile(bytesOf(variant, shared));
    modules.set(key, m);
  }
  return m;
}

/** Instantiates compiled kernels on a memory (synchronous: the module is already compiled). */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
}
