// Benchmarks of the native backend (not a test): call overhead, GEMM GFLOP/s per path, and the
// training step of the PERF-NOTES workloads on 'native' against 'cpu'. Every timed kernel is
// validated first. Best-of-N, since the machine may be shared.
//
//   npx tsx bench/kernels/native.mjs [--quick] [--only=overhead,gemm,train]
import '../../src/autograd/index.js';
import { Linear } from '../../src/layers/linear.js';
import { LSTM, RNN } from '../../src/layers/recurrent.js';
import { crossEntropy } from '../../src/losses/cross-entropy.js';
import { Rng } from '../../src/tensor/rng.js';
import { IntTensor } from '../../src/tensor/tensor.js';
import { at } from '../../src/kernels/backend.js';
import { getBackend, setDefaultDevice } from '../../src/kernels/device.js';
import { loadNative } from '../../src/kernels/native/addon.js';
import '../../src/kernels/native/index.js';

const quick = process.argv.includes('--quick');
const only = (process.argv.find((a) => a.startsWith('--only=')) ?? '--only=overhead,gemm,train').slice(7).split(',');
const { addon, reason } = loadNative();
if (addon === null) { console.error(`native backend unavailable: ${reason}`); process.exit(1); }
const info = addon.info();
console.log(`native: ${getBackend('native').description}`);
console.log(`OpenBLAS: ${info.blas ? info.blas.config : info.blasError}`);

const now = () => Number(process.hrtime.bigint()) / 1e9;
/** Best time per call of f, over `rounds` rounds of `reps` calls. */
function best(f, reps, rounds = quick ? 3 : 7) {
  let t = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = now();
    for (let i = 0; i < reps; i++) f();
    t = Math.min(t, (now() - t0) / reps);
  }
  return t;
}
const rand = (rng, n) => Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);

// ---- per-call overhead ----------------------------------------------------------------------
if (only.includes('overhead')) {
  const be = getBackend('native'), x = new Float32Array(64), n = quick ? 200_000 : 2_000_000;
  const ns = (f) => (best(f, n) * 1e9).toFixed(0);
  console.log('\ncall overhead (ns per call, nothing to compute):');
  console.log(`  empty N-API call                         ${ns(() => addon.nop())}`);
  // arguments made once, as the time loops do; and made per call, to show what that would cost
  const v = at(x), gemm0 = () => ({ tA: false, tB: true, M: 0, N: 4, K: 4, alpha: 1, beta: 1,
    A: at(x), lda: 4, B: at(x), ldb: 4, C: at(x), ldc: 4 });
  const g0 = gemm0(), g1 = { ...g0, M: 1, N: 1, K: 1, lda: 1, ldb: 1, ldc: 1 };
  const lstm = { B: 0, H: 4, gates: v, gh: v, cPrev: v, c: v, tc: v, h: v };
  console.log(`  gemm (16 fields, 3 views), M=0           ${ns(() => be.gemm(g0))}`);
  console.log(`  … struct and views made per call         ${ns(() => be.gemm(gemm0()))}`);
  console.log(`  gemm 1×1×1 (checks, choice, own kernel)  ${ns(() => be.gemm(g1))}`);
  console.log(`  lstmCellForward (8 fields, 6 views), B=0 ${ns(() => be.lstmCellForward(lstm))}`);
  const lstmNew = () => ({ B: 0, H: 4, gates: at(x), gh: at(x), cPrev: at(x), c: at(x), tc: at(x), h: at(x) });
  console.log(`  … struct and views made per call         ${ns(() => be.lstmCellForward(lstmNew()))}`);
  console.log(`  axpy n=16                                ${ns(() => be.axpy(16, 1, v, at(x, 16)))}`);
}

// ---- GEMM -----------------------------------------------------------------------------------
const SHAPES = [
  // name, tA, tB, M, N, K   (PERF-NOTES shapes, and the layers' own orientation of them)
  ['S1 32×128·128×128', false, false, 32, 128, 128],
  ['S1ᵀ h·W_hhᵀ RNN-128', false, true, 32, 128, 128],
  ['S2 32×256·256×1024', false, false, 32, 1024, 256],
  ['S2ᵀ h·W_hhᵀ LSTM-256', false, true, 32, 1024, 256],
  ['S2b dgh·W_hh LSTM-256', false, false, 32, 256, 1024],
  ['S3 2048×128·128×65', false, false, 2048, 65, 128],
  ['S3ᵀ Linear 128→65', false, true, 2048, 65, 128],
  ['S4 128×1024·1024×1024', false, false, 128, 1024, 1024],
  ['B1 AᵀB 128×32·32×128', true, false, 128, 128, 32],
  ['B1 AᵀB 1024×32·32×256', true, false, 1024, 256, 32],
  ['dW_hh AᵀB K=2048 RNN-128', true, false, 128, 128, 2048],
  ['dW_hh AᵀB K=2048 LSTM-256', true, false, 1024, 256, 2048],
];

/** Max |C − C64| over a sample of entries, relative to Σ|a||b|: a wrong kernel is never timed. */
function validate({ tA, tB, M, N, K, A, B, C0, C }) {
  let worst = 0;
  for (let s = 0; s < 64; s++) {
    const i = (s * 7919) % M, j = (s * 104729) % N;
    let exact = C0[i * N + j], mag = Math.abs(exact);
    for (let k = 0; k < K; k++) {
      const a = tA ? A[k * M + i] : A[i * K + k], b = tB ? B[j * K + k] : B[k * N + j];
      exact += a * b; mag += Math.abs(a * b);
    }
    worst = Math.max(worst, Math.abs(C[i * N + j] - exact) / mag);
  }
  if (!(worst < 2 * (K + 2) * 2 ** -24)) throw new Error(`gemm ${M}×${N}×${K} tA=${tA} tB=${tB}: relative error ${worst}`);
}

if (only.includes('gemm')) {
  const be = getBackend('native');
  const paths = [['own 1t', 1, 1], ['own 2t', 1, 2], ...(info.blas ? [['OpenBLAS 1t', 2, 1], ['OpenBLAS 2t', 2, 2]] : []), ['auto', 0, 0]];
  const rounds = quick ? 2 : 5;
  console.log(`\nGEMM GFLOP/s (best of ${rounds} interleaved rounds; own = the ${info.isa} micro-kernel; auto = the per-shape choice)`);
  const rng = new Rng(1);
  const cases = SHAPES.map(([name, tA, tB, M, N, K]) => {
    const A = rand(rng, M * K), B = rand(rng, K * N), C0 = rand(rng, M * N), C = new Float32Array(M * N);
    return { name, tA, tB, M, N, K, A, B, C0, C, lda: tA ? M : K, ldb: tB ? K : N, flops: 2 * M * N * K, gf: paths.map(() => 0) };
  });
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      paths.forEach(([, mode, threads], p) => {
        addon.setGemm(mode, threads);
        const o = { tA: c.tA, tB: c.tB, M: c.M, N: c.N, K: c.K, alpha: 1, beta: 1,
          A: at(c.A), lda: c.lda, B: at(c.B), ldb: c.ldb, C: at(c.C), ldc: c.N };
        const call = () => be.gemm(o);
        if (r === 0) { c.C.set(c.C0); call(); validate(c); }
        const reps = Math.max(3, Math.ceil((quick ? 1e7 : 4e7) / c.flops));
        c.gf[p] = Math.max(c.gf[p], c.flops / best(call, reps, 3) / 1e9);
      });
    }
  }
  addon.setGemm(0, 0);
  console.log(`  ${'shape'.padEnd(28)}${paths.map(([p]) => p.padStart(12)).join('')}   auto takes`);
  for (const c of cases) {
    console.log(`  ${c.name.padEnd(28)}${c.gf.map((g) => g.toFixed(1).padStart(12)).join('')}   ${addon.plan(c.tA, c.tB, c.M, c.N, c.K)}`);
  }
}

// ---- training step ----------------------------------------------------------------------------
if (only.includes('train')) {
  const T = 64, B = 32, V = 65;
  console.log(`\ntraining step: T ${T}, B ${B}, one-hot V ${V} → layer → Linear ${V} → cross-entropy → backward (ms, best of N)`);
  for (const [label, Layer, H] of [['RNN-128', RNN, 128], ['LSTM-256', LSTM, 256]]) {
    const row = [];
    let cpuMs = 0;
    for (const device of ['cpu', 'native']) {
      setDefaultDevice(device); // Linear and cross-entropy run on the default device's host kernels
      const rng = new Rng(3);
      const layer = new Layer({ inputSize: V, hiddenSize: H, device, rng }), head = new Linear(H, V, { rng });
      const ids = new IntTensor(Int32Array.from({ length: T * B }, () => rng.int(V)), [T, B]);
      const targets = new IntTensor(Int32Array.from({ length: T * B }, () => rng.int(V)), [T, B]);
      const params = [...layer.parameters(), ...head.parameters()];
      let loss = 0;
      const stepOnce = () => {
        for (const p of params) p.grad?.fill(0);
        const l = crossEntropy(head.forward(layer.forward(ids).output), targets);
        l.backward();
        loss = l.data[0];
      };
      stepOnce(); // warm-up; then time
      const rounds = device === 'cpu' ? (quick ? 1 : 3) : (quick ? 5 : 20);
      const s = best(stepOnce, 1, rounds);
      if (!(Math.abs(loss - Math.log(V)) < 0.5)) throw new Error(`${label} on ${device}: loss ${loss}, expected ≈ ln ${V}`);
      if (device === 'cpu') cpuMs = s * 1e3;
      row.push(`${device} ${(s * 1e3).toFixed(2)} ms (${Math.round((T * B) / s).toLocaleString('en')} chars/s)`);
      if (device === 'native') row.push(`×${(cpuMs / (s * 1e3)).toFixed(0)}`);
    }
    console.log(`  ${label.padEnd(9)} ${row.join('   ')}`);
  }
  setDefaultDevice('auto');
}
