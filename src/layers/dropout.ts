import { mul } from '../autograd/elementwise.js';
import { assert } from '../errors.js';
import { type Rng, defaultRng } from '../tensor/rng.js';
import { Tensor, allocData } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * Inverted dropout, PyTorch's nn.Dropout: in training mode each element is zeroed with
 * probability p and the survivors scaled by 1/(1−p); in eval mode it is the identity.
 */
export class Dropout extends Module {
  private readonly rng: Rng;
  constructor(readonly p = 0.5, opts: { rng?: Rng } = {}) {
    super();
    assert(p >= 0 && p <= 1, () => `Dropout: expected p in [0, 1], got ${p}`);
    this.rng = opts.rng ?? defaultRng();
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const keep = 1 - this.p, m = allocData(x.dtype, x.size); // p = 1 zeroes everything, as torch
    if (keep > 0) for (let i = 0; i < m.length; i++) m[i] = this.rng.uniform() < keep ? 1 / keep : 0;
    return mul(x, new Tensor(m, x.shape));
  }
}
