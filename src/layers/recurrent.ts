import { fusedOp } from '../autograd/fused.js';
import { gradOf } from '../autograd/engine.js';
import {
  type Cell, GRU_CELL, LSTM_CELL, RNN_RELU, RNN_TANH, RecurrentWorkspace, recurrentBackward, recurrentForward,
} from '../cells/index.js';
import { DataError, ShapeError, assert, fmtShape } from '../errors.js';
import type { AnyBackend } from '../kernels/backend.js';
import { type Device, getBackend } from '../kernels/device.js';
import { type Rng, defaultRng } from '../tensor/rng.js';
import { type Data, type DType, IntTensor, Tensor, allocData, assertFinite } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * Multi-layer, optionally bidirectional recurrent layers with PyTorch's semantics, names and
 * layouts (nn.RNN / nn.LSTM / nn.GRU). Each (layer, direction) runs the fused kernels of
 * cells/recurrent.ts; the whole stack is one node on the autograd tape.
 *
 * Legend: T time, B batch, D input, H hidden, L layers, K = L·dirs.
 *   input  (T, B, D), or (B, T, D) with batchFirst, or (T, D) unbatched;
 *          or an IntTensor of token ids of the same leading shape: a one-hot input over D classes
 *   h0, c0 (K, B, H)           (zeros when omitted)
 *   output (T, B, dirs·H)      last layer's states; zero at padded steps
 *   hT, cT (K, B, H)           each sequence's state after its last real step
 * Parameters, per layer l and direction (suffix `_reverse` for the backward direction):
 *   weight_ih_l{l} (G·H, D_l), weight_hh_l{l} (G·H, H), bias_ih_l{l} (G·H), bias_hh_l{l} (G·H)
 *   with gates stacked in rows: RNN 1, LSTM i,f,g,o, GRU r,z,n. Init U(−1/√H, 1/√H).
 */
export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. */
  dropout?: number;
  bidirectional?: boolean;
  device?: Device;
  dtype?: DType;
  rng?: Rng;
}

export interface RecurrentState { h0?: Tensor | null; c0?: Tensor | null }
export interface RecurrentResult { output: Tensor; hT: Tensor; cT: Tensor | null }
export interface ForwardOptions {
  /** Real length of each sequence in the batch (≤ T); steps beyond it are padding. */
  lengths?: ArrayLike<number> | IntTensor | null;
}

/** Forwards awaiting their backward whose activations stay in (manually managed) device memory. */
const KEEP_LENT = 2;

export interface LayerWeights { wih: Tensor; whh: Tensor; bih: Tensor | null; bhh: Tensor | null }

/** What one forward keeps for its backward. Shapes as in the legend; everything inside is time-major. */
interface Pass {
  T: number; B: number;
  /** The caller's input and output are (B, T, …) and are transposed at the edges. */
  batchFirst: boolean;
  x: Tensor | null; // the dense input, null for token ids
  h0: Tensor | null; c0: Tensor | null; // (K, B, H)
  lens: Int32Array | null; // (B) real lengths, for reversing each sequence in time
  mask: Data | null; // (T, B)
  weights: LayerWeights[];
  wss: RecurrentWorkspace<unknown>[]; // per (layer, direction): activations saved for backward
  dropMasks: (Data | null)[]; // per layer, filled by layersForward
}

export class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly dtype: DType;
  device: Device;
  private readonly rng: Rng;
  /** Parameter-name suffix per (layer, direction), index layer·dirs + dir: `_l0`, `_l0_reverse`, … */
  private readonly suffixes: string[] = [];
  /** Free workspaces per (layer, direction); a forward whose tape is alive holds its own. */
  private pool: RecurrentWorkspace<unknown>[][] = [];
  private poolBackend: AnyBackend | null = null;
  /** Workspaces held by forwards whose backward has not run, still in device memory, oldest first. */
  private lent: RecurrentWorkspace<unknown>[][] = [];

  constructor(readonly cell: Cell, opts: RecurrentOptions) {
    super();
    const name = cell.mode.startsWith('RNN') ? 'RNN' : cell.mode;
    const posInt = (v: unknown, what: string) =>
      assert(Number.isInteger(v) && (v as number) > 0,
        () => `${name}: expected ${what} to be a positive integer, got ${String(v)}`);
    posInt(opts.inputSize, 'inputSize');
    posInt(opts.hiddenSize, 'hiddenSize');
    posInt(opts.numLayers ?? 1, 'numLayers');
    const p = opts.dropout ?? 0;
    assert(p >= 0 && p < 1, () => `${name}: expected dropout in [0, 1), got ${p}`);
    this.inputSize = opts.inputSize;
    this.hiddenSize = opts.hiddenSize;
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = p;
    this.bidirectional = opts.bidirectional ?? false;
    this.dtype = opts.dtype ?? 'float32';
    this.device = opts.device ?? 'auto';
    getBackend(this.device, this.dtype); // an unknown or unavailable device fails here, not at the first forward
    this.rng = opts.rng ?? defaultRng();

    const H = this.hiddenSize, GH = cell.G * H, k = 1 / Math.sqrt(H), dirs = this.dirs;
    const init = (shape: number[]): Tensor => {
      const data = allocData(this.dtype, shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = (2 * this.rng.uniform() - 1) * k;
      return new Tensor(data, shape);
    };
    for (let l = 0; l < this.numLayers; l++) {
      const D = l === 0 ? this.inputSize : dirs * H;
      for (let dir = 0; dir < dirs; dir++) {
        const sfx = `_l${l}${dir === 1 ? '_reverse' : ''}`;
        this.param(`weight_ih${sfx}`, init([GH, D]));
        this.param(`weight_hh${sfx}`, init([GH, H]));
        if (this.bias) this.param(`bias_ih${sfx}`, init([GH]));
        if (this.bias) this.param(`bias_hh${sfx}`, init([GH]));
        this.suffixes.push(sfx);
      }
    }
  }

  /**
   * Weights per (layer, direction), index layer·dirs + dir, read from the parameters themselves,
   * so `lstm.weight_hh_l0 = t` takes effect (after a shape check at the next forward).
   */
  get weights(): LayerWeights[] {
    const slot = (n: string): Tensor => (this as unknown as Record<string, Tensor>)[n];
    return this.suffixes.map((sfx) => ({
      wih: slot(`weight_ih${sfx}`), whh: slot(`weight_hh${sfx}`),
      bih: this.bias ? slot(`bias_ih${sfx}`) : null, bhh: this.bias ? slot(`bias_hh${sfx}`) : null,
    }));
  }

  /** The weights, each checked against the shape and dtype the layer was built with. */
  private checkedWeights(): LayerWeights[] {
    const H = this.hiddenSize, GH = this.cell.G * H;
    return this.weights.map((w, k) => {
      const D = k < this.dirs ? this.inputSize : this.dirs * H, sfx = this.suffixes[k];
      const want: [string, Tensor | null, number[]][] = [
        [`weight_ih${sfx}`, w.wih, [GH, D]], [`weight_hh${sfx}`, w.whh, [GH, H]],
        [`bias_ih${sfx}`, w.bih, [GH]], [`bias_hh${sfx}`, w.bhh, [GH]],
      ];
      for (const [name, t, shape] of want) {
        if (t === null) continue;
        const ok = t instanceof Tensor && t.dtype === this.dtype
          && t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
        if (!ok) {
          throw new ShapeError(`${this.label}: expected ${name} a ${this.dtype} tensor of shape ${fmtShape(shape)}, `
            + `got ${t instanceof Tensor ? `a ${t.dtype} tensor of shape ${fmtShape(t.shape)}` : String(t)}`);
        }
      }
      return w;
    });
  }

  get dirs(): number { return this.bidirectional ? 2 : 1; }
  private get label(): string { return this.cell.mode.startsWith('RNN') ? 'RNN' : this.cell.mode; }

  /** The backend these layers run on ('auto' resolves to the fastest available). */
  get backend(): AnyBackend { return getBackend(this.device, this.dtype); }

  /**
   * Workspaces for every (layer, direction), taken from the pool (or made) for one forward.
   * Where device memory is not collected (wasm), at most KEEP_LENT forwards awaiting their
   * backward keep their activations there; older ones are spilled to host arrays, so a graph
   * dropped without a backward (a validation pass outside noGrad) leaks nothing.
   */
  private acquire(): RecurrentWorkspace<unknown>[] {
    const be = this.backend;
    if (be !== this.poolBackend) {
      for (const list of this.pool) for (const w of list) w.dispose();
      this.pool = []; this.lent = [];
      this.poolBackend = be;
    }
    if (be.manualMemory) while (this.lent.length >= KEEP_LENT) for (const w of this.lent.shift()!) w.spill();
    const wss = Array.from({ length: this.numLayers * this.dirs }, (_, k) =>
      (this.pool[k] ??= []).pop() ?? new RecurrentWorkspace(be, this.cell));
    if (be.manualMemory) this.lent.push(wss);
    return wss;
  }

  private giveBack(ws: RecurrentWorkspace<unknown>[]): void {
    const i = this.lent.indexOf(ws);
    if (i >= 0) this.lent.splice(i, 1);
    if (ws[0].be !== this.poolBackend) { for (const w of ws) w.dispose(); return; }
    ws.forEach((w, k) => (this.pool[k] ??= []).push(w));
  }

  /**
   * Runs the stack over a sequence batch: checks, the layers forward, and one node on the tape
   * whose backward is `layersBackward`.
   * @example const { output, hT, cT } = lstm.forward(x, { h0, c0 }, { lengths: [5, 3] });
   */
  forward(input: Tensor | IntTensor, state: RecurrentState = {}, opts: ForwardOptions = {}): RecurrentResult {
    const H = this.hiddenSize, K = this.numLayers * this.dirs;
    const weights = this.checkedWeights();
    const { T, B, unbatched } = this.checkInput(input);
    const stateShape = unbatched ? [K, H] : [K, B, H];
    const h0 = this.checkHidden(state.h0, stateShape, 'h0');
    const c0 = this.cell.hasCellState ? this.checkHidden(state.c0, stateShape, 'c0') : null;
    if (!this.cell.hasCellState && state.c0) {
      throw new ShapeError(`${this.label}: got a c0, but only LSTM has a cell state`);
    }
    const lengths = opts.lengths instanceof IntTensor ? opts.lengths.data : opts.lengths;
    const mask = lengths ? lengthMask(lengths, T, B, this.label, this.dtype) : null;
    const lens = lengths ? Int32Array.from(lengths) : null;
    const x = input instanceof IntTensor ? null : input, batchFirst = this.batchFirst && !unbatched;

    // time-major host copies of the input
    const xTM = x ? toTimeMajor(x.data, T, B, this.inputSize, batchFirst, this.dtype) : null;
    const idsTM = x ? null : toTimeMajorInts((input as IntTensor).data, T, B, batchFirst);
    const p: Pass = { T, B, batchFirst, x, h0, c0, lens, mask, weights, wss: this.acquire(), dropMasks: [] };
    const out = this.layersForward(p, xTM, idsTM);

    const outFeat = this.dirs * H;
    const outData = batchFirst ? fromTimeMajor(out.y, T, B, outFeat) : out.y;
    const output = new Tensor(outData, unbatched ? [T, outFeat] : this.batchFirst ? [B, T, outFeat] : [T, B, outFeat]);
    const hT = new Tensor(out.hT, stateShape);
    const cT = out.cT ? new Tensor(out.cT, stateShape) : null;
    const inputs = [...(x ? [x] : []), ...(h0 ? [h0] : []), ...(c0 ? [c0] : []), ...this.parameters()];
    const outputs = cT ? [output, hT, cT] : [output, hT];
    fusedOp(this.cell.mode, inputs, outputs, (grads) => this.layersBackward(p, grads), () => this.giveBack(p.wss));
    return { output, hT, cT };
  }

  /** The sequence length and batch size of an input, checked like PyTorch's check_input. */
  private checkInput(input: Tensor | IntTensor): { T: number; B: number; unbatched: boolean } {
    const name = this.label, D = this.inputSize, tokens = input instanceof IntTensor;
    const unbatched = input.shape.length === (tokens ? 1 : 2);
    if (input.shape.length !== (tokens ? 2 : 3) && !unbatched) {
      throw new ShapeError(`${name}: expected ${tokens ? 'token ids (T, B)' : `input (T, B, ${D})`}`
        + `${this.batchFirst ? ' [batch first: (B, T, …)]' : ''} or unbatched, got ${fmtShape(input.shape)}`);
    }
    const [T, B] = unbatched ? [input.shape[0], 1]
      : this.batchFirst ? [input.shape[1], input.shape[0]] : [input.shape[0], input.shape[1]];
    if (!tokens) {
      const x = input as Tensor, got = x.shape[x.ndim - 1];
      if (got !== D) throw new ShapeError(`${name}: expected input size ${D}, got ${got} (input ${fmtShape(x.shape)})`);
      if (x.dtype !== this.dtype) throw new ShapeError(`${name}: expected a ${this.dtype} input, got ${x.dtype}`);
      assertFinite(`${name} input`, x.data);
    } else {
      const ids = (input as IntTensor).data;
      for (let i = 0; i < ids.length; i++) {
        if (ids[i] < 0 || ids[i] >= D) {
          throw new ShapeError(`${name}: expected token ids in [0, ${D}) (inputSize), got ${ids[i]} at position ${i}`);
        }
      }
    }
    assert(T > 0 && B > 0, () => `${name}: expected at least one step and one sequence, got T = ${T}, B = ${B}`);
    return { T, B, unbatched };
  }

  /** An initial state (h0 or c0) checked against (K, B, H), like PyTorch's check_hidden_size; null when absent. */
  private checkHidden(t: Tensor | null | undefined, shape: number[], what: string): Tensor | null {
    if (t === undefined || t === null) return null;
    const name = this.label;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`${name}: expected ${what} of shape ${fmtShape(shape)} (layers·directions, batch, hidden), `
        + `got ${fmtShape(t.shape)}`);
    }
    if (t.dtype !== this.dtype) throw new ShapeError(`${name}: expected a ${this.dtype} ${what}, got ${t.dtype}`);
    assertFinite(`${name} ${what}`, t.data);
    return t;
  }

  /**
   * The stack forward over a time-major input x (T, B, D) or token ids (T, B): each direction runs
   * the fused kernel (the reverse one on time-reversed sequences) and writes its columns of the
   * layer's output (T, B, dirs·H), which is the next layer's input after dropout.
   */
  private layersForward(p: Pass, x: Data | null, ids: Int32Array | null): { y: Data; hT: Data; cT: Data | null } {
    const { T, B, lens, weights, wss } = p, H = this.hiddenSize, L = this.numLayers, dirs = this.dirs, BH = B * H;
    const hT = allocData(this.dtype, L * dirs * BH);
    const cT = this.cell.hasCellState ? allocData(this.dtype, L * dirs * BH) : null;
    let layerIn: Data | null = x, layerTok = ids;
    let layerOut: Data = x ?? allocData(this.dtype, 0);
    for (let l = 0; l < L; l++) {
      const Dl = l === 0 ? this.inputSize : dirs * H;
      if (dirs > 1) layerOut = allocData(this.dtype, T * B * dirs * H);
      for (let dir = 0; dir < dirs; dir++) {
        const k = l * dirs + dir, w = weights[k], rev = dir === 1;
        const r = recurrentForward(wss[k], { T, B, D: Dl, H }, {
          x: layerIn === null ? null : rev ? reverseTime(layerIn, T, B, Dl, lens) : layerIn,
          tokens: layerTok === null ? null : rev ? reverseTimeInts(layerTok, T, B, lens) : layerTok,
          wih: w.wih.data, whh: w.whh.data, bih: w.bih?.data ?? null, bhh: w.bhh?.data ?? null,
          h0: p.h0 ? p.h0.data.subarray(k * BH, (k + 1) * BH) : null,
          c0: p.c0 ? p.c0.data.subarray(k * BH, (k + 1) * BH) : null,
          mask: p.mask,
        });
        const y = rev ? reverseTime(r.y, T, B, H, lens) : r.y;
        if (dirs === 1) layerOut = y; // the only direction: its output is the layer's, no copy
        else interleave(y, layerOut, T * B, H, dirs, dir);
        hT.set(r.hT, k * BH);
        if (cT && r.cT) cT.set(r.cT, k * BH);
      }
      p.dropMasks.push(l < L - 1 ? this.dropOut(layerOut) : null);
      layerIn = layerOut; layerTok = null;
    }
    return { y: layerOut, hT, cT };
  }

  /** Inverted dropout in place on a layer's output; returns the mask (0 or 1/keep), or null outside training. */
  private dropOut(y: Data): Data | null {
    if (!(this.training && this.dropout > 0)) return null;
    const drop = allocData(this.dtype, y.length), keep = 1 - this.dropout;
    for (let i = 0; i < drop.length; i++) drop[i] = this.rng.uniform() < keep ? 1 / keep : 0;
    for (let i = 0; i < drop.length; i++) y[i] *= drop[i];
    return drop;
  }

  /**
   * The stack backward, layersForward reversed: from the gradients of output, hT and cT (null where
   * nothing used them), last layer first, it adds into the gradients of the weights, h0, c0 and the
   * input. dOut (T, B, dirs·H) is a layer's output gradient; each direction's dx sums into the
   * layer's input gradient dIn (T, B, D_l), which is the next (lower) layer's dOut.
   */
  private layersBackward(p: Pass, [gOut, ghT, gcT]: (Data | null)[]): void {
    for (const w of p.wss) w.restore();
    const { T, B, lens, weights, wss, h0, c0 } = p, H = this.hiddenSize, dirs = this.dirs, BH = B * H;
    const xNeedsGrad = p.x !== null && p.x.requiresGrad;
    // a copy only where it is scaled in place (dropout masks below); backward reads dy without writing it
    const scaled = p.dropMasks.some((m) => m !== null);
    let dOut: Data | null = !gOut ? null
      : p.batchFirst ? toTimeMajor(gOut, T, B, dirs * H, true, this.dtype) : scaled ? gOut.slice() : gOut;
    for (let l = this.numLayers - 1; l >= 0; l--) {
      const Dl = l === 0 ? this.inputSize : dirs * H;
      const drop = p.dropMasks[l];
      if (dOut && drop) for (let i = 0; i < dOut.length; i++) dOut[i] *= drop[i];
      const dIn = l > 0 || xNeedsGrad ? allocData(this.dtype, T * B * Dl) : null;
      for (let dir = 0; dir < dirs; dir++) {
        const k = l * dirs + dir, w = weights[k], rev = dir === 1;
        let dy: Data | null = null;
        if (dOut) {
          if (dirs === 1) dy = dOut;
          else { dy = allocData(this.dtype, T * B * H); deinterleave(dOut, dy, T * B, H, dirs, dir); }
          if (rev) dy = reverseTime(dy, T, B, H, lens);
        }
        const dx = dIn ? (rev ? allocData(this.dtype, T * B * Dl) : dIn) : null;
        recurrentBackward(wss[k], { T, B, D: Dl, H }, {
          dy, dhT: ghT ? ghT.subarray(k * BH, (k + 1) * BH) : null,
          dcT: gcT ? gcT.subarray(k * BH, (k + 1) * BH) : null,
        }, {
          dx, dwih: gradOf(w.wih), dwhh: gradOf(w.whh),
          dbih: w.bih ? gradOf(w.bih) : null, dbhh: w.bhh ? gradOf(w.bhh) : null,
          dh0: h0?.requiresGrad ? gradOf(h0).subarray(k * BH, (k + 1) * BH) : null,
          dc0: c0?.requiresGrad ? gradOf(c0).subarray(k * BH, (k + 1) * BH) : null,
        });
        if (rev && dx && dIn) addInto(dIn, reverseTime(dx, T, B, Dl, lens));
      }
      dOut = dIn;
    }
    if (p.x && xNeedsGrad && dOut) {
      addInto(gradOf(p.x), p.batchFirst ? fromTimeMajor(dOut, T, B, this.inputSize) : dOut);
    }
  }
}

/** a += b, elementwise (gradients add). */
function addInto(a: Data, b: Data): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** (T, B) float mask from per-sequence lengths. */
function lengthMask(lengths: ArrayLike<number>, T: number, B: number, name: string, dtype: DType): Data {
  if (lengths.length !== B) {
    throw new ShapeError(`${name}: expected ${B} lengths (one per sequence), got ${lengths.length}`);
  }
  const m = allocData(dtype, T * B);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (!Number.isInteger(n) || n < 0 || n > T) {
      throw new DataError(`${name}: expected lengths in [0, ${T}], got ${n} for sequence ${b}`);
    }
    for (let t = 0; t < n; t++) m[t * B + b] = 1;
  }
  return m;
}

/** (B, T, F) → (T, B, F) when batchFirst, else a copy. */
function toTimeMajor(src: Data, T: number, B: number, F: number, batchFirst: boolean, dtype: DType): Data {
  if (!batchFirst) return src.slice();
  const out = allocData(dtype, T * B * F);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) out.set(src.subarray((b * T + t) * F, (b * T + t + 1) * F), (t * B + b) * F);
  }
  return out;
}

function fromTimeMajor(src: Data, T: number, B: number, F: number): Data {
  const out = src.slice();
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) out.set(src.subarray((t * B + b) * F, (t * B + b + 1) * F), (b * T + t) * F);
  }
  return out;
}

function toTimeMajorInts(src: Int32Array, T: number, B: number, batchFirst: boolean): Int32Array {
  if (!batchFirst) return src;
  const out = new Int32Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[t * B + b] = src[b * T + t];
  return out;
}

/** Reverses each sequence's first len steps (all T without lengths); padding stays zero. */
function reverseTime(src: Data, T: number, B: number, F: number, lens: Int32Array | null): Data {
  const out = src.slice().fill(0);
  for (let b = 0; b < B; b++) {
    const n = lens ? lens[b] : T;
    for (let t = 0; t < n; t++) {
      const from = ((n - 1 - t) * B + b) * F;
      out.set(src.subarray(from, from + F), (t * B + b) * F);
    }
  }
  return out;
}

function reverseTimeInts(src: Int32Array, T: number, B: number, lens: Int32Array | null): Int32Array {
  const out = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    const n = lens ? lens[b] : T;
    for (let t = 0; t < n; t++) out[t * B + b] = src[(n - 1 - t) * B + b];
  }
  return out;
}

/** Writes rows of y (N, H) into columns [dir·H, (dir+1)·H) of out (N, dirs·H). */
function interleave(y: Data, out: Data, N: number, H: number, dirs: number, dir: number): void {
  for (let i = 0; i < N; i++) out.set(y.subarray(i * H, (i + 1) * H), (i * dirs + dir) * H);
}

function deinterleave(src: Data, y: Data, N: number, H: number, dirs: number, dir: number): void {
  for (let i = 0; i < N; i++) y.set(src.subarray((i * dirs + dir) * H, (i * dirs + dir + 1) * H), i * H);
}

/** Elman RNN (nn.RNN). `nonlinearity` 'tanh' (default) or 'relu'. */
export class RNN extends RecurrentBase {
  constructor(opts: RecurrentOptions & { nonlinearity?: 'tanh' | 'relu' }) {
    const nl = opts.nonlinearity ?? 'tanh';
    assert(nl === 'tanh' || nl === 'relu', () => `RNN: expected nonlinearity 'tanh' or 'relu', got '${String(nl)}'`);
    super(nl === 'relu' ? RNN_RELU : RNN_TANH, opts);
  }
}

/** Long short-term memory (nn.LSTM): gates i, f, g, o; returns cT beside hT. */
export class LSTM extends RecurrentBase {
  constructor(opts: RecurrentOptions) { super(LSTM_CELL, opts); }
}

/** Gated recurrent unit (nn.GRU): gates r, z, n, with PyTorch's reset applied after W_hn·h. */
export class GRU extends RecurrentBase {
  constructor(opts: RecurrentOptions) { super(GRU_CELL, opts); }
}

/** The fused cells by name, as the tasks, the CLI and model files spell them. */
export type CellName = 'rnn' | 'lstm' | 'gru';

/** A recurrent stack of the named cell, batch-first unless told otherwise (the tasks' layout). */
export function makeRecurrent(cell: CellName, o: RecurrentOptions): RecurrentBase {
  const opts = { ...o, batchFirst: o.batchFirst ?? true };
  return cell === 'lstm' ? new LSTM(opts) : cell === 'gru' ? new GRU(opts) : new RNN(opts);
}
