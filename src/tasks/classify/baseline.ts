import { Linear } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import type { Rng } from '../../tensor/rng.js';
import type { Tensor } from '../../tensor/tensor.js';
import { outputsFor } from './head.js';

/**
 * The baseline every classifier here is compared with: (multinomial) logistic regression,
 * logits = W·x + b, trained like the models (recur's Linear, cross-entropy, Adam, early stopping
 * on the same validation split). On texts its input is a bag of words over the same vocabulary.
 */
export class LogisticRegression extends Module {
  readonly linear: Linear; // weight (O, D), bias (O)
  constructor(readonly inputs: number, readonly classes: number, rng?: Rng) {
    super();
    this.linear = this.module('linear', new Linear(inputs, outputsFor(classes), { rng }));
  }
  /** x (B, D) → logits (B, O). */
  forward(x: Tensor): Tensor { return this.linear.forward(x); }
}

/** Word presence (N, V): 1 where word id v occurs in text n (padding id 0 never does). */
export function bagOfWords(seqs: readonly Int32Array[], V: number): Float32Array {
  const x = new Float32Array(seqs.length * V);
  seqs.forEach((s, n) => { for (const v of s) if (v !== 0) x[n * V + v] = 1; });
  return x;
}
