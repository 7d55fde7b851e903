import { describe, expect, it } from 'vitest';
import { DataError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { backward, gradOf, gradcheck, isGradEnabled, noGrad, record } from './index.js';

/** The tape: accumulation, freeing, retainGraph, noGrad, and that gradcheck can fail. */

const vec = (...v: number[]): Tensor => new Tensor(Float64Array.from(v), [v.length], true);
const arr = (t: Tensor): number[] => Array.from(t.grad ?? []);

describe('engine', () => {
  it('leaf gradients accumulate across two backward calls on fresh graphs', () => {
    const x = vec(1, 2, 3), w = vec(0.5, -1, 2);
    x.mul(w).sum().backward();
    expect(arr(x)).toEqual([0.5, -1, 2]);
    x.mul(w).sum().backward();
    expect(arr(x)).toEqual([1, -2, 4]);
    expect(arr(w)).toEqual([2, 4, 6]);
    x.zeroGrad();
    expect(arr(x)).toEqual([0, 0, 0]);
  });

  it('a second backward through a freed graph throws, naming the op and the remedies', () => {
    const x = vec(1, 2);
    const loss = x.tanh().sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(ShapeError);
    expect(() => loss.backward()).toThrow(/already used by an earlier backward.*\.detach\(\).*retainGraph: true/);
  });

  it('reusing a freed intermediate throws before touching any gradient', () => {
    const x = vec(1, 2), w = vec(3, 4);
    const h = x.mul(2);
    h.sum().backward();
    expect(arr(x)).toEqual([2, 2]);
    expect(() => h.mul(w).sum().backward()).toThrow("backward: the graph through 'mul' was already used");
    // the refused pass must not have half-run: w's rule comes before the freed node in the order
    expect(w.grad).toBeNull();
    expect(arr(x)).toEqual([2, 2]);
  });

  it('retainGraph allows a second backward and the gradients add up', () => {
    const x = vec(0.3, -0.7);
    const loss = x.mul(x).sum();
    loss.backward({ retainGraph: true });
    loss.backward({ retainGraph: true });
    expect(arr(x)).toEqual([4 * 0.3, 4 * -0.7]);
    loss.backward();
    expect(arr(x)[0]).toBeCloseTo(6 * 0.3, 14);
    expect(arr(x)[1]).toBeCloseTo(6 * -0.7, 14);
    expect(() => loss.backward()).toThrow(/already used/);
  });

  it('a detached state starts a new graph (truncated BPTT)', () => {
    const w = vec(2);
    let h = vec(1).detach();
    h = h.mul(w);
    h.sum().backward();
    h = h.detach().mul(w);
    expect(() => h.sum().backward()).not.toThrow();
    expect(arr(w)).toEqual([1 + 2]);
  });

  it('noGrad records nothing, nests, and restores the mode even when it throws', () => {
    const x = vec(1, 2);
    const y = noGrad(() => x.mul(3).exp());
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
    expect(y._parents).toEqual([]);
    expect(y._backward).toBeNull();
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
    noGrad(() => {
      noGrad(() => expect(isGradEnabled()).toBe(false));
      expect(isGradEnabled()).toBe(false);
    });
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(x.mul(3).requiresGrad).toBe(true);
  });

  it('backward of a non-scalar needs a gradient; with one it runs', () => {
    const x = vec(1, 2, 3);
    const y = x.mul(x);
    expect(() => y.backward()).toThrow(/a gradient is needed for a non-scalar root of shape \[3\]/);
    y.backward({ grad: Float64Array.of(1, 0, -1) });
    expect(arr(x)).toEqual([2, 0, -6]);
  });

  it('a backward seed can be a tensor', () => {
    const x = vec(1, 2);
    x.exp().backward({ grad: new Tensor(Float64Array.of(2, 0), [2]) });
    expect(arr(x)).toEqual([2 * Math.E, 0]);
  });

  it('only leaves keep their gradient, as in PyTorch', () => {
    const x = vec(1, 2);
    const h = x.mul(2), loss = h.sum();
    loss.backward();
    expect(h.grad).toBeNull();
    expect(loss.grad).toBeNull();
    expect(arr(x)).toEqual([2, 2]);
  });

  it('inputs that need no gradient get none', () => {
    const x = vec(1, 2), c = new Tensor(Float64Array.of(5, 6), [2]);
    x.mul(c).sum().backward();
    expect(c.grad).toBeNull();
    expect(arr(x)).toEqual([5, 6]);
  });

  it('a deep tape (10 000 steps) does not overflow the stack', () => {
    const x = vec(1);
    let h = x;
    for (let i = 0; i < 10_000; i++) h = h.mul(1);
    h.sum().backward();
    expect(arr(x)).toEqual([1]);
  });

  it('each rule runs once per pass even when a node is reached along many paths', () => {
    const x = vec(1);
    let calls = 0;
    const y = record(new Tensor(Float64Array.of(2), [1]), [x], 'double', () => { calls++; gradOf(x)[0] += 2 * y.grad![0]; });
    const z = y.mul(y).add(y).add(y.mul(3));
    z.sum().backward();
    expect(calls).toBe(1);
    expect(arr(x)).toEqual([2 * (2 * 2 + 1 + 3)]);
  });

  it('backward accepts a float32 seed for a float64 root', () => {
    const x = vec(1, 2);
    x.mul(2).backward({ grad: Float32Array.of(1, 1) });
    expect(arr(x)).toEqual([2, 2]);
  });

  it('a freed graph is a ShapeError even when the root is the only node', () => {
    const x = vec(1);
    const y = x.mul(1);
    backward(y);
    expect(() => backward(y)).toThrow(ShapeError);
  });
});

describe('gradcheck itself', () => {
  /** square with a deliberately wrong derivative (3x instead of 2x) at one element */
  function badSquare(x: Tensor, at: number): Tensor {
    const y = new Tensor(x.data.map((v) => v * v), x.shape);
    return record(y, [x], 'badSquare', () => {
      const gx = gradOf(x);
      for (let i = 0; i < x.size; i++) gx[i] += (i === at ? 3 : 2) * x.data[i] * y.grad![i];
    });
  }

  it('fails on a wrong derivative and names the element', () => {
    const x = vec(0.5, -1.2, 0.8);
    expect(() => gradcheck(() => badSquare(x, 1), [x])).toThrow(DataError);
    expect(() => gradcheck(() => badSquare(x, 1), [x])).toThrow(/gradcheck failed at tensor 0 \[3\] flat index 1: analytic .*, numeric .*/);
  });

  it('passes the same op with the right derivative', () => {
    const x = vec(0.5, -1.2, 0.8);
    expect(gradcheck(() => badSquare(x, -1), [x]).checked).toBe(3);
  });

  it('fails on a NaN gradient (NaN compares false with every tolerance)', () => {
    const x = vec(0.5, 1);
    const nanOp = () => record(new Tensor(x.data.map((v) => 2 * v), x.shape), [x], 'nan', () => { gradOf(x).fill(NaN); });
    expect(() => gradcheck(nanOp, [x])).toThrow(/analytic NaN/);
  });

  it('fails when the tape misses an input (analytic 0, numeric not)', () => {
    const x = vec(0.5, 1);
    const detached = () => x.detach().mul(x.detach());
    expect(() => gradcheck(detached, [x])).toThrow(/analytic 0, numeric/);
  });

  it('works on inputs that did not require grad yet', () => {
    const x = new Tensor(Float64Array.of(0.3, 0.6), [2]);
    expect(x.requiresGrad).toBe(false);
    const res = gradcheck(() => x.mul(x).exp(), [x]);
    expect(res.maxAbsError).toBeLessThan(1e-8);
  });

  it('names a tensor by its name', () => {
    const x = vec(0.5, -1.2);
    x.name = 'W_hh';
    expect(() => gradcheck(() => badSquare(x, 0), [x])).toThrow(/tensor 0 \(W_hh\) \[2\] flat index 0/);
  });
});
