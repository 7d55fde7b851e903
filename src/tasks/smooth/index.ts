import { noGrad } from '../../autograd/engine.js';
import { assertVaries } from '../../data/series.js';
import { DataError } from '../../errors.js';
import { Linear } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import { type CellName, type RecurrentBase, makeRecurrent } from '../../layers/recurrent.js';
import type { Device } from '../../kernels/device.js';
import { mseLoss } from '../../losses/mse.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { Rng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Checkpoint } from '../../train/checkpoint-types.js';
import {
  type TrainingJson, type TrainingState, restoreTraining, snapshotTraining,
} from '../../train/training-state.js';
import { type RunOptions, type TrainTask, runLoop } from '../../train/loop.js';

/**
 * Signal smoothing: a many-to-many denoiser. A bidirectional recurrent layer reads a noisy
 * window and a linear head gives the clean value at every step. Each window is centred on its own
 * noisy mean, so a trending signal (levels never seen in training) stays in range. Trained on a
 * real signal with Gaussian noise drawn afresh for every batch (it learns the noise, not the
 * windows); a long signal is smoothed in half-overlapping windows whose outputs are averaged.
 * Scored on the held-out tail against a centred moving average and exponential smoothing, each
 * with its window or α chosen on the validation part.
 */
export interface SmoothOptions {
  /** Noise standard deviation, in units of the std of the signal's one-step changes (default 1). */
  noise?: number;
  window?: number; cell?: CellName; hidden?: number; layers?: number;
  steps?: number; batch?: number; lr?: number; seed?: number; device?: Device;
  /** The signal's name in messages (its column). */
  name?: string;
}

/** The smoothing model: a bidirectional recurrent layer and a linear head, one clean value per step. */
export class Denoiser extends Module {
  readonly rnn: RecurrentBase;
  readonly head: Linear;
  constructor(readonly arch: { cell: CellName; hidden: number; layers: number }, rng?: Rng, device?: Device) {
    super();
    this.rnn = this.module('rnn', makeRecurrent(arch.cell, { inputSize: 1, hiddenSize: arch.hidden, numLayers: arch.layers, dropout: 0, rng, device, bidirectional: true }));
    this.head = this.module('head', new Linear(2 * arch.hidden, 1, { rng }));
  }
  /** (B, T, 1) noisy → (B, T, 1) clean, in scaled units. */
  forward(x: Tensor): Tensor { return this.head.forward(this.rnn.forward(x).output); }
}

export interface Score { mse: number; mae: number }
/** What runSmooth reports (MSE and MAE against the clean test tail) and the model to save (null if interrupted). */
export interface SmoothRun {
  interrupted: boolean;
  noise_std: number;
  test_points: number;
  model: Score | null;
  noisy: Score;
  moving_average: Score & { window: number };
  exponential: Score & { alpha: number };
  /** Test tail: clean, noisy and each smoother's output (for plots). */
  series: { clean: Float64Array; noisy: Float64Array; model: Float64Array | null; movingAverage: Float64Array; exponential: Float64Array };
  model_state: { model: Denoiser; meta: Record<string, unknown> } | null;
}

const score = (a: ArrayLike<number>, b: ArrayLike<number>): Score => {
  let se = 0, ae = 0;
  for (let i = 0; i < a.length; i++) { const e = a[i] - b[i]; se += e * e; ae += Math.abs(e); }
  return { mse: se / a.length, mae: ae / a.length };
};

/** Centred moving average of width k (odd), shrinking at the edges. */
export function movingAverage(x: ArrayLike<number>, k: number): Float64Array {
  const h = (k - 1) >> 1, out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let s = 0, n = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(x.length - 1, i + h); j++) { s += x[j]; n++; }
    out[i] = s / n;
  }
  return out;
}

/** Exponential smoothing s_t = α·x_t + (1 − α)·s_{t−1}. */
export function exponentialSmoothing(x: ArrayLike<number>, alpha: number): Float64Array {
  const out = new Float64Array(x.length);
  let s = x[0];
  for (let i = 0; i < x.length; i++) { s = alpha * x[i] + (1 - alpha) * s; out[i] = s; }
  return out;
}

/**
 * Signal smoothing end to end (see SmoothOptions): trains the denoiser on `signal` with fresh noise, then scores it
 * and the moving average and exponential smoothing on the noisy held-out tail. `recur smooth` runs it.
 */
export async function runSmooth(signal: Float64Array, o: SmoothOptions, run: RunOptions): Promise<SmoothRun> {
  const N = signal.length, W = o.window ?? 64;
  if (N < 4 * W) throw new DataError(`the signal has ${N} points; smoothing with window ${W} needs at least ${4 * W} (use a smaller --window)`);
  const rng = new Rng(o.seed ?? 0), noiseRng = new Rng((o.seed ?? 0) + 7919);
  const trainEnd = Math.floor(N * 0.7), valEnd = Math.floor(N * 0.85);
  assertVaries(o.name ?? 'signal', (i) => signal[i], N, [[0, trainEnd]], 'smooth', 'signal');
  let dsd = 0, localVar = 0, nw = 0;
  for (let i = 1; i < trainEnd; i++) dsd += (signal[i] - signal[i - 1]) ** 2 / (trainEnd - 1);
  for (let s0 = 0; s0 + W <= trainEnd; s0 += Math.max(1, W >> 2)) {
    let m = 0, v = 0;
    for (let k = 0; k < W; k++) m += signal[s0 + k] / W;
    for (let k = 0; k < W; k++) v += (signal[s0 + k] - m) ** 2 / W;
    localVar += v; nw++;
  }
  dsd = Math.sqrt(dsd);
  const sigma = (o.noise ?? 1) * dsd;
  const scale = Math.sqrt(localVar / Math.max(1, nw) + sigma * sigma) || 1;
  // one fixed noisy copy for validation and test; training draws fresh noise every batch
  const noisy = Float64Array.from(signal, (v) => v + sigma * noiseRng.normal());

  const arch = { cell: o.cell ?? 'gru', hidden: o.hidden ?? 32, layers: o.layers ?? 1 };
  const model = new Denoiser(arch, rng, o.device);
  const opt = new Adam(model.parameters(), { lr: o.lr ?? 3e-3 });
  const B = o.batch ?? 16, steps = o.steps ?? 1500;

  const training: TrainingState = { opt, rng };
  const task: TrainTask = {
    totalSteps: steps,
    compute() {
      const x = new Float32Array(B * W), y = new Float32Array(B * W);
      for (let b = 0; b < B; b++) {
        const s0 = rng.int(trainEnd - W + 1);
        let m = 0;
        for (let k = 0; k < W; k++) { x[b * W + k] = signal[s0 + k] + sigma * rng.normal(); m += x[b * W + k] / W; }
        for (let k = 0; k < W; k++) { y[b * W + k] = (signal[s0 + k] - m) / scale; x[b * W + k] = (x[b * W + k] - m) / scale; }
      }
      model.train();
      const loss = mseLoss(model.forward(new Tensor(x, [B, W, 1])), new Tensor(y, [B, W, 1]));
      opt.zeroGrad(); loss.backward();
      return { loss: loss.item(), items: B * W, gradNorm: clipGradNorm(opt.params, 1) };
    },
    apply() { opt.step(); },
    discard() { opt.zeroGrad(); },
    snapshot() {
      const c: Checkpoint = { tensors: {}, json: {} };
      c.json = { ...snapshotTraining(c, '', training) };
      return c;
    },
    restore(c) { restoreTraining(c, '', training, c.json as unknown as TrainingJson); },
  };
  const fingerprint = JSON.stringify({ task: 'smooth', N, W, sigma, arch, B, steps, lr: o.lr ?? 3e-3, seed: o.seed ?? 0 });
  const loop = await runLoop(task, { label: 'smooth', unit: 'steps·points', progress: run.progress, store: run.store, signal: run.signal, checkpointEvery: run.checkpointEvery, resume: run.resume, fingerprint, skipBadBatches: run.skipBadBatches });

  const part = (a: ArrayLike<number>, from: number, to: number) => Float64Array.from({ length: to - from }, (_, i) => a[from + i]);
  const bestOf = <P>(params: P[], f: (p: P, x: Float64Array) => Float64Array) => {
    const vx = part(noisy, trainEnd, valEnd), vy = part(signal, trainEnd, valEnd);
    return params.reduce((a, p) => (score(f(p, vx), vy).mse < score(f(a, vx), vy).mse ? p : a));
  };
  const k = bestOf([3, 5, 7, 9, 11, 15, 21, 31, 45, 61], (kk, x) => movingAverage(x, kk));
  const alpha = bestOf([0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], (a, x) => exponentialSmoothing(x, a));
  const tx = part(noisy, valEnd, N), ty = part(signal, valEnd, N);
  const ma = movingAverage(tx, k), es = exponentialSmoothing(tx, alpha);
  let pred: Float64Array | null = null;
  if (!loop.interrupted) {
    pred = noGrad(() => smoothWith(model, tx, W, scale));
  }
  return {
    interrupted: loop.interrupted, noise_std: sigma, test_points: tx.length,
    model: pred ? score(pred, ty) : null, noisy: score(tx, ty),
    moving_average: { ...score(ma, ty), window: k }, exponential: { ...score(es, ty), alpha },
    series: { clean: ty, noisy: tx, model: pred, movingAverage: ma, exponential: es },
    model_state: pred ? { model, meta: { kind: 'denoiser', arch, window: W, scale, noise_std: sigma } } : null,
  };
}

/** Runs the denoiser over x in windows of W with stride W/2, each centred on its mean; overlaps are averaged. */
export function smoothWith(model: Denoiser, x: Float64Array, W: number, scale: number): Float64Array {
  model.eval();
  const n = x.length, sum = new Float64Array(n), cnt = new Float64Array(n);
  const w = Math.min(W, n), stride = Math.max(1, w >> 1);
  const starts: number[] = [];
  for (let s0 = 0; s0 + w <= n; s0 += stride) starts.push(s0);
  if (starts[starts.length - 1] !== n - w) starts.push(n - w);
  const xb = new Float32Array(starts.length * w);
  const means = starts.map((s0, b) => {
    let m = 0;
    for (let k = 0; k < w; k++) m += x[s0 + k] / w;
    for (let k = 0; k < w; k++) xb[b * w + k] = (x[s0 + k] - m) / scale;
    return m;
  });
  const out = model.forward(new Tensor(xb, [starts.length, w, 1])).data;
  starts.forEach((s0, b) => { for (let k = 0; k < w; k++) { sum[s0 + k] += out[b * w + k] * scale + means[b]; cnt[s0 + k]++; } });
  return Float64Array.from(sum, (v, i) => v / cnt[i]);
}
