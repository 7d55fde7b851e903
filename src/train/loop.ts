import { DataError } from '../errors.js';
import { type Checkpoint, loadCheckpoint, removeCheckpoint, saveCheckpoint } from './checkpoint.js';
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

export interface LoopOptions {
  label: string;
  unit: string;
  progress: Progress;
  /** Where checkpoints go; null for none. */
  checkpointPath: string | null;
  /** Steps between checkpoints (0: only on interruption). */
  checkpointEvery: number;
  resume: boolean;
  /** Identifies the run's configuration; a resume with a different one is refused. */
  fingerprint: string;
  /** Skip a step whose loss or gradients are not finite instead of stopping. */
  skipBadBatches?: boolean;
  /** Gradient norms above this are reported (they are clipped by the task). */
  gradWarn?: number;
}

export interface LoopResult { steps: number; resumedFrom: number; stoppedEarly: boolean; interrupted: boolean; skipped: number }

export class TrainingError extends Error { override name = 'TrainingError'; }

export async function runLoop(task: TrainTask, o: LoopOptions): Promise<LoopResult> {
  let start = 0;
  if (o.resume) {
    if (!o.checkpointPath) throw new DataError('--resume needs a checkpoint path (--out)');
    const c = loadCheckpoint(o.checkpointPath);
    if (c === null) throw new DataError(`--resume: no checkpoint at ${o.checkpointPath} (nothing to resume, or the run already finished)`);
    if (c.json.fingerprint !== o.fingerprint) {
      throw new DataError(`--resume: ${o.checkpointPath} was written by a run with other options (${String(c.json.fingerprint)}); rerun with the same options`);
    }
    task.restore(c);
    start = Number(c.json.step);
    o.progress.note(`resuming from step ${start} of ${task.totalSteps} (${o.checkpointPath})`);
  }

  let interrupted = false;
  const onSigint = () => { interrupted = true; };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const save = async (step: number) => {
    if (!o.checkpointPath) return;
    const c = task.snapshot();
    c.json.step = step; c.json.fingerprint = o.fingerprint;
    await saveCheckpoint(o.checkpointPath, c);
  };

  o.progress.start(task.totalSteps, start, o.label);
  let lossAvg = NaN, skipped = 0, stoppedEarly = false, i = start;
  const t0 = performance.now();
  let items = 0;
  try {
    for (; i < task.totalSteps; i++) {
      if (interrupted) break;
      const r = task.compute(i);
      if (r === null) continue;
      const bad = !Number.isFinite(r.loss) || (r.gradNorm !== undefined && !Number.isFinite(r.gradNorm));
      if (bad) {
        task.discard(i);
        const what = !Number.isFinite(r.loss) ? `loss is ${r.loss}` : `gradient norm is ${r.gradNorm}`;
        if (!o.skipBadBatches) {
          throw new TrainingError(`step ${i + 1}: ${what}; training stopped`
            + (o.checkpointPath ? ` (the last good checkpoint is kept at ${o.checkpointPath})` : '')
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
      if ((i & 7) === 7) await new Promise((r2) => setImmediate(r2));
    }
    if (interrupted) {
      await save(i);
      o.progress.stop();
      o.progress.note(`interrupted at step ${i}; checkpoint written to ${o.checkpointPath ?? '(none: no --out)'}; continue with --resume`);
    } else {
      o.progress.stop();
      if (o.checkpointPath) removeCheckpoint(o.checkpointPath);
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    o.progress.stop();
  }
  return { steps: i, resumedFrom: start, stoppedEarly, interrupted, skipped };
}
