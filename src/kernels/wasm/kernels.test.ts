import { describe, expect, it } from 'vitest';
import { Rng } from '../../tensor/rng.js';
import { expectClose } from '../../test-utils/index.js';
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
function checkGemm(got: Float32Array, tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number,
  A: Float32Array, aOff: number, lda: number, B: Float32Array, bOff: number, ldb: number,
  beta: number, C0: Float32Array, cOff: number, ldc: number, what: string): void {
  const f64 = (x: Float32Array) => Float64Array.from(x);
  const exact = f64(C0), mag = f64(C0).map(Math.abs);
  gemmRef(tA, tB, M, N, K, alpha, f64(A), aOff, lda, f64(B), bOff, ldb, beta, exact, cOff, ldc);
  gemmRef(tA, tB, M, N, K, Math.abs(alpha), f64(A).map(Math.abs), aOff, lda, f64(B).map(Math.abs), bOff, ldb, Math.abs(beta), mag, cOff, ldc);
  let worst = 0, at = -1;
  for (let i = 0; i < got.length; i++) {
    const r = i - cOff, inside = r >= 0 && Math.floor(r / ldc) < M && r % ldc < N;
    // outside C's (M, N) window nothing may change; inside, the float32 bound
    const tol = inside ? 2 * (K + 2) * EPS * mag[i] + 1e-30 : 0;
    const e = Math.abs(got[i] - (inside ? exact[i] : C0[i])) - tol;
    if (!(e <= worst)) { worst = e; at = i; }
  }
  if (at >= 0) expect.fail(`${what}: element ${at} is ${got[at]}, expected ${exact[at]} (bound ${2 * (K + 2) * EPS * mag[at]})`);
}

describe.each(CONFIGS)('wasm kernels ($label)', (cfg) => {
  const be = useBackend(cfg);

  function runGemm(rng: Rng, tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, beta: number,
    pad: { a: number; b: number; c: number; off: number }): void {
    const lda = (tA ? M : K) + pad.a, ldb = (tB ? K : N) + pad.b, ldc = N + pad.c;
    const A = rand(rng, pad.off + (tA ? K : M) * lda), B = rand(rng, pad.off + (tB ? N : K) * ldb);
    const C0 = rand(rng, pad.off + M * ldc);
    if (beta === 0) C0[pad.off] = NaN; // beta = 0 overwrites, even NaN (as the reference does)
    const b = be(), a = b.fromHost(A), bb = b.fromHost(B), c = b.fromHost(C0);
    b.gemm(tA, tB, M, N, K, alpha, a, pad.off, lda, bb, pad.off, ldb, beta, c, pad.off, ldc);
    const got = download(b, c, C0.length);
    b.release(a); b.release(bb); b.release(c);
    checkGemm(got, tA, tB, M, N, K, alpha, A, pad.off, lda, B, pad.off, ldb, beta, C0, pad.off, ldc,
      `gemm ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${M}×${N}×${K} alpha ${alpha} beta ${beta}`);
  }

  it.each([[false, false], [false, true], [true, false], [true, true]])('gemm tA=%s tB=%s on every size in {1, 3, 17, 129}³', (tA, tB) => {
    const rng = new Rng(7);
    const alphas = [1, -0.5, 2], betas = [0, 1, 0.3];
    let i = 0;
    for (const M of SIZES) for (const N of SIZES) for (const K of SIZES) {
      i++;
      runGemm(rng, tA, tB, M, N, K, alphas[i % 3], betas[(i >> 1) % 3], { a: 0, b: 0, c: 0, off: 0 });
    }
  });

  it.runIf(cfg.threads === 2)('the worker thread ran its halves (threads really split the calls)', () => {
    expect(be().workerJobs).toBeGreaterThan(0);
  });

  it('gemm with offsets, leading dimensions wider than the matrix, K = 0, alpha = 0', () => {
    const rng = new Rng(11);
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      runGemm(rng, tA, tB, 17, 33, 9, 1.5, 0.3, { a: 5, b: 3, c: 7, off: 13 });
      runGemm(rng, tA, tB, 5, 9, 0, 1, 0.3, { a: 1, b: 2, c: 3, off: 2 }); // K = 0: C = beta·C
      runGemm(rng, tA, tB, 5, 9, 0, 1, 0, { a: 0, b: 0, c: 0, off: 0 });
      runGemm(rng, tA, tB, 6, 10, 4, 0, 2, { a: 0, b: 0, c: 1, off: 1 }); // alpha = 0
    }
  });

  it('gemm with fewer rows than a tile (matrix–vector products): offsets, padded rows, K past one chunk', () => {
    const rng = new Rng(12);
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      for (const M of [1, 2, 3]) {
        for (const N of [1, 4, 5, 31, 32, 33, 65, 100]) runGemm(rng, tA, tB, M, N, 1 + rng.int(70), [1, -0.5][rng.int(2)], [0, 1, 0.3][rng.int(3)], { a: rng.int(3), b: rng.int(3), c: rng.int(3), off: rng.int(5) });
      }
      runGemm(rng, tA, tB, 1, 6, 33_000, 1, 1, { a: 0, b: 1, c: 0, off: 3 }); // K beyond the 32 768 floats of one packed row
    }
  });

  it('gemm across cache blocks (M > 128, N > 512, K > 256)', () => {
    const rng = new Rng(3);
    runGemm(rng, false, true, 131, 523, 261, 1, 1, { a: 0, b: 0, c: 0, off: 0 });
    runGemm(rng, true, false, 133, 517, 263, -1, 0, { a: 2, b: 1, c: 4, off: 5 });
  });

  it('pointwise cell kernels (RNN tanh/relu, LSTM, GRU, forward and backward)', () => {
    const rng = new Rng(5), b = be();
    for (const B of SIZES) for (const H of SIZES) {
      const n = B * H;
      for (const G of [1, 4, 3]) {
        const GH = G * H, off = 3;
        const host = {
          gx: rand(rng, off + B * GH, 3), gh: rand(rng, B * GH, 3), prev: rand(rng, off + n), out: rand(rng, off + n),
          c: rand(rng, off + n), tc: rand(rng, off + n), dh: rand(rng, n), dc: rand(rng, n),
          dg: rand(rng, off + B * GH), dg2: rand(rng, off + B * GH), dhp: rand(rng, n),
        };
        const dev = Object.fromEntries(Object.entries(host).map(([k, v]) => [k, b.fromHost(v)])) as Record<keyof typeof host, number>;
        const r = Object.fromEntries(Object.entries(host).map(([k, v]) => [k, v.slice()])) as typeof host;
        const what = `G ${G} B ${B} H ${H}`;
        if (G === 1) {
          for (const relu of [false, true]) {
            ref.rnnCellForward(relu, n, r.gx, off, r.gh, r.out, off);
            b.rnnCellForward(relu, n, dev.gx, off, dev.gh, dev.out, off);
            ref.rnnCellBackward(relu, n, r.out, off, r.dh, r.dg, off);
            b.rnnCellBackward(relu, n, dev.out, off, dev.dh, dev.dg, off);
          }
        } else if (G === 4) {
          ref.lstmCellForward(B, H, r.gx, off, r.gh, r.prev, off, r.c, off, r.tc, off, r.out, off);
          b.lstmCellForward(B, H, dev.gx, off, dev.gh, dev.prev, off, dev.c, off, dev.tc, off, dev.out, off);
          ref.lstmCellBackward(B, H, r.gx, off, r.prev, off, r.tc, off, r.dh, r.dc, r.dg, off);
          b.lstmCellBackward(B, H, dev.gx, off, dev.prev, off, dev.tc, off, dev.dh, dev.dc, dev.dg, off);
        } else {
          ref.gruCellForward(B, H, r.gx, off, r.gh, r.prev, off, r.c, off, r.out, off);
          b.gruCellForward(B, H, dev.gx, off, dev.gh, dev.prev, off, dev.c, off, dev.out, off);
          ref.gruCellBackward(B, H, r.gx, off, r.c, off, r.prev, off, r.dh, r.dg, off, r.dg2, off, r.dhp);
          b.gruCellBackward(B, H, dev.gx, off, dev.c, off, dev.prev, off, dev.dh, dev.dg, off, dev.dg2, off, dev.dhp);
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
    b.rnnCellForward(false, n, gx, 0, zeros, h, 0);
    const t = download(b, h, n);
    // sigmoid through the LSTM's input gate: B = 1, H = n, the other gates zero
    const gates = b.alloc(4 * n);
    b.copy(gx, 0, gates, 0, n);
    const c = b.alloc(n), tc = b.alloc(n);
    b.lstmCellForward(1, n, gates, 0, zeros, zeros, 0, c, 0, tc, 0, h, 0);
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
      ref.axpy(n, -0.75, X, 2, Yr, 3); b.axpy(n, -0.75, x, 2, y, 3);
      expectClose(download(b, y, Y.length), Yr, `axpy ${what}`, { atol: 1e-7, rtol: 1e-7 });
      b.release(y); y = b.fromHost(Yr); // the plain build rounds alpha·x before adding: resynchronise
      ref.addColSums(X, 1, rows, cols, Yr, 2); b.addColSums(x, 1, rows, cols, y, 2);
      expectClose(download(b, y, Y.length), Yr, `addColSums ${what}`, { atol: 0 }); // same order: bitwise
      ref.broadcastRows(v, 1, rows, cols, Yr, 4); b.broadcastRows(vv, 1, rows, cols, y, 4);
      expectClose(download(b, y, Y.length), Yr, `broadcastRows ${what}`, { atol: 0 });
      ref.transpose(X, 3, rows, cols, Yr, 1); b.transpose(x, 3, rows, cols, y, 1);
      expectClose(download(b, y, Y.length), Yr, `transpose ${what}`, { atol: 0 });
      ref.copy(X, 1, Yr, 5, n); b.copy(x, 1, y, 5, n);
      ref.fill(Yr, 2, cols, 0.25); b.fill(y, 2, cols, 0.25);
      expectClose(download(b, y, Y.length), Yr, `copy/fill ${what}`, { atol: 0 });
      // rows of a (rows, cols) table gathered into and scattered from (m, cols), with repeated ids
      const m = 2 * rows + 1, idx = Int32Array.from({ length: m }, () => rng.int(rows));
      const T = rand(rng, rows * cols), D = rand(rng, 2 + m * cols);
      const t = b.fromHost(T), d = b.fromHost(D), Tr = T.slice(), Dr = D.slice();
      ref.gatherAddRows(Tr, cols, idx, Dr, 2); b.gatherAddRows(t, cols, idx, d, 2);
      expectClose(download(b, d, D.length), Dr, `gatherAddRows ${what}`, { atol: 0 });
      ref.scatterAddRows(Dr, 2, cols, idx, Tr); b.scatterAddRows(d, 2, cols, idx, t);
      expectClose(download(b, t, T.length), Tr, `scatterAddRows ${what}`, { atol: 0 });
      // masks: every other row padding
      const mk = Float32Array.from({ length: rows + 1 }, (_, i) => i % 2);
      const mm = b.fromHost(mk);
      ref.maskState(rows, cols, mk, 1, Yr, 0, X, 2); b.maskState(rows, cols, mm, 1, y, 0, x, 2);
      ref.maskRows(rows, cols, mk, 0, Yr, 3); b.maskRows(rows, cols, mm, 0, y, 3);
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
        const C = C0.slice();
        h.gemm(tA, tB, M, N, K, 0.5, A, 1, lda, B, 0, ldb, 1, C, 3, ldc);
        checkGemm(C, tA, tB, M, N, K, 0.5, A, 1, lda, B, 0, ldb, 1, C0, 3, ldc, `host gemm ${M}×${N}×${K}`);
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
      ref.addColSums(S, 0, rows, cols, Dr, 0);
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
