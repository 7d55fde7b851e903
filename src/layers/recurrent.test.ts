import { describe, expect, it } from 'vitest';
import '../autograd/index.js';
import { gradcheck } from '../autograd/gradcheck.js';
import { Rng } from '../tensor/rng.js';
import { randn } from '../tensor/init.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { GRU, LSTM, RNN, type RecurrentBase, type RecurrentOptions } from './recurrent.js';

type Ctor = new (o: RecurrentOptions) => RecurrentBase;
const kinds: [string, Ctor][] = [
  ['RNN tanh', RNN], ['RNN relu', class extends RNN { constructor(o: RecurrentOptions) { super({ ...o, nonlinearity: 'relu' }); } }],
  ['LSTM', LSTM], ['GRU', GRU],
];

function outputsOf(r: { output: Tensor; hT: Tensor; cT: Tensor | null }): Tensor[] {
  return r.cT ? [r.output, r.hT, r.cT] : [r.output, r.hT];
}

describe.each(kinds)('%s: float64 finite-difference gradients', (_name, Kind) => {
  const cases: [string, Partial<RecurrentOptions>, { lengths?: number[]; batchFirst?: boolean }][] = [
    ['one layer', {}, {}],
    ['two layers, bidirectional', { numLayers: 2, bidirectional: true }, {}],
    ['batch first, no bias', { batchFirst: true, bias: false }, {}],
    ['variable lengths, bidirectional', { bidirectional: true }, { lengths: [4, 2, 1] }],
    ['two layers, bidirectional, batch first, variable lengths', { numLayers: 2, bidirectional: true, batchFirst: true }, { lengths: [2, 4, 1] }],
  ];
  it.each(cases)('%s', (_c, extra, fw) => {
    const rng = new Rng(7);
    const T = 4, B = 3, D = 3, H = 3;
    const m = new Kind({ inputSize: D, hiddenSize: H, dtype: 'float64', rng, ...extra });
    const K = m.numLayers * m.dirs;
    const xShape = m.batchFirst ? [B, T, D] : [T, B, D];
    const x = randn(xShape, { dtype: 'float64', rng });
    const h0 = randn([K, B, H], { dtype: 'float64', rng });
    const c0 = m.cell.hasCellState ? randn([K, B, H], { dtype: 'float64', rng }) : null;
    const wrt = [x, h0, ...(c0 ? [c0] : []), ...m.parameters()];
    const res = gradcheck(() => outputsOf(m.forward(x, { h0, c0 }, { lengths: fw.lengths })), wrt);
    expect(res.checked).toBe(wrt.reduce((a, t) => a + t.size, 0));
  });

  it('one-hot token input equals the dense one-hot input, values and gradients', () => {
    const rng = new Rng(3);
    const T = 5, B = 2, V = 6, H = 4;
    const m = new Kind({ inputSize: V, hiddenSize: H, dtype: 'float64', rng, numLayers: 2 });
    const ids = Int32Array.from({ length: T * B }, () => rng.int(V));
    const onehot = new Float64Array(T * B * V);
    ids.forEach((v, i) => { onehot[i * V + v] = 1; });
    const a = m.forward(new IntTensor(ids, [T, B]));
    const la = outputsOf(a).reduce((s, t) => s.add(t.mul(t).sum()), new Tensor(new Float64Array(1), []));
    la.backward();
    const ga = m.parameters().map((p) => Float64Array.from(p.grad!));
    m.zeroGrad();
    const b = m.forward(new Tensor(onehot, [T, B, V]));
    const lb = outputsOf(b).reduce((s, t) => s.add(t.mul(t).sum()), new Tensor(new Float64Array(1), []));
    lb.backward();
    expect(Array.from(a.output.data)).toEqual(Array.from(b.output.data));
    m.parameters().forEach((p, i) => {
      for (let j = 0; j < p.size; j++) expect(p.grad![j]).toBeCloseTo(ga[i][j], 12);
    });
  });
});

describe('recurrent layers: bad input', () => {
  const m = new LSTM({ inputSize: 3, hiddenSize: 2 });
  it('names the expected input size', () => {
    expect(() => m.forward(randn([4, 2, 5]))).toThrow('LSTM: expected input size 3, got 5');
  });
  it('names the expected state shape', () => {
    expect(() => m.forward(randn([4, 2, 3]), { h0: randn([1, 3, 2]) })).toThrow('expected h0 of shape [1, 2, 2]');
  });
  it('rejects NaN input', () => {
    const x = randn([4, 2, 3]); x.data[5] = NaN;
    expect(() => m.forward(x)).toThrow('expected finite values, got NaN at flat index 5');
  });
  it('rejects lengths beyond T', () => {
    expect(() => m.forward(randn([4, 2, 3]), {}, { lengths: [4, 5] })).toThrow('expected lengths in [0, 4], got 5');
  });
  it('names the expected state dtype', () => {
    expect(() => m.forward(randn([4, 2, 3]), { h0: randn([1, 2, 2], { dtype: 'float64' }) })).toThrow('LSTM: expected a float32 h0, got float64');
  });
  it('refuses a reassigned weight of the wrong shape, naming it', () => {
    const g = new GRU({ inputSize: 3, hiddenSize: 2 });
    (g as unknown as Record<string, unknown>).weight_hh_l0 = randn([6, 3]);
    expect(() => g.forward(randn([4, 2, 3]))).toThrow('GRU: expected weight_hh_l0 a float32 tensor of shape [6, 2], got a float32 tensor of shape [6, 3]');
  });
  it('rejects token ids outside the vocabulary', () => {
    expect(() => m.forward(new IntTensor(Int32Array.from([0, 1, 3, 0]), [2, 2]))).toThrow('expected token ids in [0, 3)');
  });
});

describe('recurrent layers: parameters and options as a PyTorch user writes them', () => {
  it('a reassigned parameter is the one forward uses (and the state dict lists)', () => {
    const g = new GRU({ inputSize: 3, hiddenSize: 2, rng: new Rng(1) });
    const x = randn([4, 2, 3], { rng: new Rng(2) });
    const before = Array.from(g.forward(x).output.data);
    const w = randn([6, 2], { rng: new Rng(3) });
    (g as unknown as Record<string, unknown>).weight_hh_l0 = w;
    expect(g.stateDict().weight_hh_l0).toBe(w);
    expect(g.weights[0].whh).toBe(w);
    expect(Array.from(g.forward(x).output.data)).not.toEqual(before);
  });
  it('lengths may be an IntTensor', () => {
    const m = new LSTM({ inputSize: 3, hiddenSize: 2, rng: new Rng(4) }), x = randn([4, 2, 3], { rng: new Rng(5) });
    const a = m.forward(x, {}, { lengths: [4, 2] }), b = m.forward(x, {}, { lengths: new IntTensor(Int32Array.from([4, 2]), [2]) });
    expect(Array.from(b.hT.data)).toEqual(Array.from(a.hT.data));
  });
});
