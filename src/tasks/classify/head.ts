import { noGrad } from '../../autograd/engine.js';
import { bceWithLogits } from '../../losses/bce.js';
import { crossEntropy } from '../../losses/cross-entropy.js';
import { IntTensor, Tensor } from '../../tensor/tensor.js';

/**
 * The output of every classifier here: C logits and softmax cross-entropy, except for two
 * classes, where one logit and a sigmoid say the same with half the weights (ℓ = BCE(σ(z), y),
 * p(class 1) = σ(z)). Legend: B batch, C classes, O = outputsFor(C) logits.
 */
export const outputsFor = (classes: number): number => (classes === 2 ? 1 : classes);

/** Mean loss of logits (B, O) against class ids y (B). */
export function classLoss(logits: Tensor, y: ArrayLike<number>): Tensor {
  const B = logits.shape[0];
  if (logits.shape[1] === 1) return bceWithLogits(logits, new Tensor(Float32Array.from(y), [B, 1]));
  return crossEntropy(logits, new IntTensor(Int32Array.from(y), [B]));
}

/** Class probabilities (B, C) from logits (B, O). */
export function classProbs(logits: Tensor): Float32Array {
  const B = logits.shape[0], O = logits.shape[1], z = logits.data;
  if (O > 1) return noGrad(() => logits.softmax(-1)).data as Float32Array;
  const p = new Float32Array(B * 2);
  for (let b = 0; b < B; b++) { const s = 1 / (1 + Math.exp(-z[b])); p[2 * b] = 1 - s; p[2 * b + 1] = s; }
  return p;
}

/** Index of the largest probability in each row of (B, C). */
export function argmaxRows(p: ArrayLike<number>, C: number): Int32Array {
  const B = p.length / C, out = new Int32Array(B);
  for (let b = 0; b < B; b++) for (let c = 1; c < C; c++) if (p[b * C + c] > p[b * C + out[b]]) out[b] = c;
  return out;
}

/** Accuracy and mean cross-entropy (nats) of probabilities (B, C) against y. */
export function scoreProbs(p: ArrayLike<number>, C: number, y: ArrayLike<number>): { accuracy: number; loss: number } {
  const pred = argmaxRows(p, C);
  let hit = 0, loss = 0;
  for (let b = 0; b < y.length; b++) { if (pred[b] === y[b]) hit++; loss -= Math.log(Math.max(p[b * C + y[b]], 1e-12)); }
  return { accuracy: hit / y.length, loss: loss / y.length };
}
