import { noGrad } from '../../autograd/engine.js';
import { crossEntropy } from '../../losses/cross-entropy.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Learner } from '../classify/fit.js';
import { padBatch } from '../classify/many-to-one.js';
import type { ConditionalGenerator } from './model.js';

/**
 * A generator as a Learner: padded teacher-forcing batches, cross-entropy over the real
 * characters only (padding targets are <pad> = 0, ignored), scored by validation nats per
 * character (lower is better, so the score is its negative).
 */
export class GeneratorLearner implements Learner {
  constructor(readonly name: string, readonly module: ConditionalGenerator, readonly inputs: Int32Array[], readonly targets: Int32Array[],
    readonly cats: Int32Array, readonly split: { train: Int32Array; val: Int32Array }) {}

  get trainSize(): number { return this.split.train.length; }

  /** Loss over examples idx: the mean per character ('mean'), or the sum ('sum'). */
  private lossOf(idx: Int32Array, reduction: 'mean' | 'sum'): Tensor {
    const x = padBatch(this.inputs, idx), y = padBatch(this.targets, idx);
    const logits = this.module.forward(x.ids, Int32Array.from(idx, (i) => this.cats[i]), x.lengths);
    return crossEntropy(logits, y.ids, { ignoreIndex: 0, reduction });
  }

  loss(batch: Int32Array): Tensor { return this.lossOf(Int32Array.from(batch, (k) => this.split.train[k]), 'mean'); }

  /** Nats per character (including each <eos>) over examples idx. */
  natsPerChar(idx: Int32Array, chunk = 256): number {
    this.module.eval();
    let sum = 0, n = 0;
    noGrad(() => {
      for (let s = 0; s < idx.length; s += chunk) {
        const part = idx.subarray(s, s + chunk);
        sum += this.lossOf(part, 'sum').item();
        for (const i of part) n += this.targets[i].length;
      }
    });
    return sum / n;
  }

  validate(): number[] { return [-this.natsPerChar(this.split.val)]; }
}
