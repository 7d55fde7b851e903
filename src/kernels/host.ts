import type { Data } from '../tensor/tensor.js';
import type { GemmArgs } from './backend.js';
import { gemm as gemmReference } from './js/gemm.js';

/**
 * Kernels over plain host arrays, used by the autograd ops, Linear and the losses (everything
 * outside the fused time loop). They start as the reference implementations; a faster backend
 * that can work on host memory (or copy in and out cheaply) installs its own with
 * `setHostKernels` when it is selected. Float64 always takes the reference path.
 */
export interface HostKernels {
  /** C = alpha·op(A)·op(B) + beta·C on host arrays (see GemmArgs). */
  gemm(o: GemmArgs<Data>): void;
  /**
   * Row-wise softmax of logits (N, C) into probs (N, C), and for each row with w[i] ≠ 0 the
   * weighted cross-entropy losses[i] = w[i]·(logsumexp(row) − row[targets[i]]) (0 elsewhere).
   */
  softmaxXent(N: number, C: number, logits: Data, targets: Int32Array, w: Data, probs: Data, losses: Data): void;
  /** dlogits[i, :] += s[i]·(probs[i, :] − onehot(targets[i])) for rows with s[i] ≠ 0. */
  softmaxXentBackward(N: number, C: number, probs: Data, targets: Int32Array, s: Data, dlogits: Data): void;
  /** dst[j] += Σᵢ src[i, j], src (rows, cols): bias gradients. */
  addColSums(rows: number, cols: number, src: Data, dst: Data): void;
}

export const referenceHostKernels: HostKernels = {
  gemm: gemmReference,
  softmaxXent(N, C, X, Y, w, P, L) {
    for (let i = 0; i < N; i++) {
      const o = i * C;
      let m = -Infinity;
      for (let k = 0; k < C; k++) m = Math.max(m, X[o + k]);
      let s = 0;
      for (let k = 0; k < C; k++) { const e = Math.exp(X[o + k] - m); P[o + k] = e; s += e; }
      const inv = 1 / s;
      for (let k = 0; k < C; k++) P[o + k] *= inv;
      L[i] = w[i] === 0 ? 0 : w[i] * (m + Math.log(s) - X[o + Y[i]]);
    }
  },
  softmaxXentBackward(N, C, P, Y, s, D) {
    for (let i = 0; i < N; i++) {
      const si = s[i];
      if (si === 0) continue;
      const o = i * C;
      for (let k = 0; k < C; k++) D[o + k] += si * P[o + k];
      D[o + Y[i]] -= si;
    }
  },
  addColSums(rows, cols, src, dst) {
    for (let i = 0; i < rows; i++) {
      const r = i * cols;
      for (let j = 0; j < cols; j++) dst[j] += src[r + j];
    }
  },
};

let active: HostKernels = referenceHostKernels;

/** The host kernels for this dtype: the installed ones for float32, the reference for float64. */
export const hostKernels = (d: Data): HostKernels => (d instanceof Float64Array ? referenceHostKernels : active);

export function setHostKernels(k: HostKernels | null): void { active = k ?? referenceHostKernels; }

/** GEMM on host arrays with the kernels for C's dtype (see HostKernels.gemm). */
export const hostGemm = (o: GemmArgs<Data>): void => hostKernels(o.C.buf).gemm(o);
