import type { Shape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Operand, abs, add, clamp, clone, div, exp, log, maximum, mul, neg, pow, relu, sigmoid, sqrt, sub, tanh } from './elementwise.js';
import { type BackwardOptions, backward } from './engine.js';
import { type MatmulOptions, matmul } from './matmul.js';
import { logSoftmax, mean, softmax, sum } from './reduce.js';
import { gather, permute, reshape, slice, split, transpose } from './shape-ops.js';

/**
 * Chainable methods, so a cell reads like the PyTorch it came from:
 * `W_hh.matmul(h).add(W_xh.matmul(x)).tanh()`.
 */
declare module '../tensor/tensor.js' {
  interface Tensor {
    add(b: Operand): Tensor;
    sub(b: Operand): Tensor;
    mul(b: Operand): Tensor;
    div(b: Operand): Tensor;
    pow(p: number): Tensor;
    maximum(b: Operand): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    clamp(lo: number, hi: number): Tensor;
    clone(): Tensor;
    matmul(b: Tensor, opts?: MatmulOptions): Tensor;
    sum(dim?: number, keepdim?: boolean): Tensor;
    mean(dim?: number, keepdim?: boolean): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    reshape(shape: Shape): Tensor;
    permute(order: readonly number[]): Tensor;
    transpose(d0?: number, d1?: number): Tensor;
    /** Matrix transpose of a 2-D tensor (a copy). */
    t(): Tensor;
    slice(dim: number, start: number, end: number): Tensor;
    split(sizes: number | readonly number[], dim?: number): Tensor[];
    /** Row lookup: this is the table (V, E). */
    gather(ids: IntTensor): Tensor;
    backward(opts?: BackwardOptions): void;
  }
}

const P = Tensor.prototype;
P.add = function (b) { return add(this, b); };
P.sub = function (b) { return sub(this, b); };
P.mul = function (b) { return mul(this, b); };
P.div = function (b) { return div(this, b); };
P.pow = function (p) { return pow(this, p); };
P.maximum = function (b) { return maximum(this, b); };
P.neg = function () { return neg(this); };
P.exp = function () { return exp(this); };
P.log = function () { return log(this); };
P.sqrt = function () { return sqrt(this); };
P.abs = function () { return abs(this); };
P.tanh = function () { return tanh(this); };
P.sigmoid = function () { return sigmoid(this); };
P.relu = function () { return relu(this); };
P.clamp = function (lo, hi) { return clamp(this, lo, hi); };
P.clone = function () { return clone(this); };
P.matmul = function (b, opts) { return matmul(this, b, opts); };
P.sum = function (dim, keepdim) { return sum(this, dim, keepdim); };
P.mean = function (dim, keepdim) { return mean(this, dim, keepdim); };
P.softmax = function (dim) { return softmax(this, dim); };
P.logSoftmax = function (dim) { return logSoftmax(this, dim); };
P.reshape = function (shape) { return reshape(this, shape); };
P.permute = function (order) { return permute(this, order); };
P.transpose = function (d0, d1) { return transpose(this, d0, d1); };
P.t = function () { return transpose(this, 0, 1); };
P.slice = function (dim, start, end) { return slice(this, dim, start, end); };
P.split = function (sizes, dim) { return split(this, sizes, dim); };
P.gather = function (ids) { return gather(this, ids); };
P.backward = function (opts) { backward(this, opts); };
