import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../tensor/rng.js';
import { ROOT, expectClose } from '../../test-utils/index.js';
import { getBackend, listDevices } from '../device.js';
import { referenceHostKernels } from '../host.js';
import { JsBackend } from '../js/backend.js';
import { type Backend, type GemmArgs, at } from '../backend.js';
import type { NativeAddon } from './addon.js';
import { NativeBackend } from './backend.js';
import './index.js';
import { addon, buildStatus, cannotBuild, checkGemm, rand, supportedIsas, unavailable } from './test-utils/index.js';

/**
 * Every native kernel against the plain-TypeScript reference, on odd sizes, for each GEMM path
 * (own micro-kernel per instruction set, OpenBLAS on 1 and 2 threads) and each pointwise build
 * (AVX-512, AVX2, portable C) this CPU can run.
 */
const SIZES = [1, 3, 17, 129];
const ref = new JsBackend('float32');
const OPENBLAS = ['/usr/lib/x86_64-linux-gnu/libopenblas.so.0', '/usr/lib/aarch64-linux-gnu/libopenblas.so.0',
  '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0'];

describe('native addon', () => {
  it('is built and loads wherever it can be built', () => {
    if (addon === null && cannotBuild !== null) {
      console.warn(`native backend tests skipped: ${unavailable} (cannot build here: ${cannotBuild})`);
      return;
    }
    expect(unavailable, `the native backend is unavailable although this machine can build it: ${unavailable}`).toBeNull();
  });

  it.runIf(addon !== null)('was built from the current C sources', () => {
    const status = buildStatus();
    if (status === null) return; // RECUR_NATIVE_ADDON points elsewhere
    const hash = execFileSync(process.execPath, [join(ROOT, 'scripts/build-native.mjs'), '--hash'], { encoding: 'utf8' }).trim();
    expect(status.sourceHash, 'the addon is older than its C sources: run `npm run build:native`').toBe(hash);
  });

  it.runIf(addon !== null)('uses OpenBLAS when it is installed, else says why not', () => {
    const info = addon!.info();
    if (OPENBLAS.some((p) => existsSync(p)) && process.env.RECUR_OPENBLAS !== '0') {
      expect(info.blas, `OpenBLAS is installed but did not load: ${info.blasError}`).not.toBeNull();
      expect(info.blas!.version).toMatch(/^OpenBLAS \d/);
    } else {
      expect(info.blasError).toBeTruthy();
    }
  });

  it.runIf(addon !== null)("is the 'auto' device, with a description of its kernels", () => {
    expect(listDevices().find((d) => d.available)?.name).toBe('native');
    const be = getBackend('native');
    expect(be.name).toBe('native');
    expect(be.description).toMatch(/^native \(.*(OpenBLAS|own).*(AVX-512|AVX2|generic) pointwise\)$/);
    const x = new Float32Array(3);
    expect(be.fromHost(x)).toBe(x);
  });
});

const gemmPaths: { label: string; gemm: number; threads: number; isa: string }[] = [
  ...supportedIsas().flatMap((isa) => [1, 2].map((t) => ({ label: `own kernel, ${isa}, ${t} thread${t > 1 ? 's' : ''}`, gemm: 1, threads: t, isa }))),
  ...(addon?.info().blas ? [1, 2].map((t) => ({ label: `OpenBLAS, ${t} thread${t > 1 ? 's' : ''}`, gemm: 2, threads: t, isa: 'auto' })) : []),
  { label: 'chosen per shape', gemm: 0, threads: 0, isa: 'auto' },
];

/** The native backend with the GEMM path and instruction set pinned for the suite (they are the addon's, global). */
function usePath(p: { gemm: number; threads: number; isa: string }): () => NativeBackend {
  const be = addon && new NativeBackend(addon);
  beforeAll(() => { addon!.setGemm(p.gemm, p.threads); addon!.setIsa(p.isa); });
  afterAll(() => { addon!.setGemm(0, 0); addon!.setIsa('auto'); });
  return () => be!;
}

/** A GEMM problem: C = alpha·op(A)·op(B) + beta·C, op(A) (M, K), op(B) (K, N). */
interface Problem { tA: boolean; tB: boolean; M: number; N: number; K: number; alpha: number; beta: number }

describe.runIf(addon !== null).each(gemmPaths)('native gemm ($label)', (p) => {
  const k = usePath(p);

  function run(rng: Rng, q: Problem, pad = { a: 0, b: 0, c: 0, off: 0 }, lds?: { lda: number; ldb: number }): void {
    const { tA, tB, M, N, K, alpha, beta } = q;
    const lda = lds?.lda ?? (tA ? M : K) + pad.a, ldb = lds?.ldb ?? (tB ? K : N) + pad.b, ldc = N + pad.c;
    const A = rand(rng, pad.off + Math.max(1, tA ? K : M) * lda), B = rand(rng, pad.off + Math.max(1, tB ? N : K) * ldb);
    const C0 = rand(rng, pad.off + M * ldc + 2);
    if (beta === 0) C0[pad.off] = NaN; // beta = 0 overwrites, NaN included (as the reference does)
    const C = C0.slice();
    const o: GemmArgs<Float32Array> = { ...q, A: at(A, pad.off), lda, B: at(B, pad.off), ldb, C: at(C, pad.off), ldc };
    k().gemm(o);
    checkGemm(C, o, C0, `${p.label} gemm(${tA}, ${tB}, M ${M}, N ${N}, K ${K}, alpha ${alpha}, beta ${beta}, `
      + `lda ${lda}, ldb ${ldb}, ldc ${ldc})`);
  }

  it.each([[false, false], [false, true], [true, false], [true, true]])('tA %s, tB %s: sizes 1, 3, 17, 129, offsets, padded rows', (tA, tB) => {
    const rng = new Rng(7);
    for (const M of SIZES) for (const N of SIZES) {
      const K = SIZES[rng.int(SIZES.length)];
      const pad = { a: rng.int(3), b: rng.int(3), c: rng.int(3), off: rng.int(5) };
      run(rng, { tA, tB, M, N, K, alpha: [1, 0.5, -2][rng.int(3)], beta: [0, 1, 0.25, -1][rng.int(4)] }, pad);
    }
  });

  it('one row (a matrix–vector product): widths around the vector lengths, padded rows, strided rows of A', () => {
    const rng = new Rng(12);
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      for (const N of [1, 7, 8, 15, 16, 17, 63, 64, 65, 129]) {
        const K = [1, 5, 16, 33, 130][rng.int(5)];
        const pad = { a: rng.int(3), b: rng.int(3), c: rng.int(3), off: rng.int(5) };
        run(rng, { tA, tB, M: 1, N, K, alpha: [1, -0.5][rng.int(2)], beta: [0, 1, 0.3][rng.int(3)] }, pad);
      }
    }
  });

  it('alpha 0 and K 0 only scale C; empty M or N touch nothing', () => {
    const rng = new Rng(8);
    for (const beta of [0, 1, 0.5]) {
      run(rng, { tA: false, tB: false, M: 5, N: 7, K: 0, alpha: 1, beta });
      run(rng, { tA: true, tB: true, M: 5, N: 7, K: 9, alpha: 0, beta });
    }
    const A = at(new Float32Array([NaN, NaN, NaN, NaN])), C = at(new Float32Array([1, 2, 3, 4]));
    const o = { tA: false, tB: false, M: 2, N: 2, K: 2, A, lda: 2, B: A, ldb: 2, C, ldc: 2 };
    k().gemm({ ...o, alpha: 0, beta: 0.5 }); // alpha 0: A is never read
    expect([...C.buf]).toEqual([0.5, 1, 1.5, 2]);
    k().gemm({ ...o, M: 0, alpha: 1, beta: 0 });
    k().gemm({ ...o, N: 0, alpha: 1, beta: 0 });
    expect([...C.buf]).toEqual([0.5, 1, 1.5, 2]);
  });

  it('the layers\' shapes, several K and N blocks, rows a multiple of 4 KiB apart', () => {
    const rng = new Rng(9);
    const q = (tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, beta: number): Problem =>
      ({ tA, tB, M, N, K, alpha, beta });
    run(rng, q(false, true, 32, 128, 128, 1, 1));     // h·W_hhᵀ, RNN-128
    run(rng, q(false, false, 32, 128, 128, 1, 1));    // dgh·W_hh
    run(rng, q(true, false, 128, 128, 64, 1, 1));     // dW_hh += dGᵀ·H
    run(rng, q(false, true, 64, 65, 128, 1, 0));      // Linear 128 → 65
    run(rng, q(false, false, 9, 600, 300, 1, 0.5));   // K > KC and N > NC
    run(rng, q(true, true, 41, 37, 600, -1, 1));
    run(rng, q(false, false, 9, 40, 1024, 1, 1));     // lda = ldb… 4 KiB rows: packed, not read in place
    run(rng, q(false, false, 17, 33, 20, 1, 1), undefined, { lda: 1024, ldb: 1024 });
    run(rng, q(true, false, 17, 33, 20, 1, 0), undefined, { lda: 2048, ldb: 1024 });
    run(rng, q(false, true, 130, 40, 33, 1, 1));      // two threads split tall, narrow products by rows
    run(rng, q(true, false, 100, 3, 50, 2, 0));
  });
});

describe.runIf(addon !== null)('native gemm on two threads', () => {
  afterAll(() => { addon!.setGemm(0, 0); });
  it('gives the same bits as one thread, call after call (chunks by columns and by rows)', () => {
    const rng = new Rng(10), helped = addon!.info().helperChunks;
    for (let trial = 0; trial < 200; trial++) {
      const tA = rng.int(2) === 1, tB = rng.int(2) === 1;
      const M = 1 + rng.int(150), N = 1 + rng.int(150), K = 1 + rng.int(300);
      const A = rand(rng, M * K), B = rand(rng, K * N), C = rand(rng, M * N), C2 = C.slice();
      addon!.setGemm(1, 1);
      addon!.gemm(tA, tB, M, N, K, 1, A, 0, tA ? M : K, B, 0, tB ? K : N, 0.5, C, 0, N);
      addon!.setGemm(1, 2);
      addon!.gemm(tA, tB, M, N, K, 1, A, 0, tA ? M : K, B, 0, tB ? K : N, 0.5, C2, 0, N);
      expect(C2, `trial ${trial}: tA ${tA} tB ${tB} M ${M} N ${N} K ${K}`).toEqual(C);
    }
    if (addon!.info().cpus > 1) {
      // small products can finish before a starved helper wakes (a loaded CI runs other test files beside this
      // one); larger ones, for at most 5 s, give it the time to take a chunk
      const n = 384, A = rand(rng, n * n), B = rand(rng, n * n), C = new Float32Array(n * n), end = Date.now() + 5000;
      addon!.setGemm(1, 2);
      while (addon!.info().helperChunks === helped && Date.now() < end) {
        addon!.gemm(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n);
      }
      expect(addon!.info().helperChunks, 'chunks computed by the second thread').toBeGreaterThan(helped);
    }
  });
});

describe.runIf(addon !== null).each(supportedIsas())('native pointwise kernels (%s)', (isa) => {
  const k = usePath({ gemm: 0, threads: 0, isa });
  const tol = { atol: 1e-6, rtol: 1e-6 };

  /** Runs `f` on the native kernels and on the reference over copies of the same arrays; compares all of them. */
  function same(what: string, arrays: Float32Array[], f: (b: Backend<Float32Array>, xs: Float32Array[]) => void,
    t: { atol?: number; rtol?: number } | 'exact' = tol): void {
    const mine = arrays.map((a) => a.slice()), theirs = arrays.map((a) => a.slice());
    f(k(), mine);
    f(ref as unknown as Backend<Float32Array>, theirs);
    mine.forEach((m, i) => {
      if (t === 'exact') expect(m, `${what}: array ${i}`).toEqual(theirs[i]);
      else expectClose(m, theirs[i], `${what}: array ${i}`, t);
    });
  }

  const shapes = (rng: Rng): [number, number, number][] =>
    [[1, 1], [3, 17], [17, 3], [2, 129], [32, 128]].map(([B, H]) => [B, H, rng.int(4)] as [number, number, number]);

  it('rnnCellForward / rnnCellBackward (tanh, relu)', () => {
    const rng = new Rng(1);
    for (const [B, H, o] of shapes(rng)) for (const relu of [false, true]) {
      const n = B * H;
      same(`rnn forward relu=${relu} n=${n}`, [rand(rng, o + n, 3), rand(rng, o + n, 3), rand(rng, o + n)],
        (b, [gx, gh, h]) => b.rnnCellForward({ relu, n, gx: at(gx, o), gh: at(gh, o), h: at(h, o) }));
      same(`rnn backward relu=${relu} n=${n}`, [rand(rng, o + n), rand(rng, o + n), rand(rng, o + n)],
        (b, [h, dh, dg]) => b.rnnCellBackward({ relu, n, h: at(h, o), dh: at(dh, o), dg: at(dg, o) }));
    }
  });

  it('lstmCellForward / lstmCellBackward', () => {
    const rng = new Rng(2);
    for (const [B, H, o] of shapes(rng)) {
      const n = B * H;
      const v = (xs: Float32Array[]) => xs.map((x) => at(x, o)); // every operand at offset o
      same(`lstm forward B=${B} H=${H}`,
        [rand(rng, o + 4 * n, 3), rand(rng, o + 4 * n, 3), rand(rng, o + n, 2), rand(rng, o + n), rand(rng, o + n),
          rand(rng, o + n)],
        (b, xs) => {
          const [gates, gh, cPrev, c, tc, h] = v(xs);
          b.lstmCellForward({ B, H, gates, gh, cPrev, c, tc, h });
        });
      // activations lie in (0, 1) / (−1, 1)
      const gates = Float32Array.from(rand(rng, o + 4 * n), (x) => 0.5 + 0.5 * x);
      same(`lstm backward B=${B} H=${H}`,
        [gates, rand(rng, o + n, 2), rand(rng, o + n), rand(rng, o + n), rand(rng, o + n), rand(rng, o + 4 * n)],
        (b, xs) => {
          const [g, cPrev, tc, dh, dc, dg] = v(xs);
          b.lstmCellBackward({ B, H, gates: g, cPrev, tc, dh, dc, dg });
        });
    }
  });

  it('gruCellForward / gruCellBackward', () => {
    const rng = new Rng(3);
    for (const [B, H, o] of shapes(rng)) {
      const n = B * H;
      const v = (xs: Float32Array[]) => xs.map((x) => at(x, o));
      same(`gru forward B=${B} H=${H}`,
        [rand(rng, o + 3 * n, 3), rand(rng, o + 3 * n, 3), rand(rng, o + n), rand(rng, o + n), rand(rng, o + n)],
        (b, xs) => { const [gates, gh, hPrev, hn, h] = v(xs); b.gruCellForward({ B, H, gates, gh, hPrev, hn, h }); });
      const gates = Float32Array.from(rand(rng, o + 3 * n), (x) => 0.5 + 0.5 * x);
      same(`gru backward B=${B} H=${H}`,
        [gates, rand(rng, o + n), rand(rng, o + n), rand(rng, o + n), rand(rng, o + 3 * n), rand(rng, o + 3 * n),
          rand(rng, o + n)],
        (b, xs) => {
          const [g, hn, hPrev, dh, dgx, dgh, dhPrev] = v(xs);
          b.gruCellBackward({ B, H, gates: g, hn, hPrev, dh, dgx, dgh, dhPrev });
        });
    }
  });

  it('maskState / maskRows', () => {
    const rng = new Rng(4);
    for (const [B, H, o] of shapes(rng)) {
      const m = Float32Array.from({ length: o + B }, () => rng.int(2));
      same(`maskState B=${B} H=${H}`, [m, rand(rng, o + B * H), rand(rng, o + B * H)],
        (b, [mm, x, xp]) => b.maskState(B, H, at(mm, o), at(x, o), at(xp, o)), 'exact');
      same(`maskRows B=${B} W=${H}`, [m, rand(rng, o + B * H)],
        (b, [mm, x]) => b.maskRows(B, H, at(mm, o), at(x, o)), 'exact');
    }
  });

  it('fill, copy, axpy, broadcastRows, addColSums, transpose: bit for bit', () => {
    const rng = new Rng(5);
    for (const n of SIZES) {
      const o = rng.int(4);
      same(`fill ${n}`, [rand(rng, o + n + 2)], (b, [x]) => b.fill(n, -0.3, at(x, o)), 'exact');
      same(`copy ${n}`, [rand(rng, o + n), rand(rng, o + n + 1)],
        (b, [s, d]) => b.copy(n, at(s, o), at(d, 1)), 'exact');
      same(`copy within one array ${n}`, [rand(rng, 2 * n + 3)], (b, [s]) => b.copy(n, at(s), at(s, 2)), 'exact');
      for (const alpha of [1, -0.1, 3.7]) same(`axpy ${n} alpha ${alpha}`, [rand(rng, o + n), rand(rng, o + n)],
        (b, [x, y]) => b.axpy(n, alpha, at(x, o), at(y, o)), 'exact');
      for (const rows of [1, 5, 33]) {
        same(`broadcastRows ${rows}×${n}`, [rand(rng, o + n), rand(rng, o + rows * n)],
          (b, [v, d]) => b.broadcastRows(rows, n, at(v, o), at(d, o)), 'exact');
        same(`addColSums ${rows}×${n}`, [rand(rng, o + rows * n), rand(rng, o + n)],
          (b, [s, d]) => b.addColSums(rows, n, at(s, o), at(d, o)), 'exact');
        same(`transpose ${rows}×${n}`, [rand(rng, o + rows * n), rand(rng, o + rows * n)],
          (b, [s, d]) => b.transpose(rows, n, at(s, o), at(d, o)), 'exact');
      }
    }
  });

  it('gatherAddRows / scatterAddRows: bit for bit', () => {
    const rng = new Rng(6);
    for (const cols of SIZES) {
      const rows = 7, ids = Int32Array.from({ length: 40 }, () => rng.int(rows)), o = rng.int(4);
      // the table at an offset too: C takes it whole, the backend passes a subarray
      same(`gather cols ${cols}`, [rand(rng, o + rows * cols), rand(rng, o + ids.length * cols)],
        (b, [t, d]) => b.gatherAddRows(cols, ids, at(t, o), at(d, o)), 'exact');
      same(`scatter cols ${cols}`, [rand(rng, o + ids.length * cols), rand(rng, o + rows * cols)],
        (b, [s, t]) => b.scatterAddRows(cols, ids, at(s, o), at(t, o)), 'exact');
    }
  });

  it('softmaxXent / softmaxXentBackward (host kernels), ignored rows and weights', () => {
    const rng = new Rng(7);
    const host = getBackend('native').host!;
    for (const C of [1, 3, 17, 65, 129]) {
      const N = 19, X = rand(rng, N * C, 30);
      const Y = Int32Array.from({ length: N }, (_, i) => (i % 5 === 4 ? -100 : rng.int(C)));
      const w = Float32Array.from(Y, (y, i) => (y < 0 ? 0 : i % 3 === 0 ? 0.5 : 1));
      const P = [new Float32Array(N * C), new Float32Array(N * C)], L = [new Float32Array(N), new Float32Array(N)];
      host.softmaxXent(N, C, X, Y, w, P[0], L[0]);
      referenceHostKernels.softmaxXent(N, C, X, Y, w, P[1], L[1]);
      expectClose(P[0], P[1], `softmax C=${C}`, { atol: 1e-30, rtol: 1e-6 });
      expectClose(L[0], L[1], `losses C=${C}`, { atol: 1e-6, rtol: 1e-6 });
      const s = Float32Array.from(w, (v) => v * 0.37), D = [rand(rng, N * C), new Float32Array(N * C)];
      D[1].set(D[0]);
      host.softmaxXentBackward(N, C, P[1], Y, s, D[0]);
      referenceHostKernels.softmaxXentBackward(N, C, P[1], Y, s, D[1]);
      expectClose(D[0], D[1], `softmax backward C=${C}`, { atol: 1e-30, rtol: 2 ** -23 });
    }
  });
});

describe.runIf(addon !== null).each(supportedIsas())('native activations (%s)', (isa) => {
  usePath({ gemm: 0, threads: 0, isa });
  const k = (): NativeAddon => addon!; // the addon's own test hook, below the backend

  /** Distance in units in the last place between two float32 values of the same sign. */
  const ulps = (a: number, b: number): number => {
    const f = new Float32Array([a, b]), i = new Int32Array(f.buffer);
    return Math.abs(i[0] - i[1]);
  };

  function sweep(kind: number, f: (x: number) => number, lo: number, hi: number): { max: number; at: number } {
    const n = 400_001, x = new Float32Array(n), y = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = lo + ((hi - lo) * i) / (n - 1);
    k().activation(kind, x, y);
    let max = 0, at = 0;
    for (let i = 0; i < n; i++) {
      const e = ulps(y[i], Math.fround(f(x[i])));
      if (e > max) { max = e; at = x[i]; }
    }
    return { max, at };
  }
  const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

  it.each([
    { name: 'tanh', kind: 0, f: Math.tanh, lo: -12, hi: 12, bound: 2 },
    { name: 'tanh near 0', kind: 0, f: Math.tanh, lo: -0.7, hi: 0.7, bound: 2 },
    { name: 'sigmoid', kind: 1, f: sigmoid, lo: -80, hi: 30, bound: 2 },
    { name: 'sigmoid near 0', kind: 1, f: sigmoid, lo: -2, hi: 2, bound: 2 },
    { name: 'exp', kind: 2, f: Math.exp, lo: -87, hi: 88.5, bound: 1 },
  ])('$name is within $bound ulp of the float64 function, rounded', ({ kind, f, lo, hi, bound }) => {
    const { max, at } = sweep(kind, f, lo, hi);
    expect(max, `worst at x = ${at}`).toBeLessThanOrEqual(bound);
  });

  it('special values: ±0, ±Inf, NaN, huge arguments', () => {
    const x = Float32Array.from([0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 100, -100, 1e-30]);
    const y = new Float32Array(x.length);
    k().activation(0, x, y);
    expect([...y]).toEqual([0, -0, 1, -1, NaN, 1, -1, 1, -1, 1e-30].map(Math.fround));
    k().activation(1, x, y);
    expect([...y.subarray(0, 8)]).toEqual([0.5, 0.5, 1, 0, NaN, 1, 0, 1]);
    expect(y[8]).toBeLessThan(1e-43); // σ(−100) ≈ 3.7e−44, subnormal
    k().activation(2, x, y);
    expect([...y.subarray(0, 7)]).toEqual([1, 1, Infinity, 0, NaN, Infinity, 0]);
  });
});

describe.runIf(addon !== null)('native argument checks', () => {
  const k = (): NativeAddon => addon!;
  it('a wrong array type is a TypeError naming the argument', () => {
    const f = new Float32Array(4);
    expect(() => k().gemm(false, false, 2, 2, 2, 1, new Float64Array(4) as unknown as Float32Array, 0, 2, f, 0, 2, 0, f, 0, 2))
      .toThrow(/native gemm: argument 7 must be a Float32Array/);
    expect(() => k().gatherAddRows(f, 2, new Float32Array(2) as unknown as Int32Array, f, 0)).toThrow(TypeError);
  });

  it('a range outside its array is a RangeError, and nothing is written', () => {
    const A = new Float32Array(4), C = new Float32Array(4).fill(7);
    expect(() => k().gemm(false, false, 2, 2, 2, 1, A, 1, 2, A, 0, 2, 0, C, 0, 2)).toThrow(/argument 7 needs elements \[1, 5\)/);
    expect(() => k().gemm(false, false, 2, 2, 2, 1, A, 0, 2, A, 0, 2, 0, C, 0, 3)).toThrow(RangeError);
    expect(() => k().copy(A, 0, C, 2, 3)).toThrow(RangeError);
    expect(() => k().lstmCellForward(2, 2, A, 0, A, A, 0, A, 0, A, 0, A, 0)).toThrow(/needs elements \[0, 16\)/);
    expect(() => k().gatherAddRows(A, 2, Int32Array.from([0, 2]), C, 0)).toThrow(/id 2 at position 1 is not a row/);
    expect([...C]).toEqual([7, 7, 7, 7]);
  });
});
