import { expect } from 'vitest';
import '../../autograd/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { expectClose, loadJson } from '../../test-utils/index.js';
import { GRU, LSTM, RNN, type RecurrentBase, type RecurrentOptions } from '../recurrent.js';

/** PyTorch reference: tools/fixtures/layers.py (outputs, final states, every gradient), computed in float64. */
export interface Case {
  name: string; mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  config: {
    T: number; B: number; inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean;
    batchFirst: boolean; bias: boolean; lengths: number[] | null;
  };
  state: Record<string, { shape: number[]; data: number[] }>;
  x: number[]; h0: number[]; c0: number[] | null;
  output: number[]; outputShape: number[]; h_n: number[]; c_n: number[] | null;
  wo: number[]; wh: number[]; wc: number[] | null;
  grads: Record<string, number[]>; dx: number[]; dh0: number[]; dc0: number[] | null;
}
export const fixture = loadJson('src/layers/fixtures/layers.json') as { cases: Case[] };

export type Device = 'cpu' | 'wasm' | 'native';
export type DType = 'float32' | 'float64';

/** The layer of a mode with the given options. */
export function buildLayer(mode: Case['mode'], o: RecurrentOptions): RecurrentBase {
  if (mode === 'LSTM') return new LSTM(o);
  if (mode === 'GRU') return new GRU(o);
  return new RNN({ ...o, nonlinearity: mode === 'RNN_RELU' ? 'relu' : 'tanh' });
}

/** Tolerances: float32 against the float64 reference (the bar), float64 to its stored 12 digits. */
const TOL = {
  float32: { out: { atol: 1e-5 }, grad: { atol: 1e-6, rtol: 1e-4 } },
  float64: { out: { atol: 1e-10 }, grad: { atol: 1e-10, rtol: 1e-9 } },
} as const;

/** One fixture case on a device: outputs, final states and every gradient against PyTorch's. */
export function checkCase(c: Case, device: Device, dtype: DType): void {
  const m = buildLayer(c.mode, { ...c.config, device, dtype });
  // the fixture's inputs are float32 values written with 9 digits: read them back through float32
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, { shape: v.shape, data: v.data.map(Math.fround) }])));
  const { T, B, inputSize: D, hiddenSize: H, batchFirst } = c.config;
  const K = m.numLayers * m.dirs;
  const arr = (a: number[]) => (dtype === 'float64' ? Float64Array.from(a, Math.fround) : Float32Array.from(a));
  const tol = TOL[dtype];
  const x = new Tensor(arr(c.x), batchFirst ? [B, T, D] : [T, B, D], true);
  const h0 = new Tensor(arr(c.h0), [K, B, H], true);
  const c0 = c.c0 ? new Tensor(arr(c.c0), [K, B, H], true) : null;
  const r = m.forward(x, { h0, c0 }, { lengths: c.config.lengths });
  expect(r.output.shape).toEqual(c.outputShape);
  expectClose(r.output.data, c.output, `${c.name} output`, tol.out);
  expectClose(r.hT.data, c.h_n, `${c.name} h_n`, tol.out);
  if (c.c_n) expectClose(r.cT!.data, c.c_n, `${c.name} c_n`, tol.out);

  const dot = (t: Tensor, w: number[]) => t.mul(new Tensor(arr(w), t.shape)).sum();
  let loss = dot(r.output, c.wo).add(dot(r.hT, c.wh));
  if (c.wc) loss = loss.add(dot(r.cT!, c.wc));
  loss.backward();
  for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.grads[name], `${c.name} d${name}`, tol.grad);
  expectClose(x.grad!, c.dx, `${c.name} dx`, tol.grad);
  expectClose(h0.grad!, c.dh0, `${c.name} dh0`, tol.grad);
  if (c.dc0) expectClose(c0!.grad!, c.dc0, `${c.name} dc0`, tol.grad);
}
