import { ShapeError, assert } from '../errors.js';
import { type Shape, broadcastShapes, numel, sameShape, stridesOf } from '../tensor/shape.js';
import { type Data, Tensor, allocData } from '../tensor/tensor.js';
import { gradOf, record } from './engine.js';

/**
 * Elementwise ops with NumPy broadcasting. Each forward sits beside the rule that adds its
 * gradient into its inputs; a broadcast input receives the sum over the dims it was stretched on.
 */

export type Operand = Tensor | number;

/** Numbers become 0-d constants of the other operand's dtype. */
function lift(v: Operand, like: Tensor): Tensor {
  if (v instanceof Tensor) return v;
  const d = allocData(like.dtype, 1);
  d[0] = v;
  return new Tensor(d, []);
}

/** For each output element, the flat index of the input element it reads (null: same shape). */
function broadcastIndex(out: Shape, inp: Shape): Int32Array | null {
  if (sameShape(out, inp)) return null;
  const n = numel(out), idx = new Int32Array(n);
  const nd = out.length, off = nd - inp.length;
  const inStr = stridesOf(inp);
  const str = out.map((_d, i) => (i < off || inp[i - off] === 1 ? 0 : inStr[i - off]));
  const pos = new Array<number>(nd).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = cur;
    for (let d = nd - 1; d >= 0; d--) {
      pos[d]++; cur += str[d];
      if (pos[d] < out[d]) break;
      cur -= str[d] * out[d]; pos[d] = 0;
    }
  }
  return idx;
}

function binary(aIn: Operand, bIn: Operand, op: string,
  f: (a: number, b: number) => number,
  da: ((a: number, b: number, g: number) => number) | null,
  db: ((a: number, b: number, g: number) => number) | null): Tensor {
  const ref = aIn instanceof Tensor ? aIn : bIn as Tensor;
  const a = lift(aIn, ref), b = lift(bIn, ref);
  if (a.dtype !== b.dtype) throw new ShapeError(`${op}: expected operands of one dtype, got ${a.dtype} and ${b.dtype}`);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const n = numel(shape), ia = broadcastIndex(shape, a.shape), ib = broadcastIndex(shape, b.shape);
  const A = a.data, B = b.data, out = allocData(a.dtype, n);
  for (let i = 0; i < n; i++) out[i] = f(A[ia ? ia[i] : i], B[ib ? ib[i] : i]);
  const y = new Tensor(out, shape);
  return record(y, [a, b], op, () => {
    const g = y.grad!;
    if (a.requiresGrad && da) {
      const ga = gradOf(a);
      for (let i = 0; i < n; i++) { const j = ia ? ia[i] : i; ga[j] += da(A[j], B[ib ? ib[i] : i], g[i]); }
    }
    if (b.requiresGrad && db) {
      const gb = gradOf(b);
      for (let i = 0; i < n; i++) { const j = ib ? ib[i] : i; gb[j] += db(A[ia ? ia[i] : i], B[j], g[i]); }
    }
  });
}

export const add = (a: Operand, b: Operand): Tensor =>
  binary(a, b, 'add', (x, y) => x + y, (_x, _y, g) => g, (_x, _y, g) => g);
export const sub = (a: Operand, b: Operand): Tensor =>
  binary(a, b, 'sub', (x, y) => x - y, (_x, _y, g) => g, (_x, _y, g) => -g);
export const mul = (a: Operand, b: Operand): Tensor =>
  binary(a, b, 'mul', (x, y) => x * y, (_x, y, g) => g * y, (x, _y, g) => g * x);
export const div = (a: Operand, b: Operand): Tensor =>
  binary(a, b, 'div', (x, y) => x / y, (_x, y, g) => g / y, (x, y, g) => (-g * x) / (y * y));
/** x^p for a constant exponent p. For p = 0 the gradient is 0 everywhere, also at x = 0 (as in torch), not 0·∞. */
export const pow = (a: Tensor, p: number): Tensor =>
  binary(a, p, 'pow', (x, y) => x ** y, (x, y, g) => (y === 0 ? 0 : g * y * x ** (y - 1)), null);
/** At a tie each operand gets half the gradient, as in torch.maximum. */
export const maximum = (a: Operand, b: Operand): Tensor => binary(a, b, 'maximum', Math.max,
  (x, y, g) => (x > y ? g : x === y ? g / 2 : 0), (x, y, g) => (y > x ? g : x === y ? g / 2 : 0));

/** y = f(x) with dy/dx written in terms of x and y. */
function unary(x: Tensor, op: string, f: (v: number) => number, df: (v: number, y: number) => number): Tensor {
  const X = x.data, n = X.length, out = allocData(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = f(X[i]);
  const y = new Tensor(out, x.shape);
  return record(y, [x], op, () => {
    const g = y.grad!, gx = gradOf(x);
    for (let i = 0; i < n; i++) gx[i] += g[i] * df(X[i], out[i]);
  });
}

const sigm = (v: number): number => 1 / (1 + Math.exp(-v));

export const neg = (x: Tensor): Tensor => unary(x, 'neg', (v) => -v, () => -1);
export const exp = (x: Tensor): Tensor => unary(x, 'exp', Math.exp, (_v, y) => y);
export const log = (x: Tensor): Tensor => unary(x, 'log', Math.log, (v) => 1 / v);
export const sqrt = (x: Tensor): Tensor => unary(x, 'sqrt', Math.sqrt, (_v, y) => 0.5 / y);
export const abs = (x: Tensor): Tensor => unary(x, 'abs', Math.abs, (v) => Math.sign(v));
export const tanh = (x: Tensor): Tensor => unary(x, 'tanh', Math.tanh, (_v, y) => 1 - y * y);
export const sigmoid = (x: Tensor): Tensor => unary(x, 'sigmoid', sigm, (_v, y) => y * (1 - y));
export const relu = (x: Tensor): Tensor => unary(x, 'relu', (v) => (v > 0 ? v : 0), (v) => (v > 0 ? 1 : 0));

/** Gradient flows only where lo ≤ x ≤ hi, like torch.clamp. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  assert(lo <= hi, () => `clamp: expected lo ≤ hi, got ${lo} > ${hi}`);
  return unary(x, 'clamp', (v) => Math.min(hi, Math.max(lo, v)), (v) => (v >= lo && v <= hi ? 1 : 0));
}

/** Copy with its own storage (gradient passes straight through). */
export const clone = (x: Tensor): Tensor => unary(x, 'clone', (v) => v, () => 1);

export type { Data };
