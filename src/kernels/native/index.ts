import { ShapeError } from '../../errors.js';
import { registerBackend } from '../device.js';
import { type NativeInfo, loadNative } from './addon.js';
import { NativeBackend } from './backend.js';

/**
 * The optional native backend (Node only): C kernels behind N-API, built at install time by
 * scripts/build-native.mjs. `device: 'auto'` prefers it when it loaded; when it did not,
 * `listDevices()` says why (the build log's reason, or the load error) and 'auto' falls back.
 * OpenBLAS missing is not a reason: the addon has its own GEMM micro-kernel (which, on two
 * threads, is also what 'auto' picks where OpenBLAS is installed: it measured faster).
 *
 * Environment, read at load: RECUR_NATIVE=0 (off), RECUR_NATIVE_ADDON=path (another build),
 * RECUR_NATIVE_ISA=avx512|avx2|generic, RECUR_NATIVE_GEMM=own|openblas, RECUR_NATIVE_THREADS=1|2,
 * RECUR_OPENBLAS=path|0 (the library to open, or none).
 */
registerBackend({
  name: 'native',
  priority: 2,
  unavailableReason: () => loadNative().reason,
  create: () => {
    const { addon, reason } = loadNative();
    if (addon === null) throw new ShapeError(`device 'native' is not available here: ${reason}`);
    return new NativeBackend(addon);
  },
});

/** What the addon found on this machine (instruction set, OpenBLAS), or null when it is unavailable. */
export function nativeInfo(): NativeInfo | null {
  return loadNative().addon?.info() ?? null;
}

/**
 * Pins the native GEMM to one path (benchmarks, tests): the 'own' kernel, 'openblas' (the own
 * kernel where OpenBLAS is missing), or 'auto' (per shape, the default); threads 0 = per shape.
 * The environment does the same at load: RECUR_NATIVE_GEMM=own|openblas, RECUR_NATIVE_THREADS=1|2.
 * @example setNativeGemm('openblas', 1)
 */
export function setNativeGemm(path: 'auto' | 'own' | 'openblas', threads: 0 | 1 | 2 = 0): void {
  const addon = loadNative().addon;
  if (addon === null) throw new ShapeError(`setNativeGemm: the native backend is not available here: ${loadNative().reason}`);
  addon.setGemm(path === 'own' ? 1 : path === 'openblas' ? 2 : 0, threads);
}

export type { NativeInfo } from './addon.js';
