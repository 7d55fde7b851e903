import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { expect } from 'vitest';
import { type GemmArgs, at } from '../../backend.js';
import { gemm as gemmRef } from '../../js/gemm.js';
import type { Rng } from '../../../tensor/rng.js';
import { type NativeAddon, loadNative } from '../addon.js';

/**
 * Shared by the native tests: whether this machine can build the addon (then it must be built:
 * a missing addon fails the suite instead of silently skipping it), and the float32 GEMM check.
 */

const onPath = (cmd: string): boolean => (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, cmd)));
const nodeHeaders = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')]
  .some((d) => d !== undefined && existsSync(join(d, 'include/node/node_api.h')));

/** What scripts/build-native.mjs needs; null when all of it is here. */
export const cannotBuild: string | null =
  process.platform !== 'linux' && process.platform !== 'darwin' ? `platform ${process.platform}`
    : !onPath(process.env.CC ?? 'cc') ? 'no C compiler (cc) on PATH'
      : !onPath('make') ? 'no make on PATH'
        : !onPath('python3') ? 'no python3 on PATH (node-gyp needs it)'
          : !nodeHeaders ? 'no Node headers (include/node/node_api.h)'
            : process.env.RECUR_NATIVE === '0' ? 'disabled by RECUR_NATIVE=0' : null;

const loaded = loadNative();
/** The addon, or null (then the kernel suites are skipped, and the availability test fails if cannotBuild is null). */
export const addon: NativeAddon | null = loaded.addon;
export const unavailable = loaded.reason;
export const addonPath = loaded.path;

/** status.json written by the build next to the addon, if any. */
export function buildStatus(): { ok: boolean; sourceHash: string } | null {
  if (addonPath === null) return null;
  const f = join(dirname(addonPath), '..', 'status.json');
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as { ok: boolean; sourceHash: string } : null;
}

/** Instruction sets this CPU (and build) can run, best first. */
export function supportedIsas(): string[] {
  if (addon === null) return [];
  const ok = ['avx512', 'avx2', 'generic'].filter((n) => { try { addon.setIsa(n); return true; } catch { return false; } });
  addon.setIsa('auto');
  return ok;
}

export const rand = (rng: Rng, n: number, scale = 1): Float32Array =>
  Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * scale);

const EPS = 2 ** -24;

/**
 * |C − C64| ≤ 2(K + 2)·ε·(|alpha|·Σₖ|a||b| + |beta·c|) elementwise, the float32 error bound of a
 * K-term dot product, against the float64 reference from the same inputs (`o` on host arrays, C0
 * the C it started from); outside C's (M, N) window nothing may change.
 */
export function checkGemm(got: Float32Array, o: GemmArgs<Float32Array>, C0: Float32Array, what: string): void {
  const f64 = (x: Float32Array): Float64Array => Float64Array.from(x);
  const { M, N, K, ldc } = o, cOff = o.C.off;
  const exact = f64(C0), mag = f64(C0).map(Math.abs);
  gemmRef({ ...o, A: at(f64(o.A.buf), o.A.off), B: at(f64(o.B.buf), o.B.off), C: at(exact, cOff) });
  gemmRef({
    ...o, alpha: Math.abs(o.alpha), beta: Math.abs(o.beta),
    A: at(f64(o.A.buf).map(Math.abs), o.A.off), B: at(f64(o.B.buf).map(Math.abs), o.B.off), C: at(mag, cOff),
  });
  let worst = 0, where = -1;
  for (let i = 0; i < got.length; i++) {
    const r = i - cOff, inside = r >= 0 && Math.floor(r / ldc) < M && r % ldc < N;
    const tol = inside ? 2 * (K + 2) * EPS * mag[i] : 0;
    const e = Math.abs(got[i] - (inside ? exact[i] : C0[i])) - tol;
    if (!(e <= worst)) { worst = e; where = i; }
  }
  if (where >= 0) {
    const bound = 2 * (K + 2) * EPS * mag[where];
    expect.fail(`${what}: element ${where} is ${got[where]}, expected ${exact[where]} (bound ${bound})`);
  }
}
