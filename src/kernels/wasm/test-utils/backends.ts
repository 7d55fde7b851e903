import { afterAll, beforeAll } from 'vitest';
import { Rng } from '../../../tensor/rng.js';
import { WasmBackend, wasmTuning } from '../backend.js';
import { relaxedSimdAvailable } from '../loader.js';

/** One backend per (build, threads) the tests cover; threaded ones split every kernel (thresholds 0). */
export interface Config { label: string; variant: 'simd' | 'relaxed'; threads: 1 | 2 }

export const CONFIGS: Config[] = [
  { label: 'simd, 1 thread', variant: 'simd', threads: 1 },
  { label: 'relaxed, 1 thread', variant: 'relaxed', threads: 1 },
  { label: 'simd, 2 threads', variant: 'simd', threads: 2 },
  { label: 'relaxed, 2 threads', variant: 'relaxed', threads: 2 },
];

/**
 * Makes the backend for `c` before the suite (waiting for its worker) and disposes it after;
 * while a threaded backend's suite runs, wasmTuning forces both threads on every kernel.
 */
export function useBackend(c: Config): () => WasmBackend {
  let be: WasmBackend | null = null;
  const saved = { ...wasmTuning };
  beforeAll(async () => {
    if (c.variant === 'relaxed' && !relaxedSimdAvailable()) throw new Error('relaxed SIMD should be available on Node 20 (flag)');
    be = new WasmBackend({ variant: c.variant, threads: c.threads });
    if (c.threads === 2) {
      if (!(await be.whenReady())) throw new Error('the worker thread did not start');
      wasmTuning.gemmMinFlops = 0; wasmTuning.cellMinElems = 0; wasmTuning.pointwiseMinElems = 0; wasmTuning.adaptive = false;
    }
  });
  afterAll(() => { Object.assign(wasmTuning, saved); be?.dispose(); });
  return () => be!;
}

export const rand = (rng: Rng, n: number, scale = 1): Float32Array =>
  Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * scale);

/** Copies device memory out. */
export function download(be: WasmBackend, b: number, n: number, off = 0): Float32Array {
  const out = new Float32Array(n);
  be.toHost(b, out, off);
  return out;
}
