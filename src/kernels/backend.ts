import type { Data, DType } from '../tensor/tensor.js';
import type { HostKernels } from './host.js';

/**
 * The backend interface: the kernels the fused layers are built from, over buffers that live
 * wherever the backend computes (host arrays for `cpu` and `native`, linear memory for `wasm`).
 * The plain-TypeScript backend (`js/`) is the reference every faster backend is tested against.
 *
 * Conventions:
 * - Every operand is a `View`: a buffer and the element offset where the operand starts, named as
 *   the equation names it (`hPrev = at(ws.hs, t * BH)` is h_{t−1}), as llm.c names its pointers.
 * - GEMM and the cell kernels take one struct whose fields are named after their equation
 *   (`lstmCellForward({ B, H, gates, gh, cPrev, c, tc, h })`); the other kernels take at most five
 *   positional arguments in BLAS's order: sizes and scalars first, then the operands.
 * - A backend reads a struct and its views during the call and keeps none of them, so a time loop
 *   makes its arguments once and moves the views' `off` from step to step (no allocation per step).
 * - Matrices are row-major; `ld` is a row stride in elements. Kernels *add* into gradient outputs
 *   where the name says so (`add…`, gemm with beta = 1) and overwrite elsewhere.
 * Dimension legend: B batch, H hidden, G gates (RNN 1, LSTM 4, GRU 3).
 */
export type DeviceName = 'cpu' | 'wasm' | 'native';

/** Where a kernel operand starts: a buffer and an element offset into it. */
export interface View<Buf = unknown> { buf: Buf; off: number }

/** The view of `buf` from element `off` (its start when omitted). */
export const at = <Buf>(buf: Buf, off = 0): View<Buf> => ({ buf, off });

/** C = alpha·op(A)·op(B) + beta·C, op(X) = Xᵀ when tX is set; op(A) (M, K), op(B) (K, N), C (M, N). */
export interface GemmArgs<Buf = unknown> {
  tA: boolean; tB: boolean; M: number; N: number; K: number; alpha: number; beta: number;
  A: View<Buf>; lda: number; B: View<Buf>; ldb: number; C: View<Buf>; ldc: number;
}

/** h = act(gx + gh), act = relu or tanh, over n = B·H elements. */
export interface RnnForwardArgs<Buf = unknown> {
  relu: boolean; n: number;
  gx: View<Buf>; // (n) input side, W_ih·x + b_ih
  gh: View<Buf>; // (n) hidden side, W_hh·h + b_hh
  h: View<Buf>;  // (n) out
}
/** dg = dh ⊙ act′, act′ read from the output h. */
export interface RnnBackwardArgs<Buf = unknown> {
  relu: boolean; n: number;
  h: View<Buf>;  // (n) the forward's output
  dh: View<Buf>; // (n)
  dg: View<Buf>; // (n) out: pre-activation gradient
}

/** gates i, f, g, o activated in place from gx + gh; c = f⊙cPrev + i⊙g; tc = tanh c; h = o⊙tc. */
export interface LstmForwardArgs<Buf = unknown> {
  B: number; H: number;
  gates: View<Buf>; // (B, 4H) in: W_ih·x + b_ih; out: the activated gates
  gh: View<Buf>;    // (B, 4H) W_hh·h + b_hh
  cPrev: View<Buf>; // (B, H)
  c: View<Buf>;     // (B, H) out
  tc: View<Buf>;    // (B, H) out: tanh c, kept for the backward
  h: View<Buf>;     // (B, H) out
}
/** From dh and dc to the gate pre-activation gradient dg; dc is updated in place to dc_{t−1}. */
export interface LstmBackwardArgs<Buf = unknown> {
  B: number; H: number;
  gates: View<Buf>; // (B, 4H) the activated gates
  cPrev: View<Buf>; // (B, H)
  tc: View<Buf>;    // (B, H) tanh c
  dh: View<Buf>;    // (B, H)
  dc: View<Buf>;    // (B, H) in: from step t+1; out: to step t−1
  dg: View<Buf>;    // (B, 4H) out
}

/** gates r, z, n activated in place; hn = W_hn·hPrev + b_hn kept; h = (1−z)⊙n + z⊙hPrev. */
export interface GruForwardArgs<Buf = unknown> {
  B: number; H: number;
  gates: View<Buf>; // (B, 3H) in: W_ih·x + b_ih; out: the activated gates
  gh: View<Buf>;    // (B, 3H) W_hh·hPrev + b_hh
  hPrev: View<Buf>; // (B, H)
  hn: View<Buf>;    // (B, H) out: W_hn·hPrev + b_hn, kept for the backward
  h: View<Buf>;     // (B, H) out
}
/** Pre-activation gradients of both sides (they differ in n: r multiplies W_hn·h) and dhPrev = dh⊙z. */
export interface GruBackwardArgs<Buf = unknown> {
  B: number; H: number;
  gates: View<Buf>;  // (B, 3H) the activated gates
  hn: View<Buf>;     // (B, H)
  hPrev: View<Buf>;  // (B, H)
  dh: View<Buf>;     // (B, H)
  dgx: View<Buf>;    // (B, 3H) out: input side
  dgh: View<Buf>;    // (B, 3H) out: hidden side
  dhPrev: View<Buf>; // (B, H) out (overwritten): the direct term; the caller adds dgh·W_hh
}

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
  gemm(o: GemmArgs<Buf>): void;
  /** x[0, n) = value */
  fill(n: number, value: number, x: View<Buf>): void;
  /** dst[0, n) = src[0, n) (the ranges may overlap). */
  copy(n: number, src: View<Buf>, dst: View<Buf>): void;
  /** y += alpha·x over n elements */
  axpy(n: number, alpha: number, x: View<Buf>, y: View<Buf>): void;
  /** Each row of dst (rows, cols) set to v (cols). */
  broadcastRows(rows: number, cols: number, v: View<Buf>, dst: View<Buf>): void;
  /** dst[j] += Σᵢ src[i, j], src (rows, cols) (bias gradients). */
  addColSums(rows: number, cols: number, src: View<Buf>, dst: View<Buf>): void;
  /** dst (cols, rows) = srcᵀ, src (rows, cols). */
  transpose(rows: number, cols: number, src: View<Buf>, dst: View<Buf>): void;
  /** dst[i, :] += table[idx[i], :], rows of width cols (a one-hot input times a matrix, done as a gather). */
  gatherAddRows(cols: number, idx: Int32Array, table: View<Buf>, dst: View<Buf>): void;
  /** table[idx[i], :] += src[i, :], rows of width cols. */
  scatterAddRows(cols: number, idx: Int32Array, src: View<Buf>, table: View<Buf>): void;

  // ---- pointwise parts of the fused cells (see cells/ for the equations) ---------------------
  rnnCellForward(o: RnnForwardArgs<Buf>): void;
  rnnCellBackward(o: RnnBackwardArgs<Buf>): void;
  lstmCellForward(o: LstmForwardArgs<Buf>): void;
  lstmCellBackward(o: LstmBackwardArgs<Buf>): void;
  gruCellForward(o: GruForwardArgs<Buf>): void;
  gruCellBackward(o: GruBackwardArgs<Buf>): void;
  /** Padded rows keep their state: x = m⊙x + (1−m)⊙xPrev over x (B, H), m (B) 1 for live rows, 0 for padding. */
  maskState(B: number, H: number, m: View<Buf>, x: View<Buf>, xPrev: View<Buf>): void;
  /** x (B, W) rows scaled by m (B): zeroes padded rows of gradients and outputs. */
  maskRows(B: number, W: number, m: View<Buf>, x: View<Buf>): void;

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
