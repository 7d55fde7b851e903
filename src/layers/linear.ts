import { linear } from '../autograd/matmul.js';
import { assert } from '../errors.js';
import { type Rng, defaultRng } from '../tensor/rng.js';
import { type DType, Tensor, allocData, assertFinite } from '../tensor/tensor.js';
import { Module } from './module.js';

export interface LinearOptions { bias?: boolean; dtype?: DType; rng?: Rng }

/** U(−bound, bound) tensor from a generator. */
export function uniformInit(shape: number[], bound: number, dtype: DType, rng: Rng): Tensor {
  const data = allocData(dtype, shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * bound;
  return new Tensor(data, shape);
}

/**
 * y = x·Wᵀ + b, PyTorch's nn.Linear. x (…, in) → y (…, out).
 * weight (out, in), bias (out); both U(−1/√in, 1/√in) as PyTorch initialises them.
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    assert(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0,
      () => `Linear: expected positive integer sizes, got (${inFeatures}, ${outFeatures})`);
    const rng = opts.rng ?? defaultRng(), dtype = opts.dtype ?? 'float32', k = 1 / Math.sqrt(inFeatures);
    this.weight = this.param('weight', uniformInit([outFeatures, inFeatures], k, dtype, rng));
    this.bias = (opts.bias ?? true) ? this.param('bias', uniformInit([outFeatures], k, dtype, rng)) : null;
  }

  forward(x: Tensor): Tensor {
    // data given to the model is checked; a value recur computed is not (a NaN there is a numerical
    // event the training loop catches), which keeps a scan of every activation off the training step
    if (x.isLeaf) assertFinite('Linear input', x.data);
    return linear(x, this.weight, this.bias);
  }
}
