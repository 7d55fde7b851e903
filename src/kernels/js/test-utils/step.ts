import { expect } from 'vitest';
import type { Rng } from '../../../tensor/rng.js';
import { type StepKernel, type StepMode, type StepSpec, stepGates } from '../../backend.js';
import { ReferenceStep } from '../step.js';

/**
 * Shared by the step-kernel tests of every backend: random specs on odd sizes and a side-by-side
 * run against the reference (js/step.ts) that fails with the largest difference and where.
 */
export const STEP_SIZES = [1, 3, 17, 129];
export const STEP_MODES: StepMode[] = ['RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'];

const uniform = (rng: Rng, n: number, k: number): Float32Array => Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * k);

/** Weights U(−1/√H, 1/√H) as PyTorch initialises them (head: U(−1/√H, 1/√H) too); O = 0: no head. */
export function randomSpec(rng: Rng, mode: StepMode, D: number, H: number, O: number, L: number, bias: boolean): StepSpec {
  const GH = stepGates(mode) * H, k = 1 / Math.sqrt(H);
  return {
    mode, H,
    layers: Array.from({ length: L }, (_, l) => ({
      wih: uniform(rng, GH * (l === 0 ? D : H), k), whh: uniform(rng, GH * H, k),
      bih: bias ? uniform(rng, GH, k) : null, bhh: bias ? uniform(rng, GH, k) : null,
    })),
    head: O > 0 ? { weight: uniform(rng, O * H, k), bias: bias ? uniform(rng, O, k) : null } : null,
  };
}

/** The cases every fast kernel runs: each mode, with and without biases, H × D over the odd sizes, 1 or 2 layers, a head of odd size or none. */
export function stepCases(): { mode: StepMode; D: number; H: number; O: number; L: number; bias: boolean }[] {
  const out = [];
  for (const mode of STEP_MODES) for (const bias of [true, false]) {
    let i = 0;
    for (const H of STEP_SIZES) for (const D of STEP_SIZES) {
      i++;
      out.push({ mode, D, H, O: i % 5 === 0 ? 0 : STEP_SIZES[i % 4], L: 1 + (i % 2), bias });
    }
  }
  return out;
}

/**
 * T steps of `kernel` and of the reference from the same random state, alternating one-hot
 * tokens and dense inputs; h and y must agree within tol·(1 + |reference|) at every step.
 */
export function checkStep(kernel: StepKernel, spec: StepSpec, rng: Rng, what: string, T = 5, tol = 2e-5): void {
  const ref = new ReferenceStep('float32', spec), LH = ref.L * ref.H;
  expect([kernel.D, kernel.H, kernel.L, kernel.O], `${what}: sizes`).toEqual([ref.D, ref.H, ref.L, ref.O]);
  const h0 = uniform(rng, LH, 0.5), c0 = spec.mode === 'LSTM' ? uniform(rng, LH, 0.5) : null;
  ref.reset(h0, c0); kernel.reset(h0, c0);
  for (let t = 0; t < T; t++) {
    const token = t % 2 === 1 ? rng.int(ref.D) : -1;
    if (token < 0) { const x = uniform(rng, ref.D, 1); ref.x.set(x); kernel.x.set(x); }
    ref.step(token); kernel.step(token);
    for (const [name, got, want] of [['h', kernel.h, ref.h], ['y', kernel.y, ref.y]] as const) {
      expect(got.length, `${what}: length of ${name}`).toBe(want.length);
      let worst = 0, at = -1;
      for (let i = 0; i < want.length; i++) {
        const e = Math.abs(got[i] - want[i]) - tol * (1 + Math.abs(want[i]));
        if (!(e <= worst)) { worst = e; at = i; }
      }
      if (at >= 0) expect.fail(`${what}, step ${t} (${token < 0 ? 'dense' : `token ${token}`}): ${name}[${at}] is ${got[at]}, expected ${want[at]}`);
    }
  }
}
