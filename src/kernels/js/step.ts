import { DataError, ShapeError, assert } from '../../errors.js';
import { type Data, type DType, allocData } from '../../tensor/tensor.js';
import { type StepKernel, type StepMode, type StepSpec, at, stepGates } from '../backend.js';
import * as pw from './pointwise.js';

/**
 * The reference single-step kernel (see StepSpec for the equations): plain loops over the
 * weights in PyTorch's layout, a dot product per output, and the reference pointwise cells.
 * The wasm and native step kernels are tested against this one.
 * Legend: L layers, D input size of layer 0, H hidden, G gates, O head outputs.
 */

export interface StepShape { G: number; H: number; GH: number; L: number; D: number; O: number }

/** Checks a spec's sizes (every backend's stepKernel does) and returns them. */
export function stepShape(spec: StepSpec): StepShape {
  const G = stepGates(spec.mode), H = spec.H, GH = G * H, L = spec.layers.length;
  assert(Number.isInteger(H) && H >= 1, () => `step kernel: expected a hidden size ≥ 1, got ${H}`);
  assert(L >= 1, () => 'step kernel: expected at least one layer, got none');
  const D = spec.layers[0].wih.length / GH;
  assert(Number.isInteger(D) && D >= 1, () => `step kernel: weight_ih_l0 has ${spec.layers[0].wih.length} elements, expected ${GH}·D`);
  spec.layers.forEach((w, l) => {
    const Dl = l === 0 ? D : H, name = (p: string) => `step kernel: ${p}_l${l}`;
    assert(w.wih.length === GH * Dl, () => `${name('weight_ih')}: expected ${GH}×${Dl} = ${GH * Dl} elements, got ${w.wih.length}`);
    assert(w.whh.length === GH * H, () => `${name('weight_hh')}: expected ${GH}×${H} = ${GH * H} elements, got ${w.whh.length}`);
    assert(!w.bih || w.bih.length === GH, () => `${name('bias_ih')}: expected ${GH} elements, got ${w.bih!.length}`);
    assert(!w.bhh || w.bhh.length === GH, () => `${name('bias_hh')}: expected ${GH} elements, got ${w.bhh!.length}`);
  });
  const head = spec.head, O = head ? head.weight.length / H : 0;
  assert(Number.isInteger(O) && (!head || O >= 1), () => `step kernel: head weight has ${head!.weight.length} elements, expected O×${H}`);
  assert(!head?.bias || head.bias.length === O, () => `step kernel: head bias: expected ${O} elements, got ${head!.bias!.length}`);
  return { G, H, GH, L, D, O };
}

/** Throws unless `token` names a row of the one-hot input (negative: dense input). */
export function checkToken(token: number, D: number): void {
  if (!(token < D) || !Number.isInteger(token)) throw new DataError(`step: expected a token id in [0, ${D}) or −1 for the dense input, got ${token}`);
}

/** Copies h0/c0 (L·H each, or zeros) into h/c. */
export function setState(h: Data, c: Data | null, h0?: Data | null, c0?: Data | null): void {
  const n = h.length;
  assert(!h0 || h0.length === n, () => `step reset: expected h0 of ${n} elements (layers·H), got ${h0!.length}`, ShapeError);
  assert(!c0 || c0.length === n, () => `step reset: expected c0 of ${n} elements (layers·H), got ${c0!.length}`, ShapeError);
  if (h0) h.set(h0); else h.fill(0);
  if (c) { if (c0) c.set(c0); else c.fill(0); }
}

export class ReferenceStep implements StepKernel {
  readonly D: number;
  readonly H: number;
  readonly L: number;
  readonly O: number;
  readonly x: Data;
  readonly h: Data;
  readonly y: Data;
  private readonly c: Data;
  private readonly gx: Data;   // (G·H) input side of the current layer
  private readonly gh: Data;   // (G·H) hidden side
  private readonly aux: Data;  // (H) what a backward would read (LSTM tanh c, GRU W_hn·h + b_hn): written, not needed here
  private readonly spec: StepSpec;
  private readonly G: number;
  /** Layer l's cell kernel on its slice of h (and c), with its arguments made once. */
  private readonly cells: (() => void)[];

  constructor(dtype: DType, spec: StepSpec) {
    const s = stepShape(spec);
    const copy = (d: Data | null): Data | null => { if (!d) return null; const a = allocData(dtype, d.length); a.set(d); return a; };
    ({ D: this.D, H: this.H, L: this.L, O: this.O, G: this.G } = s);
    this.spec = {
      mode: spec.mode, H: s.H,
      layers: spec.layers.map((w) => ({ wih: copy(w.wih)!, whh: copy(w.whh)!, bih: copy(w.bih), bhh: copy(w.bhh) })),
      head: spec.head ? { weight: copy(spec.head.weight)!, bias: copy(spec.head.bias) } : null,
    };
    this.x = allocData(dtype, s.D); this.h = allocData(dtype, s.L * s.H); this.y = allocData(dtype, s.O);
    this.c = allocData(dtype, spec.mode === 'LSTM' ? s.L * s.H : 0);
    this.gx = allocData(dtype, s.GH); this.gh = allocData(dtype, s.GH); this.aux = allocData(dtype, s.H);
    const bufs = { gx: this.gx, gh: this.gh, aux: this.aux, h: this.h, c: this.c };
    this.cells = Array.from({ length: s.L }, (_, l) => cellStep(spec.mode, s.H, bufs, l * s.H));
  }

  step(token: number): void {
    const { H, G, gx, gh, h } = this, GH = G * H;
    if (token >= 0) checkToken(token, this.D);
    for (let l = 0; l < this.L; l++) {
      const w = this.spec.layers[l], Dl = l === 0 ? this.D : H, hl = l * H;
      // gx = b_ih + W_ih·x (a gathered column of W_ih for a one-hot token)
      if (w.bih) gx.set(w.bih); else gx.fill(0);
      if (l === 0 && token >= 0) for (let j = 0; j < GH; j++) gx[j] += w.wih[j * Dl + token];
      else matvecAdd(GH, Dl, w.wih, l === 0 ? this.x : h, l === 0 ? 0 : hl - H, gx);
      // gh = b_hh + W_hh·h
      if (w.bhh) gh.set(w.bhh); else gh.fill(0);
      matvecAdd(GH, H, w.whh, h, hl, gh);
      this.cells[l](); // h_l, c_l = cell(gx, gh, h_l, c_l)
    }
    const head = this.spec.head;
    if (head) {
      if (head.bias) this.y.set(head.bias); else this.y.fill(0);
      matvecAdd(this.O, H, head.weight, h, (this.L - 1) * H, this.y);
    }
  }

  reset(h0?: Data | null, c0?: Data | null): void { setState(this.h, this.spec.mode === 'LSTM' ? this.c : null, h0, c0); }
  dispose(): void {}
}

/** One layer's cell, in place on its state h[hl, hl + H) (and c's), from the step's gx and gh. */
function cellStep(mode: StepMode, H: number, k: Record<'gx' | 'gh' | 'aux' | 'h' | 'c', Data>, hl: number,
): () => void {
  const gates = at(k.gx), gh = at(k.gh), h = at(k.h, hl), aux = at(k.aux);
  if (mode === 'LSTM') {
    const c = at(k.c, hl), o = { B: 1, H, gates, gh, cPrev: c, c, tc: aux, h };
    return () => pw.lstmCellForward(o);
  }
  if (mode === 'GRU') {
    const o = { B: 1, H, gates, gh, hPrev: h, hn: aux, h };
    return () => pw.gruCellForward(o);
  }
  const o = { relu: mode === 'RNN_RELU', n: H, gx: gates, gh, h };
  return () => pw.rnnCellForward(o);
}

/** out[i] += Σₖ W[i, k]·v[vOff + k] for W (rows, cols), as the reference GEMM sums (A·Bᵀ with M = 1). */
function matvecAdd(rows: number, cols: number, W: Data, v: Data, vOff: number, out: Data): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    let s = 0;
    for (let k = 0; k < cols; k++) s += W[r + k] * v[vOff + k];
    out[i] += s;
  }
}
