import { ShapeError, fmtShape } from '../../errors.js';
import { Module } from '../../layers/module.js';
import { MyRNNCell } from '../../models/seed-cell.js';
import { zeros } from '../../tensor/init.js';
import { type Rng, defaultRng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { outputsFor } from './head.js';

/**
 * One-to-one: a single input, a single result, the seed's cell as it is (MyRNNCell: W_xh, W_hh,
 * W_hy, the h buffer, randn·0.01) run for one step from h = 0:
 *
 *   h = tanh(W_hh·0 + W_xh·[x; 1]) = tanh(W_xh·[x; 1])        y = W_hy·h
 *   p = σ(y) for two classes (binary cross-entropy), softmax(y) for more (cross-entropy)
 *
 * With one step there is no earlier state, so W_hh multiplies zeros: it takes no part in the
 * prediction, gets a zero gradient and stays as initialised (it is in the model file only because
 * it is part of the cell). The seed's cell has no biases, and without one it is odd in x
 * (y(−x) = −y(x)): on standardised features the average input always gets p = ½, so unbalanced
 * classes could not get their prior. The constant 1 appended to every input is the seed's own way
 * to a bias: its column of W_xh is the hidden units' bias, and a hidden unit driven by it alone is a
 * constant that W_hy turns into an output bias.
 * Legend: B batch, D input features, H hidden units, O outputs (1 for two classes).
 */
export interface OneStepArch { inputs: number; hidden: number; classes: number }

export class OneStepClassifier extends Module {
  readonly cell: MyRNNCell; // W_xh (H, D + 1), W_hh (H, H), W_hy (O, H), h (H, 1)

  constructor(readonly arch: OneStepArch, rng: Rng = defaultRng()) {
    super();
    this.cell = this.module('cell', new MyRNNCell(arch.hidden, arch.inputs + 1, outputsFor(arch.classes), rng));
  }

  /** x (B, D) → logits (B, O). The cell reads a batch as columns, [x; 1] (D + 1, B). */
  forward(x: Tensor): Tensor {
    const D = this.arch.inputs;
    if (x.ndim !== 2 || x.shape[1] !== D) throw new ShapeError(`OneStepClassifier: expected x of shape [B, ${D}], got ${fmtShape(x.shape)}`);
    const B = x.shape[0], cols = new Float32Array((D + 1) * B).fill(1, D * B);
    for (let b = 0; b < B; b++) for (let j = 0; j < D; j++) cols[j * B + b] = x.data[b * D + j];
    const [y] = this.cell.forward(new Tensor(cols, [D + 1, B]));
    this.cell.h = zeros([this.arch.hidden, 1]); // the next input starts from h = 0 again (and the file keeps the seed's (H, 1) buffer)
    return y.t();
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
