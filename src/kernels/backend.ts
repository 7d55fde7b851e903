import type { Data, DType } from '../tensor/tensor.js';
import type { HostKernels } from './host.js';

/**
 * The backend interface: the kernels the fused layers are built from, over buffers that live
 * wherever the backend computes (host arrays for `cpu` and `native`, linear memory for `wasm`).
 * The plain-TypeScript backend (`js/`) is the reference every faster backend is tested against.
 *
 * Conventions: matrices are row-major; every buffer argument is followed by its element offset;
 * kernels *add* into gradient outputs where the name says so (`add…`, gemm with beta = 1) and
 * overwrite elsewhere. Dimension legend: B batch, H hidden, G gates (RNN 1, LSTM 4, GRU 3).
 */
export type DeviceName = 'cpu' | 'wasm' | 'native';

export interface Backend<Buf = unknown> {
  readonly name: DeviceName;
  /** One line for users: which kernels, which threads, which instruction set. */
  readonly description: string;
  readonly dtype: DType;
  /** Faster kernels over host arrays (autograd ops, Linear, losses), installed while this is the default device. */
  readonly host?: HostKernels;

  // ---- memory -----------------------------------------------------------------------------
  /** A zero-filled buffer of n elements. */
  alloc(n: number): Buf;
  /** A buffer holding `host`'s values; the array itself where device memory is host memory. */
  fromHost(host: Data): Buf;
  /** Copies b[off, off + host.length) into `host` (a no-op when `b` is `host`). */
  toHost(b: Buf, host: Data, off?: number): void;
  /** Returns a buffer from alloc/fromHost to the backend. */
  release(b: Buf): void;

  // ---- dense ------------------------------------------------------------------------------
  /** C = alpha·op(A)·op(B) + beta·C, op(X) = Xᵀ when the flag is set; op(A) (M, K), op(B) (K, N). */
  gemm(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number,
    A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number,
    beta: number, C: Buf, cOff: number, ldc: number): void;
  fill(x: Buf, off: number, n: number, value: number): void;
  copy(src: Buf, srcOff: number, dst: Buf, dstOff: number, n: number): void;
  /** y += alpha·x */
  axpy(n: number, alpha: number, x: Buf, xOff: number, y: Buf, yOff: number): void;
  /** Each of `rows` rows of dst (width cols) set to v (cols). */
  broadcastRows(v: Buf, vOff: number, rows: number, cols: number, dst: Buf, dstOff: number): void;
  /** dst[j] += Σᵢ src[i, j] over `rows` rows (bias gradients). */
  addColSums(src: Buf, srcOff: number, rows: number, cols: number, dst: Buf, dstOff: number): void;
  /** dst (cols, rows) = srcᵀ, src (rows, cols). */
  transpose(src: Buf, srcOff: number, rows: number, cols: number, dst: Buf, dstOff: number): void;
  /** dst[i, :] += table[idx[i], :] (a one-hot input times a matrix, done as a gather). */
  gatherAddRows(table: Buf, cols: number, idx: Int32Array, dst: Buf, dstOff: number): void;
  /** table[idx[i], :] += src[i, :]. */
  scatterAddRows(src: Buf, srcOff: number, cols: number, idx: Int32Array, table: Buf): void;

  // ---- pointwise parts of the fused cells (see cells/ for the equations) ---------------------
  /** h = act(gx + gh), act = tanh or relu; n = B·H. */
  rnnCellForward(relu: boolean, n: number, gx: Buf, gxOff: number, gh: Buf, h: Buf, hOff: number): void;
  /** dg = dh ⊙ act′ (from the output h). */
  rnnCellBackward(relu: boolean, n: number, h: Buf, hOff: number, dh: Buf, dg: Buf, dgOff: number): void;
  /** gates (B, 4H) i,f,g,o activated in place from gx + gh; c = f⊙cPrev + i⊙g; tc = tanh c; h = o⊙tc. */
  lstmCellForward(B: number, H: number, gates: Buf, gOff: number, gh: Buf,
    cPrev: Buf, cPrevOff: number, c: Buf, cOff: number, tc: Buf, tcOff: number, h: Buf, hOff: number): void;
  /** From dh and dc (in: from step t+1; out: to step t−1) to the gate pre-activation gradient dg (B, 4H). */
  lstmCellBackward(B: number, H: number, gates: Buf, gOff: number, cPrev: Buf, cPrevOff: number,
    tc: Buf, tcOff: number, dh: Buf, dc: Buf, dg: Buf, dgOff: number): void;
  /** gates (B, 3H) r,z,n activated in place; hn = W_hn·h + b_hn kept; h = (1−z)⊙n + z⊙hPrev. */
  gruCellForward(B: number, H: number, gates: Buf, gOff: number, gh: Buf,
    hPrev: Buf, hPrevOff: number, hn: Buf, hnOff: number, h: Buf, hOff: number): void;
  /** dgx (B, 3H) and dgh (B, 3H) pre-activation gradients and the direct term dhPrev = dh⊙z (overwritten). */
  gruCellBackward(B: number, H: number, gates: Buf, gOff: number, hn: Buf, hnOff: number,
    hPrev: Buf, hPrevOff: number, dh: Buf, dgx: Buf, dgxOff: number, dgh: Buf, dghOff: number, dhPrev: Buf): void;
  /** Padded rows keep their state: x = m⊙x + (1−m)⊙xPrev, m (B) is 1 for live rows, 0 for padding. */
  maskState(B: number, H: number, m: Buf, mOff: number, x: Buf, xOff: number, xPrev: Buf, xPrevOff: number): void;
  /** x (B, W) rows scaled by m (B): zeroes padded rows of gradients and outputs. */
  maskRows(B: number, W: number, m: Buf, mOff: number, x: Buf, xOff: number): void;
}

export type AnyBackend = Backend<unknown>;
