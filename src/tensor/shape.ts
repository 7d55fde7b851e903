import { ShapeError, assert, fmtShape } from '../errors.js';

export type Shape = readonly number[];

export const numel = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Row-major (C-contiguous) strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export const sameShape = (a: Shape, b: Shape): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** NumPy broadcasting: align from the right; each pair of dims must match or one be 1. */
export function broadcastShapes(a: Shape, b: Shape, what = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    assert(da === db || da === 1 || db === 1,
      () => `${what}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (dim ${i}: ${da} vs ${db})`);
    out[i] = Math.max(da, db);
  }
  return out;
}

/** Normalises a possibly negative dimension index. */
export function normDim(dim: number, ndim: number, what: string): number {
  const d = dim < 0 ? dim + ndim : dim;
  assert(Number.isInteger(d) && d >= 0 && d < ndim,
    () => `${what}: expected dim in [${-ndim}, ${ndim - 1}], got ${dim}`);
  return d;
}

/**
 * Checks `got` against `expected`, where a null entry matches any size.
 * @example assertShape('Linear input', x.shape, [null, 8])
 */
export function assertShape(what: string, got: Shape, expected: readonly (number | null)[]): void {
  const ok = got.length === expected.length && expected.every((d, i) => d === null || d === got[i]);
  if (!ok) {
    const exp = `[${expected.map((d) => (d === null ? '*' : String(d))).join(', ')}]`;
    throw new ShapeError(`${what}: expected shape ${exp}, got ${fmtShape(got)}`);
  }
}

export function assertValidShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    assert(Number.isInteger(d) && d >= 0, () => `${what}: expected non-negative integer dims, got ${fmtShape(shape)}`);
  }
}

/** Splits a shape around `dim` into (outer, size, inner) so a reduction is three nested loops. */
export function aroundDim(shape: Shape, dim: number): [outer: number, size: number, inner: number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[dim], inner];
}
