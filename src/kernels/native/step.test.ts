import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../tensor/rng.js';
import { checkStep, randomSpec, stepCases } from '../js/test-utils/step.js';
import { getBackend } from '../device.js';
import './index.js';
import { NativeStep } from './step.js';
import { addon, supportedIsas } from './test-utils/index.js';

/**
 * The native step kernel (csrc/pointwise.h `step`, addon.c `stepPlan`) against the reference
 * (js/step.ts) for every instruction set this CPU runs: every cell, with and without biases, odd
 * sizes, one and two layers, with and without a head.
 */
describe.runIf(addon !== null).each(supportedIsas())('native step kernel (%s)', (isa) => {
  afterAll(() => { addon!.setIsa('auto'); });

  it('equals the reference on every cell, odd sizes, biases or none, 1–2 layers, heads or none', () => {
    addon!.setIsa(isa); // a plan keeps the instruction set it was made with
    const rng = new Rng(31);
    for (const c of stepCases()) {
      const spec = randomSpec(rng, c.mode, c.D, c.H, c.O, c.L, c.bias), k = new NativeStep(addon!, spec);
      checkStep(k, spec, rng, `${isa} ${c.mode} D ${c.D} H ${c.H} O ${c.O} L ${c.L} bias ${c.bias}`);
    }
  });
});

describe.runIf(addon !== null)('native step plans', () => {
  it('is what the native backend compiles, with x, h and y as views of the plan\'s own memory', () => {
    const k = getBackend('native').stepKernel(randomSpec(new Rng(32), 'RNN_TANH', 3, 4, 2, 2, true));
    expect(k).toBeInstanceOf(NativeStep);
    expect(k.x.buffer).toBe(k.h.buffer);
    expect(k.y.buffer).toBe(k.h.buffer);
    expect([k.x.length, k.h.length, k.y.length]).toEqual([3, 8, 2]);
  });

  it('checks its arguments: token ids, modes, weight sizes', () => {
    const w = (n: number) => new Float32Array(n);
    const step = addon!.stepPlan(0, 2, [w(6), w(4), null, null], w(2), null);
    expect(() => step(3)).toThrow(/token 3 is not a row of the one-hot input \(3 rows\)/);
    expect(() => step('a' as unknown as number)).toThrow(TypeError);
    expect(() => addon!.stepPlan(4, 2, [w(6), w(4), null, null], null, null)).toThrow(RangeError);
    expect(() => addon!.stepPlan(2, 2, [w(6), w(4), null, null], null, null)).toThrow(/weight_ih_l0 has 6 elements, expected 8·D/);
    expect(() => addon!.stepPlan(0, 2, [w(6), w(5), null, null], null, null)).toThrow(/weight_hh_l0: expected 4 elements, got 5/);
    expect(() => addon!.stepPlan(0, 2, [w(6), w(4), w(3), null], null, null)).toThrow(/bias_ih_l0: expected 2 elements, got 3/);
    expect(() => addon!.stepPlan(0, 2, [w(6), w(4), null, null, w(4), w(4)], null, null)).toThrow(/4 arrays per layer/);
    expect(() => addon!.stepPlan(0, 2, [w(6), w(4), null, null], w(3), null)).toThrow(/head weight has 3 elements/);
    expect(() => addon!.stepPlan(0, 2, [new Float64Array(6) as unknown as Float32Array, w(4), null, null], null, null)).toThrow(TypeError);
  });
});

describe.runIf(addon !== null)('native step plans and the garbage collector', () => {
  it('frees a plan once both its step function and its io memory are collected, never before', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const rng = new Rng(33), kept: Float32Array[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) {
        const k = new NativeStep(addon!, randomSpec(rng, 'LSTM', 9, 17, 5, 1, true));
        k.step(1);
        if (i === 0) kept.push(k.h); // the view outlives its step function
      }
      gc();
      await new Promise((r) => setImmediate(r)); // finalizers of external buffers run from the event loop
    }
    for (const h of kept) { h.fill(0.5); expect(h[16]).toBe(0.5); }
  });
});
