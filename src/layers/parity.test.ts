import { describe, expect, it } from 'vitest';
import '../autograd/index.js';
import '../kernels/index.js'; // every backend this machine has: the fixtures run on each
import { listDevices } from '../kernels/device.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { expectClose, expectSameFixture, regenerate } from '../test-utils/index.js';
import { LSTM } from './recurrent.js';
import { type Case, checkCase, fixture } from './test-utils/parity.js';

const devices = listDevices().filter((d) => d.available).map((d) => d.name);

type Run = { device: 'cpu' | 'wasm' | 'native'; dtype: 'float32' | 'float64' };
const runs: [string, Run][] = [
  ...devices.map((d): [string, Run] => [`${d}, float32`, { device: d, dtype: 'float32' }]),
  ['cpu, float64', { device: 'cpu', dtype: 'float64' }],
];

describe.each(runs)('PyTorch parity on %s', (_label, { device, dtype }) => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => checkCase(c, device, dtype));
});

describe('layer fixtures', () => {
  it('regenerate identically from PyTorch (they cannot drift from the reference)', () => {
    const live = regenerate('layers.py', 'layers.json') as { cases: Case[] };
    expect(live.cases.length).toBe(fixture.cases.length);
    live.cases.forEach((c, i) => expectSameFixture(c, fixture.cases[i], c.name));
  });

  it('token ids reproduce a one-hot PyTorch run (LSTM)', () => {
    // one-hot input: the fixture's dense x is not one-hot, so check ids against our own dense path in float32
    const m = new LSTM({ inputSize: 5, hiddenSize: 3 });
    const ids = Int32Array.from([0, 4, 2, 1, 3, 3]);
    const dense = new Float32Array(6 * 5);
    ids.forEach((v, i) => { dense[i * 5 + v] = 1; });
    const a = m.forward(new IntTensor(ids, [3, 2])), b = m.forward(new Tensor(dense, [3, 2, 5]));
    expectClose(a.output.data, b.output.data, 'token vs one-hot output', { atol: 1e-7 });
  });
});
