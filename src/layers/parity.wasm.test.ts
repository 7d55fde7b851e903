import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../autograd/index.js';
import { getBackend, listDevices } from '../kernels/device.js';
import { type WasmBackend, wasmTuning } from '../kernels/wasm/backend.js';
import '../kernels/wasm/register.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { expectClose } from '../test-utils/index.js';
import { LSTM } from './recurrent.js';
import { checkCase, fixture } from './test-utils/parity.js';

/**
 * The PyTorch layer fixtures (src/layers/fixtures, from tools/fixtures/layers.py) on device 'wasm',
 * with the tolerances of parity.test.ts: once as the device runs by default (small
 * shapes stay on one thread) and once with every kernel split across both threads.
 */
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

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => checkCase(c, 'wasm', 'float32'));

  it('token ids equal the one-hot dense path (gather and scatter)', () => {
    const m = new LSTM({ inputSize: 5, hiddenSize: 3, device: 'wasm' });
    const ids = Int32Array.from([0, 4, 2, 1, 3, 3]);
    const dense = new Float32Array(6 * 5);
    ids.forEach((v, i) => { dense[i * 5 + v] = 1; });
    const a = m.forward(new IntTensor(ids, [3, 2])), b = m.forward(new Tensor(dense, [3, 2, 5]));
    expectClose(a.output.data, b.output.data, 'token vs one-hot output', { atol: 1e-7 });
  });
});
