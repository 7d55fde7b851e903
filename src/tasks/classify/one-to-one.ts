import { linear } from '../../autograd/matmul.js';
import { uniformInit } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import { type Rng, defaultRng } from '../../tensor/rng.js';
import type { Tensor } from '../../tensor/tensor.js';
import { outputsFor } from './head.js';

/**
 * One-to-one: the seed's cell run for a single step. With one step there is no earlier state
 * (h0 = 0, so W_hh·h0 vanishes and W_hh is left out), and the cell is a one-hidden-layer network:
 *
 *   h = tanh(W_xh·x + b_h)        y = W_hy·h + b_y        p = σ(y) for two classes, softmax(y) else
 *
 * Legend: B batch, D input features, H hidden units, O outputs (1 for two classes).
 */
export interface OneStepArch { inputs: number; hidden: number; classes: number }

export class OneStepClassifier extends Module {
  W_xh: Tensor; // (H, D)
  b_h: Tensor;  // (H)
  W_hy: Tensor; // (O, H)
  b_y: Tensor;  // (O)

  constructor(readonly arch: OneStepArch, rng: Rng = defaultRng()) {
    super();
    const { inputs: D, hidden: H } = arch, O = outputsFor(arch.classes);
    // nn.Linear's U(−1/√fan_in, 1/√fan_in): the seed's randn·0.01 starts too close to zero to learn fast
    this.W_xh = this.param('W_xh', uniformInit([H, D], 1 / Math.sqrt(D), 'float32', rng));
    this.b_h = this.param('b_h', uniformInit([H], 1 / Math.sqrt(D), 'float32', rng));
    this.W_hy = this.param('W_hy', uniformInit([O, H], 1 / Math.sqrt(H), 'float32', rng));
    this.b_y = this.param('b_y', uniformInit([O], 1 / Math.sqrt(H), 'float32', rng));
  }

  /** x (B, D) → logits (B, O). */
  forward(x: Tensor): Tensor {
    const h = linear(x, this.W_xh, this.b_h).tanh();
    return linear(h, this.W_hy, this.b_y);
  }
}

/** Per-feature mean and standard deviation, fitted on the training rows only. */
export class Standardizer {
  constructor(readonly mean: number[], readonly std: number[]) {}

  static fit(x: Float64Array, D: number, rows: ArrayLike<number>): Standardizer {
    const mean = new Array<number>(D).fill(0), sq = new Array<number>(D).fill(0);
    for (let k = 0; k < rows.length; k++) for (let j = 0; j < D; j++) mean[j] += x[rows[k] * D + j] / rows.length;
    for (let k = 0; k < rows.length; k++) for (let j = 0; j < D; j++) sq[j] += (x[rows[k] * D + j] - mean[j]) ** 2 / rows.length;
    // a constant feature carries nothing; std 1 keeps it at zero instead of dividing by zero
    return new Standardizer(mean, sq.map((v) => Math.sqrt(v) || 1));
  }

  /** Every row of x (N, D), standardised. */
  transform(x: ArrayLike<number>): Float32Array {
    const D = this.mean.length;
    return Float32Array.from(x, (v, i) => (v - this.mean[i % D]) / this.std[i % D]);
  }
}
