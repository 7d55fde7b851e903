import { aroundDim, normDim } from '../tensor/shape.js';
import { Tensor, allocData } from '../tensor/tensor.js';
import { mul } from './elementwise.js';
import { gradOf, record } from './engine.js';

/**
 * Reductions and the softmax family, all along one dimension split as (outer, size, inner).
 */

/** Sum of all elements, or along `dim` (kept as size 1 with keepdim). */
export function sum(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) {
    const X = x.data, out = allocData(x.dtype, 1);
    let s = 0;
    for (let i = 0; i < X.length; i++) s += X[i];
    out[0] = s;
    const y = new Tensor(out, []);
    return record(y, [x], 'sum', () => {
      const g = y.grad![0], gx = gradOf(x);
      for (let i = 0; i < gx.length; i++) gx[i] += g;
    });
  }
  const d = normDim(dim, x.ndim, 'sum');
  const [outer, size, inner] = aroundDim(x.shape, d);
  const X = x.data, out = allocData(x.dtype, outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      const src = (o * size + k) * inner, dst = o * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += X[src + i];
    }
  }
  const shape = keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
  const y = new Tensor(out, shape);
  return record(y, [x], 'sum', () => {
    const g = y.grad!, gx = gradOf(x);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < size; k++) {
        const dst = (o * size + k) * inner, src = o * inner;
        for (let i = 0; i < inner; i++) gx[dst + i] += g[src + i];
      }
    }
  });
}

export function mean(x: Tensor, dim?: number, keepdim = false): Tensor {
  const n = dim === undefined ? x.size : x.shape[normDim(dim, x.ndim, 'mean')];
  return mul(sum(x, dim, keepdim), 1 / n);
}

/** Shared by softmax and logSoftmax: the stable log-sum-exp along `dim`. */
function softmaxFamily(x: Tensor, dim: number, logOut: boolean): Tensor {
  const d = normDim(dim, x.ndim, logOut ? 'logSoftmax' : 'softmax');
  const [outer, size, inner] = aroundDim(x.shape, d);
  const X = x.data, out = allocData(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let k = 0; k < size; k++) m = Math.max(m, X[base + k * inner]);
      let s = 0;
      for (let k = 0; k < size; k++) s += Math.exp(X[base + k * inner] - m);
      const lse = m + Math.log(s);
      for (let k = 0; k < size; k++) {
        const v = X[base + k * inner] - lse;
        out[base + k * inner] = logOut ? v : Math.exp(v);
      }
    }
  }
  const y = new Tensor(out, x.shape);
  return record(y, [x], logOut ? 'logSoftmax' : 'softmax', () => {
    const g = y.grad!, gx = gradOf(x);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        // softmax: dx = y ⊙ (g − Σ g⊙y); logSoftmax: dx = g − softmax ⊙ Σ g
        let s = 0;
        for (let k = 0; k < size; k++) s += logOut ? g[base + k * inner] : g[base + k * inner] * out[base + k * inner];
        for (let k = 0; k < size; k++) {
          const j = base + k * inner;
          gx[j] += logOut ? g[j] - Math.exp(out[j]) * s : out[j] * (g[j] - s);
        }
      }
    }
  });
}

export const softmax = (x: Tensor, dim = -1): Tensor => softmaxFamily(x, dim, false);
export const logSoftmax = (x: Tensor, dim = -1): Tensor => softmaxFamily(x, dim, true);
