import { describe, expect, it } from 'vitest';
import '../autograd/index.js';
import { noGrad } from '../autograd/engine.js';
import type { WasmBackend } from '../kernels/wasm/backend.js';
import '../kernels/wasm/register.js';
import { Rng } from '../tensor/rng.js';
import { randn } from '../tensor/init.js';
import { expectClose } from '../test-utils/index.js';
import { GRU, LSTM, type RecurrentBase } from './recurrent.js';

/**
 * wasm buffers live outside the JS heap: a forward whose graph is dropped without a backward
 * must not keep them. Older pending forwards are spilled to host memory and restored for the backward.
 */
describe('wasm: forwards without a backward', () => {
  it('keep device memory bounded (a validation pass outside noGrad)', () => {
    const lstm = new LSTM({ inputSize: 32, hiddenSize: 64, device: 'wasm', rng: new Rng(1) });
    const heap = (lstm.backend as WasmBackend).heap;
    const x = randn([50, 8, 32], { rng: new Rng(2) });
    for (let i = 0; i < 5; i++) lstm.forward(x);
    const used = heap.usedBytes;
    for (let i = 0; i < 100; i++) lstm.forward(x);
    expect(heap.usedBytes).toBeLessThanOrEqual(used);
  });

  it.each([['LSTM', LSTM], ['GRU', GRU]] as const)('%s: a spilled forward still backpropagates exactly (three pending, then one backward)', (_n, Kind) => {
    const make = (device: 'cpu' | 'wasm'): RecurrentBase =>
      new Kind({ inputSize: 5, hiddenSize: 6, numLayers: 2, bidirectional: true, device, rng: new Rng(3) });
    const xs = [0, 1, 2].map((i) => randn([7, 3, 5], { rng: new Rng(10 + i) }));
    const grads = (m: RecurrentBase): Float32Array[] => {
      const outs = xs.map((x, i) => m.forward(x, {}, { lengths: [7, 4 - i, 2] }).output); // the first two get spilled
      outs.map((o, i) => o.mul(i + 1).sum()).reduce((a, b) => a.add(b)).backward();
      return m.parameters().map((p) => Float32Array.from(p.grad!));
    };
    const want = grads(make('cpu')), got = grads(make('wasm'));
    got.forEach((g, i) => expectClose(g, want[i], `parameter ${i}`, { atol: 1e-5, rtol: 1e-4 }));
  });

  it('under noGrad nothing is held at all', () => {
    const gru = new GRU({ inputSize: 4, hiddenSize: 8, device: 'wasm' });
    const heap = (gru.backend as WasmBackend).heap, x = randn([10, 2, 4]);
    noGrad(() => gru.forward(x));
    const used = heap.usedBytes;
    for (let i = 0; i < 20; i++) noGrad(() => gru.forward(x));
    expect(heap.usedBytes).toBe(used);
  });
});
