import { noGrad } from '../../autograd/engine.js';
import { Vocab, codePoints } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import type { Device } from '../../kernels/device.js';
import { crossEntropy } from '../../losses/cross-entropy.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { Rng } from '../../tensor/rng.js';
import { IntTensor, Tensor } from '../../tensor/tensor.js';
import type { Checkpoint } from '../../train/checkpoint-types.js';
import { type TrainingJson, restoreTraining, snapshotTraining } from '../../train/training-state.js';
import { type LoopResult, type RunOptions, type TrainTask, runLoop } from '../../train/loop.js';
import type { CellName } from '../../layers/recurrent.js';
import type { Module } from '../../layers/module.js';
import { type SeedCharArch, SeedCharLM } from '../../models/seed-char-lm.js';
import { CharLM, type CharLMArch } from './model.js';
import { ArrayStreams, type TokenStreams } from './streams.js';

/**
 * Training a character model with truncated backpropagation through time: the training text is
 * cut into B contiguous streams; every step reads the next T characters of each, starting from
 * the state the previous chunk ended in (detached), so memory reaches back across chunks while
 * gradients stop at the chunk. Validation is the last fraction of the text, read in order
 * (in parallel streams, state carried), in nats per character.
 * Legend: T sequence length, B streams (batch), V vocabulary, H hidden.
 */
export interface TextOptions {
  /** A fused cell, or 'seed': the seed's explicit MyRNNCell (hidden = its units). */
  cell?: CellName | 'seed'; hidden?: number; layers?: number; dropout?: number; embed?: number;
  seq?: number; batch?: number; steps?: number; lr?: number; clip?: number;
  valFraction?: number; evalEvery?: number; seed?: number; device?: Device;
}
export type ResolvedTextOptions = Required<Omit<TextOptions, 'device'>> & { device: Device };

/** The defaults of text training, in one place: the library, `recur text train` and `recur start` read them here. */
export const TEXT_DEFAULTS = {
  cell: 'lstm', hidden: 256, layers: 1, dropout: 0, embed: 0, seq: 64, batch: 32, steps: 1000, lr: 2e-3, clip: 5,
  valFraction: 0.05, evalEvery: 0, seed: 0, device: 'auto',
} as const satisfies ResolvedTextOptions;

export function resolveTextOptions(o: TextOptions): ResolvedTextOptions {
  const d = TEXT_DEFAULTS;
  const r = {
    cell: o.cell ?? d.cell, hidden: o.hidden ?? d.hidden, layers: o.layers ?? d.layers, dropout: o.dropout ?? d.dropout,
    embed: o.embed ?? d.embed, seq: o.seq ?? d.seq, batch: o.batch ?? d.batch, steps: o.steps ?? d.steps,
    lr: o.lr ?? d.lr, clip: o.clip ?? d.clip, valFraction: o.valFraction ?? d.valFraction,
    evalEvery: o.evalEvery ?? d.evalEvery, seed: o.seed ?? d.seed, device: o.device ?? d.device,
  } satisfies ResolvedTextOptions;
  if (!(r.valFraction > 0 && r.valFraction < 0.5)) throw new DataError(`val-fraction: expected a value in (0, 0.5), got ${r.valFraction}`);
  if (r.cell === 'seed') {
    // the seed's cell is one layer reading one-hot characters: these would be silently ignored
    const ignored = [r.embed !== 0 && `--embed ${r.embed}`, r.layers !== 1 && `--layers ${r.layers}`, r.dropout !== 0 && `--dropout ${r.dropout}`].filter(Boolean);
    if (ignored.length > 0) {
      throw new DataError(`--cell seed (the seed's MyRNNCell: one layer, one-hot input, no dropout): expected no --embed, --layers or --dropout, got ${ignored.join(', ')}`);
    }
  }
  return r;
}

/** The model a configuration asks for: CharLM with a fused cell, or the seed's cell (its options checked by resolveTextOptions). */
export function makeCharModel(o: ResolvedTextOptions, vocab: number, rng: Rng): CharModel {
  if (o.cell === 'seed') return new SeedCharLM({ cell: 'seed', hidden: o.hidden, vocab }, rng);
  return new CharLM({ cell: o.cell, vocab, hidden: o.hidden, layers: o.layers, dropout: o.dropout, embed: o.embed }, rng, o.device);
}

/** Sequential readers over `ids`, split into S nearly equal contiguous parts. */
export function arrayReaders(ids: Int32Array, S: number): { read(): number }[] {
  return Array.from({ length: S }, (_, s) => {
    let i = Math.floor((ids.length * s) / S);
    const end = Math.floor((ids.length * (s + 1)) / S);
    return { read: () => (i < end ? ids[i++] : -1) };
  });
}

/**
 * Validation loss in nats per character, reading each of the parallel readers in order with
 * the state carried from chunk to chunk; every character but the first of each reader is a
 * target. Readers that run out early are masked, so nothing is skipped.
 */
export function evaluateText(model: CharModel, readers: { read(): number }[], seq: number): number {
  const S = readers.length, prev = Int32Array.from(readers, (r) => r.read());
  const x = new Int32Array(seq * S), y = new Int32Array(seq * S), m = new Float32Array(seq * S);
  return noGrad(() => {
    model.eval();
    let h: Tensor | null = null, c: Tensor | null = null, total = 0, count = 0;
    for (;;) {
      let live = 0;
      for (let b = 0; b < S; b++) {
        for (let t = 0; t < seq; t++) {
          const nxt = prev[b] < 0 ? -1 : readers[b].read(), k = t * S + b;
          x[k] = prev[b] < 0 ? 0 : prev[b]; y[k] = nxt < 0 ? 0 : nxt; m[k] = nxt < 0 ? 0 : 1;
          if (nxt >= 0) live++;
          prev[b] = nxt;
        }
      }
      if (live === 0) break;
      const r = model.forward(new IntTensor(x, [seq, S]), h, c);
      total += crossEntropy(r.logits, new IntTensor(y, [seq, S]), { reduction: 'sum', mask: m }).item();
      count += live;
      h = r.hT; c = r.cT;
    }
    if (count === 0) throw new DataError('validation: no characters to evaluate');
    return total / count;
  });
}

/** What training, evaluation and sampling need of a character model: CharLM, or the seed's cell (SeedCharLM). */
export interface CharModel extends Module {
  readonly arch: CharLMArch | SeedCharArch;
  forward(ids: IntTensor, h0: Tensor | null, c0: Tensor | null): { logits: Tensor; hT: Tensor; cT: Tensor | null };
}

/**
 * Trains a character model by truncated BPTT over several streams of the text, carrying each stream's state from
 * one chunk to the next; `task()` is the step runLoop drives, so a page can train it step by step too.
 */
export class TextTrainer<M extends CharModel = CharModel> {
  readonly model: M;
  readonly opt: Adam;
  readonly rng: Rng;
  /** The carried state of every stream. */
  h: Tensor | null = null;
  c: Tensor | null = null;
  lastLoss = NaN;
  evals: { step: number; valLoss: number }[] = [];
  private readonly x: Int32Array;
  private readonly y: Int32Array;

  constructor(readonly vocab: Vocab, readonly streams: TokenStreams, readonly validation: () => { read(): number }[], readonly o: ResolvedTextOptions,
    makeModel: (rng: Rng) => M = (rng) => makeCharModel(o, vocab.size, rng) as M) {
    this.rng = new Rng(o.seed);
    this.model = makeModel(this.rng);
    this.opt = new Adam(this.model.parameters(), { lr: o.lr });
    this.x = new Int32Array(o.seq * o.batch);
    this.y = new Int32Array(o.seq * o.batch);
  }

  task(): TrainTask {
    const { o } = this, T = o.seq, B = o.batch;
    return {
      totalSteps: o.steps,
      compute: () => {
        if (this.streams.next(T, this.x, this.y)) { this.h = null; this.c = null; } // a new pass over the text
        this.model.train();
        const r = this.model.forward(new IntTensor(this.x, [T, B]), this.h, this.c);
        const loss = crossEntropy(r.logits, new IntTensor(this.y, [T, B]));
        this.opt.zeroGrad();
        loss.backward();
        const gradNorm = clipGradNorm(this.opt.params, o.clip);
        this.h = r.hT.detach(); this.c = r.cT ? r.cT.detach() : null;
        this.lastLoss = loss.item();
        return { loss: this.lastLoss, items: T * B, gradNorm };
      },
      apply: () => { this.opt.step(); },
      // a skipped batch may have left a non-finite state: the streams start afresh rather than carry it
      discard: () => { this.opt.zeroGrad(); this.h = null; this.c = null; },
      after: (i) => {
        if (o.evalEvery <= 0 || (i + 1) % o.evalEvery !== 0 || i + 1 === o.steps) return;
        const v = evaluateText(this.model, this.validation(), T);
        this.evals.push({ step: i + 1, valLoss: v });
        return { note: `step ${i + 1}: train loss ${this.lastLoss.toFixed(4)}, validation ${v.toFixed(4)} nats/char (perplexity ${Math.exp(v).toFixed(2)})` };
      },
      snapshot: () => {
        const c: Checkpoint = { tensors: {}, json: {} };
        const training = snapshotTraining(c, '', { opt: this.opt, rng: this.rng });
        if (this.h) c.tensors.h = Float32Array.from(this.h.data);
        if (this.c) c.tensors.c = Float32Array.from(this.c.data);
        c.json = {
          ...training, streams: this.streams.state(), hShape: this.h?.shape ?? null,
          evals: this.evals, lastLoss: this.lastLoss,
        };
        return c;
      },
      restore: (c) => {
        restoreTraining(c, '', { opt: this.opt, rng: this.rng }, c.json as unknown as TrainingJson);
        this.streams.setState(c.json.streams as Record<string, unknown>);
        const shape = c.json.hShape as number[] | null;
        this.h = shape && c.tensors.h ? new Tensor(Float32Array.from(c.tensors.h), shape) : null;
        this.c = shape && c.tensors.c ? new Tensor(Float32Array.from(c.tensors.c), shape) : null;
        this.evals = c.json.evals as { step: number; valLoss: number }[];
        this.lastLoss = Number(c.json.lastLoss);
      },
    };
  }
}

/** What runText returns: the trainer (with its model and vocabulary), the final losses in nats/char, and the speed. */
export interface TextRun {
  trainer: TextTrainer; loop: LoopResult; valLoss: number | null; trainLoss: number; charsPerSec: number; seconds: number;
}

/** Builds the vocabulary from the training part, trains, and measures validation loss. */
export async function runText(text: string, opts: TextOptions, run: RunOptions): Promise<TextRun> {
  const p = prepareText(text, opts);
  return trainText(p.vocab, p.streams, p.validation, p.size, p.options, run);
}

export interface PreparedText {
  vocab: Vocab; streams: TokenStreams; validation: () => { read(): number }[]; size: number; options: ResolvedTextOptions;
}

/**
 * The data side of runText for callers that drive the trainer themselves (the playground): the
 * vocabulary of the training part, its streams, and readers over the validation part.
 */
export function prepareText(text: string, opts: TextOptions): PreparedText {
  const o = resolveTextOptions(opts);
  const cps = codePoints(text), n = cps.length;
  const nVal = Math.max(o.seq + 1, Math.floor(n * o.valFraction));
  if (n < 2 * (o.seq + 1)) throw new DataError(`the text has ${n} characters: shorter than two sequences of ${o.seq + 1}`);
  const vocab = Vocab.charsOf(cps.subarray(0, n - nVal));
  const ids = vocab.encodeCodePoints(cps, true);
  const val = ids.subarray(ids.length - nVal);
  const streams = new ArrayStreams(ids.subarray(0, ids.length - nVal), o.batch, o.seq);
  const validation = () => arrayReaders(val, Math.max(1, Math.min(16, Math.floor(val.length / (o.seq + 1)))));
  return { vocab, streams, validation, size: n, options: o };
}

/** The shared part of runText and runTextFile: train on prepared streams, then validate. */
export async function trainText(vocab: Vocab, streams: TokenStreams, validation: () => { read(): number }[], size: number,
  o: ResolvedTextOptions, run: RunOptions): Promise<TextRun> {
  const trainer = new TextTrainer(vocab, streams, validation, o);
  const fingerprint = JSON.stringify({ task: 'text', ...o, device: undefined, size, vocab: vocab.size });
  const t0 = performance.now();
  const loop = await runLoop(trainer.task(), {
    label: 'text', unit: 'chars', progress: run.progress, store: run.store, signal: run.signal,
    checkpointEvery: run.checkpointEvery, resume: run.resume, fingerprint, skipBadBatches: run.skipBadBatches, gradWarn: 1e3,
  });
  const seconds = (performance.now() - t0) / 1000;
  const trained = loop.steps - loop.resumedFrom - loop.skipped;
  const valLoss = loop.interrupted ? null : evaluateText(trainer.model, validation(), o.seq);
  return { trainer, loop, seconds, trainLoss: trainer.lastLoss, valLoss, charsPerSec: (trained * o.seq * o.batch) / seconds };
}
