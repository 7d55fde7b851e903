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
import { at } from '../../src/kernels/backend.js';
import { setDefaultDevice } from '../../src/kernels/device.js';
import { WasmBackend, wasmTuning } from '../../src/kernels/wasm/backend.js';
import '../../src/kernels/wasm/register.js';

const be = new WasmBackend({ threads: 2 });
await be.whenReady();
const buf = be.alloc(1 << 22);
{ // inputs in [−2, 2]; results go to other regions (no growth into Inf or denormals between calls)
  const r = new Rng(1), x = Float32Array.from({ length: 1 << 22 }, () => 4 * r.uniform() - 2);
  const h = be.fromHost(x); be.copy(1 << 22, at(h), at(buf)); be.release(h);
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
  const o = { tA: false, tB: true, M: 32, N: n, K: n, alpha: 1, beta: 0,
    A: at(buf), lda: n, B: at(buf, 1 << 20), ldb: n, C: at(buf, 1 << 21), ldc: n };
  row(`gemm 32×${n}·(${n}×${n})ᵀ  ${(2 * 32 * n * n / 1000).toFixed(0)} kflop`, pair(() => be.gemm(o), 200));
}
for (const n of [1024, 2048, 4096, 8192, 16384]) {
  const o = { relu: false, n, gx: at(buf), gh: at(buf, 1 << 20), h: at(buf, 1 << 21) };
  row(`rnn tanh step, B·H = ${n}`, pair(() => be.rnnCellForward(o), 200));
}
for (const H of [16, 32, 64, 128]) {
  const gates = at(buf), gh = at(buf, 1 << 20), cPrev = at(buf, 1 << 20);
  const o = { B: 32, H, gates, gh, cPrev, c: at(buf, 1 << 21), tc: at(buf, 5 << 19), h: at(buf, 3 << 20) };
  row(`lstm step B 32, H ${H} (B·H ${32 * H})`, pair(() => be.lstmCellForward(o), 100));
}
const x = at(buf), y = at(buf, 1 << 21);
for (const n of [16384, 65536, 262144]) row(`axpy n = ${n}`, pair(() => be.axpy(n, 0.5, x, y), 50));
for (const n of [16384, 65536, 262144]) {
  row(`addColSums (${n / 128}, 128)`, pair(() => be.addColSums(n / 128, 128, x, y), 50));
}
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
