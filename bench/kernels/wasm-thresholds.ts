/**
 * Where the second thread starts to pay: each kernel timed on one thread and split across two
 * over a range of sizes (best of many, alternating, so background load hits both alike), then
 * the RNN-128 training step of wasm.ts under a few threshold settings.
 *
 *   npx tsx bench/kernels/wasm-thresholds.ts
 */
import '../../src/autograd/index.js';
import { Linear } from '../../src/layers/linear.js';
import { RNN } from '../../src/layers/recurrent.js';
import { crossEntropy } from '../../src/losses/cross-entropy.js';
import { Rng } from '../../src/tensor/rng.js';
import { IntTensor } from '../../src/tensor/tensor.js';
import { setDefaultDevice } from '../../src/kernels/device.js';
import { WasmBackend, wasmTuning } from '../../src/kernels/wasm/backend.js';
import '../../src/kernels/wasm/register.js';

const be = new WasmBackend({ threads: 2 });
await be.whenReady();
const buf = be.alloc(1 << 22);
{ // inputs in [−2, 2]; results go to other regions (no growth into Inf or denormals between calls)
  const r = new Rng(1), x = Float32Array.from({ length: 1 << 22 }, () => 4 * r.uniform() - 2);
  const h = be.fromHost(x); be.copy(h, 0, buf, 0, 1 << 22); be.release(h);
}
const saved = { ...wasmTuning };
const set = (on: boolean): void => {
  const v = on ? 0 : Infinity;
  wasmTuning.gemmMinFlops = v; wasmTuning.cellMinElems = v; wasmTuning.pointwiseMinElems = v;
  wasmTuning.adaptive = false; // the kernels themselves: no stand-downs in the middle of a row
};

/** µs per call on one thread and on two, best of `rounds` alternating runs of `n` calls. */
function pair(fn: () => void, n: number, rounds = 40): [number, number] {
  const t = [Infinity, Infinity];
  for (let r = 0; r < rounds; r++) {
    for (const k of [0, 1]) {
      set(k === 1);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      t[k] = Math.min(t[k], (performance.now() - t0) * 1000 / n);
    }
  }
  return [t[0], t[1]];
}
const row = (label: string, [a, b]: [number, number]): void =>
  console.log(`${label.padEnd(34)} ${a.toFixed(2).padStart(8)} ${b.toFixed(2).padStart(8)}   ${(a / b).toFixed(2)}×`);

console.log(`${'kernel'.padEnd(34)} ${'1 thr µs'.padStart(8)} ${'2 thr µs'.padStart(8)}   gain`);
for (const n of [16, 32, 48, 64, 96, 128, 256]) {
  row(`gemm 32×${n}·(${n}×${n})ᵀ  ${(2 * 32 * n * n / 1000).toFixed(0)} kflop`,
    pair(() => be.gemm(false, true, 32, n, n, 1, buf, 0, n, buf, 1 << 20, n, 0, buf, 1 << 21, n), 200));
}
for (const n of [1024, 2048, 4096, 8192, 16384]) row(`rnn tanh step, B·H = ${n}`, pair(() => be.rnnCellForward(false, n, buf, 0, buf + (1 << 22), buf, 1 << 21), 200));
for (const H of [16, 32, 64, 128]) {
  row(`lstm step B 32, H ${H} (B·H ${32 * H})`,
    pair(() => be.lstmCellForward(32, H, buf, 0, buf + (1 << 22), buf, 1 << 20, buf, 1 << 21, buf, 5 << 19, buf, 3 << 20), 100));
}
for (const n of [16384, 65536, 262144]) row(`axpy n = ${n}`, pair(() => be.axpy(n, 0.5, buf, 0, buf, 1 << 21), 50));
for (const n of [16384, 65536, 262144]) row(`addColSums (${n / 128}, 128)`, pair(() => be.addColSums(buf, 0, n / 128, 128, buf, 1 << 21), 50));
console.log('hand-overs', be.teamStats);
Object.assign(wasmTuning, saved);
be.dispose();

// the training step of wasm.ts under a few settings
const T = 64, B = 32, V = 65, H = 128, rng = new Rng(2);
const ids = new IntTensor(Int32Array.from({ length: T * B }, () => rng.int(V)), [T, B]);
const targets = new IntTensor(Int32Array.from({ length: T * B }, () => rng.int(V)), [T, B]);
setDefaultDevice('wasm');
const rnn = new RNN({ inputSize: V, hiddenSize: H, device: 'wasm', rng: new Rng(3) });
const head = new Linear(H, V, { rng: new Rng(4) });
await (rnn.backend as WasmBackend).whenReady();
const step = (): void => { rnn.zeroGrad(); head.zeroGrad(); crossEntropy(head.forward(rnn.forward(ids).output), targets).backward(); };
const settings: [string, Partial<typeof wasmTuning>][] = [
  ['one thread', { gemmMinFlops: Infinity, cellMinElems: Infinity, pointwiseMinElems: Infinity }],
  ['defaults', saved],
  ['gemm 2^17', { ...saved, gemmMinFlops: 1 << 17 }],
  ['gemm 2^21', { ...saved, gemmMinFlops: 1 << 21 }],
  ['cells 2^10', { ...saved, cellMinElems: 1 << 10 }],
  ['cells 2^13', { ...saved, cellMinElems: 1 << 13 }],
  ['cells off', { ...saved, cellMinElems: Infinity }],
  ['everything split', { gemmMinFlops: 0, cellMinElems: 0, pointwiseMinElems: 0 }],
  ['defaults, not adaptive', { ...saved, adaptive: false }],
];
const bestMs: number[] = settings.map(() => Infinity);
for (let round = 0; round < 8; round++) {
  settings.forEach(([, s], i) => {
    Object.assign(wasmTuning, saved, s);
    step();
    const t0 = performance.now();
    for (let k = 0; k < 3; k++) step();
    bestMs[i] = Math.min(bestMs[i], (performance.now() - t0) / 3);
  });
}
Object.assign(wasmTuning, saved);
console.log(`\nRNN-${H} training step (T ${T}, B ${B}), ms, best of 8 rounds`);
settings.forEach(([label], i) => console.log(`  ${label.padEnd(18)} ${bestMs[i].toFixed(2)}`));
process.exit(0);
