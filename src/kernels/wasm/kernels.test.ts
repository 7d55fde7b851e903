import { describe, expect, it } from 'vitest';
import { Rng } from '../../tensor/rng.js';
import { expectClose } from '../../test-utils/index.js';
import { type Backend, type GemmArgs, type View, at } from '../backend.js';
import { gemm as gemmRef } from '../js/gemm.js';
import { JsBackend } from '../js/backend.js';
import { CONFIGS, download, rand, useBackend } from './test-utils/backends.js';

/**
 * Every wasm kernel against the plain-TypeScript reference, for both builds (SIMD128 and relaxed
 * SIMD) and on one thread and two (threaded configurations split every call), on odd sizes.
 */
const SIZES = [1, 3, 17, 129];
const ref = new JsBackend('float32');
const EPS = 2 ** -24;

/**
 * |C − C64| ≤ 2(K + 2)·ε·(|alpha|·Σₖ|a||b| + |beta·c|) + 1e-30 elementwise: the float32 error bound
 * of a K-term dot product, checked against the float64 reference computed from the same inputs.
 */
function checkGemm(got: Float32Array, o: GemmArgs<Float32Array>, C0: Float32Array, what: string): void {
  const f64 = (x: Float32Array) => Float64Array.from(x);
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
    // outside C's (M, N) window nothing may change; inside, the float32 bound
    const tol = inside ? 2 * (K + 2) * EPS * mag[i] + 1e-30 : 0;
    const e = Math.abs(got[i] - (inside ? exact[i] : C0[i])) - tol;
    if (!(e <= worst)) { worst = e; where = i; }
  }
  if (where >= 0) {
    const bound = 2 * (K + 2) * EPS * mag[where];
    expect.fail(`${what}: element ${where} is ${got[where]}, expected ${exact[where]} (bound ${bound})`);
  }
}

/** A GEMM problem: C = alpha·op(A)·op(B) + beta·C, op(A) (M, K), op(B) (K, N). */
interface Problem { tA: boolean; tB: boolean; M: number; N: number; K: number; alpha: number; beta: number }
const problem = (tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, beta: number): Problem =>
  ({ tA, tB, M, N, K, alpha, beta });

describe.each(CONFIGS)('wasm kernels ($label)', (cfg) => {
  const be = useBackend(cfg);

  function runGemm(rng: Rng, q: Problem, pad: { a: number; b: number; c: number; off: number }): void {
    const { tA, tB, M, N, K, alpha, beta } = q, p = pad.off;
    const lda = (tA ? M : K) + pad.a, ldb = (tB ? K : N) + pad.b, ldc = N + pad.c;
    const A = rand(rng, p + (tA ? K : M) * lda), B = rand(rng, p + (tB ? N : K) * ldb);
    const C0 = rand(rng, p + M * ldc);
    if (beta === 0) C0[p] = NaN; // beta = 0 overwrites, even NaN (as the reference does)
    const b = be(), a = b.fromHost(A), bb = b.fromHost(B), c = b.fromHost(C0);
    b.gemm({ ...q, A: at(a, p), lda, B: at(bb, p), ldb, C: at(c, p), ldc });
    const got = download(b, c, C0.length);
    b.release(a); b.release(bb); b.release(c);
    checkGemm(got, { ...q, A: at(A, p), lda, B: at(B, p), ldb, C: at(C0, p), ldc }, C0,
      `gemm ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${M}×${N}×${K} alpha ${alpha} beta ${beta}`);
  }

  it.each([[false, false], [false, true], [true, false], [true, true]])('gemm tA=%s tB=%s on every size in {1, 3, 17, 129}³', (tA, tB) => {
    const rng = new Rng(7);
    const alphas = [1, -0.5, 2], betas = [0, 1, 0.3];
    let i = 0;
    for (const M of SIZES) for (const N of SIZES) for (const K of SIZES) {
      i++;
      runGemm(rng, problem(tA, tB, M, N, K, alphas[i % 3], betas[(i >> 1) % 3]), { a: 0, b: 0, c: 0, off: 0 });
    }
  });

  it.runIf(cfg.threads === 2)('the worker thread ran its halves (threads really split the calls)', () => {
    expect(be().workerJobs).toBeGreaterThan(0);
  });

  it('gemm with offsets, leading dimensions wider than the matrix, K = 0, alpha = 0', () => {
    const rng = new Rng(11);
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      runGemm(rng, problem(tA, tB, 17, 33, 9, 1.5, 0.3), { a: 5, b: 3, c: 7, off: 13 });
      runGemm(rng, problem(tA, tB, 5, 9, 0, 1, 0.3), { a: 1, b: 2, c: 3, off: 2 }); // K = 0: C = beta·C
      runGemm(rng, problem(tA, tB, 5, 9, 0, 1, 0), { a: 0, b: 0, c: 0, off: 0 });
      runGemm(rng, problem(tA, tB, 6, 10, 4, 0, 2), { a: 0, b: 0, c: 1, off: 1 }); // alpha = 0
    }
  });

  it('gemm with fewer rows than a tile (matrix–vector products): offsets, padded rows, K past one chunk', () => {
    const rng = new Rng(12);
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      for (const M of [1, 2, 3]) {
        for (const N of [1, 4, 5, 31, 32, 33, 65, 100]) {
          const q = problem(tA, tB, M, N, 1 + rng.int(70), [1, -0.5][rng.int(2)], [0, 1, 0.3][rng.int(3)]);
          runGemm(rng, q, { a: rng.int(3), b: rng.int(3), c: rng.int(3), off: rng.int(5) });
        }
      }
      // K beyond the 32 768 floats of one packed row
      runGemm(rng, problem(tA, tB, 1, 6, 33_000, 1, 1), { a: 0, b: 1, c: 0, off: 3 });
    }
  });

  it('gemm across cache blocks (M > 128, N > 512, K > 256)', () => {
    const rng = new Rng(3);
    runGemm(rng, problem(false, true, 131, 523, 261, 1, 1), { a: 0, b: 0, c: 0, off: 0 });
    runGemm(rng, problem(true, false, 133, 517, 263, -1, 0), { a: 2, b: 1, c: 4, off: 5 });
  });

  it('pointwise cell kernels (RNN tanh/relu, LSTM, GRU, forward and backward)', () => {
    const rng = new Rng(5), b = be();
    for (const B of SIZES) for (const H of SIZES) {
      const n = B * H;
      for (const G of [1, 4, 3]) {
        const GH = G * H, off = 3;
        const host = {
          gx: rand(rng, off + B * GH, 3), gh: rand(rng, off + B * GH, 3),
          prev: rand(rng, off + n), out: rand(rng, off + n),
          c: rand(rng, off + n), tc: rand(rng, off + n), dh: rand(rng, off + n), dc: rand(rng, off + n),
          dg: rand(rng, off + B * GH), dg2: rand(rng, off + B * GH), dhp: rand(rng, off + n),
        };
        type Key = keyof typeof host;
        const keys = Object.keys(host) as Key[];
        const dev = Object.fromEntries(keys.map((k) => [k, b.fromHost(host[k])])) as Record<Key, number>;
        const r = Object.fromEntries(keys.map((k) => [k, host[k].slice()])) as typeof host;
        const what = `G ${G} B ${B} H ${H}`;
        // the same call on the reference (host arrays) and on wasm (linear memory), every operand at offset `off`
        type Views<Buf> = Record<Key, View<Buf>>;
        const views = <Buf>(m: Record<Key, Buf>) =>
          Object.fromEntries(keys.map((k) => [k, at(m[k], off)])) as Views<Buf>;
        const both = (f: <Buf>(k: Backend<Buf>, v: Views<Buf>) => void): void => {
          f(ref, views(r));
          f(b, views(dev));
        };
        if (G === 1) {
          for (const relu of [false, true]) {
            both((k, v) => k.rnnCellForward({ relu, n, gx: v.gx, gh: v.gh, h: v.out }));
            both((k, v) => k.rnnCellBackward({ relu, n, h: v.out, dh: v.dh, dg: v.dg }));
          }
        } else if (G === 4) {
          both((k, v) => k.lstmCellForward({ B, H, gates: v.gx, gh: v.gh, cPrev: v.prev, c: v.c, tc: v.tc, h: v.out }));
          both((k, v) => k.lstmCellBackward({
            B, H, gates: v.gx, cPrev: v.prev, tc: v.tc, dh: v.dh, dc: v.dc, dg: v.dg,
          }));
        } else {
          both((k, v) => k.gruCellForward({ B, H, gates: v.gx, gh: v.gh, hPrev: v.prev, hn: v.c, h: v.out }));
          both((k, v) => k.gruCellBackward({
            B, H, gates: v.gx, hn: v.c, hPrev: v.prev, dh: v.dh, dgx: v.dg, dgh: v.dg2, dhPrev: v.dhp,
          }));
        }
        for (const k of Object.keys(host) as (keyof typeof host)[]) {
          expectClose(download(b, dev[k], host[k].length), r[k], `${what} ${k}`, { atol: 1e-6, rtol: 1e-6 });
          b.release(dev[k]);
        }
      }
    }
  });

  it('tanh and sigmoid within 1e-6 relative of the float64 functions, tails and tiny values included', () => {
    const b = be(), xs: number[] = [0, -0, 1e-30, -1e-20, 1e-8, -3e-5, 0.62499, 0.625, 0.6251, 87, -87.5, 88, -100, 200];
    for (let x = -20; x <= 20; x += 0.00731) xs.push(x);
    const x = Float32Array.from(xs), n = x.length;
    const gx = b.fromHost(x), zeros = b.alloc(4 * n), h = b.alloc(n);
    b.rnnCellForward({ relu: false, n, gx: at(gx), gh: at(zeros), h: at(h) });
    const t = download(b, h, n);
    // sigmoid through the LSTM's input gate: B = 1, H = n, the other gates zero
    const gates = b.alloc(4 * n);
    b.copy(n, at(gx), at(gates));
    const c = b.alloc(n), tc = b.alloc(n);
    const z = at(zeros);
    b.lstmCellForward({ B: 1, H: n, gates: at(gates), gh: z, cPrev: z, c: at(c), tc: at(tc), h: at(h) });
    const s = download(b, gates, n);
    for (let i = 0; i < n; i++) {
      const xi = x[i], tr = Math.tanh(xi), sr = 1 / (1 + Math.exp(-xi));
      expect(Math.abs(t[i] - tr), `tanh(${xi}) = ${t[i]}, expected ${tr}`).toBeLessThanOrEqual(1e-6 * Math.abs(tr) + 1e-37);
      expect(Math.abs(s[i] - sr), `sigmoid(${xi}) = ${s[i]}, expected ${sr}`).toBeLessThanOrEqual(1e-6 * Math.abs(sr) + 1e-37);
    }
    for (const p of [gx, zeros, h, gates, c, tc]) b.release(p);
  });

  it('fill, copy, axpy, broadcastRows, addColSums, transpose, gather/scatter, masks', () => {
    const rng = new Rng(9), b = be();
    for (const rows of SIZES) for (const cols of SIZES) {
      const n = rows * cols, what = `${rows}×${cols}`;
      const X = rand(rng, n + 5), Y = rand(rng, n + 7), v = rand(rng, cols + 2);
      const x = b.fromHost(X), vv = b.fromHost(v);
      let y = b.fromHost(Y);
      const Yr = Y.slice();
      ref.axpy(n, -0.75, at(X, 2), at(Yr, 3)); b.axpy(n, -0.75, at(x, 2), at(y, 3));
      expectClose(download(b, y, Y.length), Yr, `axpy ${what}`, { atol: 1e-7, rtol: 1e-7 });
      b.release(y); y = b.fromHost(Yr); // the plain build rounds alpha·x before adding: resynchronise
      ref.addColSums(rows, cols, at(X, 1), at(Yr, 2)); b.addColSums(rows, cols, at(x, 1), at(y, 2));
      expectClose(download(b, y, Y.length), Yr, `addColSums ${what}`, { atol: 0 }); // same order: bitwise
      ref.broadcastRows(rows, cols, at(v, 1), at(Yr, 4)); b.broadcastRows(rows, cols, at(vv, 1), at(y, 4));
      expectClose(download(b, y, Y.length), Yr, `broadcastRows ${what}`, { atol: 0 });
      ref.transpose(rows, cols, at(X, 3), at(Yr, 1)); b.transpose(rows, cols, at(x, 3), at(y, 1));
      expectClose(download(b, y, Y.length), Yr, `transpose ${what}`, { atol: 0 });
      ref.copy(n, at(X, 1), at(Yr, 5)); b.copy(n, at(x, 1), at(y, 5));
      ref.fill(cols, 0.25, at(Yr, 2)); b.fill(cols, 0.25, at(y, 2));
      expectClose(download(b, y, Y.length), Yr, `copy/fill ${what}`, { atol: 0 });
      // rows of a (rows, cols) table gathered into and scattered from (m, cols), with repeated ids
      const m = 2 * rows + 1, idx = Int32Array.from({ length: m }, () => rng.int(rows));
      const T = rand(rng, 1 + rows * cols), D = rand(rng, 2 + m * cols);
      const t = b.fromHost(T), d = b.fromHost(D), Tr = T.slice(), Dr = D.slice();
      ref.gatherAddRows(cols, idx, at(Tr, 1), at(Dr, 2)); b.gatherAddRows(cols, idx, at(t, 1), at(d, 2));
      expectClose(download(b, d, D.length), Dr, `gatherAddRows ${what}`, { atol: 0 });
      ref.scatterAddRows(cols, idx, at(Dr, 2), at(Tr, 1)); b.scatterAddRows(cols, idx, at(d, 2), at(t, 1));
      expectClose(download(b, t, T.length), Tr, `scatterAddRows ${what}`, { atol: 0 });
      // masks: every other row padding
      const mk = Float32Array.from({ length: rows + 1 }, (_, i) => i % 2);
      const mm = b.fromHost(mk);
      ref.maskState(rows, cols, at(mk, 1), at(Yr), at(X, 2)); b.maskState(rows, cols, at(mm, 1), at(y), at(x, 2));
      ref.maskRows(rows, cols, at(mk), at(Yr, 3)); b.maskRows(rows, cols, at(mm), at(y, 3));
      expectClose(download(b, y, Y.length), Yr, `maskState/maskRows ${what}`, { atol: 0 });
      for (const p of [x, y, vv, t, d, mm]) b.release(p);
    }
  });

  it('host kernels: gemm on host arrays, softmax cross-entropy, column sums (above and below the thresholds)', () => {
    const rng = new Rng(13), b = be(), h = b.host!;
    for (const [M, N, K] of [[2, 3, 4], [64, 65, 128], [129, 17, 33]] as const) {
      for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const lda = (tA ? M : K) + 1, ldb = tB ? K : N, ldc = N + 2;
        const A = rand(rng, 1 + (tA ? K : M) * lda), B = rand(rng, (tB ? N : K) * ldb), C0 = rand(rng, 3 + M * ldc);
        const C = C0.slice(), o = { tA, tB, M, N, K, alpha: 0.5, beta: 1, A: at(A, 1), lda, B: at(B), ldb, ldc };
        h.gemm({ ...o, C: at(C, 3) });
        checkGemm(C, { ...o, C: at(C0, 3) }, C0, `host gemm ${M}×${N}×${K}`);
      }
    }
    for (const [N, C] of [[3, 5], [2048, 65], [17, 129]] as const) {
      const X = rand(rng, N * C, 8), Y = Int32Array.from({ length: N }, () => rng.int(C));
      const w = Float32Array.from({ length: N }, (_, i) => (i % 5 === 0 ? 0 : 1 + (i % 3)));
      const P = new Float32Array(N * C), L = new Float32Array(N), Pr = P.slice(), Lr = L.slice();
      h.softmaxXent(N, C, X, Y, w, P, L);
      ref64Softmax(N, C, X, Y, w, Pr, Lr);
      expectClose(P, Pr, `softmax ${N}×${C}`, { atol: 1e-9, rtol: 1e-6 });
      expectClose(L, Lr, `cross-entropy ${N}×${C}`, { atol: 1e-7, rtol: 1e-6 });
    }
    for (const [rows, cols] of [[3, 3], [2048, 65], [100, 129]] as const) {
      const S = rand(rng, rows * cols), D = rand(rng, cols), Dr = D.slice();
      h.addColSums(rows, cols, S, D);
      ref.addColSums(rows, cols, at(S), at(Dr));
      expectClose(D, Dr, `host addColSums ${rows}×${cols}`, { atol: 0 });
    }
  });
});

/** The reference softmax cross-entropy (host.ts's, float64 inside). */
function ref64Softmax(N: number, C: number, X: Float32Array, Y: Int32Array, w: Float32Array, P: Float32Array, L: Float32Array): void {
  for (let i = 0; i < N; i++) {
    const o = i * C;
    let m = -Infinity, s = 0;
    for (let k = 0; k < C; k++) m = Math.max(m, X[o + k]);
    for (let k = 0; k < C; k++) s += Math.exp(X[o + k] - m);
    for (let k = 0; k < C; k++) P[o + k] = Math.exp(X[o + k] - m) / s;
    L[i] = w[i] === 0 ? 0 : w[i] * (m + Math.log(s) - X[o + Y[i]]);
  }
}
