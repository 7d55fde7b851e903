/**
 * TensorFlow.js 4.22 in one bench process, on its 'cpu' or 'wasm' backend (no tfjs-node).
 *
 *   tsx bench/peers/tfjs.ts <case.json> '{"mode":"bench","variant":"wasm","threads":1,"quick":true}'
 *
 * Training uses tfjs-layers, the library's user path: a sequential model of simpleRNN or lstm
 * (returnSequences, recurrentActivation 'sigmoid' to match PyTorch, not the default 'hardSigmoid')
 * and a dense head, on a one-hot (B, T, V) input made once; the loss is softmaxCrossEntropy, the
 * gradients come from tf.variableGrads, are clipped by their global norm and applied by
 * tf.train.adam. Weights are the case's (PyTorch layout), transposed into Keras's (kernel (D, G·H),
 * recurrentKernel (H, G·H), one bias b_ih + b_hh; LSTM gates i, f, c, o like PyTorch's i, f, g, o).
 * Sampling and the seed cell use tfjs-core ops step by step (a layers model per character would be
 * far slower). Legend: T time, B batch, V vocabulary, H hidden, G gates.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import {
  type BenchResult, type ChildSpec, type LoadedCase, type SampleWorkload, type SeedWorkload, type TrainWorkload,
  CHARS, checkGreedy, checkLosses, checkOutputs, maxRssBytes, measure, runChild, timingOptions,
} from '../common.js';

const result = (c: LoadedCase, spec: ChildSpec, r: Partial<BenchResult>): BenchResult => ({
  peer: 'tfjs', variant: spec.variant, workload: c.workload.id, threads: spec.threads,
  validation: { status: 'failed', detail: '' }, best: null, median: null, rounds: 0, stepsPerRound: 0, maxRss: maxRssBytes(), notes: [], ...r,
});

/** (rows, cols) row-major → its transpose, as a tfjs tensor. */
function transposed(a: Float32Array, rows: number, cols: number): tf.Tensor2D {
  const t = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return tf.tensor2d(t, [cols, rows]);
}

async function setup(spec: ChildSpec): Promise<string[]> {
  if (spec.variant === 'wasm') setThreadsCount(spec.threads ?? 1);
  if (!(await tf.setBackend(spec.variant))) throw new Error(`tfjs: backend '${spec.variant}' did not initialise`);
  await tf.ready();
  const notes = [`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}`];
  if (spec.variant === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    notes.push(`wasm SIMD ${simd ? 'on' : 'off'}, threads ${mt ? 'on' : 'off (tfjs disables them under Node)'}`);
  }
  return notes;
}

// ---- A, B, C, L: a training step ------------------------------------------------------------------

async function benchTrain(c: LoadedCase, spec: ChildSpec): Promise<BenchResult> {
  const w = c.workload as TrainWorkload, { T, B, V, H } = w, G = w.cell === 'lstm' ? 4 : 1;
  const notes = await setup(spec);
  // zero initialisers: the case's weights replace them (the default orthogonal one takes minutes at H 1024 on 'cpu')
  const init = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;
  const rnn = w.cell === 'lstm'
    ? tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, V], ...init })
    : tf.layers.simpleRNN({ units: H, returnSequences: true, inputShape: [T, V], ...init });
  const head = tf.layers.dense({ units: V, kernelInitializer: 'zeros' });
  const model = tf.sequential({ layers: [rnn, head] });
  const bih = c.f32('rnn.bias_ih_l0'), bhh = c.f32('rnn.bias_hh_l0');
  rnn.setWeights([
    transposed(c.f32('rnn.weight_ih_l0'), G * H, V), transposed(c.f32('rnn.weight_hh_l0'), G * H, H),
    tf.tensor1d(bih.map((v, i) => v + bhh[i])),
  ]);
  head.setWeights([transposed(c.f32('head.weight'), V, H), tf.tensor1d(c.f32('head.bias'))]);

  // the case's (T, B) ids as batch-major one-hot tensors, made once
  const x = c.i32('x'), y = c.i32('y');
  const batchMajor = (ids: Int32Array) => tf.tensor2d(Int32Array.from({ length: T * B }, (_, k) => ids[(k % T) * B + Math.floor(k / T)]), [B, T], 'int32');
  const xs = tf.tidy(() => tf.oneHot(batchMajor(x), V).toFloat());
  const ys = tf.tidy(() => tf.oneHot(batchMajor(y), V).toFloat());
  const opt = tf.train.adam(w.lr, 0.9, 0.999, 1e-8);

  const step = (): number => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar);
      // clip by the global norm, as torch.nn.utils.clip_grad_norm_ (max_norm / (norm + 1e-6))
      const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(1, tf.div(w.clip, tf.add(norm, 1e-6)));
      opt.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])));
      return value;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  };
  const loss0 = step(), loss1 = step();
  const validation = checkLosses(c.ref, loss0, loss1, true);
  if (validation.status !== 'ok') return result(c, spec, { validation, notes });
  const t = measure(() => { step(); }, timingOptions(spec.quick));
  notes.push(`tf.layers ${w.cell === 'lstm' ? 'lstm' : 'simpleRNN'} + dense on a one-hot input, variableGrads, global-norm clip, tf.train.adam; ${tf.memory().numTensors} live tensors after timing`);
  return result(c, spec, { validation, ...t, notes, maxRss: maxRssBytes() });
}

// ---- D: one step of the seed's cell ----------------------------------------------------------------

async function benchSeed(c: LoadedCase, spec: ChildSpec): Promise<BenchResult> {
  const w = c.workload as SeedWorkload, U = w.units, I = w.input, O = w.output;
  const notes = await setup(spec);
  const Wxh = tf.tensor2d(c.f32('W_xh'), [U, I]), Whh = tf.tensor2d(c.f32('W_hh'), [U, U]), Why = tf.tensor2d(c.f32('W_hy'), [O, U]);
  let h: tf.Tensor2D = tf.zeros([U, 1]);
  /** h = tanh(W_hh·h + W_xh·x), y = W_hy·h */
  const step = (x: tf.Tensor2D): tf.Tensor2D => {
    const [hNew, y] = tf.tidy(() => {
      const hn = tf.tanh(tf.add(tf.matMul(Whh, h), tf.matMul(Wxh, x)));
      return [hn, tf.matMul(Why, hn)];
    });
    h.dispose();
    h = hNew as tf.Tensor2D;
    return y as tf.Tensor2D;
  };
  const xsVal = c.f32('xs_val'), xsTime = c.f32('xs_time');
  const ys: number[] = [];
  for (let s = 0; s < xsVal.length / I; s++) {
    const x = tf.tensor2d(xsVal.slice(s * I, (s + 1) * I), [I, 1]);
    const y = step(x);
    ys.push(...y.dataSync());
    x.dispose(); y.dispose();
  }
  const validation = checkOutputs(c.ref, ys);
  if (validation.status !== 'ok') return result(c, spec, { validation, notes });
  const xs = Array.from({ length: xsTime.length / I }, (_, s) => tf.tensor2d(xsTime.slice(s * I, (s + 1) * I), [I, 1]));
  let k = 0;
  const t = measure(() => { step(xs[k++ % xs.length]).dispose(); }, timingOptions(spec.quick));
  notes.push('tfjs-core matMul/add/tanh under tf.tidy, batch 1');
  return result(c, spec, { validation, ...t, notes, maxRss: maxRssBytes() });
}

// ---- E: sampling one character at a time ------------------------------------------------------------

async function benchSample(c: LoadedCase, spec: ChildSpec): Promise<BenchResult> {
  const w = c.workload as SampleWorkload, { V, H } = w;
  const notes = await setup(spec);
  const WxT = transposed(c.f32('rnn.weight_ih_l0'), H, V), WhhT = transposed(c.f32('rnn.weight_hh_l0'), H, H);
  const bih = c.f32('rnn.bias_ih_l0'), bhh = c.f32('rnn.bias_hh_l0');
  const b = tf.tensor2d(bih.map((v, i) => v + bhh[i]), [1, H]);
  const WyT = transposed(c.f32('head.weight'), V, H), by = tf.tensor2d(c.f32('head.bias'), [1, V]);
  let rng = 1;
  const uniform = () => ((rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0) / 4294967296);

  const generate = (n: number, greedy: boolean): number[] => {
    let h: tf.Tensor2D = tf.zeros([1, H]), id = CHARS.indexOf('\n');
    const out: number[] = [];
    for (let s = 0; s < n; s++) {
      const [hNew, logitsT] = tf.tidy(() => {
        const hn = tf.tanh(tf.add(tf.add(tf.gather(WxT, [id]), tf.matMul(h, WhhT)), b));
        return [hn, tf.add(tf.matMul(hn, WyT), by)];
      });
      h.dispose();
      h = hNew as tf.Tensor2D;
      const L = logitsT.dataSync();
      logitsT.dispose();
      let best = 0;
      for (let v = 1; v < V; v++) if (L[v] > L[best]) best = v;
      if (greedy) id = best;
      else {
        let sum = 0;
        const p = new Float64Array(V);
        for (let v = 0; v < V; v++) sum += (p[v] = Math.exp(L[v] - L[best]));
        let u = uniform() * sum;
        id = V - 1;
        for (let v = 0; v < V; v++) { u -= p[v]; if (u <= 0) { id = v; break; } }
      }
      out.push(id);
    }
    h.dispose();
    return out;
  };
  const validation = checkGreedy(c.ref, generate(w.greedy, true));
  if (validation.status !== 'ok') return result(c, spec, { validation, notes });
  const length = spec.quick ? 500 : w.length;
  const t = measure(() => { generate(length, false); }, timingOptions(spec.quick));
  notes.push('tfjs-core gather/matMul/tanh per character under tf.tidy, logits read back, sampled in JS');
  return result(c, spec, {
    validation, best: t.best / length, median: t.median / length, rounds: t.rounds, stepsPerRound: t.stepsPerRound * length, notes, maxRss: maxRssBytes(),
  });
}

await runChild('tfjs', (c, spec) => {
  const k = c.workload.kind;
  return k === 'train' ? benchTrain(c, spec) : k === 'seed' ? benchSeed(c, spec) : benchSample(c, spec);
});
