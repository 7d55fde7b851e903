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
  /**
   * Buffers live outside the JavaScript heap and are freed only by release() (wasm linear
   * memory), so nothing may hold them for a graph that could be dropped unseen.
   */
  readonly manualMemory?: boolean;

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

  // ---- one step at batch 1 (generation, streaming inference) ----------------------------------
  /**
   * A fused single-step kernel for a unidirectional stack at batch 1 and an optional linear head:
   * one call per step does the input gather (or projection), W_hh·h, the cell and the head. It
   * copies the weights (a snapshot) into its own layout; `js/step.ts` is the reference.
   */
  stepKernel(spec: StepSpec): StepKernel;
}

/** Cells of the fused step, by PyTorch's mode names. Gates: RNN 1, LSTM 4 (i, f, g, o), GRU 3 (r, z, n). */
export type StepMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
export const stepGates = (mode: StepMode): number => (mode === 'LSTM' ? 4 : mode === 'GRU' ? 3 : 1);

/** One layer's weights in PyTorch's layout (D_l = input size of layer l: D for l = 0, H above). */
export interface StepLayer {
  wih: Data;        // (G·H, D_l)
  whh: Data;        // (G·H, H)
  bih: Data | null; // (G·H)
  bhh: Data | null; // (G·H)
}

/**
 * What a step kernel computes, for each layer l (x_0 = the input, x_l = h_{l−1} above):
 *   gx = b_ih + W_ih·x_l (a column of W_ih for a one-hot token)    gh = b_hh + W_hh·h_l
 *   h_l, c_l = cell(gx, gh, h_l, c_l)     (the pointwise kernels above, equations in cells/)
 * and then y = W_y·h_{L−1} + b_y when there is a head.
 */
export interface StepSpec {
  mode: StepMode;
  H: number;
  layers: StepLayer[];
  head: { weight: Data /* (O, H) */; bias: Data | null /* (O) */ } | null;
}

/**
 * A compiled step. Its arrays are preallocated and overwritten in place (never reallocated), so
 * callers can hold on to them; nothing is allocated per step.
 */
export interface StepKernel {
  /** Input size of layer 0, hidden size, layers and head outputs (0 without a head). */
  readonly D: number;
  readonly H: number;
  readonly L: number;
  readonly O: number;
  /** Dense input of layer 0 (D): write it, then step(-1). */
  readonly x: Data;
  /** Hidden states after the latest step (L, H); the last layer's at (L − 1)·H. */
  readonly h: Data;
  /** Head output after the latest step (O). */
  readonly y: Data;
  /** One step: a token id 0 ≤ token < D is a one-hot input, token < 0 takes the dense input x. */
  step(token: number): void;
  /** Sets the state to h0 and c0 (L, H) (c0 for LSTM), zeros where omitted. */
  reset(h0?: Data | null, c0?: Data | null): void;
  /** Returns the kernel's memory to its backend (wasm); the kernel is unusable afterwards. */
  dispose(): void;
}

export type AnyBackend = Backend<unknown>;
