import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { expectClose, loadJson } from '../test-utils/index.js';
import { clipGradNorm, clipGradValue } from './clip.js';
import { ParamBuffer } from './params.js';

interface ClipCase { normType: number | 'inf'; maxNorm: number; grads: number[][]; totalNorm: number; clipped: number[][] }
interface ClipValueCase { clipValue: number; grads: number[][]; clipped: number[][] }
const fx = loadJson('src/optim/fixtures/optim.json') as { shapes: number[][]; clip: ClipCase[]; clipValue: ClipValueCase[] };

/** Tensors holding the case's gradients (float32, like torch's). */
function withGrads(grads: number[][]): Tensor[] {
  return fx.shapes.map((shape, j) => {
    const t = new Tensor(new Float32Array(grads[j].length), shape, true);
    t.grad = Float32Array.from(grads[j]);
    return t;
  });
}

describe('clipGradNorm matches torch.nn.utils.clip_grad_norm_', () => {
  for (const c of fx.clip) {
    const p = c.normType === 'inf' ? Infinity : c.normType;
    for (const via of ['tensors', 'ParamBuffer'] as const) {
      it(`norm ${c.normType}, maxNorm ${c.maxNorm}, via ${via}`, () => {
        const params = withGrads(c.grads);
        const total = clipGradNorm(via === 'tensors' ? params : ParamBuffer.of(params), c.maxNorm, p);
        // torch sums in float32, recur in float64: agreement to float32 precision.
        expectClose([total], [c.totalNorm], 'total norm', { atol: 0, rtol: 1e-6 });
        params.forEach((t, j) => expectClose(t.grad!, c.clipped[j], `clipped grad ${j}`, { atol: 1e-6, rtol: 1e-6 }));
      });
    }
  }

  it('leaves gradients alone when the norm is under maxNorm', () => {
    const params = withGrads([[3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [4, 0, 0, 0, 0]]);
    expect(clipGradNorm(params, 5.1)).toBe(5);
    expect(Array.from(params[1].grad!)).toEqual([4, 0, 0, 0, 0]);
  });

  it('skips tensors without a gradient, as torch skips grad None', () => {
    const a = new Tensor(new Float64Array(2), [2], true), b = new Tensor(new Float64Array(2), [2], true);
    a.grad = Float64Array.from([3, 4]);
    expect(clipGradNorm([a, b], 1)).toBe(5);
    expect(b.grad).toBe(null);
    expectClose(a.grad, [3 / (5 + 1e-6), 4 / (5 + 1e-6)], 'clipped', { atol: 1e-15 });
  });

  it('returns a non-finite norm, and throws with errorIfNonfinite', () => {
    const params = withGrads([[1, NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
    expect(() => clipGradNorm(params, 1, 2, { errorIfNonfinite: true })).toThrow(DataError);
    expect(() => clipGradNorm(params, 1, 2, { errorIfNonfinite: true }))
      .toThrow('clipGradNorm: expected a finite total norm of order 2, got NaN');
    expect(params[0].grad![0]).toBe(1); // the throw comes before any scaling
    expect(clipGradNorm(params, 1, Infinity)).toBeNaN();
    expect(params[0].grad![0]).toBeNaN(); // torch scales by the NaN coefficient too

    const inf = withGrads([[Infinity, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
    expect(clipGradNorm(inf, 1)).toBe(Infinity);
    expect(inf[0].grad![1]).toBe(0); // coefficient 1 / Infinity = 0
  });

  it('rejects bad arguments', () => {
    const params = withGrads([new Array(12).fill(1), new Array(5).fill(1)]);
    expect(() => clipGradNorm(params, 1, 0)).toThrow('clipGradNorm: expected normType > 0 or Infinity, got 0');
    expect(() => clipGradNorm(params, -1)).toThrow('clipGradNorm: expected maxNorm >= 0, got -1');
  });
});

describe('clipGradValue', () => {
  it.each(fx.clipValue.map((c) => [c.clipValue, c] as const))('matches torch.nn.utils.clip_grad_value_ at %s', (_v, c) => {
    const params = withGrads(c.grads);
    clipGradValue(params, c.clipValue);
    params.forEach((t, j) => expectClose(t.grad!, c.clipped[j].map(Math.fround), `clipped grad ${j}`, { atol: 0 })); // exact, in float32
  });

  it('clamps each element into [-clip, clip], keeping NaN', () => {
    const t = new Tensor(new Float32Array(4), [4], true);
    t.grad = Float32Array.from([-3, 0.5, 2, NaN]);
    clipGradValue([t], 1);
    expect(Array.from(t.grad)).toEqual([-1, 0.5, 1, NaN]);
    expect(() => clipGradValue([t], -1)).toThrow('clipGradValue: expected clipValue >= 0, got -1');
  });
});
