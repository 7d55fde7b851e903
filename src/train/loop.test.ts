import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileStore, loadCheckpoint } from './checkpoint.js';
import { type TrainTask, TrainingError, runLoop } from './loop.js';
import type { Progress } from './progress.js';

/** A task whose "model" is a counter; `bad` steps produce a non-finite loss or gradient norm. */
function counterTask(total: number, bad: Record<number, { loss?: number; gradNorm?: number }> = {}): TrainTask & { value: number; applied: number[] } {
  const t = {
    value: 0, applied: [] as number[], totalSteps: total,
    compute: (i: number) => ({ loss: bad[i]?.loss ?? 1 / (i + 1), items: 1, gradNorm: bad[i]?.gradNorm ?? 1 }),
    apply: (i: number) => { t.value += 1; t.applied.push(i); },
    discard: () => {},
    snapshot: () => ({ tensors: { v: Float32Array.of(t.value) }, json: {} }),
    restore: (c: { tensors: Record<string, ArrayLike<number>> }) => { t.value = c.tensors.v[0]; },
  };
  return t;
}

function recorder(): Progress & { notes: string[] } {
  const notes: string[] = [];
  return { notes, start() {}, update() {}, stop() {}, note: (l: string) => { notes.push(l); } };
}

const dir = mkdtempSync(join(tmpdir(), 'recur-loop-'));
const opts = (p: Progress, extra: object = {}) => ({ label: 't', unit: 'x', progress: p, store: null, checkpointEvery: 0, resume: false, fingerprint: 'f', ...extra });

describe('numerical trouble', () => {
  it('a NaN loss stops training, naming the step, and checkpoints the weights from before it', async () => {
    const path = join(dir, 'nan.ckpt'), task = counterTask(20, { 7: { loss: NaN } });
    await expect(runLoop(task, opts(recorder(), { store: fileStore(path), checkpointEvery: 5 }))).rejects.toThrow(
      new TrainingError(`step 8: loss is NaN; training stopped (the weights before it are checkpointed at ${path}: `
        + '--resume --skip-bad-batches continues past it); lower the learning rate, or pass --skip-bad-batches'));
    expect(task.applied).toEqual([0, 1, 2, 3, 4, 5, 6]); // the bad update never reached the weights
    const c = loadCheckpoint(path)!;
    expect(c.json.step).toBe(7);
    expect(c.tensors.v[0]).toBe(7);
    // and resuming with --skip-bad-batches goes on from there
    const again = counterTask(20, { 7: { loss: NaN } });
    const r = await runLoop(again, opts(recorder(), { store: fileStore(path), resume: true, skipBadBatches: true }));
    expect(r.skipped).toBe(1);
    expect(again.value).toBe(19);
  });

  it('an infinite gradient norm stops it too', async () => {
    await expect(runLoop(counterTask(10, { 2: { gradNorm: Infinity } }), opts(recorder()))).rejects.toThrow('step 3: gradient norm is Infinity');
  });

  it('--skip-bad-batches skips the step and says so', async () => {
    const p = recorder(), task = counterTask(10, { 3: { loss: -Infinity }, 6: { gradNorm: NaN } });
    const r = await runLoop(task, opts(p, { skipBadBatches: true }));
    expect(r.skipped).toBe(2);
    expect(task.value).toBe(8);
    expect(p.notes).toEqual(['step 4: loss is -Infinity; batch skipped', 'step 7: gradient norm is NaN; batch skipped']);
  });

  it('exploding gradients are reported with their norm', async () => {
    const p = recorder();
    await runLoop(counterTask(5, { 1: { gradNorm: 12345 } }), opts(p, { gradWarn: 1000 }));
    expect(p.notes).toEqual(['step 2: exploding gradient, norm 1.23e+4 (clipped)']);
  });
});

describe('the end of a run', () => {
  it('leaves a finished checkpoint (the task still has to write its model); a resume then only finishes', async () => {
    const path = join(dir, 'done.ckpt'), task = counterTask(6);
    await runLoop(task, opts(recorder(), { store: fileStore(path), checkpointEvery: 4 }));
    const c = loadCheckpoint(path)!;
    expect([c.json.step, c.json.finished, c.tensors.v[0]]).toEqual([6, true, 6]);
    const again = counterTask(6), p = recorder();
    const r = await runLoop(again, opts(p, { store: fileStore(path), resume: true }));
    expect([r.steps, again.value, again.applied.length]).toEqual([6, 6, 0]);
    expect(p.notes[0]).toMatch(/had finished its training at step 6/);
  });
});
