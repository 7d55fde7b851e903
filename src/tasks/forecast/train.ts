import { DataError } from '../../errors.js';
import type { ScalerKind } from '../../data/scaler.js';
import { type Series, assertNotConstant } from '../../data/series.js';
import type { Device } from '../../kernels/device.js';
import { mseLoss } from '../../losses/mse.js';
import { pinballLoss } from '../../losses/pinball.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { Rng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Checkpoint } from '../../train/checkpoint-types.js';
import {
  type TrainingJson, type TrainingState, restoreTraining, snapshotTraining,
} from '../../train/training-state.js';
import type { TrainTask } from '../../train/loop.js';
import type { CellName } from '../../layers/recurrent.js';
import { type Splits, makeBatch, splitOrigins, splitPoints } from './dataset.js';
import { type FeatureMode, FeatureSpec } from './features.js';
import { guessSeason } from './metrics.js';
import { Forecaster } from './model.js';
import { type Forecast, Predictor } from './predict.js';

/**
 * Training of forecasters: chronological splits, scalers fitted on the training part, Adam with
 * clipping, early stopping on validation MAE (in the series' units) keeping the best weights.
 * With features 'auto' two candidates are trained ('level' and 'relative' inputs, see
 * features.ts) and the one with the lower validation MAE is kept — the default a user with an
 * unseen CSV gets, without tuning.
 */
export interface ForecastOptions {
  lookback?: number;
  horizon?: number;
  /** Season length; null or undefined to guess it from the data (1 = none). */
  season?: number | null;
  cell?: CellName;
  hidden?: number;
  layers?: number;
  dropout?: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  clip?: number;
  patience?: number;
  /** direct: all H steps from one window; recursive: a one-step model fed its own predictions. */
  mode?: 'direct' | 'recursive';
  features?: FeatureMode | 'auto';
  /** How 'level' inputs are scaled (fitted on the training part): standard (default) or minmax. */
  scaler?: Exclude<ScalerKind, 'none'>;
  /** Steps between consecutive training windows (default 1: every window). */
  stride?: number;
  quantiles?: number[];
  valFraction?: number;
  testFraction?: number;
  seed?: number;
  device?: Device;
}

export type ResolvedForecastOptions = Required<Omit<ForecastOptions, 'season' | 'device'>> & { season: number; device: Device };

/** Fills in defaults chosen from the data (season, lookback, epochs). */
export function resolveOptions(s: Series, o: ForecastOptions): ResolvedForecastOptions {
  const valFraction = o.valFraction ?? 0.15, testFraction = o.testFraction ?? 0.15;
  const horizon = o.horizon ?? 1;
  // the season is guessed on the training part of the first segment, exactly as the splits cut it
  const seg = s.segments?.[0] ?? { start: 0, end: s.N };
  const { trainEnd } = splitPoints(seg.end - seg.start, horizon, valFraction, testFraction);
  if (trainEnd < 4) throw new DataError(`the series has ${s.N} points: too short to split into training, validation and test parts`);
  const target0 = Float64Array.from({ length: trainEnd }, (_, i) => s.values[(seg.start + i) * s.F]);
  const season = o.season ?? guessSeason(target0, trainEnd, s.frequency?.label ?? null);
  const lookback = o.lookback ?? Math.max(8, Math.min(season >= 2 && season <= 32 ? 2 * season : 32, Math.floor(trainEnd / 4)));
  const mode = o.mode ?? 'direct';
  if (mode === 'recursive' && s.nTargets !== s.F) {
    throw new DataError('recursive forecasting feeds predictions back as inputs, so every input column must be a target; drop --features or use --mode direct');
  }
  const quantiles = o.quantiles ?? [];
  if (quantiles.length > 0 && !quantiles.includes(0.5)) throw new DataError(`quantiles: include 0.5 (the point forecast), got [${quantiles.join(', ')}]`);
  if (quantiles.some((q) => !(q > 0 && q < 1))) throw new DataError(`quantiles: expected levels between 0 and 1, got [${quantiles.join(', ')}]`);
  const scaler = o.scaler ?? 'standard';
  if (scaler !== 'standard' && scaler !== 'minmax') throw new DataError(`scaler: expected standard or minmax, got '${scaler}'`);
  for (const [k, v] of Object.entries({ lookback, horizon, hidden: o.hidden ?? 64, epochs: o.epochs ?? 60, batch: o.batch ?? 32, stride: o.stride ?? 1 })) {
    if (!Number.isInteger(v) || v < 1) throw new DataError(`${k}: expected a positive integer, got ${v}`);
  }
  return {
    lookback, horizon, season, cell: o.cell ?? 'lstm', hidden: o.hidden ?? 64, layers: o.layers ?? 1, dropout: o.dropout ?? 0,
    epochs: o.epochs ?? 60, batch: o.batch ?? 32, lr: o.lr ?? 3e-3, clip: o.clip ?? 1, patience: o.patience ?? 10,
    mode, features: o.features ?? 'auto', scaler, stride: o.stride ?? 1, quantiles: [...quantiles].sort((a, b) => a - b),
    valFraction, testFraction, seed: o.seed ?? 0, device: o.device ?? 'auto',
  };
}

/** One candidate: a model, its optimizer and its early-stopping state. */
export class Candidate {
  readonly spec: FeatureSpec;
  readonly model: Forecaster;
  readonly opt: Adam;
  readonly predictor: Predictor;
  readonly rng: Rng;
  readonly stepsPerEpoch: number;
  readonly nOut: number;
  perm: Int32Array;
  best: { valMae: number; epoch: number; params: Float32Array };
  badEpochs = 0;
  done = false;
  epoch = 0;
  lastLoss = NaN;

  constructor(readonly s: Series, readonly o: ResolvedForecastOptions, readonly splits: Splits, readonly mode: FeatureMode, index: number) {
    this.nOut = o.mode === 'recursive' ? s.F : s.nTargets;
    const H = o.mode === 'recursive' ? 1 : o.horizon;
    this.spec = FeatureSpec.fit(s, mode, o.lookback, H, o.season, splits.trainRanges, o.scaler);
    this.rng = new Rng(o.seed * 1000 + index);
    this.model = new Forecaster({
      cell: o.cell, inputSize: this.spec.inputSize, hidden: o.hidden, layers: o.layers, dropout: o.dropout,
      horizon: H, targets: this.nOut, quantiles: o.quantiles,
    }, this.rng, o.device);
    this.opt = new Adam(this.model.parameters(), { lr: o.lr });
    this.predictor = new Predictor(this.model, this.spec, o.mode, o.horizon, s.nTargets, s.F, o.quantiles);
    this.stepsPerEpoch = Math.ceil(splits.train.length / o.batch);
    this.perm = Int32Array.from(splits.train);
    this.best = { valMae: Infinity, epoch: -1, params: Float32Array.from(this.opt.params.data) };
  }

  get totalSteps(): number { return this.o.epochs * this.stepsPerEpoch; }

  private loss(pred: Tensor, y: Float32Array, B: number): Tensor {
    const H = this.spec.horizon, T = this.nOut, Q = this.o.quantiles.length;
    const target = new Tensor(y, [B, H * T]);
    return Q > 0 ? pinballLoss(pred.reshape([B, H * T, Q]), target, this.o.quantiles) : mseLoss(pred, target);
  }

  compute(local: number): { loss: number; items: number; gradNorm: number } {
    const k = local % this.stepsPerEpoch;
    if (k === 0) this.rng.shuffle(this.perm);
    const origins = this.perm.subarray(k * this.o.batch, Math.min(this.perm.length, (k + 1) * this.o.batch));
    const { x, y } = makeBatch(this.s, this.spec, origins, this.nOut);
    const B = origins.length;
    this.model.train();
    const loss = this.loss(this.model.forward(new Tensor(x, [B, this.spec.lookback, this.spec.inputSize])), y, B);
    this.opt.zeroGrad();
    loss.backward();
    const gradNorm = clipGradNorm(this.opt.params, this.o.clip);
    this.lastLoss = loss.item();
    return { loss: this.lastLoss, items: B, gradNorm };
  }

  /** After the step that ends an epoch: validation MAE, best weights, patience. */
  endOfEpoch(local: number): string | null {
    if ((local + 1) % this.stepsPerEpoch !== 0) return null;
    this.epoch = (local + 1) / this.stepsPerEpoch;
    const mae = this.validationMae();
    if (mae < this.best.valMae - 1e-12) {
      this.best = { valMae: mae, epoch: this.epoch, params: Float32Array.from(this.opt.params.data) };
      this.badEpochs = 0;
    } else if (++this.badEpochs >= this.o.patience) {
      this.done = true;
    }
    return `[${this.mode}] epoch ${this.epoch}: train loss ${this.lastLoss.toFixed(4)}, validation MAE ${mae.toFixed(4)}${this.done ? ' (early stop)' : ''}`;
  }

  /** Forecasts (H, T) in series units for origin t. */
  predict(t: number): Forecast { return this.predictor.predict(this.s.values, t, this.s.dates); }

  validationMae(): number {
    let s = 0, n = 0;
    for (const t of this.splits.val) {
      const p = this.predict(t).point, H = this.o.horizon, T = this.s.nTargets;
      for (let h = 1; h <= H; h++) for (let j = 0; j < T; j++) { s += Math.abs(p[(h - 1) * T + j] - this.s.values[(t + h) * this.s.F + j]) / this.spec.scaler.scale[j]; n++; }
    }
    return s / n;
  }

  useBest(): void { this.opt.params.data.set(this.best.params); }

  /** What the checkpoint routine saves besides the counters: weights, optimizer, RNG, best weights, data order. */
  private training(): TrainingState {
    return { opt: this.opt, rng: this.rng, arrays: { best: this.best.params, perm: this.perm } };
  }

  snapshot(prefix: string, c: Checkpoint): void {
    c.json[`${prefix}state`] = {
      ...snapshotTraining(c, prefix, this.training()), bestValMae: this.best.valMae, bestEpoch: this.best.epoch,
      badEpochs: this.badEpochs, done: this.done, epoch: this.epoch, lastLoss: this.lastLoss,
    };
  }

  restore(prefix: string, c: Checkpoint): void {
    type State = TrainingJson & {
      bestValMae: number | null; bestEpoch: number; badEpochs: number; done: boolean; epoch: number; lastLoss: number;
    };
    const j = c.json[`${prefix}state`] as State | undefined;
    if (!j) throw new DataError(`checkpoint: missing state of candidate '${prefix}'`);
    restoreTraining(c, prefix, this.training(), j);
    this.best.valMae = j.bestValMae ?? Infinity; this.best.epoch = j.bestEpoch;
    this.badEpochs = j.badEpochs; this.done = j.done; this.epoch = j.epoch; this.lastLoss = j.lastLoss;
  }
}

/**
 * The candidates of a run and the loop task that trains them one after another. Refuses targets
 * that are constant on the training part (`task` names the purpose in that message).
 */
export function forecastTask(s: Series, o: ResolvedForecastOptions, task = 'forecast'): { task: TrainTask; candidates: Candidate[]; splits: Splits } {
  const splits = splitOrigins(s.N, o.lookback, o.horizon, o.valFraction, o.testFraction, s.segments, o.mode === 'recursive' ? 1 : o.horizon,
    { stride: o.stride, breaks: s.breaks });
  assertNotConstant(s, splits.trainRanges, task);
  const modes: FeatureMode[] = o.features === 'auto' ? ['level', 'relative'] : [o.features];
  const candidates = modes.map((m, k) => new Candidate(s, o, splits, m, k));
  const starts = candidates.map((_, k) => candidates.slice(0, k).reduce((a, c) => a + c.totalSteps, 0));
  const locate = (i: number) => {
    const k = starts.findLastIndex((st) => st <= i);
    return { c: candidates[k], local: i - starts[k] };
  };
  const loopTask: TrainTask = {
    totalSteps: candidates.reduce((a, c) => a + c.totalSteps, 0),
    compute(i) { const { c, local } = locate(i); return c.done ? null : c.compute(local); },
    apply(i) { locate(i).c.opt.step(); },
    discard(i) { locate(i).c.opt.zeroGrad(); },
    after(i) { const { c, local } = locate(i); const note = c.endOfEpoch(local); return note ? { note } : undefined; },
    snapshot() { const c: Checkpoint = { tensors: {}, json: {} }; candidates.forEach((cd, k) => cd.snapshot(`c${k}.`, c)); return c; },
    restore(c) { candidates.forEach((cd, k) => cd.restore(`c${k}.`, c)); },
  };
  return { task: loopTask, candidates, splits };
}
