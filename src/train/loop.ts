import { DataError } from '../errors.js';
import type { Checkpoint } from './checkpoint-types.js';
import type { Progress } from './progress.js';

/**
 * The training loop every task shares: steps, progress, atomic checkpoints every N steps and on
 * Ctrl-C, resume, and numerical trouble. A task supplies one step as two halves — compute the
 * loss and gradients, then apply them — so a NaN is caught before it reaches the weights.
 */
export interface TrainTask {
  totalSteps: number;
  /** Forward and backward for step i (0-based); nothing is updated yet. null: nothing to do at this step. */
  compute(i: number): { loss: number; items: number; gradNorm?: number } | null;
  /** Applies the update computed for step i. */
  apply(i: number): void;
  /** Drops the gradients of a skipped step. */
  discard(i: number): void;
  /** After step i was applied (evaluation, early stopping). */
  after?(i: number): { stop?: boolean; note?: string } | void;
  snapshot(): Checkpoint;
  restore(c: Checkpoint): void;
}

/**
 * What the caller of a task's run decides (the CLI, a page's worker, a test): where progress and
 * checkpoints go, when to write them, whether to resume, and how to stop.
 */
export interface RunOptions {
  progress: Progress;
  /** Where checkpoints go: a file for the CLI (checkpoint.ts fileStore), memory in a browser worker, or null. */
  store: CheckpointStore | null;
  /** Steps between checkpoints (0: only on interruption). */
  checkpointEvery: number;
  resume: boolean;
  /** Skip a step whose loss or gradients are not finite instead of stopping. */
  skipBadBatches?: boolean;
  /** Stops the run after the current step, like Ctrl-C (a checkpoint is written where there is a store). */
  signal?: { readonly aborted: boolean };
}

/** A run's options plus what the task names: its label and unit in progress lines, and its configuration. */
export interface LoopOptions extends RunOptions {
  label: string;
  unit: string;
  /** Identifies the run's configuration; a resume with a different one is refused. */
  fingerprint: string;
  /** Gradient norms above this are reported (they are clipped by the task). */
  gradWarn?: number;
}

/** Somewhere a checkpoint can be kept: a file written atomically in Node, memory in a browser worker. */
export interface CheckpointStore {
  /** Names the place in messages. */
  readonly where: string;
  load(): Checkpoint | null;
  save(c: Checkpoint): Promise<void>;
}

export interface LoopResult {
  steps: number; resumedFrom: number; stoppedEarly: boolean; skipped: number;
  /** Stopped before the last step by Ctrl-C/SIGTERM or the signal (a checkpoint was written if there is a store). */
  interrupted: boolean;
  /** …and it was the signal (a page's Stop button), not a process signal. */
  aborted: boolean;
}

export class TrainingError extends Error { override name = 'TrainingError'; }

export async function runLoop(task: TrainTask, o: LoopOptions): Promise<LoopResult> {
  let start = 0;
  const store = o.store;
  if (o.resume) {
    if (!store) throw new DataError('--resume needs a checkpoint path (--out)');
    const c = store.load();
    if (c === null) throw new DataError(`--resume: no checkpoint at ${store.where} (nothing to resume, or the run already finished)`);
    if (c.json.fingerprint !== o.fingerprint) {
      throw new DataError(`--resume: ${store.where} was written by a run with other options (${String(c.json.fingerprint)}); rerun with the same options`);
    }
    task.restore(c);
    start = Number(c.json.step);
    if (c.json.finished === true) {
      // killed after training but before the model file was written: only the ending is left to do
      o.progress.note(`resuming: the run had finished its training at step ${start} (${store.where}); finishing it`);
      return { steps: start, resumedFrom: start, stoppedEarly: c.json.stoppedEarly === true, interrupted: false, aborted: false, skipped: 0 };
    }
    o.progress.note(`resuming from step ${start} of ${task.totalSteps} (${store.where})`);
  }

  // Ctrl-C (and SIGTERM) finish the current step, write a checkpoint and stop
  let interrupted = false, aborted = false;
  const onSignal = () => { interrupted = true; };
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  proc?.on?.('SIGINT', onSignal);
  proc?.on?.('SIGTERM', onSignal);
  const save = async (step: number, finished = false, stoppedEarly = false) => {
    if (!store) return;
    const c = task.snapshot();
    c.json.step = step; c.json.fingerprint = o.fingerprint;
    if (finished) { c.json.finished = true; c.json.stoppedEarly = stoppedEarly; }
    await store.save(c);
  };

  o.progress.start(task.totalSteps, start, o.label);
  let lossAvg = NaN, skipped = 0, stoppedEarly = false, i = start;
  const t0 = performance.now();
  let items = 0;
  try {
    for (; i < task.totalSteps; i++) {
      if (o.signal?.aborted) { aborted = true; interrupted = true; }
      if (interrupted) break;
      const r = task.compute(i);
      if (r === null) continue;
      const bad = !Number.isFinite(r.loss) || (r.gradNorm !== undefined && !Number.isFinite(r.gradNorm));
      if (bad) {
        task.discard(i);
        const what = !Number.isFinite(r.loss) ? `loss is ${r.loss}` : `gradient norm is ${r.gradNorm}`;
        if (!o.skipBadBatches) {
          // the bad update was discarded: the weights are still the last good ones, so keep them
          await save(i);
          throw new TrainingError(`step ${i + 1}: ${what}; training stopped`
            + (store ? ` (the weights before it are checkpointed at ${store.where}: --resume --skip-bad-batches continues past it)` : '')
            + '; lower the learning rate, or pass --skip-bad-batches');
        }
        skipped++;
        o.progress.note(`step ${i + 1}: ${what}; batch skipped`);
        continue;
      }
      if (o.gradWarn !== undefined && r.gradNorm !== undefined && r.gradNorm > o.gradWarn) {
        o.progress.note(`step ${i + 1}: exploding gradient, norm ${r.gradNorm.toExponential(2)} (clipped)`);
      }
      task.apply(i);
      items += r.items;
      lossAvg = Number.isNaN(lossAvg) ? r.loss : 0.95 * lossAvg + 0.05 * r.loss;
      const after = task.after?.(i);
      if (after?.note) o.progress.note(after.note);
      o.progress.update(i + 1, { loss: lossAvg, rate: items / ((performance.now() - t0) / 1000), unit: o.unit });
      if (o.checkpointEvery > 0 && (i + 1) % o.checkpointEvery === 0 && i + 1 < task.totalSteps) await save(i + 1);
      if (after?.stop) { stoppedEarly = true; i++; break; }
      // let signals in: a synchronous loop would never see Ctrl-C
      if ((i & 7) === 7) await yieldToEvents();
    }
    if (interrupted) {
      await save(i);
      o.progress.stop();
      if (!aborted) o.progress.note(`interrupted at step ${i}; checkpoint written to ${store?.where ?? '(none: no --out)'}; continue with --resume`);
    } else {
      o.progress.stop();
      // not removed here: the task still has to write its model; saving it removes this (io/fs.ts saveModel)
      await save(i, true, stoppedEarly);
    }
  } finally {
    proc?.off?.('SIGINT', onSignal);
    proc?.off?.('SIGTERM', onSignal);
    o.progress.stop();
  }
  return { steps: i, resumedFrom: start, stoppedEarly, interrupted, aborted, skipped };
}

/** Lets signal handlers and messages in between steps (setImmediate in Node, a macrotask elsewhere). */
const yieldToEvents = (): Promise<void> => new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));
