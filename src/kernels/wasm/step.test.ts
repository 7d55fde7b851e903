import { describe, expect, it } from 'vitest';
import { Rng } from '../../tensor/rng.js';
import { checkStep, randomSpec, stepCases } from '../js/test-utils/step.js';
import { CONFIGS, useBackend } from './test-utils/backends.js';

/**
 * The wasm step kernel (assembly/step.ts) against the reference (js/step.ts), for both builds:
 * every cell, with and without biases, odd sizes, one and two layers, with and without a head.
 */
describe.each(CONFIGS)('wasm step kernel ($label)', (cfg) => { // shared memory (2 threads): x, h, y are views; plain: copies
  const be = useBackend(cfg);

  it('equals the reference on every cell, odd sizes, biases or none, 1–2 layers, heads or none', () => {
    const rng = new Rng(21);
    for (const c of stepCases()) {
      const spec = randomSpec(rng, c.mode, c.D, c.H, c.O, c.L, c.bias), k = be().stepKernel(spec);
      checkStep(k, spec, rng, `${c.mode} D ${c.D} H ${c.H} O ${c.O} L ${c.L} bias ${c.bias}`);
      k.dispose();
    }
  });

  it('keeps its state and outputs right when the memory grows between steps, and gives its memory back', () => {
    const rng = new Rng(22), b = be(), live = b.heap.liveBlocks;
    const spec = randomSpec(rng, 'LSTM', 5, 7, 3, 2, true), k = b.stepKernel(spec);
    const grown: number[] = [];
    checkStep({ ...k, D: k.D, H: k.H, L: k.L, O: k.O, x: k.x, h: k.h, y: k.y,
      step: (t: number) => { grown.push(b.heap.alloc(b.heap.byteLength)); k.step(t); }, // forces growth before every step
      reset: (h0, c0) => k.reset(h0, c0), dispose: () => k.dispose() }, spec, rng, 'across growth', 4);
    for (const g of grown) b.heap.release(g);
    k.dispose();
    expect(b.heap.liveBlocks).toBe(live);
    expect(() => k.step(0)).toThrow('disposed');
  });

  it('rejects token ids outside the one-hot input', () => {
    const k = be().stepKernel(randomSpec(new Rng(23), 'GRU', 4, 3, 2, 1, true));
    expect(() => k.step(4)).toThrow('expected a token id in [0, 4)');
    expect(() => k.step(1.5)).toThrow('expected a token id');
    k.dispose();
  });
});
