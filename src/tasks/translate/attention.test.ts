import { describe, expect, it } from 'vitest';
import '../../autograd/index.js';
import { gradcheck } from '../../autograd/gradcheck.js';
import { randn } from '../../tensor/init.js';
import { Rng } from '../../tensor/rng.js';
import type { Tensor } from '../../tensor/tensor.js';
import { expectClose } from '../../test-utils/index.js';
import { AdditiveAttention } from './attention.js';

/** Additive attention: a distribution over the real source steps only, with exact gradients. */
const B = 3, S = 5, E = 4, Q = 3, A = 4;
const lengths = Int32Array.from([5, 2, 3]);

function setup(seed = 1) {
  const rng = new Rng(seed);
  const attn = new AdditiveAttention(Q, E, A, { rng, dtype: 'float64' });
  const q = randn([B, Q], { rng, dtype: 'float64' }), mem = randn([B, S, E], { rng, dtype: 'float64' });
  return { attn, q, mem, wrt: [q, mem, ...attn.parameters()] };
}
const isPad = (i: number) => { const b = Math.floor(i / (S * E)), s = Math.floor(i / E) % S; return s >= lengths[b]; };
const run = (attn: AdditiveAttention, q: Tensor, mem: Tensor, ref = false) =>
  (ref ? attn.reference : attn.forward).call(attn, q, mem, attn.keys(mem), lengths);

describe('AdditiveAttention', () => {
  it('weights sum to 1 over the real steps and are exactly 0 at padding', () => {
    const { attn, q, mem } = setup();
    const { weights } = run(attn, q, mem);
    for (let b = 0; b < B; b++) {
      let sum = 0;
      for (let s = 0; s < S; s++) {
        const w = weights.at(b, s);
        if (s >= lengths[b]) expect(w).toBe(0); else { expect(w).toBeGreaterThan(0); sum += w; }
      }
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  it('ignores whatever the memory holds at padded steps', () => {
    const { attn, q, mem } = setup();
    const before = run(attn, q, mem).context.data.slice();
    mem.data.forEach((_, i) => { if (isPad(i)) mem.data[i] = 1e3 * (i % 7 - 3); });
    expect(Array.from(run(attn, q, mem).context.data)).toEqual(Array.from(before));
  });

  it('the fused op equals the autograd-ops reference in values and gradients', () => {
    const { attn, q, mem, wrt } = setup(2);
    const grads = (ref: boolean) => {
      for (const t of wrt) { t.requiresGrad = true; t.grad = null; }
      const { context, weights } = run(attn, q, mem, ref);
      // a loss that reaches both outputs, so both incoming gradients are exercised
      context.mul(context).sum().add(weights.mul(weights).sum()).backward();
      return { context: context.data.slice(), weights: weights.data.slice(), g: wrt.map((t) => Float64Array.from(t.grad!)) };
    };
    const f = grads(false), r = grads(true);
    expectClose(f.context, r.context, 'context', { atol: 1e-12 });
    expectClose(f.weights, r.weights, 'weights', { atol: 1e-12 });
    f.g.forEach((g, k) => expectClose(g, r.g[k], `gradient ${k} (${wrt[k].name || ['q', 'memory'][k]})`, { atol: 1e-12 }));
  });

  it('passes a float64 gradient check, and sends no gradient to padded memory', () => {
    const { attn, q, mem, wrt } = setup(3);
    for (const ref of [false, true]) {
      const outs = () => { const o = run(attn, q, mem, ref); return [o.context, o.weights]; };
      const r = gradcheck(outs, wrt, { atol: 1e-7, rtol: 1e-5 });
      expect(r.checked).toBe(wrt.reduce((a, t) => a + t.size, 0));
    }
    mem.grad = null;
    run(attn, q, mem).context.sum().backward();
    mem.grad!.forEach((g, i) => { if (isPad(i)) expect(g).toBe(0); });
  });
});
