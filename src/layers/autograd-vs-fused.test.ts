import { describe, it } from 'vitest';
import { linear, stack } from '../autograd/index.js';
import { Rng } from '../tensor/rng.js';
import { randn } from '../tensor/init.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectClose } from '../test-utils/index.js';
import { GRU, LSTM, type RecurrentBase } from './recurrent.js';

/**
 * The same cells written the way a user writes a custom cell — autograd ops, one step at a
 * time — must agree with the fused layers on outputs and on every gradient.
 */
type P = Record<string, Tensor>;
const step = (x: Tensor, t: number): Tensor => x.slice(0, t, t + 1).reshape([x.shape[1], x.shape[2]]);

function lstmFromOps(x: Tensor, h0: Tensor, c0: Tensor, p: P, H = h0.shape[1]): { ys: Tensor; cT: Tensor } {
  let h = h0, c = c0;
  const ys: Tensor[] = [];
  for (let t = 0; t < x.shape[0]; t++) {
    const g = linear(step(x, t), p.weight_ih_l0, p.bias_ih_l0).add(linear(h, p.weight_hh_l0, p.bias_hh_l0));
    const [gi, gf, gg, go] = g.split(H, 1);
    c = gf.sigmoid().mul(c).add(gi.sigmoid().mul(gg.tanh()));
    h = go.sigmoid().mul(c.tanh());
    ys.push(h);
  }
  return { ys: stack(ys, 0), cT: c };
}

function gruFromOps(x: Tensor, h0: Tensor, p: P, H = h0.shape[1]): Tensor {
  let h = h0;
  const ys: Tensor[] = [];
  for (let t = 0; t < x.shape[0]; t++) {
    const [xr, xz, xn] = linear(step(x, t), p.weight_ih_l0, p.bias_ih_l0).split(H, 1);
    const [hr, hz, hn] = linear(h, p.weight_hh_l0, p.bias_hh_l0).split(H, 1);
    const r = xr.add(hr).sigmoid(), z = xz.add(hz).sigmoid();
    const n = xn.add(r.mul(hn)).tanh();
    h = z.neg().add(1).mul(n).add(z.mul(h));
    ys.push(h);
  }
  return stack(ys, 0);
}

/** Gradients of `loss()` for each leaf, leaving the leaves' grads cleared. */
function grads(leaves: Tensor[], loss: () => Tensor): Float64Array[] {
  for (const t of leaves) t.grad = null;
  loss().backward();
  const g = leaves.map((t) => Float64Array.from(t.grad!));
  for (const t of leaves) t.grad = null;
  return g;
}

function compare(name: string, m: RecurrentBase, leaves: Tensor[], fused: () => Tensor, ops: () => Tensor): void {
  expectClose(fused().data, ops().data, `${name} loss`, { atol: 1e-12 });
  const gf = grads(leaves, fused), go = grads(leaves, ops);
  const names = ['x', 'h0', 'c0'].slice(0, leaves.length - m.parameters().length).concat(m.namedParameters().map(([n]) => n));
  gf.forEach((g, i) => expectClose(g, go[i], `${name} d${names[i]}`, { atol: 1e-12, rtol: 1e-10 }));
}

describe('custom cells from autograd ops agree with the fused layers (float64)', () => {
  const T = 6, B = 3, D = 4, H = 5;

  it('LSTM', () => {
    const rng = new Rng(11), o = { dtype: 'float64' as const, rng };
    const m = new LSTM({ inputSize: D, hiddenSize: H, ...o });
    const x = randn([T, B, D], o), h0 = randn([1, B, H], o), c0 = randn([1, B, H], o), w = randn([T, B, H], o);
    const leaves = [x, h0, c0, ...m.parameters()];
    for (const t of leaves) t.requiresGrad = true;
    compare('LSTM', m, leaves,
      () => { const r = m.forward(x, { h0, c0 }); return r.output.mul(w).sum().add(r.cT!.sum().mul(0.25)); },
      () => { const r = lstmFromOps(x, h0.reshape([B, H]), c0.reshape([B, H]), Object.fromEntries(m.namedParameters())); return r.ys.mul(w).sum().add(r.cT.sum().mul(0.25)); });
  });

  it('GRU', () => {
    const rng = new Rng(12), o = { dtype: 'float64' as const, rng };
    const m = new GRU({ inputSize: D, hiddenSize: H, ...o });
    const x = randn([T, B, D], o), h0 = randn([1, B, H], o), w = randn([T, B, H], o);
    const leaves = [x, h0, ...m.parameters()];
    for (const t of leaves) t.requiresGrad = true;
    compare('GRU', m, leaves,
      () => m.forward(x, { h0 }).output.mul(w).sum(),
      () => gruFromOps(x, h0.reshape([B, H]), Object.fromEntries(m.namedParameters())).mul(w).sum());
  });
});
