import type { Data } from '../../tensor/tensor.js';
import { at } from '../backend.js';
import { type HostKernels, referenceHostKernels as ref } from '../host.js';
import type { WasmBackend } from './backend.js';

/**
 * HostKernels on the wasm backend: host arrays are copied into scratch buffers in linear memory,
 * the kernel runs (on both threads when large), and the results are copied back. Copies cost
 * O(inputs) against O(M·N·K) for a GEMM and an exp per element for the softmax, so this pays
 * from modest sizes; below the thresholds (and for float64) the reference runs. The cross-entropy
 * backward is one multiply-add per element, as fast in plain JS as the copies would be, so it
 * stays on the reference.
 */
export const hostTuning = {
  /** 2·M·N·K from which a host GEMM goes through wasm (measured crossover: an 8³ product, 1 K). */
  gemmMinFlops: 512,
  /** Elements from which the softmax and column sums go through wasm (crossovers ~32 and ~256). */
  minElems: 128,
};

export function wasmHostKernels(be: WasmBackend): HostKernels {
  const heap = be.heap;
  let scratch = 0, scratchBytes = 0;
  /** One scratch region for a call's operands (16-float aligned parts), grown on demand. */
  const region = (floats: number): number => {
    const bytes = floats * 4;
    if (bytes > scratchBytes) {
      if (scratch !== 0) heap.release(scratch);
      scratchBytes = Math.max(bytes, scratchBytes * 2);
      scratch = heap.alloc(scratchBytes);
    }
    return scratch;
  };
  const up16 = (n: number): number => Math.ceil(n / 16) * 16;
  /** Elements spanned by a row-major (rows, cols) matrix with leading dimension ld. */
  const span = (rows: number, cols: number, ld: number): number => (rows - 1) * ld + cols;

  return {
    gemm(o) {
      const { tA, tB, M, N, K, alpha, beta, lda, ldb, ldc } = o, A = o.A.buf, B = o.B.buf, C = o.C.buf, cOff = o.C.off;
      if (C instanceof Float64Array || M <= 0 || N <= 0 || K <= 0 || alpha === 0 || 2 * M * N * K < hostTuning.gemmMinFlops) {
        ref.gemm(o);
        return;
      }
      const sa = tA ? span(K, M, lda) : span(M, K, lda), sb = tB ? span(N, K, ldb) : span(K, N, ldb), sc = span(M, N, ldc);
      const base = region(up16(sa) + up16(sb) + up16(sc));
      const pa = base, pb = pa + 4 * up16(sa), pc = pb + 4 * up16(sb);
      const f32 = heap.f32;
      f32.set(A.subarray(o.A.off, o.A.off + sa), pa >>> 2);
      f32.set(B.subarray(o.B.off, o.B.off + sb), pb >>> 2);
      if (beta !== 0) f32.set(C.subarray(cOff, cOff + sc), pc >>> 2);
      be.gemm({ tA, tB, M, N, K, alpha, beta, A: at(pa), lda, B: at(pb), ldb, C: at(pc), ldc });
      if (ldc === N) C.set(f32.subarray(pc >>> 2, (pc >>> 2) + M * N), cOff);
      else for (let i = 0; i < M; i++) C.set(f32.subarray((pc >>> 2) + i * ldc, (pc >>> 2) + i * ldc + N), cOff + i * ldc);
    },

    softmaxXent(N, C, X, Y, w, P, L) {
      if (X instanceof Float64Array || N * C < hostTuning.minElems) { ref.softmaxXent(N, C, X, Y, w, P, L); return; }
      const n = N * C, base = region(2 * up16(n) + 4 * N);
      const px = base, pp = px + 4 * up16(n), ps = pp + 4 * up16(n); // ps: (max, sum) float64 pairs
      heap.f32.set(X.subarray(0, n), px >>> 2);
      softmaxRows(be, N, C, px, pp, ps);
      P.set(heap.f32.subarray(pp >>> 2, (pp >>> 2) + n));
      const st = heap.f64, s0 = ps >>> 3;
      // the loss in float64, from the row's max and sum, as the reference forms it
      for (let i = 0; i < N; i++) L[i] = w[i] === 0 ? 0 : w[i] * (st[s0 + 2 * i] + Math.log(st[s0 + 2 * i + 1]) - X[i * C + Y[i]]);
    },

    softmaxXentBackward: ref.softmaxXentBackward,

    addColSums(rows, cols, src: Data, dst: Data) {
      if (src instanceof Float64Array || rows * cols < hostTuning.minElems) { ref.addColSums(rows, cols, src, dst); return; }
      const n = rows * cols, base = region(up16(n) + up16(cols));
      const ps = base, pd = ps + 4 * up16(n);
      heap.f32.set(src.subarray(0, n), ps >>> 2);
      heap.f32.set(dst.subarray(0, cols), pd >>> 2);
      be.addColSums(rows, cols, at(ps), at(pd));
      dst.set(heap.f32.subarray(pd >>> 2, (pd >>> 2) + cols));
    },
  };
}

/** Row-wise softmax on linear memory, split by rows between the threads when large. */
function softmaxRows(be: WasmBackend, N: number, C: number, X: number, P: number, stats: number): void {
  be.runRows('softmax_rows', N, C, (r0, r1) => [r1 - r0, C, X + 4 * r0 * C, P + 4 * r0 * C, stats + 16 * r0]);
}
