import { describe, expect, it } from 'vitest';
import { Linear } from '../layers/linear.js';
import { Adam } from '../optim/adam.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
import type { Checkpoint } from './checkpoint-types.js';
import { type TrainingState, restoreTraining, snapshotTraining } from './training-state.js';

/** A tiny learner: a linear layer fitted to random targets, each step drawing its batch from the RNG. */
function learner(seed: number) {
  const rng = new Rng(seed), layer = new Linear(3, 2, { rng }), opt = new Adam(layer.parameters(), { lr: 0.01 });
  const perm = Int32Array.from([0, 1, 2, 3]);
  const step = () => {
    rng.shuffle(perm);
    const x = new Tensor(Float32Array.from({ length: 12 }, () => rng.normal()), [4, 3]);
    const loss = layer.forward(x).pow(2).sum();
    opt.zeroGrad(); loss.backward(); opt.step();
  };
  const state = (): TrainingState => ({ opt, rng, arrays: { perm } });
  return { opt, rng, perm, step, state };
}

describe('snapshotTraining / restoreTraining', () => {
  it('a run restored from a checkpoint (through its file format) goes on bit for bit as if never stopped', () => {
    const a = learner(1);
    for (let i = 0; i < 3; i++) a.step();
    const c: Checkpoint = { tensors: {}, json: {} };
    c.json['m.state'] = snapshotTraining(c, 'm.', a.state());
    expect(Object.keys(c.tensors).sort()).toEqual(['m.opt.expAvg', 'm.opt.expAvgSq', 'm.params', 'm.perm']);
    const saved = decodeCheckpoint(encodeCheckpoint(c), 'test');
    for (let i = 0; i < 3; i++) a.step();

    const b = learner(99); // other weights, RNG and order: all of it must come from the checkpoint
    restoreTraining(saved, 'm.', b.state(), saved.json['m.state'] as never);
    for (let i = 0; i < 3; i++) b.step();
    expect(b.opt.params.data).toEqual(a.opt.params.data);
    expect(b.perm).toEqual(a.perm);
    expect(b.opt.stepCount).toBe(6);
    expect(b.rng.state()).toEqual(a.rng.state());
  });

  it('the snapshot is a copy: later steps leave it as it was', () => {
    const a = learner(2), c: Checkpoint = { tensors: {}, json: {} };
    snapshotTraining(c, '', a.state());
    const before = Float32Array.from(c.tensors.params);
    a.step();
    expect(c.tensors.params).toEqual(before);
  });

  it('says what is missing', () => {
    const a = learner(3), c: Checkpoint = { tensors: {}, json: {} };
    const json = snapshotTraining(c, 'c0.', a.state());
    expect(() => restoreTraining(c, 'c0.', a.state(), undefined))
      .toThrow("checkpoint: missing the optimizer state of 'c0'");
    delete c.tensors['c0.perm'];
    expect(() => restoreTraining(c, 'c0.', a.state(), json)).toThrow("checkpoint: missing 'c0.perm'");
  });
});
