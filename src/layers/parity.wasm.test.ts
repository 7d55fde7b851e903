import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../autograd/index.js';
import { getBackend, listDevices } from '../kernels/device.js';
import { type WasmBackend, wasmTuning } from '../kernels/wasm/backend.js';
import '../kernels/wasm/register.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { expectClose, loadJson } from '../test-utils/index.js';
import { GRU, LSTM, RNN, type RecurrentBase } from './recurrent.js';

/**
 * The PyTorch layer fixtures (src/layers/fixtures, from tools/fixtures/layers.py) on device 'wasm',
 * with the tolerances of parity.test.ts: once as the device runs by default (small
 * shapes stay on one thread) and once with every kernel split across both threads.
 */
interface Case {
  name: string; mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  config: { T: number; B: number; inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; batchFirst: boolean; bias: boolean; lengths: number[] | null };
  state: Record<string, { shape: number[]; data: number[] }>;
  x: number[]; h0: number[]; c0: number[] | null;
  output: number[]; outputShape: number[]; h_n: number[]; c_n: number[] | null;
  wo: number[]; wh: number[]; wc: number[] | null;
  grads: Record<string, number[]>; dx: number[]; dh0: number[]; dc0: number[] | null;
}
const fixture = loadJson('src/layers/fixtures/layers.json') as { cases: Case[] };
const f32 = (a: number[]): Float32Array => Float32Array.from(a);

function build(c: Case): RecurrentBase {
  const o = { ...c.config, device: 'wasm' as const };
  if (c.mode === 'LSTM') return new LSTM(o);
  if (c.mode === 'GRU') return new GRU(o);
  return new RNN({ ...o, nonlinearity: c.mode === 'RNN_RELU' ? 'relu' : 'tanh' });
}

it('wasm is registered and available here', () => {
  expect(listDevices().find((d) => d.name === 'wasm')).toMatchObject({ available: true, priority: 1 });
});

describe.each(['default thresholds', 'every kernel on both threads'])('PyTorch parity on wasm (%s)', (mode) => {
  const saved = { ...wasmTuning };
  beforeAll(async () => {
    const be = getBackend('wasm') as WasmBackend;
    if (mode !== 'default thresholds') {
      expect(await be.whenReady()).toBe(true);
      wasmTuning.gemmMinFlops = 0; wasmTuning.cellMinElems = 0; wasmTuning.pointwiseMinElems = 0; wasmTuning.adaptive = false;
    }
  });
  afterAll(() => { Object.assign(wasmTuning, saved); });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const m = build(c);
    m.loadStateDict(c.state);
    const { T, B, inputSize: D, hiddenSize: H, batchFirst } = c.config;
    const K = m.numLayers * m.dirs;
    const x = new Tensor(f32(c.x), batchFirst ? [B, T, D] : [T, B, D], true);
    const h0 = new Tensor(f32(c.h0), [K, B, H], true);
    const c0 = c.c0 ? new Tensor(f32(c.c0), [K, B, H], true) : null;
    const r = m.forward(x, { h0, c0 }, { lengths: c.config.lengths });
    expect(r.output.shape).toEqual(c.outputShape);
    expectClose(r.output.data, c.output, `${c.name} output`, { atol: 1e-5 });
    expectClose(r.hT.data, c.h_n, `${c.name} h_n`, { atol: 1e-5 });
    if (c.c_n) expectClose(r.cT!.data, c.c_n, `${c.name} c_n`, { atol: 1e-5 });

    let loss = r.output.mul(new Tensor(f32(c.wo), r.output.shape)).sum().add(r.hT.mul(new Tensor(f32(c.wh), r.hT.shape)).sum());
    if (c.wc) loss = loss.add(r.cT!.mul(new Tensor(f32(c.wc), r.cT!.shape)).sum());
    loss.backward();
    const tol = { atol: 1e-6, rtol: 1e-4 };
    for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.grads[name], `${c.name} d${name}`, tol);
    expectClose(x.grad!, c.dx, `${c.name} dx`, tol);
    expectClose(h0.grad!, c.dh0, `${c.name} dh0`, tol);
    if (c.dc0) expectClose(c0!.grad!, c.dc0, `${c.name} dc0`, tol);
  });

  it('token ids equal the one-hot dense path (gather and scatter)', () => {
    const m = new LSTM({ inputSize: 5, hiddenSize: 3, device: 'wasm' });
    const ids = Int32Array.from([0, 4, 2, 1, 3, 3]);
    const dense = new Float32Array(6 * 5);
    ids.forEach((v, i) => { dense[i * 5 + v] = 1; });
    const a = m.forward(new IntTensor(ids, [3, 2])), b = m.forward(new Tensor(dense, [3, 2, 5]));
    expectClose(a.output.data, b.output.data, 'token vs one-hot output', { atol: 1e-7 });
  });
});
