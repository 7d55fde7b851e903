import { noGrad } from '../../autograd/engine.js';
import type { Module } from '../../layers/module.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Split } from './data.js';
import type { Learner } from './fit.js';
import { classLoss, classProbs, scoreProbs } from './head.js';

/**
 * Any of the classifiers as a Learner: `logits(idx)` maps example indices to logits (B, O);
 * training batches come from the split's training part, the score from its validation part
 * (accuracy first, then lower cross-entropy to break ties).
 */
export class ClassifierLearner implements Learner {
  constructor(readonly name: string, readonly module: Module, readonly logits: (idx: Int32Array) => Tensor,
    readonly labels: Int32Array, readonly classes: number, readonly split: Split) {}

  get trainSize(): number { return this.split.train.length; }

  loss(batch: Int32Array): Tensor {
    const idx = Int32Array.from(batch, (k) => this.split.train[k]);
    return classLoss(this.logits(idx), Int32Array.from(idx, (i) => this.labels[i]));
  }

  /** Class probabilities (N, C) of examples idx, in eval mode, in chunks. */
  probs(idx: Int32Array, chunk = 256): Float32Array {
    const C = this.classes, out = new Float32Array(idx.length * C);
    this.module.eval();
    noGrad(() => {
      for (let s = 0; s < idx.length; s += chunk) out.set(classProbs(this.logits(idx.subarray(s, s + chunk))), s * C);
    });
    return out;
  }

  evaluate(idx: Int32Array): { accuracy: number; loss: number } {
    return scoreProbs(this.probs(idx), this.classes, Int32Array.from(idx, (i) => this.labels[i]));
  }

  validate(): number[] {
    const s = this.evaluate(this.split.val);
    return [s.accuracy, -s.loss];
  }
}

/** Rows idx of a row-major (N, D) array as a tensor (B, D). */
export function gatherRows(x: Float32Array, D: number, idx: ArrayLike<number>): Tensor {
  const out = new Float32Array(idx.length * D);
  for (let b = 0; b < idx.length; b++) out.set(x.subarray(idx[b] * D, (idx[b] + 1) * D), b * D);
  return new Tensor(out, [idx.length, D]);
}
