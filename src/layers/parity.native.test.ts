import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../autograd/index.js';
import { getBackend, setDefaultDevice } from '../kernels/device.js';
import { hostKernels, referenceHostKernels } from '../kernels/host.js';
import '../kernels/native/index.js';
import { addon, supportedIsas } from '../kernels/native/test-utils/index.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { Rng } from '../tensor/rng.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { expectClose, loadJson } from '../test-utils/index.js';
import { Linear } from './linear.js';
import { GRU, LSTM, RNN, type RecurrentBase } from './recurrent.js';

/**
 * The PyTorch layer fixtures (src/layers/fixtures, from tools/fixtures/layers.py) on device
 * 'native', with the tolerances of parity.test.ts, once per GEMM path and pointwise
 * build; then one-hot (token id) input and a whole training step against the 'cpu' device.
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

function build(mode: Case['mode'], o: ConstructorParameters<typeof LSTM>[0]): RecurrentBase {
  if (mode === 'LSTM') return new LSTM(o);
  if (mode === 'GRU') return new GRU(o);
  return new RNN({ ...o, nonlinearity: mode === 'RNN_RELU' ? 'relu' : 'tanh' });
}

const isas = supportedIsas();
const configs = addon === null ? [] : [
  { label: 'GEMM per shape', gemm: 0, threads: 0, isa: 'auto' },
  { label: `own GEMM, ${isas[Math.min(1, isas.length - 1)]}`, gemm: 1, threads: 0, isa: isas[Math.min(1, isas.length - 1)] },
  { label: 'OpenBLAS 2 threads, generic pointwise', gemm: 2, threads: 2, isa: 'generic' },
];

describe.each(configs)('PyTorch parity on native ($label)', (cfg) => {
  beforeAll(() => { addon!.setGemm(cfg.gemm, cfg.threads); addon!.setIsa(cfg.isa); });
  afterAll(() => { addon!.setGemm(0, 0); addon!.setIsa('auto'); });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const m = build(c.mode, { ...c.config, device: 'native' });
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
});

describe.runIf(addon !== null)('native against cpu', () => {
  afterAll(() => { setDefaultDevice('auto'); });

  /** One training step of tokens → recurrent layer → Linear → cross-entropy on `device`; loss and every gradient. */
  function step(device: 'cpu' | 'native', mode: Case['mode']): { loss: number; grads: [string, Float32Array][] } {
    setDefaultDevice(device); // also installs the device's host kernels (Linear, cross-entropy)
    const rng = new Rng(11), T = 9, B = 5, V = 13, H = 17;
    const m = build(mode, { inputSize: V, hiddenSize: H, numLayers: 2, device, rng });
    const head = new Linear(H, V, { rng });
    const ids = Int32Array.from({ length: T * B }, () => rng.int(V));
    const targets = Int32Array.from({ length: T * B }, (_, i) => (i % 7 === 3 ? -100 : rng.int(V)));
    const { output } = m.forward(new IntTensor(ids, [T, B]), {}, { lengths: [9, 7, 9, 2, 5] });
    expect(hostKernels(output.data), 'host kernels of the default device').toBe(device === 'native' ? getBackend('native').host : referenceHostKernels);
    const loss = crossEntropy(head.forward(output), new IntTensor(targets, [T, B]));
    loss.backward();
    const grads = [...m.namedParameters(), ...head.namedParameters()].map(([n, p]) => [n, Float32Array.from(p.grad!)] as [string, Float32Array]);
    return { loss: loss.data[0], grads };
  }

  it.each(['RNN_TANH', 'LSTM', 'GRU'] as const)('%s: token ids, masks, Linear and cross-entropy agree with cpu', (mode) => {
    const cpu = step('cpu', mode), native = step('native', mode);
    expect(native.loss).toBeCloseTo(cpu.loss, 5);
    native.grads.forEach(([name, g], i) => expectClose(g, cpu.grads[i][1], `${mode} d${name}`, { atol: 1e-6, rtol: 1e-4 }));
  });
});
