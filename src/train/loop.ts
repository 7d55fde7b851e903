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

/** Training stopped at a non-finite loss or gradient; the message names the step and where the weights are kept. */
export class TrainingError extends Error { override name = 'TrainingError'; }

/**
 * Runs a task's steps from the start or, with `resume`, from the store's checkpoint; writes checkpoints every
 * `checkpointEvery` steps and on Ctrl-C/SIGTERM or the signal, and stops at a non-finite loss or gradient unless
 * `skipBadBatches`. Every task's `run…` function trains through it.
 */
export async function runLoop(task: TrainTask, o: LoopOptions): Promise<LoopResult> {
  const resumed = o.resume ? resumeRun(task, o) : 0;
  if (typeof resumed !== 'number') return resumed;
  const start = resumed, store = o.store;
  const save = (step: number, finished = false, early = false) => saveCheckpoint(task, o, step, finished, early);
  // Ctrl-C (and SIGTERM) finish the current step, write a checkpoint and stop
  const signals = listenForInterrupt();
  let aborted = false;

  o.progress.start(task.totalSteps, start, o.label);
  let lossAvg = NaN, skipped = 0, stoppedEarly = false, i = start, items = 0;
  const t0 = performance.now();
  try {
    for (; i < task.totalSteps; i++) {
      if (o.signal?.aborted) { aborted = true; signals.interrupted = true; }
      if (signals.interrupted) break;
      const r = task.compute(i);
      if (r === null) continue;
      const trouble = troubleOf(r);
      if (trouble !== null) {
        task.discard(i);
        // the bad update was discarded: the weights are still the last good ones, so keep them
        if (!o.skipBadBatches) { await save(i); throw troubleError(i, trouble, store); }
        skipped++;
        o.progress.note(`step ${i + 1}: ${trouble}; batch skipped`);
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
    if (signals.interrupted) {
      await save(i);
      o.progress.stop();
      if (!aborted) {
        const where = store?.where ?? '(none: no --out)';
        o.progress.note(`interrupted at step ${i}; checkpoint written to ${where}; continue with --resume`);
      }
    } else {
      o.progress.stop();
      // not removed here: the task still has to write its model; saving it removes this (io/fs.ts saveModel)
      await save(i, true, stoppedEarly);
    }
  } finally {
    signals.off();
    o.progress.stop();
  }
  return { steps: i, resumedFrom: start, stoppedEarly, interrupted: signals.interrupted, aborted, skipped };
}

/** Ctrl-C and SIGTERM set `interrupted` until `off()`; outside Node there are no signals to listen to. */
function listenForInterrupt(): { interrupted: boolean; off: () => void } {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  const onSignal = () => { state.interrupted = true; };
  const off = () => { proc?.off?.('SIGINT', onSignal); proc?.off?.('SIGTERM', onSignal); };
  const state = { interrupted: false, off };
  proc?.on?.('SIGINT', onSignal);
  proc?.on?.('SIGTERM', onSignal);
  return state;
}

/**
 * Restores the task from its checkpoint and returns the step to go on from; or, where the run had
 * finished its training, the result to end with.
 */
function resumeRun(task: TrainTask, o: LoopOptions): number | LoopResult {
  const store = o.store;
  if (!store) throw new DataError('--resume needs a checkpoint path (--out)');
  const c = store.load();
  if (c === null) {
    throw new DataError(`--resume: no checkpoint at ${store.where} (nothing to resume, or the run already finished)`);
  }
  if (c.json.fingerprint !== o.fingerprint) {
    throw new DataError(`--resume: ${store.where} was written by a run with other options `
      + `(${String(c.json.fingerprint)}); rerun with the same options`);
  }
  task.restore(c);
  const start = Number(c.json.step);
  if (c.json.finished === true) {
    // killed after training but before the model file was written: only the ending is left to do
    o.progress.note(`resuming: the run had finished its training at step ${start} (${store.where}); finishing it`);
    const stoppedEarly = c.json.stoppedEarly === true;
    return { steps: start, resumedFrom: start, stoppedEarly, interrupted: false, aborted: false, skipped: 0 };
  }
  o.progress.note(`resuming from step ${start} of ${task.totalSteps} (${store.where})`);
  return start;
}

/** Writes the task's state with the step it goes on from (nothing without a store). */
async function saveCheckpoint(task: TrainTask, o: LoopOptions, step: number, finished: boolean,
  stoppedEarly: boolean): Promise<void> {
  if (!o.store) return;
  const c = task.snapshot();
  c.json.step = step; c.json.fingerprint = o.fingerprint;
  if (finished) { c.json.finished = true; c.json.stoppedEarly = stoppedEarly; }
  await o.store.save(c);
}

/** What is wrong with a step's result (a loss or gradient norm that is not finite), or null. */
function troubleOf(r: { loss: number; gradNorm?: number }): string | null {
  if (!Number.isFinite(r.loss)) return `loss is ${r.loss}`;
  return r.gradNorm !== undefined && !Number.isFinite(r.gradNorm) ? `gradient norm is ${r.gradNorm}` : null;
}

function troubleError(i: number, trouble: string, store: CheckpointStore | null): TrainingError {
  return new TrainingError(`step ${i + 1}: ${trouble}; training stopped`
    + (store ? ` (the weights before it are checkpointed at ${store.where}: `
      + '--resume --skip-bad-batches continues past it)' : '')
    + '; lower the learning rate, or pass --skip-bad-batches');
}

/** Lets signal handlers and messages in between steps (setImmediate in Node, a macrotask elsewhere). */
const yieldToEvents = (): Promise<void> =>
  new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));
