import type { Data } from '../../tensor/tensor.js';
import type { GemmArgs } from '../backend.js';

/**
 * Reference GEMM in plain TypeScript: C = alpha·op(A)·op(B) + beta·C, row-major, with leading
 * dimensions and element offsets. Loop orders keep the innermost loop contiguous in memory
 * (i-k-j for A·B, a dot product for A·Bᵀ). Works on float32 and float64 arrays alike.
 * Shapes: op(A) (M, K), op(B) (K, N), C (M, N).
 */
export function gemm(o: GemmArgs<Data>): void {
  const { tA, tB, M, N, K, alpha, beta, lda, ldb, ldc } = o;
  const A = o.A.buf, aOff = o.A.off, B = o.B.buf, bOff = o.B.off, C = o.C.buf, cOff = o.C.off;
  for (let i = 0; i < M; i++) {
    const c = cOff + i * ldc;
    if (beta === 0) C.fill(0, c, c + N);
    else if (beta !== 1) for (let j = 0; j < N; j++) C[c + j] *= beta;
  }
  if (alpha === 0 || K === 0) return;
  if (!tA && !tB) {
    for (let i = 0; i < M; i++) {
      const c = cOff + i * ldc;
      for (let k = 0; k < K; k++) {
        const a = alpha * A[aOff + i * lda + k];
        const b = bOff + k * ldb;
        for (let j = 0; j < N; j++) C[c + j] += a * B[b + j];
      }
    }
  } else if (!tA && tB) {
    for (let i = 0; i < M; i++) {
      const a = aOff + i * lda, c = cOff + i * ldc;
      for (let j = 0; j < N; j++) {
        const b = bOff + j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[a + k] * B[b + k];
        C[c + j] += alpha * s;
      }
    }
  } else if (tA && !tB) {
    for (let k = 0; k < K; k++) {
      const b = bOff + k * ldb;
      for (let i = 0; i < M; i++) {
        const a = alpha * A[aOff + k * lda + i];
        const c = cOff + i * ldc;
        for (let j = 0; j < N; j++) C[c + j] += a * B[b + j];
      }
    }
  } else {
    for (let i = 0; i < M; i++) {
      const c = cOff + i * ldc;
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[aOff + k * lda + i] * B[bOff + j * ldb + k];
        C[c + j] += alpha * s;
      }
    }
  }
}
