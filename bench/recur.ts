/**
 * recur in one bench process: one workload on one device, through the library's user path
 * (CharLM + crossEntropy + Adam + clipGradNorm as in src/tasks/text/train.ts; Sampler; MyRNNCell),
 * validated against the reference in the case file, then timed. Mode 'reference' computes that
 * reference instead, in float64 on the plain-TypeScript kernels.
 *
 *   tsx bench/recur.ts <case.json> '{"mode":"bench","variant":"wasm","threads":1,"quick":true}'
 *
 * Variants: cpu (reference kernels), wasm (threads 1 or 2), native (threads from the environment,
 * RECUR_NATIVE_THREADS, which the orchestrator sets; null = the backend's own choice per shape).
 * Legend: T time, B batch, V vocabulary, H hidden.
 */
import {
  type BenchResult, type ChildSpec, type LoadedCase, type SampleWorkload, type SeedWorkload, type TrainWorkload,
  CHARS, checkGreedy, checkLosses, checkOutputs, maxRssBytes, measure, runChild, timingOptions,
} from './common.js';
import {
  Adam, CharLM, LSTM, Linear, Module, MyRNNCell, RNN, RecurrentStepper, Rng, Sampler, Tensor, Vocab,
  clipGradNorm, crossEntropy, getBackend, listDevices, nativeInfo, noGrad, registerBackend, setDefaultDevice,
} from '../src/node.js';
import type { DeviceName } from '../src/kernels/backend.js';
import { WasmBackend } from '../src/kernels/wasm/index.js';
import { IntTensor } from '../src/tensor/tensor.js';

// ---- devices --------------------------------------------------------------------------------------

/** Selects the device for this process; wasm with 1 thread is the backend's own `threads: 1` option. */
async function useDevice(spec: ChildSpec): Promise<{ device: DeviceName; notes: string[] }> {
  const device = spec.variant as DeviceName;
  const info = listDevices().find((d) => d.name === device);
  if (!info) throw new Error(`recur: no device '${device}' (have ${listDevices().map((d) => d.name).join(', ')})`);
  if (!info.available) throw new Error(`recur: device '${device}' is unavailable here: ${info.reason}`);
  if (device === 'wasm' && spec.threads === 1) {
    registerBackend({ name: 'wasm', priority: 1, unavailableReason: () => null, create: () => new WasmBackend({ threads: 1 }) });
  }
  const be = setDefaultDevice(device);
  const notes = [be.description];
  if (device === 'wasm' && spec.threads === 2) {
    if ((be as WasmBackend).threads !== 2) throw new Error(`recur: asked for 2 wasm threads, got ${be.description}`);
    if (!(await (be as WasmBackend).whenReady())) throw new Error('recur: the wasm worker thread did not start');
  }
  if (device === 'native') {
    const n = nativeInfo();
    notes.push(`native GEMM ${n?.gemm}, threads ${n?.threads === 0 ? 'per shape (auto)' : n?.threads}, OpenBLAS ${n?.blas?.version ?? n?.blasError ?? 'none'}`);
  }
  return { device, notes };
}

/** How the wasm worker fared while timing (it stands down when a neighbour takes its core). */
function teamNote(device: DeviceName): string[] {
  if (device !== 'wasm') return [];
  const be = getBackend('wasm') as WasmBackend;
  if (be.threads < 2) return [];
  const s = be.teamStats;
  return [`wasm worker: ${be.workerJobs} kernel halves run, ${s.takenBack} taken back, ${s.standDowns} stand-downs`];
}

const result = (c: LoadedCase, spec: ChildSpec, r: Partial<BenchResult>): BenchResult => ({
  peer: 'recur', variant: spec.variant, workload: c.workload.id, threads: spec.threads,
  validation: { status: 'failed', detail: '' }, best: null, median: null, rounds: 0, stepsPerRound: 0, maxRss: maxRssBytes(), notes: [], ...r,
});

// ---- A, B, C, L: a training step ------------------------------------------------------------------

/** The weights of the case as a state dict (names and layouts are PyTorch's, as recur's are). */
function stateOf(c: LoadedCase): Record<string, { shape: number[]; data: Float32Array }> {
  return Object.fromEntries(Object.entries(c.tensors).filter(([k]) => k.startsWith('rnn.') || k.startsWith('head.'))
    .map(([k, t]) => [k, { shape: t.shape, data: c.f32(k) }]));
}

/** The float64 twin of CharLM (which is float32 only): the same parameters, names and math. */
class ReferenceLM extends Module {
  readonly rnn: RNN | LSTM;
  readonly head: Linear;
  constructor(w: TrainWorkload | SampleWorkload) {
    super();
    const o = { inputSize: w.V, hiddenSize: w.H, dtype: 'float64' as const, device: 'cpu' as const, rng: new Rng(0) };
    this.rnn = this.module('rnn', w.cell === 'lstm' ? new LSTM(o) : new RNN(o));
    this.head = this.module('head', new Linear(w.H, w.V, { dtype: 'float64', rng: new Rng(0) }));
  }
}

async function benchTrain(c: LoadedCase, spec: ChildSpec): Promise<BenchResult> {
  const w = c.workload as TrainWorkload, { T, B } = w;
  const x = new IntTensor(c.i32('x'), [T, B]), y = new IntTensor(c.i32('y'), [T, B]);
  let step: () => number, notes: string[], device: DeviceName | null = null;
  if (spec.mode === 'reference') {
    /** The float64 model; `oneBias`: b_ih + b_hh as one trained bias (b_hh held at 0), as Keras layers have it. */
    const reference = (oneBias: boolean): (() => number) => {
      const model = new ReferenceLM(w).loadStateDict(stateOf(c));
      const { bih, bhh } = model.rnn.weights[0];
      if (oneBias) { for (let i = 0; i < bih!.size; i++) bih!.data[i] += bhh!.data[i]; bhh!.data.fill(0); }
      const opt = new Adam(model.parameters().filter((p) => !oneBias || p !== bhh), { lr: w.lr });
      return () => {
        const loss = crossEntropy(model.head.forward(model.rnn.forward(x).output), y);
        opt.zeroGrad(); loss.backward(); clipGradNorm(opt.params, w.clip); opt.step();
        return loss.item();
      };
    };
    const one = reference(true);
    one();
    const loss1OneBias = one();
    step = reference(false);
    const loss0 = step(), loss1 = step();
    return result(c, spec, { validation: { status: 'ok', detail: 'reference' }, reference: { loss0, loss1, loss1OneBias }, notes: ['float64, reference kernels (cpu)'] });
  } else {
    const d = await useDevice(spec);
    device = d.device; notes = d.notes;
    // the user path of src/tasks/text/train.ts: CharLM (one-hot input as a gather), cross-entropy, Adam, clipping
    const model = new CharLM({ cell: w.cell, vocab: w.V, hidden: w.H, layers: 1, dropout: 0, embed: 0 }, new Rng(0), device);
    model.loadStateDict(stateOf(c));
    model.train();
    const opt = new Adam(model.parameters(), { lr: w.lr });
    step = () => {
      const r = model.forward(x);
      const loss = crossEntropy(r.logits, y);
      opt.zeroGrad(); loss.backward(); clipGradNorm(opt.params, w.clip); opt.step();
      return loss.item();
    };
  }
  // validation: the first step's loss (initial weights) and the second's (after one Adam step)
  const loss0 = step(), loss1 = step();
  const validation = checkLosses(c.ref, loss0, loss1);
  if (validation.status !== 'ok') return result(c, spec, { validation, notes });
  const t = measure(() => { step(); }, timingOptions(spec.quick));
  return result(c, spec, { validation, ...t, notes: [...notes, ...teamNote(device!)], maxRss: maxRssBytes() });
}

// ---- D: one step of the seed's cell ----------------------------------------------------------------

/** A stepper as `cell.stepper()` may offer it: one step on a plain array, returning y (or [y, h], or { y }). */
interface MaybeStepper { step(x: Float32Array): unknown }
type WithStepper = MyRNNCell & { stepper?: (device?: DeviceName) => MaybeStepper };

const outputOf = (r: unknown): ArrayLike<number> | null => {
  if (r instanceof Float32Array || r instanceof Float64Array) return r;
  if (r instanceof Tensor) return r.data;
  if (Array.isArray(r)) return outputOf(r[0]);
  if (r !== null && typeof r === 'object' && 'y' in r) return outputOf((r as { y: unknown }).y);
  return null;
};

async function benchSeed(c: LoadedCase, spec: ChildSpec): Promise<BenchResult> {
  const w = c.workload as SeedWorkload, U = w.units, I = w.input, O = w.output;
  const xsVal = c.f32('xs_val'), xsTime = c.f32('xs_time');
  const nVal = xsVal.length / I, nTime = xsTime.length / I;
  const state = { W_xh: { shape: [U, I], data: c.f32('W_xh') }, W_hh: { shape: [U, U], data: c.f32('W_hh') }, W_hy: { shape: [O, U], data: c.f32('W_hy') } };

  if (spec.mode === 'reference') {
    // the seed's own forward, on float64 tensors
    const cell = new MyRNNCell(U, I, O, new Rng(0));
    const f64 = (d: Float32Array, shape: number[]) => new Tensor(Float64Array.from(d), shape, true);
    cell.W_xh = f64(state.W_xh.data, state.W_xh.shape); cell.W_hh = f64(state.W_hh.data, state.W_hh.shape); cell.W_hy = f64(state.W_hy.data, state.W_hy.shape);
    cell.h = new Tensor(new Float64Array(U), [U, 1]);
    const ys: number[] = [];
    noGrad(() => { for (let s = 0; s < nVal; s++) ys.push(...cell.forward(new Tensor(Float64Array.from(xsVal.subarray(s * I, (s + 1) * I)), [I, 1]))[0].data); });
    return result(c, spec, { validation: { status: 'ok', detail: 'reference' }, reference: { ys }, notes: ['float64 tensors through the seed cell\'s forward'] });
  }

  const { device, notes } = await useDevice(spec);
  const cell = new MyRNNCell(U, I, O, new Rng(0)) as WithStepper;
  cell.loadStateDict({ ...state, h: { shape: [U, 1], data: new Float32Array(U) } });
  const xArrays = Array.from({ length: nTime }, (_, s) => xsTime.slice(s * I, (s + 1) * I));
  const xTensors = xArrays.map((a) => new Tensor(a, [I, 1]));
  const opts = timingOptions(spec.quick);

  // the autograd forward, as the seed runs it: without a tape (inference) and with one (training, state detached)
  const autogradVal = (): number[] => {
    cell.resetState();
    const ys: number[] = [];
    noGrad(() => { for (let s = 0; s < nVal; s++) ys.push(...cell.forward(new Tensor(xsVal.slice(s * I, (s + 1) * I), [I, 1]))[0].data); });
    return ys;
  };
  let k = 0;
  const autogradNoTape = () => { noGrad(() => cell.forward(xTensors[k++ % nTime])); };
  const autogradTape = () => { cell.forward(xTensors[k++ % nTime]); cell.detachState(); };

  let path: string, validation, timing;
  if (typeof cell.stepper === 'function') {
    path = `cell.stepper('${device}')`;
    const st = cell.stepper(device);
    const ys: number[] = [];
    for (let s = 0; s < nVal; s++) {
      const y = outputOf(st.step(xsVal.slice(s * I, (s + 1) * I)));
      if (y === null || y.length !== O) throw new Error(`recur: cell.stepper().step(x) returned ${String(y)}; expected y of ${O} values`);
      ys.push(...Array.from(y));
    }
    validation = checkOutputs(c.ref, ys);
    if (validation.status === 'ok') { k = 0; timing = measure(() => { st.step(xArrays[k++ % nTime]); }, opts); }
  } else {
    path = 'autograd forward under noGrad (no cell.stepper() in this tree)';
    validation = checkOutputs(c.ref, autogradVal());
    if (validation.status === 'ok') timing = measure(autogradNoTape, opts);
  }
  // the autograd forward is timed as well, for the record
  const again = checkOutputs(c.ref, autogradVal());
  const extra: string[] = [];
  if (again.status === 'ok') {
    const a = measure(autogradNoTape, opts), b = measure(autogradTape, opts);
    extra.push(`autograd forward: ${(a.best * 1e6).toFixed(2)} µs/step without a tape (noGrad), ${(b.best * 1e6).toFixed(2)} µs with one (state detached each step)`);
  } else extra.push(`autograd forward failed validation: ${again.detail}`);
  return result(c, spec, { validation, ...(timing ?? {}), notes: [`path: ${path}`, ...notes, ...extra, ...teamNote(device)], maxRss: maxRssBytes() });
}

// ---- E: sampling one character at a time ------------------------------------------------------------

async function benchSample(c: LoadedCase, spec: ChildSpec): Promise<BenchResult> {
  const w = c.workload as SampleWorkload;
  const vocab = new Vocab('char', Array.from(CHARS), []);
  if (spec.mode === 'reference') {
    const ref = new ReferenceLM(w).loadStateDict(stateOf(c));
    const stepper = new RecurrentStepper(ref.rnn, 1), W = ref.head.weight.data, b = ref.head.bias!.data;
    const logits = new Float64Array(w.V), greedy: number[] = [];
    // as Sampler does: prime with '\n', then take the most likely character each time
    let id = vocab.id('\n');
    for (let s = 0; s < w.greedy; s++) {
      const h = stepper.step(id);
      for (let v = 0; v < w.V; v++) { let a = b[v]; for (let j = 0; j < w.H; j++) a += W[v * w.H + j] * h[j]; logits[v] = a; }
      id = 0;
      for (let v = 1; v < w.V; v++) if (logits[v] > logits[id]) id = v;
      greedy.push(id);
    }
    return result(c, spec, { validation: { status: 'ok', detail: 'reference' }, reference: { greedy }, notes: ['float64 stepper, head and argmax in plain loops'] });
  }
  const { device, notes } = await useDevice(spec);
  const model = new CharLM({ cell: w.cell, vocab: w.V, hidden: w.H, layers: 1, dropout: 0, embed: 0 }, new Rng(0), device);
  model.loadStateDict(stateOf(c));
  model.eval();
  const sampler = new Sampler(model, vocab);
  const greedy = vocab.encode(Array.from(sampler.sample({ temperature: 0, length: w.greedy }).text));
  const validation = checkGreedy(c.ref, greedy);
  if (validation.status !== 'ok') return result(c, spec, { validation, notes });
  const length = spec.quick ? 500 : w.length;
  let seed = 1;
  const t = measure(() => { sampler.sample({ length, temperature: 1, seed: seed++ }); }, timingOptions(spec.quick));
  return result(c, spec, {
    validation, best: t.best / length, median: t.median / length, rounds: t.rounds, stepsPerRound: t.stepsPerRound * length,
    notes: [`Sampler.sample, ${length} characters a call, temperature 1`, ...notes, ...teamNote(device)], maxRss: maxRssBytes(),
  });
}

await runChild('recur', (c, spec) => {
  const k = c.workload.kind;
  return k === 'train' ? benchTrain(c, spec) : k === 'seed' ? benchSeed(c, spec) : benchSample(c, spec);
});

