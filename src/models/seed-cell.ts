import { noGrad } from '../autograd/engine.js';
import { ShapeError, fmtShape } from '../errors.js';
import type { StepKernel } from '../kernels/backend.js';
import { type Device, getBackend, getDefaultDevice } from '../kernels/device.js';
import { Module } from '../layers/module.js';
import { Adam } from '../optim/adam.js';
import { Rng } from '../tensor/rng.js';
import { randn, zeros } from '../tensor/init.js';
import { type Data, Tensor, assertFinite } from '../tensor/tensor.js';

/**
 * The seed: a recurrent cell made of three explicit matrices, written as plainly as the
 * PyTorch it comes from.
 *
 *   h = tanh(W_hh·h + W_xh·x)        y = W_hy·h
 *
 * W_xh (units, input), W_hh (units, units), W_hy (output, units) ~ randn·0.01; h (units, 1) is a
 * zero buffer that carries the memory from one call to the next.
 *
 * @example
 * const rnn = new MyRNNCell(16, 8, 4);
 * const [y, h] = rnn.forward(randn([8, 1]));   // shapes [4, 1] and [16, 1]
 *
 * For inference one step at a time without the tape, `rnn.stepper()` runs the same step on the
 * fastest backend's fused step kernel (see SeedStepper).
 */
export class MyRNNCell extends Module {
  W_xh: Tensor;
  W_hh: Tensor;
  W_hy: Tensor;
  h: Tensor;

  constructor(rnnUnits: number, inputDim: number, outputDim: number, rng?: Rng) {
    super();
    this.W_xh = this.param('W_xh', randn([rnnUnits, inputDim], { rng }).mul(0.01));
    this.W_hh = this.param('W_hh', randn([rnnUnits, rnnUnits], { rng }).mul(0.01));
    this.W_hy = this.param('W_hy', randn([outputDim, rnnUnits], { rng }).mul(0.01));
    this.h = this.buffer('h', zeros([rnnUnits, 1]));
  }

  forward(x: Tensor): [Tensor, Tensor] {
    const D = this.W_xh.shape[1], B = this.h.shape[1];
    // a zero h (units, 1) broadcasts over a batch of columns, as in PyTorch
    if (x.ndim !== 2 || x.shape[0] !== D || (x.shape[1] !== B && B !== 1)) {
      throw new ShapeError(`MyRNNCell: expected x of shape ${fmtShape([D, B])} (input_dim, batch as in h), got ${fmtShape(x.shape)}`);
    }
    assertFinite('MyRNNCell input', x.data);
    this.h = this.W_hh.matmul(this.h).add(this.W_xh.matmul(x)).tanh();
    const y = this.W_hy.matmul(this.h);
    return [y, this.h];
  }

  /** Forget everything (a new sequence starts). */
  resetState(): void { this.h = zeros(this.h.shape); }
  /** Keep the memory but cut the tape (truncated backpropagation through time). */
  detachState(): void { this.h = this.h.detach(); }

  /**
   * The inference fast path: the same step, y = W_hy·tanh(W_hh·h + W_xh·x), as one call of a
   * backend's fused step kernel (the default device's: the fastest here unless set otherwise),
   * with no tape and no allocation.
   * @example
   * const s = rnn.stepper();
   * const y = s.step(x);   // Float32Array(4), overwritten by the next step
   */
  stepper(device: Device = getDefaultDevice()): SeedStepper { return new SeedStepper(this, device); }
}

/**
 * The seed cell on a fused step kernel (an RNN_TANH layer without biases, W_hy as a head without
 * bias). It snapshots the weights and starts from the cell's current h (a column of the batch
 * (units, 1)); from then on it carries its own h and leaves the cell's alone.
 * Legend: H units, D input, O output.
 */
export class SeedStepper {
  private readonly k: StepKernel;
  /** y (O) after the latest step, overwritten in place by the next. */
  readonly y: Data;
  /** h (H) after the latest step, overwritten in place by the next. */
  readonly h: Data;

  constructor(cell: MyRNNCell, device: Device = getDefaultDevice()) {
    const H = cell.W_hh.shape[0];
    if (cell.h.size !== H) throw new ShapeError(`MyRNNCell stepper: expected h of shape [${H}, 1], got [${cell.h.shape.join(', ')}] (a batch)`);
    this.k = getBackend(device, cell.W_hh.dtype).stepKernel({
      mode: 'RNN_TANH', H,
      layers: [{ wih: cell.W_xh.data, whh: cell.W_hh.data, bih: null, bhh: null }],
      head: { weight: cell.W_hy.data, bias: null },
    });
    this.k.reset(cell.h.data);
    this.y = this.k.y;
    this.h = this.k.h;
  }

  /** One step from x (D), or from a one-hot x given as its index. Returns y (this.y). */
  step(x: Data | number): Data {
    const k = this.k;
    if (typeof x === 'number') { k.step(x); return this.y; }
    const kx = k.x, n = kx.length;
    if (x.length !== n) throw new ShapeError(`MyRNNCell stepper: expected an input of size ${n}, got ${x.length}`);
    for (let i = 0; i < n; i++) kx[i] = x[i];
    k.step(-1);
    return this.y;
  }

  /** Sets h to h0 (H), or zeros. */
  reset(h0?: Data | null): void { this.k.reset(h0); }
  /** Returns the kernel's memory to its backend (wasm). */
  dispose(): void { this.k.dispose(); }
}

export interface SeedTrainOptions { units?: number; chunk?: number; epochs?: number; lr?: number; seed?: number }
export interface SeedTrainResult {
  cell: MyRNNCell;
  /** Mean squared error of next-value predictions on the held-out tail (standardised units). */
  testMseBefore: number;
  testMseAfter: number;
  /** Persistence (tomorrow = today) on the same tail, the baseline to beat. */
  testMsePersistence: number;
  epochLosses: number[];
}

/**
 * Trains the seed cell with autograd to predict the next value of a real series, one value at a
 * time: x_t → y_t ≈ x_{t+1}, memory carried in h, backpropagation through time over chunks.
 * The last 20% of the series is held out; standardisation uses the first 80% only.
 */
export function trainSeedCell(series: ArrayLike<number>, opts: SeedTrainOptions = {}): SeedTrainResult {
  const units = opts.units ?? 16, chunk = opts.chunk ?? 30, epochs = opts.epochs ?? 8;
  const rng = new Rng(opts.seed ?? 0);
  const n = series.length, split = Math.floor(n * 0.8);
  let mean = 0, sq = 0;
  for (let i = 0; i < split; i++) mean += series[i] / split;
  for (let i = 0; i < split; i++) sq += (series[i] - mean) ** 2 / split;
  const sd = Math.sqrt(sq) || 1;
  const z = Float32Array.from(series, (v) => (v - mean) / sd);
  const col = (v: number) => new Tensor(Float32Array.of(v), [1, 1]);

  const cell = new MyRNNCell(units, 1, 1, rng);
  const opt = new Adam(cell.parameters(), { lr: opts.lr ?? 0.01 });

  // test error: run the whole series (memory warmed on the training part), score the tail
  const testMse = (): number => noGrad(() => {
    cell.resetState();
    let s = 0;
    for (let t = 0; t < n - 1; t++) {
      const [y] = cell.forward(col(z[t]));
      if (t >= split) s += (y.item() - z[t + 1]) ** 2;
    }
    return s / (n - 1 - split);
  });

  const testMseBefore = testMse();
  const epochLosses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    cell.resetState();
    let total = 0, count = 0;
    for (let start = 0; start + 1 < split; start += chunk) {
      cell.detachState();
      const end = Math.min(start + chunk, split - 1);
      let loss: Tensor | null = null;
      for (let t = start; t < end; t++) {
        const [y] = cell.forward(col(z[t]));
        const d = y.sub(z[t + 1]);
        loss = loss ? loss.add(d.mul(d)) : d.mul(d);
      }
      const l = loss!.mul(1 / (end - start)).sum();
      opt.zeroGrad();
      l.backward();
      opt.step();
      total += l.item() * (end - start); count += end - start;
    }
    epochLosses.push(total / count);
  }
  let pers = 0;
  for (let t = split; t < n - 1; t++) pers += (z[t] - z[t + 1]) ** 2;
  return { cell, testMseBefore, testMseAfter: testMse(), testMsePersistence: pers / (n - 1 - split), epochLosses };
}
