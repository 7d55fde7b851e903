import type { Data } from '../../tensor/tensor.js';
import type { StepKernel, StepSpec } from '../backend.js';
import { checkToken, setState, stepShape } from '../js/step.js';
import type { WasmBackend } from './backend.js';

/**
 * The wasm step kernel (assembly/step.ts): the plan, the transposed and padded weights and the
 * state live in one block of linear memory, and step() is one call into wasm. On a shared memory
 * (Node, cross-origin-isolated pages) x, h and y are views of that block: a shared memory grows
 * in place and never detaches its views. On a plain memory growth detaches every view, so there
 * x, h and y are host arrays, copied in (x) and out (h, y) around the call.
 * Legend as in assembly/step.ts.
 */

// plan word offsets (bytes), as in assembly/step.ts
const P = { MODE: 0, L: 4, H: 8, LDG: 12, LDO: 16, X: 20, HS: 24, CS: 28, Y: 32, GX: 36, GH: 40, AUX: 44, WY: 48, BY: 52, LAYERS: 64 };
const LAYER_BYTES = 20;
const MODES = { RNN_TANH: 0, RNN_RELU: 1, LSTM: 2, GRU: 3 } as const;

const up = (n: number, m: number): number => Math.ceil(n / m) * m;
/** Row stride of a transposed weight: a multiple of 4 floats, moved off multiples of 2 KiB, where
 * every row of a block would fall into the same few L1 sets (LSTM-256, rows 4 KiB apart, ran 2× slower). */
const rowStride = (n: number): number => { const ld = up(n, 4); return ld % 512 === 0 ? ld + 16 : ld; };

export class WasmStep implements StepKernel {
  readonly D: number;
  readonly H: number;
  readonly L: number;
  readonly O: number;
  readonly x: Float32Array;
  readonly h: Float32Array;
  readonly y: Float32Array;
  private block: number;
  private readonly plan: number;
  private readonly xAt: number; // float index of x in the memory
  private readonly hAt: number;
  private readonly cAt: number;
  private readonly yAt: number;
  private readonly lstm: boolean;
  /** x, h, y (and c) are views of the memory: nothing to copy. */
  private readonly inPlace: boolean;
  private readonly c: Float32Array | null;
  /** Plain memory: views of h and y, renewed when the memory grows, and whether to copy by a loop
   * (a TypedArray.set call costs more than 32 elements do). */
  private f32: Float32Array;
  private hView: Float32Array;
  private yView: Float32Array;
  private readonly small: boolean;

  constructor(private readonly be: WasmBackend, spec: StepSpec) {
    const { GH, H, L, D, O } = stepShape(spec), ldg = rowStride(GH), ldo = rowStride(O);
    ({ D: this.D, H: this.H, L: this.L, O: this.O } = { D, H, L, O });
    this.lstm = spec.mode === 'LSTM';
    // one block: the plan, then 16-float aligned parts
    let at = up(P.LAYERS + L * LAYER_BYTES, 64) / 4;
    const part = (n: number): number => { const a = at; at += up(n, 16); return a; };
    const x = part(D), hs = part(L * H), cs = part(L * H), y = part(ldo), gx = part(ldg), gh = part(ldg), aux = part(up(H, 4));
    const layers = spec.layers.map((w, l) => {
      const Dl = l === 0 ? D : H;
      return { Dl, wih: part(Dl * ldg), whh: part(H * ldg), bih: w.bih ? part(ldg) : -1, bhh: w.bhh ? part(ldg) : -1 };
    });
    const wy = spec.head ? part(H * ldo) : -1, by = spec.head?.bias ? part(ldo) : -1;
    const heap = be.heap;
    this.block = heap.alloc(at * 4);
    const base = this.block >>> 2, addr = (f: number): number => (f < 0 ? 0 : this.block + 4 * f);
    const f32 = heap.f32, i32 = heap.i32;
    f32.fill(0, base, base + at);
    /** Wt (cols, ld) = W (rows, cols) transposed, at float index f; the padding stays zero. */
    const putT = (W: Data, rows: number, cols: number, ld: number, f: number): void => {
      for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) f32[base + f + k * ld + i] = W[i * cols + k];
    };
    const words: [number, number][] = [
      [P.MODE, MODES[spec.mode]], [P.L, L], [P.H, H], [P.LDG, ldg], [P.LDO, spec.head ? ldo : 0],
      [P.X, addr(x)], [P.HS, addr(hs)], [P.CS, addr(cs)], [P.Y, addr(y)], [P.GX, addr(gx)], [P.GH, addr(gh)], [P.AUX, addr(aux)],
      [P.WY, addr(wy)], [P.BY, addr(by)],
    ];
    layers.forEach((m, l) => {
      const w = spec.layers[l], e = P.LAYERS + l * LAYER_BYTES;
      putT(w.wih, GH, m.Dl, ldg, m.wih);
      putT(w.whh, GH, H, ldg, m.whh);
      if (w.bih) f32.set(w.bih, base + m.bih);
      if (w.bhh) f32.set(w.bhh, base + m.bhh);
      words.push([e, m.Dl], [e + 4, addr(m.wih)], [e + 8, addr(m.whh)], [e + 12, addr(m.bih)], [e + 16, addr(m.bhh)]);
    });
    if (spec.head) {
      putT(spec.head.weight, O, H, ldo, wy);
      if (spec.head.bias) f32.set(spec.head.bias, base + by);
    }
    for (const [off, v] of words) i32[(this.block + off) >>> 2] = v;
    this.plan = this.block;
    this.xAt = base + x; this.hAt = base + hs; this.cAt = base + cs; this.yAt = base + y;
    this.f32 = f32;
    this.hView = f32.subarray(this.hAt, this.hAt + L * H);
    this.yView = f32.subarray(this.yAt, this.yAt + O);
    this.small = L * H <= 32 && O <= 32;
    this.inPlace = heap.shared;
    if (this.inPlace) {
      this.x = f32.subarray(this.xAt, this.xAt + D); this.h = this.hView; this.y = this.yView;
      this.c = this.lstm ? f32.subarray(this.cAt, this.cAt + L * H) : null;
    } else {
      this.x = new Float32Array(D); this.h = new Float32Array(L * H); this.y = new Float32Array(O); this.c = null;
    }
  }

  step(token: number): void {
    if (this.block === 0) throw new Error('step: this kernel was disposed');
    if (token >= 0) checkToken(token, this.D);
    if (this.inPlace) { this.be.k.step(this.plan, token < 0 ? -1 : token); return; }
    let f32 = this.be.heap.f32;
    if (token < 0) for (let k = 0, x = this.x, at = this.xAt; k < x.length; k++) f32[at + k] = x[k];
    this.be.k.step(this.plan, token < 0 ? -1 : token);
    f32 = this.be.heap.f32;
    if (this.small) {
      const h = this.h, y = this.y, hAt = this.hAt, yAt = this.yAt;
      for (let i = 0; i < h.length; i++) h[i] = f32[hAt + i];
      for (let i = 0; i < y.length; i++) y[i] = f32[yAt + i];
      return;
    }
    if (f32 !== this.f32) this.views(f32);
    this.h.set(this.hView);
    this.y.set(this.yView);
  }

  reset(h0?: Data | null, c0?: Data | null): void {
    if (this.inPlace) { setState(this.h, this.c, h0, c0); return; }
    setState(this.h, null, h0, c0);
    const f32 = this.be.heap.f32, n = this.L * this.H;
    f32.set(this.h, this.hAt);
    if (this.lstm) { if (c0) f32.set(c0, this.cAt); else f32.fill(0, this.cAt, this.cAt + n); }
  }

  /** Gives the block back to the heap: views of it (x, h, y on a shared memory) must not be used afterwards. */
  dispose(): void {
    if (this.block !== 0) this.be.heap.release(this.block);
    this.block = 0;
  }

  private views(f32: Float32Array): void {
    this.f32 = f32;
    this.hView = f32.subarray(this.hAt, this.hAt + this.L * this.H);
    this.yView = f32.subarray(this.yAt, this.yAt + this.O);
  }
}
