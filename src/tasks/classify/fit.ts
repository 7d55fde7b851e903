import { DataError } from '../../errors.js';
import type { Module } from '../../layers/module.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import type { Rng } from '../../tensor/rng.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Checkpoint } from '../../train/checkpoint-types.js';
import {
  type TrainingJson, type TrainingState, restoreTraining, snapshotTraining,
} from '../../train/training-state.js';
import type { TrainTask } from '../../train/loop.js';

/**
 * Training with early stopping for the classifiers and generators, as forecast's Candidate:
 * shuffled mini-batches, Adam with gradient clipping, a validation score after every epoch, the
 * best weights kept, training stopped after `patience` epochs without improvement. Every random
 * draw (shuffles, dropout) comes from one Rng whose state is checkpointed with the weights, the
 * optimizer and the data order, so a resumed run repeats an uninterrupted one bit for bit.
 */
export interface Learner {
  readonly name: string;
  readonly module: Module;
  /** Number of training examples; batches are positions 0 … trainSize−1. */
  readonly trainSize: number;
  /** Mean loss of a batch of training positions, recorded on the tape. */
  loss(batch: Int32Array): Tensor;
  /** Validation score in eval mode, compared lexicographically: higher is better. */
  validate(): number[];
}

export interface FitOptions { epochs: number; batch: number; lr: number; clip: number; patience: number; weightDecay: number }

/** a > b lexicographically (by more than rounding noise in the first place that differs). */
export function better(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i] + 1e-12) return true;
    if (a[i] < b[i] - 1e-12) return false;
  }
  return false;
}

export class Fitter {
  readonly opt: Adam;
  readonly stepsPerEpoch: number;
  perm: Int32Array;
  best: { score: number[]; epoch: number; params: Float32Array };
  badEpochs = 0;
  done = false;
  epoch = 0;
  lastLoss = NaN;

  constructor(readonly learner: Learner, readonly o: FitOptions, readonly rng: Rng) {
    this.opt = new Adam(learner.module.parameters(), { lr: o.lr, weightDecay: o.weightDecay });
    this.stepsPerEpoch = Math.ceil(learner.trainSize / o.batch);
    this.perm = Int32Array.from({ length: learner.trainSize }, (_, i) => i);
    this.best = { score: [-Infinity], epoch: 0, params: Float32Array.from(this.opt.params.data) };
  }

  get totalSteps(): number { return this.o.epochs * this.stepsPerEpoch; }

  compute(local: number): { loss: number; items: number; gradNorm: number } {
    const k = local % this.stepsPerEpoch;
    if (k === 0) this.rng.shuffle(this.perm);
    const batch = this.perm.subarray(k * this.o.batch, Math.min(this.perm.length, (k + 1) * this.o.batch));
    this.learner.module.train();
    const loss = this.learner.loss(batch);
    this.opt.zeroGrad();
    loss.backward();
    const gradNorm = clipGradNorm(this.opt.params, this.o.clip);
    this.lastLoss = loss.item();
    return { loss: this.lastLoss, items: batch.length, gradNorm };
  }

  /** After the step that ends an epoch: validation, best weights, patience. */
  endOfEpoch(local: number): string | null {
    if ((local + 1) % this.stepsPerEpoch !== 0) return null;
    this.epoch = (local + 1) / this.stepsPerEpoch;
    const score = this.learner.validate();
    if (better(score, this.best.score)) {
      this.best = { score, epoch: this.epoch, params: Float32Array.from(this.opt.params.data) };
      this.badEpochs = 0;
    } else if (++this.badEpochs >= this.o.patience) {
      this.done = true;
    }
    return `[${this.learner.name}] epoch ${this.epoch}: train loss ${this.lastLoss.toFixed(4)}, validation ${score.map((v) => v.toFixed(4)).join(' / ')}${this.done ? ' (early stop)' : ''}`;
  }

  useBest(): void { this.opt.params.data.set(this.best.params); }

  /** What the checkpoint routine saves besides the counters: weights, optimizer, RNG, best weights, data order. */
  private training(): TrainingState {
    return { opt: this.opt, rng: this.rng, arrays: { best: this.best.params, perm: this.perm } };
  }

  snapshot(prefix: string, c: Checkpoint): void {
    c.json[`${prefix}state`] = {
      ...snapshotTraining(c, prefix, this.training()),
      bestScore: this.best.score.map((v) => (Number.isFinite(v) ? v : null)),
      bestEpoch: this.best.epoch, badEpochs: this.badEpochs, done: this.done, epoch: this.epoch,
      lastLoss: Number.isFinite(this.lastLoss) ? this.lastLoss : null,
    };
  }

  restore(prefix: string, c: Checkpoint): void {
    type State = TrainingJson & {
      bestScore: (number | null)[]; bestEpoch: number; badEpochs: number; done: boolean; epoch: number;
      lastLoss: number | null;
    };
    const j = c.json[`${prefix}state`] as State | undefined;
    if (!j) throw new DataError(`checkpoint: missing state of '${this.learner.name}'`);
    restoreTraining(c, prefix, this.training(), j);
    this.best.score = j.bestScore.map((v) => v ?? -Infinity); this.best.epoch = j.bestEpoch;
    this.badEpochs = j.badEpochs; this.done = j.done; this.epoch = j.epoch; this.lastLoss = j.lastLoss ?? NaN;
  }
}

/** One loop task that trains the fitters one after another (model, then baseline). */
export function fitTask(fitters: Fitter[]): TrainTask {
  const starts = fitters.map((_, k) => fitters.slice(0, k).reduce((a, f) => a + f.totalSteps, 0));
  const locate = (i: number) => {
    const k = starts.findLastIndex((s) => s <= i);
    return { f: fitters[k], local: i - starts[k] };
  };
  return {
    totalSteps: fitters.reduce((a, f) => a + f.totalSteps, 0),
    compute(i) { const { f, local } = locate(i); return f.done ? null : f.compute(local); },
    apply(i) { locate(i).f.opt.step(); },
    discard(i) { locate(i).f.opt.zeroGrad(); },
    after(i) { const { f, local } = locate(i); const note = f.endOfEpoch(local); return note ? { note } : undefined; },
    snapshot() { const c: Checkpoint = { tensors: {}, json: {} }; fitters.forEach((f, k) => f.snapshot(`f${k}.`, c)); return c; },
    restore(c) { fitters.forEach((f, k) => f.restore(`f${k}.`, c)); },
  };
}
