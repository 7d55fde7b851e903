import type { Data } from '../tensor/tensor.js';
import { gemm as gemmReference } from './js/gemm.js';

/**
 * GEMM on host arrays, used by the autograd ops (custom cells, Linear). It starts as the
 * reference kernel; a faster backend that can work on host memory installs its own here.
 */
export type HostGemm = (tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number,
  A: Data, aOff: number, lda: number, B: Data, bOff: number, ldb: number,
  beta: number, C: Data, cOff: number, ldc: number) => void;

let impl: HostGemm = gemmReference;

/** Float64 always takes the reference path (gradient checks). */
export const hostGemm: HostGemm = (tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) =>
  (C instanceof Float64Array ? gemmReference : impl)(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);

export function setHostGemm(g: HostGemm | null): void { impl = g ?? gemmReference; }
