import { describe, it } from 'vitest';
import { Rng } from '../tensor/rng.js';
import { randn } from '../tensor/init.js';
import { IntTensor } from '../tensor/tensor.js';
import { expectClose } from '../test-utils/index.js';
import { GRU, LSTM, RNN, type RecurrentBase } from './recurrent.js';
import { RecurrentStepper } from './stepper.js';

describe.each([['RNN', RNN], ['LSTM', LSTM], ['GRU', GRU]] as const)('%s stepper', (_n, Kind) => {
  it('one step at a time equals the fused forward over the sequence (tokens and dense, 2 layers)', () => {
    const rng = new Rng(5), T = 6, B = 2, V = 7, H = 5;
    const m: RecurrentBase = new Kind({ inputSize: V, hiddenSize: H, numLayers: 2, rng });
    const ids = Int32Array.from({ length: T * B }, () => rng.int(V));
    const full = m.forward(new IntTensor(ids, [T, B]));
    const st = new RecurrentStepper(m, B);
    st.reset();
    for (let t = 0; t < T; t++) {
      const h = st.step(ids.subarray(t * B, (t + 1) * B));
      expectClose(h, full.output.data.subarray(t * B * H, (t + 1) * B * H), `step ${t}`, { atol: 1e-6 });
    }
    const x = randn([T, 1, V], { rng });
    const dense = m.forward(x);
    st.reset();
    const st1 = new RecurrentStepper(m, 1);
    st1.reset();
    for (let t = 0; t < T; t++) expectClose(st1.step(x.data.subarray(t * V, (t + 1) * V)), dense.output.data.subarray(t * H, (t + 1) * H), `dense step ${t}`, { atol: 1e-6 });
  });
});
