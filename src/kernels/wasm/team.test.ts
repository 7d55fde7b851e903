import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../tensor/rng.js';
import { maxDiff } from '../../test-utils/index.js';
import { at } from '../backend.js';
import { gemm as gemmRef } from '../js/gemm.js';
import { WasmBackend, wasmTuning } from './backend.js';
import type { Team } from './team.js';
import { download, rand } from './test-utils/backends.js';

describe('wasm worker thread', () => {
  it('keeps computing right after the memory grew (the worker sees the new pages)', async () => {
    const be = new WasmBackend({ threads: 2, initialPages: 24 });
    const saved = { ...wasmTuning };
    try {
      expect(await be.whenReady()).toBe(true);
      wasmTuning.gemmMinFlops = 0; wasmTuning.adaptive = false;
      const rng = new Rng(2), M = 64, N = 96, K = 80;
      const A = rand(rng, M * K), B = rand(rng, K * N), C = new Float32Array(M * N);
      const dims = { tA: false, tB: false, M, N, K, alpha: 1, beta: 0 };
      gemmRef({ ...dims, A: at(A), lda: K, B: at(B), ldb: N, C: at(C), ldc: N });
      for (let round = 0; round < 4; round++) {
        const size = be.heap.byteLength;
        const fillers = be.heap.freeBlocks().map((f) => be.heap.alloc(f.size)); // no room left below `size`
        const a = be.fromHost(A), b = be.fromHost(B), c = be.alloc(M * N);
        expect(c).toBeGreaterThan(size);
        // back to back, so the worker stays awake (it sleeps after SPIN_MS idle, and a sleeping worker's
        // half is taken back): stop at the first call whose other half the worker ran, in the new pages
        const jobs = be.workerJobs;
        const o = { ...dims, A: at(a), lda: K, B: at(b), ldb: N, C: at(c), ldc: N };
        for (let rep = 0; rep < 5000 && be.workerJobs === jobs; rep++) be.gemm(o);
        expect(be.workerJobs, `round ${round}: the worker never took a half`).toBeGreaterThan(jobs);
        const { max, at: where } = maxDiff(download(be, c, M * N), C);
        expect(max, `round ${round}: worst at ${where}`).toBeLessThan(1e-5);
        for (const f of fillers) be.heap.release(f);
      }
    } finally {
      Object.assign(wasmTuning, saved);
      be.dispose();
    }
  });

  it('a worker that went to sleep is woken, or its half taken back: no waiting on it, right results', async () => {
    const be = new WasmBackend({ threads: 2 });
    const saved = { ...wasmTuning };
    try {
      expect(await be.whenReady()).toBe(true);
      wasmTuning.gemmMinFlops = 0;
      const n = 64, a = be.alloc(n * n), c = be.alloc(n * n);
      be.fill(n * n, 1, at(a));
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 20)); // longer than the worker spins: it sleeps
        const taken = be.teamStats.takenBack, jobs = be.workerJobs, t0 = performance.now();
        be.gemm({ tA: false, tB: false, M: n, N: n, K: n, alpha: 1, beta: 0,
          A: at(a), lda: n, B: at(a), ldb: n, C: at(c), ldc: n });
        // ~0.1 ms when it works; waiting on the sleeper would end only at the stall guard (60 s)
        expect(performance.now() - t0).toBeLessThan(1000);
        expect(be.teamStats.takenBack - taken + be.workerJobs - jobs).toBe(1);
        expect(download(be, c, n * n).every((v) => v === n)).toBe(true);
      }
    } finally {
      Object.assign(wasmTuning, saved);
      be.dispose();
    }
  });

  it('does not keep Node alive: a process that used both threads exits on its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-wasm-'));
    try {
      const script = join(dir, 'exit.mts');
      const backend = new URL('./backend.ts', import.meta.url).pathname;
      writeFileSync(script, `
        import { WasmBackend, wasmTuning } from ${JSON.stringify(backend)};
        const be = new WasmBackend({ threads: 2 });
        await be.whenReady();
        wasmTuning.gemmMinFlops = 0;
        const a = be.alloc(256 * 256);
        const v = { buf: a, off: 0 };
        for (let i = 0; i < 50; i++) {
          be.gemm({ tA: false, tB: true, M: 256, N: 256, K: 256, alpha: 1, beta: 0,
            A: v, lda: 256, B: v, ldb: 256, C: v, ldc: 256 });
        }
        console.log('done', be.workerJobs > 0);
      `);
      const t0 = Date.now();
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
      expect(out.trim()).toBe('done true');
      expect(Date.now() - t0).toBeLessThan(30_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stands down to one thread for a while when the worker costs more than it saves (as when it lost its core)', async () => {
    const be = new WasmBackend({ threads: 2 });
    try {
      expect(await be.whenReady()).toBe(true);
      const team = (be as unknown as { team: Team }).team, n = 256, K = 32 * n;
      const scratch = (): number => be.heap.alloc(be.k.gemm_scratch_bytes());
      const a = be.alloc(n * K), c0 = be.alloc(n * n), c1 = be.alloc(n * n), ws0 = scratch(), ws1 = scratch();
      const gemm = (k: number, c: number, ws: number): number[] => [0, 0, n, n, k, 1, a, k, a, n, 0, c, n, ws];
      // this thread's half takes ~3 ms (time for a sleeping worker to wake and claim the other),
      // the worker's 8× as long: the hand-over costs far more than it saves
      for (let i = 0; i < 20 && team.stats.standDowns === 0; i++) team.run2('gemm', gemm(4 * n, c0, ws0), gemm(K, c1, ws1));
      expect(team.stats.standDowns, JSON.stringify({ ...team.stats, jobs: team.workerJobs })).toBeGreaterThan(0);
      expect(team.available).toBe(false);
      await new Promise((r) => setTimeout(r, 15)); // the first back-off is 10 ms
      expect(team.available).toBe(true);
    } finally {
      be.dispose();
    }
  });

  it('dispose stops the worker and the backend keeps working on one thread', async () => {
    const be = new WasmBackend({ threads: 2 });
    expect(await be.whenReady()).toBe(true);
    be.dispose();
    expect(be.workerReady).toBe(false);
    const a = be.fromHost(Float32Array.from([1, 2, 3, 4])), c = be.alloc(4);
    be.gemm({ tA: false, tB: false, M: 2, N: 2, K: 2, alpha: 1, beta: 0,
      A: at(a), lda: 2, B: at(a), ldb: 2, C: at(c), ldc: 2 });
    expect([...download(be, c, 4)]).toEqual([7, 10, 15, 22]);
  });
});
