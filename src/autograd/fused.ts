import type { Data } from '../tensor/tensor.js';
import { Tensor } from '../tensor/tensor.js';
import { isGradEnabled, record } from './engine.js';

/**
 * Puts a fused op with several outputs on the tape as one node (an LSTM layer returns
 * output, hT and cT). Its backward runs once, after every consumer of every output, and gets
 * each output's gradient, or null for an output nothing used. This is how the hand-written
 * layers join the tape without a per-step graph. `release` runs when the node is freed after
 * backward (or at once when nothing was recorded): the op's saved activations go back to a pool.
 */
export function fusedOp(op: string, inputs: readonly Tensor[], outputs: readonly Tensor[],
  backward: (grads: (Data | null)[]) => void, release?: () => void): boolean {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) { release?.(); return false; }
  const node = new Tensor(new Float32Array(0), [0]);
  record(node, inputs, op, () => backward(outputs.map((o) => o.grad)));
  node._release = release ?? null;
  for (const o of outputs) record(o, [node], `${op}.out`, () => {});
  return true;
}
