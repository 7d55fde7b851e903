import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../autograd/index.js';
import { getBackend, setDefaultDevice } from '../kernels/device.js';
import { hostKernels, referenceHostKernels } from '../kernels/host.js';
import '../kernels/native/index.js';
import { addon, supportedIsas } from '../kernels/native/test-utils/index.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { Rng } from '../tensor/rng.js';
import { IntTensor } from '../tensor/tensor.js';
import { expectClose } from '../test-utils/index.js';
import { Linear } from './linear.js';
import { type Case, buildLayer, checkCase, fixture } from './test-utils/parity.js';

/**
 * The PyTorch layer fixtures (src/layers/fixtures, from tools/fixtures/layers.py) on device
 * 'native', with the tolerances of parity.test.ts, once per GEMM path and pointwise
 * build; then one-hot (token id) input and a whole training step against the 'cpu' device.
 */
const isas = supportedIsas();
const configs = addon === null ? [] : [
  { label: 'GEMM per shape', gemm: 0, threads: 0, isa: 'auto' },
  { label: `own GEMM, ${isas[Math.min(1, isas.length - 1)]}`, gemm: 1, threads: 0, isa: isas[Math.min(1, isas.length - 1)] },
  { label: 'OpenBLAS 2 threads, generic pointwise', gemm: 2, threads: 2, isa: 'generic' },
];

describe.each(configs)('PyTorch parity on native ($label)', (cfg) => {
  beforeAll(() => { addon!.setGemm(cfg.gemm, cfg.threads); addon!.setIsa(cfg.isa); });
  afterAll(() => { addon!.setGemm(0, 0); addon!.setIsa('auto'); });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => checkCase(c, 'native', 'float32'));
});

describe.runIf(addon !== null)('native against cpu', () => {
  afterAll(() => { setDefaultDevice('auto'); });

  /** One training step of tokens → recurrent layer → Linear → cross-entropy on `device`; loss and every gradient. */
  function step(device: 'cpu' | 'native', mode: Case['mode']): { loss: number; grads: [string, Float32Array][] } {
    setDefaultDevice(device); // also installs the device's host kernels (Linear, cross-entropy)
    const rng = new Rng(11), T = 9, B = 5, V = 13, H = 17;
    const m = buildLayer(mode, { inputSize: V, hiddenSize: H, numLayers: 2, device, rng });
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
