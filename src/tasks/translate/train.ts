import { DataError } from '../../errors.js';
import type { Device } from '../../kernels/device.js';
import { crossEntropy } from '../../losses/cross-entropy.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { Rng } from '../../tensor/rng.js';
import type { Checkpoint } from '../../train/checkpoint-types.js';
import {
  type TrainingJson, type TrainingState, restoreTraining, snapshotTraining,
} from '../../train/training-state.js';
import type { TrainTask } from '../../train/loop.js';
import type { Vocab } from '../../data/vocab.js';
import { type Example, PAD_ID, UNK_ID, padBatch, teacherBatch } from './data.js';
import { decodeSequences } from './decode.js';
import { editDistance } from './metrics.js';
import { type TranslatorCell, Translator } from './model.js';

/**
 * Training of translators: Adam with gradient clipping on teacher-forced cross-entropy (padding
 * ignored), shuffled batches, and after every epoch the greedy token error rate on (up to
 * `valLimit` of) the validation words: the best weights are kept, an epoch without improvement
 * multiplies the learning rate by `lrDecay`, and `patience` of them in a row stop training.
 */
export interface TranslateOptions {
  cell?: TranslatorCell;
  hidden?: number;
  embed?: number;
  bidirectional?: boolean;
  attention?: boolean;
  epochs?: number;
  batch?: number;
  lr?: number;
  /** Factor on the learning rate after an epoch without validation improvement (1: constant). */
  lrDecay?: number;
  clip?: number;
  patience?: number;
  /** Validation words decoded after each epoch for early stopping. */
  valLimit?: number;
  seed?: number;
  device?: Device;
}

export type ResolvedTranslateOptions = Required<Omit<TranslateOptions, 'device'>> & { device: Device };

export function resolveTranslateOptions(o: TranslateOptions): ResolvedTranslateOptions {
  const r = {
    cell: o.cell ?? 'gru', hidden: o.hidden ?? 128, embed: o.embed ?? 64, bidirectional: o.bidirectional ?? true,
    attention: o.attention ?? false, epochs: o.epochs ?? 20, batch: o.batch ?? 64, lr: o.lr ?? 3e-3, lrDecay: o.lrDecay ?? 0.5, clip: o.clip ?? 1,
    patience: o.patience ?? 4, valLimit: o.valLimit ?? 1000, seed: o.seed ?? 0, device: o.device ?? 'auto',
  } as const;
  for (const k of ['hidden', 'embed', 'epochs', 'batch', 'patience', 'valLimit'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new DataError(`${k}: expected a positive integer, got ${r[k]}`);
  }
  if (r.cell !== 'gru' && r.cell !== 'lstm') throw new DataError(`cell: expected 'gru' or 'lstm', got '${String(r.cell)}'`);
  if (!(r.lr > 0)) throw new DataError(`lr: expected a positive number, got ${r.lr}`);
  if (!(r.lrDecay > 0 && r.lrDecay <= 1)) throw new DataError(`lrDecay: expected a factor in (0, 1], got ${r.lrDecay}`);
  return r;
}

/** Greedy token error rate of `model` on examples (ids compared; <unk> in a reference never matches). */
export function idErrorRate(model: Translator, xs: readonly Example[], maxLen: number): number {
  const outs = decodeSequences(model, xs.map((x) => x.src), { maxLen });
  let dist = 0, len = 0;
  outs.forEach((o, i) => {
    const ref = Array.from(xs[i].tgt.subarray(0, xs[i].tgt.length - 1), (v) => (v === UNK_ID ? -1 : v));
    dist += editDistance(Array.from(o.tokens), ref); len += ref.length;
  });
  return dist / Math.max(1, len);
}

export class TranslatorTrainer {
  readonly model: Translator;
  readonly opt: Adam;
  readonly rng: Rng;
  readonly stepsPerEpoch: number;
  readonly maxLen: number;
  perm: Int32Array;
  best: { valTer: number; epoch: number; params: Float32Array };
  badEpochs = 0;
  epoch = 0;
  lastLoss = NaN;
  /** Validation error after each finished epoch (for reports). */
  history: number[] = [];

  constructor(readonly o: ResolvedTranslateOptions, readonly src: Vocab, readonly tgt: Vocab, readonly train: Example[], readonly val: Example[]) {
    if (train.length === 0) throw new DataError('no training pairs');
    this.rng = new Rng(o.seed);
    this.model = new Translator({
      cell: o.cell, srcVocab: src.size, tgtVocab: tgt.size, embed: o.embed, hidden: o.hidden,
      bidirectional: o.bidirectional, attention: o.attention,
    }, { rng: this.rng, device: o.device });
    this.opt = new Adam(this.model.parameters(), { lr: o.lr });
    this.stepsPerEpoch = Math.ceil(train.length / o.batch);
    this.perm = Int32Array.from(train.keys());
    this.maxLen = Math.max(...train.map((x) => x.tgt.length)) + 5;
    this.best = { valTer: Infinity, epoch: -1, params: Float32Array.from(this.opt.params.data) };
  }

  get totalSteps(): number { return this.o.epochs * this.stepsPerEpoch; }

  compute(i: number): { loss: number; items: number; gradNorm: number } {
    const k = i % this.stepsPerEpoch;
    if (k === 0) this.rng.shuffle(this.perm);
    const idx = this.perm.subarray(k * this.o.batch, Math.min(this.perm.length, (k + 1) * this.o.batch));
    const xs = Array.from(idx, (j) => this.train[j]);
    const { ids, lengths } = padBatch(xs.map((x) => x.src));
    const { input, target } = teacherBatch(xs.map((x) => x.tgt));
    this.model.train();
    const loss = crossEntropy(this.model.forward(ids, lengths, input), target, { ignoreIndex: PAD_ID });
    this.opt.zeroGrad();
    loss.backward();
    const gradNorm = clipGradNorm(this.opt.params, this.o.clip);
    this.lastLoss = loss.item();
    return { loss: this.lastLoss, items: xs.length, gradNorm };
  }

  /** After the step that ends an epoch: validation error, best weights, patience. */
  endOfEpoch(i: number): { stop: boolean; note: string } | null {
    if ((i + 1) % this.stepsPerEpoch !== 0) return null;
    this.epoch = (i + 1) / this.stepsPerEpoch;
    const ter = idErrorRate(this.model, this.val.slice(0, this.o.valLimit), this.maxLen);
    this.history.push(ter);
    let stop = false;
    if (ter < this.best.valTer - 1e-9) {
      this.best = { valTer: ter, epoch: this.epoch, params: Float32Array.from(this.opt.params.data) };
      this.badEpochs = 0;
    } else {
      this.opt.lr *= this.o.lrDecay;
      stop = ++this.badEpochs >= this.o.patience;
    }
    return { stop, note: `epoch ${this.epoch}: train loss ${this.lastLoss.toFixed(4)}, validation token error rate ${(100 * ter).toFixed(2)}%${stop ? ' (early stop)' : ''}` };
  }

  useBest(): void { if (this.best.epoch >= 0) this.opt.params.data.set(this.best.params); }

  /** What the checkpoint routine saves besides the counters: weights, optimizer, RNG, best weights, data order. */
  private training(): TrainingState {
    return { opt: this.opt, rng: this.rng, arrays: { best: this.best.params, perm: this.perm } };
  }

  snapshot(): Checkpoint {
    const c: Checkpoint = { tensors: {}, json: {} };
    c.json.state = {
      ...snapshotTraining(c, '', this.training()), bestValTer: this.best.valTer, bestEpoch: this.best.epoch,
      badEpochs: this.badEpochs, epoch: this.epoch, lastLoss: this.lastLoss, history: this.history,
    };
    return c;
  }

  restore(c: Checkpoint): void {
    const j = c.json.state as TrainingJson & {
      bestValTer: number | null; bestEpoch: number; badEpochs: number; epoch: number; lastLoss: number | null;
      history: number[];
    } | undefined;
    if (!j) throw new DataError('checkpoint: missing the translator state');
    restoreTraining(c, '', this.training(), j);
    // JSON turns Infinity and NaN into null
    this.best.valTer = j.bestValTer ?? Infinity; this.best.epoch = j.bestEpoch;
    this.badEpochs = j.badEpochs; this.epoch = j.epoch; this.lastLoss = j.lastLoss ?? NaN; this.history = j.history;
  }

  task(): TrainTask {
    return {
      totalSteps: this.totalSteps,
      compute: (i) => this.compute(i),
      apply: () => this.opt.step(),
      discard: () => this.opt.zeroGrad(),
      after: (i) => this.endOfEpoch(i) ?? undefined,
      snapshot: () => this.snapshot(),
      restore: (c) => this.restore(c),
    };
  }
}
