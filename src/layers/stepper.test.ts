import { describe, expect, it } from 'vitest';
import '../kernels/index.js';
import { listDevices } from '../kernels/device.js';
import { Rng } from '../tensor/rng.js';
import { randn } from '../tensor/init.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { expectClose } from '../test-utils/index.js';
import { GRU, LSTM, RNN, type RecurrentBase } from './recurrent.js';
import { RecurrentStepper } from './stepper.js';

/**
 * The stepper against the fused forward over whole sequences, on every device here: at batch 1
 * (one call of the backend's step kernel per step) and at batch 2 (the step composed from the
 * cell kernels), with tokens and dense inputs, two layers, biases or none, a head, a given state.
 */
const devices = listDevices().filter((d) => d.available).map((d) => d.name);
const cells = [['RNN', RNN], ['LSTM', LSTM], ['GRU', GRU]] as const;

/** y (rows, O) = h (rows, H)·Wᵀ + b, in float64. */
function headOf(h: ArrayLike<number>, rows: number, W: Float32Array, b: Float32Array | null, H: number): Float64Array {
  const O = W.length / H, y = new Float64Array(rows * O);
  for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) {
    let s = b ? b[o] : 0;
    for (let j = 0; j < H; j++) s += W[o * H + j] * h[r * H + j];
    y[r * O + o] = s;
  }
  return y;
}

describe.each(cells)('%s stepper', (_n, Kind) => {
  it.each(devices)('on %s: one step at a time equals the fused forward over the sequence (tokens and dense, 2 layers, heads, biases or none)', (device) => {
    const rng = new Rng(5), T = 6, B = 2, V = 7, H = 5, O = 3, tol = { atol: 2e-6, rtol: 2e-6 };
    for (const bias of [true, false]) {
      const m: RecurrentBase = new Kind({ inputSize: V, hiddenSize: H, numLayers: 2, bias, rng, device });
      const W = randn([O, H], { rng }).data as Float32Array, b = bias ? randn([O], { rng }).data as Float32Array : null;
      const what = `${device}, bias ${bias}`;
      // batch 2, tokens, from a given state
      const ids = Int32Array.from({ length: T * B }, () => rng.int(V));
      const h0 = randn([2, B, H], { rng }), c0 = randn([2, B, H], { rng });
      const full = m.forward(new IntTensor(ids, [T, B]), { h0, c0: m.cell.hasCellState ? c0 : null });
      const st = new RecurrentStepper(m, B, { head: { weight: W, bias: b } });
      st.reset(h0.data, c0.data);
      for (let t = 0; t < T; t++) {
        const h = st.step(ids.subarray(t * B, (t + 1) * B)), want = full.output.data.subarray(t * B * H, (t + 1) * B * H);
        expectClose(h, want, `${what}, B 2, step ${t}`, tol);
        expectClose(st.y, headOf(want, B, W, b, H), `${what}, B 2, head at step ${t}`, tol);
      }
      st.dispose();
      // batch 1 (the fused step kernel): sequence 0 of the same batch, token by token
      const st1 = new RecurrentStepper(m, 1, { head: { weight: W, bias: b } });
      const pick = (x: Float32Array, k: number) => Float32Array.from({ length: 2 * H }, (_, i) => x[Math.floor(i / H) * B * H + k * H + (i % H)]);
      st1.reset(pick(h0.data as Float32Array, 0), pick(c0.data as Float32Array, 0));
      for (let t = 0; t < T; t++) {
        const h = st1.step(ids[t * B]), want = full.output.data.subarray(t * B * H, t * B * H + H);
        expectClose(h, want, `${what}, B 1, step ${t}`, tol);
        expectClose(st1.y, headOf(want, 1, W, b, H), `${what}, B 1, head at step ${t}`, tol);
      }
      // batch 1, dense inputs, from zeros
      const x = randn([T, 1, V], { rng }), dense = m.forward(x);
      st1.reset();
      for (let t = 0; t < T; t++) {
        expectClose(st1.step(x.data.subarray(t * V, (t + 1) * V)), dense.output.data.subarray(t * H, (t + 1) * H), `${what}, dense step ${t}`, tol);
      }
      st1.dispose();
    }
  });
});

describe('stepper', () => {
  it.each(devices)('on %s: hands back the same arrays every step, and checks its inputs', (device) => {
    const m = new LSTM({ inputSize: 4, hiddenSize: 3, device, rng: new Rng(1) });
    const st = new RecurrentStepper(m, 1, { head: { weight: new Float32Array(6), bias: null } });
    const h = st.step(1), y = st.y;
    expect(st.step(new Float32Array(4))).toBe(h);
    expect(st.y).toBe(y);
    expect(y.length).toBe(2);
    expect(() => st.step(4)).toThrow('expected a token id in [0, 4)');
    expect(() => st.step(new Float32Array(3))).toThrow('expected an input of size 4, got 3');
    expect(() => st.step(Int32Array.of(1, 2))).toThrow('expected 1 token id (batch 1), got 2');
    st.dispose();
  });

  it('snapshots the weights when it is made', () => {
    const m = new RNN({ inputSize: 3, hiddenSize: 4, rng: new Rng(2) });
    const st = new RecurrentStepper(m, 1);
    st.reset();
    const before = Float32Array.from(st.step(2));
    m.weights[0].wih.data.fill(0);
    st.reset();
    expect(Array.from(st.step(2))).toEqual(Array.from(before));
    st.dispose();
  });

  it('refuses bidirectional layers', () => {
    const m = new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, rng: new Rng(3) });
    expect(() => new RecurrentStepper(m, 1)).toThrow('bidirectional');
  });

  it('runs float64 layers (on the reference kernels)', () => {
    const rng = new Rng(4), m = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype: 'float64', rng });
    const x = new Tensor(Float64Array.from({ length: 5 * 3 }, () => rng.normal()), [5, 1, 3]), full = m.forward(x);
    const st = new RecurrentStepper(m, 1);
    st.reset();
    for (let t = 0; t < 5; t++) expectClose(st.step(x.data.subarray(t * 3, (t + 1) * 3)), full.output.data.subarray(t * 4, (t + 1) * 4), `step ${t}`, { atol: 1e-12 });
  });
});
