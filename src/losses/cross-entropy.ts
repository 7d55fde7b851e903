import { gradOf, record } from '../autograd/engine.js';
import { ShapeError, fmtShape } from '../errors.js';
import { hostKernels } from '../kernels/host.js';
import { type IntTensor, type Tensor, allocData } from '../tensor/tensor.js';
import { type LossOptions, checkMask, checkReduction, reduceLoss, reductionScale } from './reduce.js';

export interface CrossEntropyOptions extends LossOptions {
  /** Targets equal to this are skipped (PyTorch's default −100). */
  ignoreIndex?: number;
}

/**
 * Softmax cross-entropy from logits, PyTorch's F.cross_entropy, fused so the backward is one
 * pass: dlogits = (softmax(logits) − onehot(target)) · g.
 * logits (…, C), targets (…) class ids. 'mean' averages over targets that are not ignored
 * (and weighs by the mask, when given). Loss in nats.
 */
export function crossEntropy(logits: Tensor, targets: IntTensor, opts: CrossEntropyOptions = {}): Tensor {
  const reduction = checkReduction('crossEntropy', opts.reduction ?? 'mean');
  const ignore = opts.ignoreIndex ?? -100;
  const C = logits.shape[logits.ndim - 1], N = logits.size / C;
  const lead = logits.shape.slice(0, -1);
  const flat = targets.shape.length === 1 && targets.size === N; // (N,) against logits (…, C) flattened
  if (logits.ndim < 1 || !(flat || (targets.shape.length === lead.length && targets.shape.every((d, i) => d === lead[i])))) {
    throw new ShapeError(`crossEntropy: expected targets of shape ${fmtShape(lead)}, got ${fmtShape(targets.shape)} (logits ${fmtShape(logits.shape)})`);
  }
  const mask = checkMask('crossEntropy', opts.mask, N);
  const X = logits.data, Y = targets.data;
  const w = allocData(logits.dtype, N); // weight of each row: 0 ignored, mask value otherwise
  for (let i = 0; i < N; i++) {
    const y = Y[i];
    if (y === ignore) continue;
    if (y < 0 || y >= C) throw new ShapeError(`crossEntropy: expected targets in [0, ${C}) or ignoreIndex ${ignore}, got ${y} at position ${i}`);
    w[i] = mask ? mask[i] : 1;
  }
  const probs = allocData(logits.dtype, N * C), losses = allocData(logits.dtype, N);
  hostKernels(X).softmaxXent(N, C, X, Y, w, probs, losses);
  const scale = reductionScale(reduction, w, N);
  const out = reduceLoss(losses, lead, reduction, scale);
  return record(out, [logits], 'crossEntropy', () => {
    const g = out.grad!, rowScale = allocData(logits.dtype, N);
    // a row of weight 0 gets no gradient, even when nothing is counted (mean over 0 rows is NaN, its gradient 0, as torch)
    for (let i = 0; i < N; i++) rowScale[i] = w[i] === 0 ? 0 : (reduction === 'none' ? g[i] : g[0] * scale) * w[i];
    hostKernels(X).softmaxXentBackward(N, C, probs, Y, rowScale, gradOf(logits));
  });
}
