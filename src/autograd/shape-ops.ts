import { ShapeError, assert, fmtShape } from '../errors.js';
import { type Shape, aroundDim, normDim, numel, stridesOf } from '../tensor/shape.js';
import { IntTensor, Tensor, allocData } from '../tensor/tensor.js';
import { gradOf, record } from './engine.js';

/**
 * Ops that move values without arithmetic. Their backward moves gradients back the same way.
 */

/** Same values, new shape (one dim may be -1). Shares storage, like a contiguous view. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const free = shape.indexOf(-1);
  let sh = [...shape];
  if (free >= 0) {
    const known = shape.reduce((a, d, i) => (i === free ? a : a * d), 1);
    sh[free] = known === 0 ? 0 : x.size / known;
  }
  if (numel(sh) !== x.size || sh.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`reshape: cannot view ${fmtShape(x.shape)} (${x.size} values) as ${fmtShape(shape)}`);
  }
  sh = sh.map(Math.trunc);
  const y = new Tensor(x.data, sh);
  return record(y, [x], 'reshape', () => {
    const g = y.grad!, gx = gradOf(x);
    for (let i = 0; i < g.length; i++) gx[i] += g[i];
  });
}

/** Reorders dims: out.shape[i] = x.shape[order[i]]. Materialises the result. */
export function permute(x: Tensor, order: readonly number[]): Tensor {
  const nd = x.ndim;
  const ord = order.map((d) => normDim(d, nd, 'permute'));
  assert(ord.length === nd && new Set(ord).size === nd,
    () => `permute: expected a permutation of ${nd} dims, got [${order.join(', ')}]`);
  const shape = ord.map((d) => x.shape[d]);
  const inStr = stridesOf(x.shape), str = ord.map((d) => inStr[d]);
  const n = x.size, idx = new Int32Array(n), pos = new Array<number>(nd).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = cur;
    for (let d = nd - 1; d >= 0; d--) {
      pos[d]++; cur += str[d];
      if (pos[d] < shape[d]) break;
      cur -= str[d] * shape[d]; pos[d] = 0;
    }
  }
  const X = x.data, out = allocData(x.dtype, n);
  for (let k = 0; k < n; k++) out[k] = X[idx[k]];
  const y = new Tensor(out, shape);
  return record(y, [x], 'permute', () => {
    const g = y.grad!, gx = gradOf(x);
    for (let k = 0; k < n; k++) gx[idx[k]] += g[k];
  });
}

/** Swaps two dims (for 2-D tensors, the matrix transpose). */
export function transpose(x: Tensor, d0 = -2, d1 = -1): Tensor {
  const a = normDim(d0, x.ndim, 'transpose'), b = normDim(d1, x.ndim, 'transpose');
  const order = x.shape.map((_, i) => i);
  order[a] = b; order[b] = a;
  return permute(x, order);
}

/** Joins tensors along `dim`; all other dims must agree. */
export function concat(xs: readonly Tensor[], dim = 0): Tensor {
  assert(xs.length > 0, () => 'concat: expected at least one tensor, got none');
  const first = xs[0], d = normDim(dim, first.ndim, 'concat');
  xs.forEach((t, k) => {
    if (t.dtype !== first.dtype) throw new ShapeError(`concat: expected every tensor of dtype ${first.dtype}, got ${t.dtype} (tensor ${k})`);
    const ok = t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!ok) throw new ShapeError(`concat: expected shapes like ${fmtShape(first.shape)} except in dim ${d}, got ${fmtShape(t.shape)} (tensor ${k})`);
  });
  const sizes = xs.map((t) => t.shape[d]), total = sizes.reduce((a, b) => a + b, 0);
  const shape = first.shape.map((s, i) => (i === d ? total : s));
  const [outer, , inner] = aroundDim(shape, d);
  const out = allocData(first.dtype, numel(shape));
  let at = 0;
  const offs = sizes.map((s) => { const o = at; at += s; return o; });
  xs.forEach((t, k) => {
    const w = sizes[k] * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * w, (o + 1) * w), (o * total + offs[k]) * inner);
  });
  const y = new Tensor(out, shape);
  return record(y, xs, 'concat', () => {
    const g = y.grad!;
    xs.forEach((t, k) => {
      if (!t.requiresGrad) return;
      const gx = gradOf(t), w = sizes[k] * inner;
      for (let o = 0; o < outer; o++) {
        const src = (o * total + offs[k]) * inner, dst = o * w;
        for (let i = 0; i < w; i++) gx[dst + i] += g[src + i];
      }
    });
  });
}

/** Stacks equal-shaped tensors along a new dim. */
export function stack(xs: readonly Tensor[], dim = 0): Tensor {
  assert(xs.length > 0, () => 'stack: expected at least one tensor, got none');
  const first = xs[0], nd = first.ndim + 1, d = normDim(dim, nd, 'stack');
  // checked here so the message names stack and the shapes the caller passed, not concat's views
  xs.forEach((t, k) => {
    assert(t.ndim === first.ndim && t.shape.every((s, i) => s === first.shape[i]),
      () => `stack: expected every tensor of shape ${fmtShape(first.shape)}, got ${fmtShape(t.shape)} (tensor ${k})`);
    assert(t.dtype === first.dtype, () => `stack: expected every tensor of dtype ${first.dtype}, got ${t.dtype} (tensor ${k})`);
  });
  return concat(xs.map((t) => {
    const sh = [...t.shape]; sh.splice(d, 0, 1);
    return reshape(t, sh);
  }), d);
}

/** x[…, start:end, …] along `dim` (a copy). */
export function slice(x: Tensor, dim: number, start: number, end: number): Tensor {
  const d = normDim(dim, x.ndim, 'slice');
  const size = x.shape[d];
  assert(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= size,
    () => `slice: expected 0 ≤ start ≤ end ≤ ${size} in dim ${d}, got ${start}:${end}`);
  const [outer, , inner] = aroundDim(x.shape, d);
  const len = end - start, w = len * inner;
  const out = allocData(x.dtype, outer * w);
  for (let o = 0; o < outer; o++) out.set(x.data.subarray((o * size + start) * inner, (o * size + end) * inner), o * w);
  const y = new Tensor(out, x.shape.map((s, i) => (i === d ? len : s)));
  return record(y, [x], 'slice', () => {
    const g = y.grad!, gx = gradOf(x);
    for (let o = 0; o < outer; o++) {
      const dst = (o * size + start) * inner, src = o * w;
      for (let i = 0; i < w; i++) gx[dst + i] += g[src + i];
    }
  });
}

/** Splits along `dim` into pieces of the given sizes (or equal pieces of one size). */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim(dim, x.ndim, 'split'), total = x.shape[d];
  let parts: number[];
  if (typeof sizes === 'number') {
    assert(Number.isInteger(sizes) && sizes > 0, () => `split: expected a positive size, got ${sizes}`);
    parts = Array.from({ length: Math.ceil(total / sizes) }, (_, i) => Math.min(sizes, total - i * sizes));
  } else {
    parts = [...sizes];
    assert(parts.every((p) => Number.isInteger(p) && p >= 0) && parts.reduce((a, b) => a + b, 0) === total,
      () => `split: expected non-negative sizes adding up to ${total} (dim ${d} of ${fmtShape(x.shape)}), got [${parts.join(', ')}]`);
  }
  let at = 0;
  return parts.map((p) => { const s = slice(x, d, at, at + p); at += p; return s; });
}

/**
 * Row lookup, the embedding gather: out[…, :] = table[ids[…], :].
 * table (V, E), ids any shape → (…ids.shape, E). Backward scatters gradients back into the rows.
 */
export function gather(table: Tensor, ids: IntTensor): Tensor {
  if (table.ndim !== 2) throw new ShapeError(`gather: expected a 2-D table (V, E), got ${fmtShape(table.shape)}`);
  const [V, E] = table.shape, I = ids.data;
  for (let i = 0; i < I.length; i++) {
    if (I[i] < 0 || I[i] >= V) throw new ShapeError(`gather: expected ids in [0, ${V}), got ${I[i]} at position ${i}`);
  }
  const T = table.data, out = allocData(table.dtype, I.length * E);
  for (let i = 0; i < I.length; i++) out.set(T.subarray(I[i] * E, (I[i] + 1) * E), i * E);
  const y = new Tensor(out, [...ids.shape, E]);
  return record(y, [table], 'gather', () => {
    const g = y.grad!, gt = gradOf(table);
    for (let i = 0; i < I.length; i++) {
      const r = I[i] * E, s = i * E;
      for (let j = 0; j < E; j++) gt[r + j] += g[s + j];
    }
  });
}
