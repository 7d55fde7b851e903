import type { HostKernels } from '../host.js';

/**
 * Finds and loads the N-API addon built by `scripts/build-native.mjs` (at install time, or by
 * `npm run build:native`), or says why it cannot. Loading is lazy and happens once.
 *
 * This module is part of the portable entry, so it imports nothing from Node: it reaches Node's
 * modules through `process.getBuiltinModule` (Node ≥ 20.16), and elsewhere reports itself unavailable.
 */

type F32 = Float32Array;

/**
 * The addon's exports (csrc/addon.c): the kernels with positional (array, offset) arguments, as C
 * takes them, plus configuration. Only NativeBackend calls the kernels; it names their arguments.
 */
export interface NativeAddon {
  gemm(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, A: F32, aOff: number, lda: number,
    B: F32, bOff: number, ldb: number, beta: number, C: F32, cOff: number, ldc: number): void;
  fill(x: F32, off: number, n: number, value: number): void;
  copy(src: F32, srcOff: number, dst: F32, dstOff: number, n: number): void;
  axpy(n: number, alpha: number, x: F32, xOff: number, y: F32, yOff: number): void;
  broadcastRows(v: F32, vOff: number, rows: number, cols: number, dst: F32, dstOff: number): void;
  addColSums(src: F32, srcOff: number, rows: number, cols: number, dst: F32, dstOff: number): void;
  transpose(src: F32, srcOff: number, rows: number, cols: number, dst: F32, dstOff: number): void;
  gatherAddRows(table: F32, cols: number, idx: Int32Array, dst: F32, dstOff: number): void;
  scatterAddRows(src: F32, srcOff: number, cols: number, idx: Int32Array, table: F32): void;
  rnnCellForward(relu: boolean, n: number, gx: F32, gxOff: number, gh: F32, h: F32, hOff: number): void;
  rnnCellBackward(relu: boolean, n: number, h: F32, hOff: number, dh: F32, dg: F32, dgOff: number): void;
  lstmCellForward(B: number, H: number, gates: F32, gOff: number, gh: F32,
    cPrev: F32, cPrevOff: number, c: F32, cOff: number, tc: F32, tcOff: number, h: F32, hOff: number): void;
  lstmCellBackward(B: number, H: number, gates: F32, gOff: number, cPrev: F32, cPrevOff: number,
    tc: F32, tcOff: number, dh: F32, dc: F32, dg: F32, dgOff: number): void;
  gruCellForward(B: number, H: number, gates: F32, gOff: number, gh: F32,
    hPrev: F32, hPrevOff: number, hn: F32, hnOff: number, h: F32, hOff: number): void;
  gruCellBackward(B: number, H: number, gates: F32, gOff: number, hn: F32, hnOff: number,
    hPrev: F32, hPrevOff: number, dh: F32, dgx: F32, dgxOff: number, dgh: F32, dghOff: number, dhPrev: F32): void;
  maskState(B: number, H: number, m: F32, mOff: number, x: F32, xOff: number, xPrev: F32, xPrevOff: number): void;
  maskRows(B: number, W: number, m: F32, mOff: number, x: F32, xOff: number): void;
  /**
   * Compiles a single step (see StepSpec): mode 0 tanh, 1 relu, 2 LSTM, 3 GRU; four arrays per layer
   * (weight_ih, weight_hh, bias_ih or null, bias_hh or null); the head's weight and bias or null.
   */
  stepPlan(mode: number, H: number, layers: (Float32Array | null)[], headWeight: Float32Array | null, headBias: Float32Array | null): NativeStepFn;
  softmaxXent: HostKernels['softmaxXent'];
  softmaxXentBackward: HostKernels['softmaxXentBackward'];
  info(): NativeInfo;
  /**
   * mode 0 per shape, 1 own kernel, 2 OpenBLAS; threads 0 per shape, else 1 or 2; then the sizes
   * (flops) from which two threads, and OpenBLAS, are used per shape.
   */
  setGemm(mode: number, threads: number, twoThreadsFrom?: number, blasFrom?: number): void;
  /** 'auto' | 'avx512' | 'avx2' | 'generic' → the instruction set now in use (throws if the CPU lacks it). */
  setIsa(name: string): string;
  /** Which GEMM a call of this shape takes: 'own/1', 'own/2', 'openblas/1' or 'openblas/2' (kernel/threads). */
  plan(tA: boolean, tB: boolean, M: number, N: number, K: number): string;
  /** y = f(x) with the kernels' own tanh (0), sigmoid (1) or exp (2). */
  activation(kind: number, x: Float32Array, y: Float32Array): void;
  /** An empty call, to measure the call overhead. */
  nop(): void;
}

/** A compiled step: call with a token id (one-hot input) or −1 (dense input x). */
export interface NativeStepFn {
  (token: number): void;
  /** The plan's io memory: x (D), h (L, H), c (L, H), y (O), in that order. */
  readonly io: ArrayBuffer;
}

export interface NativeInfo {
  /** Instruction set of the kernels in use: 'AVX-512', 'AVX2' or 'generic'. */
  isa: string;
  blas: { version: string; config: string; parallel: number; maxThreads: number } | null;
  /** Why OpenBLAS is not used, when it is not. */
  blasError: string | null;
  gemm: 'auto' | 'own' | 'openblas';
  /** Forced thread count, 0 when chosen per shape. */
  threads: number;
  twoThreadsFrom: number;
  blasFrom: number;
  /** CPUs this process may run on (two threads only when ≥ 2). */
  cpus: number;
  /** GEMM chunks the second thread has computed so far. */
  helperChunks: number;
}

interface NodeModules {
  fs: typeof import('node:fs');
  module: typeof import('node:module');
  url: typeof import('node:url');
}

type Loaded = { addon: NativeAddon; reason: null; path: string } | { addon: null; reason: string; path: string | null };
let loaded: Loaded | null = null;

/** Where the addon lives: beside this file in src/, or back in src/ when this runs from dist/. */
function candidates(m: NodeModules): string[] {
  const env = globalThis.process?.env?.RECUR_NATIVE_ADDON;
  const rel = ['./build/Release/recur_native.node', '../../../src/kernels/native/build/Release/recur_native.node'];
  return [...(env ? [env] : []), ...rel.map((r) => m.url.fileURLToPath(new URL(r, import.meta.url)))];
}

function nodeModules(): NodeModules | null {
  const get = globalThis.process?.getBuiltinModule;
  if (typeof get !== 'function') return null;
  return { fs: get('fs') as NodeModules['fs'], module: get('module') as NodeModules['module'], url: get('url') as NodeModules['url'] };
}

/** The build script's verdict (status.json beside the build output), for the unavailable reason. */
function buildStatus(m: NodeModules, addonPath: string): { ok: boolean; reason: string | null } | null {
  const f = addonPath.replace(/Release[\\/]recur_native\.node$/, 'status.json');
  try { return JSON.parse(m.fs.readFileSync(f, 'utf8')) as { ok: boolean; reason: string | null }; } catch { return null; }
}

export function loadNative(): Loaded {
  if (loaded) return loaded;
  const proc = globalThis.process;
  if (proc?.env?.RECUR_NATIVE === '0') return (loaded = { addon: null, reason: 'disabled by RECUR_NATIVE=0', path: null });
  const m = nodeModules();
  if (m === null) {
    const why = proc?.versions?.node ? `Node ${proc.versions.node} lacks process.getBuiltinModule (needs ≥ 20.16)` : 'needs Node.js';
    return (loaded = { addon: null, reason: why, path: null });
  }
  const paths = candidates(m);
  const asked = proc?.env?.RECUR_NATIVE_ADDON;
  if (asked && !m.fs.existsSync(asked)) return (loaded = { addon: null, reason: `RECUR_NATIVE_ADDON=${asked}: no such file`, path: null });
  const path = paths.find((p) => m.fs.existsSync(p));
  if (path === undefined) {
    const status = buildStatus(m, paths[paths.length - 2]) ?? buildStatus(m, paths[paths.length - 1]);
    const why = status && !status.ok && status.reason ? status.reason : 'no build found';
    return (loaded = { addon: null, reason: `addon not built: ${why} (build it with \`npm run build:native\`)`, path: null });
  }
  try {
    const addon = m.module.createRequire(import.meta.url)(path) as NativeAddon;
    return (loaded = { addon, reason: null, path });
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return (loaded = { addon: null, reason: `addon at ${path} failed to load: ${msg} (rebuild with \`npm run build:native\`)`, path });
  }
}
