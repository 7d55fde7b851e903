import { ShapeError, assert, fmtShape } from '../errors.js';
import { type Data, Tensor, allocData } from '../tensor/tensor.js';

/**
 * Reverse-mode autodiff on a tape, micrograd-style but over whole tensors.
 * Each op records its parents and a closure that *adds* its gradient into theirs;
 * `backward` runs those closures once each, in reverse topological order.
 */

let gradEnabled = true;

/** Runs `fn` without recording the tape (inference, sampling, optimizer steps). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try { return fn(); } finally { gradEnabled = prev; }
}

export const isGradEnabled = (): boolean => gradEnabled;

/** Puts `out` on the tape if any parent needs a gradient; returns `out`. */
export function record(out: Tensor, parents: readonly Tensor[], op: string, backward: () => void): Tensor {
  if (!gradEnabled || !parents.some((p) => p.requiresGrad)) return out;
  out.requiresGrad = true;
  out._parents = parents;
  out._backward = backward;
  out._op = op;
  return out;
}

/** The gradient buffer of `t`, created zero-filled on first use. Backward rules add into it. */
export function gradOf(t: Tensor): Data {
  if (t.grad === null) t.grad = allocData(t.dtype, t.size);
  return t.grad;
}

export interface BackwardOptions {
  /** Gradient of the root; defaults to 1 for a one-element tensor. */
  grad?: Tensor | Data;
  /** Keep the tape so backward can run again through it (like PyTorch's retain_graph). */
  retainGraph?: boolean;
}

/** Reverse topological order of the tape below `root` (iterative: tapes can be thousands of steps deep). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t._parents.length) {
      top[1] = i + 1;
      const p = t._parents[i];
      if (p.requiresGrad && !seen.has(p)) { seen.add(p); stack.push([p, 0]); }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/**
 * Back-propagates from `root`, accumulating into `.grad` of every tensor that requires it.
 * Leaf gradients accumulate across calls; zero them between steps (optimizer.zeroGrad()).
 */
export function backward(root: Tensor, opts: BackwardOptions = {}): void {
  assert(root.requiresGrad, () => 'backward: the tensor does not require grad (no parameter or input with requiresGrad reached it)');
  let seed: Data;
  if (opts.grad === undefined) {
    assert(root.size === 1, () => `backward: a gradient is needed for a non-scalar root of shape ${fmtShape(root.shape)}`);
    seed = allocData(root.dtype, 1).fill(1);
  } else {
    seed = opts.grad instanceof Tensor ? opts.grad.data : opts.grad;
    assert(seed.length === root.size, () => `backward: expected a gradient of ${root.size} values, got ${seed.length}`);
  }
  const order = topoOrder(root);
  // checked before any rule runs, so a refused pass leaves every gradient as it was
  const used = order.find((t) => t._freed);
  if (used) {
    throw new ShapeError(`backward: the graph through '${used._op}' was already used by an earlier backward. `
      + 'Carry recurrent state across steps with .detach(), or pass { retainGraph: true }.');
  }
  // intermediate gradients belong to this pass only; leaves accumulate across passes
  for (const t of order) if (!t.isLeaf) t.grad = null;
  const g = gradOf(root);
  for (let i = 0; i < g.length; i++) g[i] += seed[i];

  for (const t of order) {
    if (t._backward === null) continue;
    t._backward();
    // free the tape so its activations can be collected; a second pass hits _freed and says so
    if (!opts.retainGraph) {
      t._freed = true; t._backward = null; t._parents = [];
      if (t._release) { t._release(); t._release = null; }
    }
  }
  // as in PyTorch, only leaves keep their gradient; this also keeps a fused op from reading a
  // stale gradient of a sibling output in a later pass
  for (const t of order) if (!t.isLeaf) t.grad = null;
}
