/**
 * brain.js 1.6.1 in one bench process. brain.js cannot take recur's weights nor run these exact
 * models, so nothing here is validated against the reference: its RNN uses ReLU, its input is a
 * learned embedding of the character (not a one-hot product), its LSTM carries no cell state from
 * step to step, it trains one sequence at a time (no minibatches) with an RMSprop-style update,
 * and its sampling stops on an end token and has been seen to loop forever (the orchestrator's
 * timeout guards every run). The numbers are its own models at the same sizes.
 *
 *   tsx bench/peers/brain.ts <case.json> '{"mode":"bench","variant":"brain","threads":1,"quick":true}'
 *
 * Legend: T time, B batch (sequences), H hidden.
 */
import { createRequire } from 'node:module';
import {
  type BenchResult, type ChildSpec, type LoadedCase, type SampleWorkload, type SeedWorkload, type TrainWorkload,
  CHARS, maxRssBytes, measure, runChild, timingOptions,
} from '../common.js';

/** The part of brain.js 1.6.1's API used here (its own typings do not cover the recurrent nets fully). */
interface CharNet {
  maxPredictionLength: number;
  model: { allMatrices: { weights: Float32Array }[]; equations: unknown[] };
  bindEquation(): void;
  train(data: string[], opts: { iterations: number; log?: boolean; learningRate?: number }): { error: number; iterations: number };
  formatDataIn(s: string): number[];
  trainPattern(input: number[], logErrorRate?: boolean): number | undefined;
  run(prefix?: string, isSampleI?: boolean, temperature?: number): string;
}
interface StepNet { initialize(): void; run(input: number[][]): number[] }
interface Brain {
  recurrent: {
    RNN: new (o: { hiddenLayers: number[] }) => CharNet;
    LSTM: new (o: { hiddenLayers: number[] }) => CharNet;
    RNNTimeStep: new (o: { inputSize: number; hiddenLayers: number[]; outputSize: number }) => StepNet;
  };
}
const brain = createRequire(import.meta.url)('brain.js') as Brain;
const VERSION = (createRequire(import.meta.url)('brain.js/package.json') as { version: string }).version;

const result = (c: LoadedCase, spec: ChildSpec, r: Partial<BenchResult>): BenchResult => ({
  peer: 'brain', variant: spec.variant, workload: c.workload.id, threads: 1,
  validation: { status: 'not validated', detail: '' }, best: null, median: null, rounds: 0, stepsPerRound: 0, maxRss: maxRssBytes(), notes: [], ...r,
});

const DIFFERENT = {
  rnn: 'different model (brain.js RNN: ReLU, a learned input embedding, one sequence at a time, RMSprop-style update; cannot take these weights)',
  lstm: 'different model (brain.js LSTM: no cell state carried between steps, a learned input embedding, one sequence at a time; cannot take these weights)',
};

/** The case's B sequences (columns of x (T, B)) as strings over the 65 characters. */
function sequences(c: LoadedCase, T: number, B: number): string[] {
  const x = c.i32('x');
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => CHARS[x[t * B + b]]).join(''));
}

function charNet(cell: 'rnn' | 'lstm', H: number): CharNet {
  return cell === 'lstm' ? new brain.recurrent.LSTM({ hiddenLayers: [H] }) : new brain.recurrent.RNN({ hiddenLayers: [H] });
}

function benchTrain(c: LoadedCase, spec: ChildSpec): BenchResult {
  const w = c.workload as TrainWorkload;
  const seqs = sequences(c, w.T, w.B);
  const net = charNet(w.cell, w.H);
  // one pass over all sequences sets the vocabulary up; learning rate 1e-3 (its default 1e-2 turns the ReLU RNN to NaN within a pass here)
  net.train(seqs, { iterations: 1, log: false, learningRate: 1e-3 });
  // a step is one sequence of T characters (brain.js has no minibatches): trainPattern is what train() runs per sequence,
  // minus train()'s NaN check, which would end the run if the weights diverge while timing
  const formatted = seqs.map((s) => net.formatDataIn(s));
  let k = 0;
  const t = measure(() => { net.trainPattern(formatted[k++ % formatted.length], true); }, timingOptions(spec.quick));
  const finite = net.model.allMatrices.every((m) => m.weights.every(Number.isFinite));
  return result(c, spec, {
    validation: { status: 'not validated', detail: DIFFERENT[w.cell] },
    // per B sequences, one after another: the B·T characters of the others' minibatch step
    best: t.best * w.B, median: t.median * w.B, rounds: t.rounds, stepsPerRound: t.stepsPerRound,
    notes: [`brain.js ${VERSION} recurrent.${w.cell === 'lstm' ? 'LSTM' : 'RNN'}({ hiddenLayers: [${w.H}] }), trainPattern on one ${w.T}-character sequence per step, learning rate 1e-3`
      + `; weights ${finite ? 'finite' : 'NOT finite (diverged)'} after timing`],
    maxRss: maxRssBytes(),
  });
}

function benchSeed(c: LoadedCase, spec: ChildSpec): BenchResult {
  const w = c.workload as SeedWorkload;
  const net = new brain.recurrent.RNNTimeStep({ inputSize: w.input, hiddenLayers: [w.units], outputSize: w.output });
  net.initialize();
  const xs = c.f32('xs_time'), n = xs.length / w.input;
  const inputs = Array.from({ length: n }, (_, s) => [Array.from(xs.subarray(s * w.input, (s + 1) * w.input))]);
  let k = 0;
  const t = measure(() => { net.run(inputs[k++ % n]); }, timingOptions(spec.quick));
  return result(c, spec, {
    validation: { status: 'not validated', detail: 'different model (brain.js RNNTimeStep: ReLU, biases, and run() starts from a zero state every call)' },
    ...t,
    notes: [`brain.js ${VERSION} recurrent.RNNTimeStep({ inputSize: ${w.input}, hiddenLayers: [${w.units}], outputSize: ${w.output} }).run([x]), one step`],
    maxRss: maxRssBytes(),
  });
}

function benchSample(c: LoadedCase, spec: ChildSpec): BenchResult {
  const w = c.workload as SampleWorkload;
  const net = charNet(w.cell, w.H);
  // run() hangs once it steps past the time steps training bound (brain.js 1.6.1), so they are bound ahead;
  // a pass at learning rate 0 sets the vocabulary up and leaves the initial weights (the orchestrator's timeout guards the rest)
  net.train([CHARS], { iterations: 1, log: false, learningRate: 0 });
  const want = spec.quick ? 500 : w.length;
  net.maxPredictionLength = want;
  while (net.model.equations.length < want + 2) net.bindEquation();
  // run() also stops when it draws the end token: keep generating until `want` characters came out
  let calls = 0;
  const generate = (): void => {
    let got = 0;
    while (got < want) { got += net.run('', true, 1).length + 1; calls++; }
  };
  const t = measure(generate, timingOptions(spec.quick));
  return result(c, spec, {
    validation: { status: 'not validated', detail: DIFFERENT[w.cell] },
    best: t.best / want, median: t.median / want, rounds: t.rounds, stepsPerRound: t.stepsPerRound * want,
    notes: [`brain.js ${VERSION} RNN.run('', true, 1) (sampling, temperature 1) repeated until ${want} characters; ${calls} run() calls in all (each stops at its end token)`],
    maxRss: maxRssBytes(),
  });
}

await runChild('brain', (c, spec) => {
  const k = c.workload.kind;
  return k === 'train' ? benchTrain(c, spec) : k === 'seed' ? benchSeed(c, spec) : benchSample(c, spec);
});
