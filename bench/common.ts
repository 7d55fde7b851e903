/**
 * What every TypeScript bench process shares: the workloads, the case files that carry identical
 * weights and data to every implementation, the timing protocol and the one-line result format.
 * (bench/peers/torch.py repeats the case reader, the timing protocol and the result line in Python.)
 *
 * Legend: T time, B batch, V vocabulary (one-hot input and output classes), H hidden, G gates
 * (RNN 1, LSTM 4).
 */
import { readFileSync, writeFileSync } from 'node:fs';

// ---- workloads ------------------------------------------------------------------------------------

export type CellKind = 'rnn' | 'lstm';

/** A character-model training step: one-hot V in, recurrent H, linear to V, softmax cross-entropy, Adam. */
export interface TrainWorkload { id: string; kind: 'train'; cell: CellKind; V: number; H: number; T: number; B: number; lr: number; clip: number; title: string }
/** One step of the seed's cell, h = tanh(W_hh·h + W_xh·x), y = W_hy·h, batch 1. */
export interface SeedWorkload { id: 'D'; kind: 'seed'; units: number; input: number; output: number; title: string }
/** Generating characters one at a time from model A (its weights). */
export interface SampleWorkload { id: 'E'; kind: 'sample'; cell: CellKind; V: number; H: number; length: number; greedy: number; title: string }
export type Workload = TrainWorkload | SeedWorkload | SampleWorkload;

/** The 65 characters of tiny-shakespeare: the vocabulary of every character model here. */
export const CHARS = '\n !$&\',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const train = (id: string, cell: CellKind, H: number, B: number, T: number, title: string): TrainWorkload =>
  ({ id, kind: 'train', cell, V: CHARS.length, H, T, B, lr: 2e-3, clip: 5, title });

export const WORKLOADS: Workload[] = [
  train('A', 'rnn', 128, 32, 64, 'A: RNN-128 training'),
  train('B', 'lstm', 256, 32, 64, 'B: LSTM-256 training'),
  train('C', 'rnn', 512, 32, 64, 'C: RNN-512 training'),
  { id: 'D', kind: 'seed', units: 16, input: 8, output: 4, title: 'D: seed cell, one step' },
  { id: 'E', kind: 'sample', cell: 'rnn', V: CHARS.length, H: 128, length: 2000, greedy: 200, title: 'E: sampling from model A' },
  train('L-RNN', 'rnn', 1024, 128, 16, 'L-RNN: RNN-1024, B 128, T 16'),
  train('L-LSTM', 'lstm', 1024, 128, 16, 'L-LSTM: LSTM-1024, B 128, T 16'),
];

export const gatesOf = (cell: CellKind): number => (cell === 'lstm' ? 4 : 1);

/**
 * Multiply-add FLOPs of one training step with the one-hot input as a gather (no FLOPs):
 * forward W_hh·h and the head; backward twice that (data and weight gradients).
 *   6·T·B·(G·H² + H·V)
 * The same count is used for every implementation, whatever extra work its own path does
 * (a dense one-hot product in PyTorch's nn.RNN and TensorFlow.js), so GFLOP/s compare like for like.
 */
export const trainFlops = (w: TrainWorkload): number => 6 * w.T * w.B * (gatesOf(w.cell) * w.H * w.H + w.H * w.V);

// ---- case files -----------------------------------------------------------------------------------

/** One tensor in a case's binary file. */
export interface CaseTensor { shape: number[]; dtype: 'f32' | 'i32'; offset: number }
/** Reference values a result is validated against (filled in before anything is timed). */
export interface CaseRef {
  /** Training: the loss of the first step (initial weights) and of the second (after one Adam step), same batch. */
  loss0?: number; loss1?: number; tol0?: number; tol1?: number;
  /**
   * loss1 when each layer has one bias (b_ih + b_hh in one parameter, as Keras layers have): Adam's
   * first step moves a single bias by lr where PyTorch's two move their sum by 2·lr, so loss1 differs.
   */
  loss1OneBias?: number;
  /** Seed cell: y of the validation steps, flattened; greedy sampling: the ids. */
  ys?: number[]; tolY?: number; greedy?: number[];
  /** Where the reference came from, and the cross-check against the other reference. */
  source?: string; crossCheck?: string;
}
export interface CaseFile { workload: Workload; bin: string; tensors: Record<string, CaseTensor>; ref: CaseRef; seed: number }

export interface LoadedCase extends CaseFile { f32(name: string): Float32Array; i32(name: string): Int32Array }

/** Writes `tensors` into `<base>.bin` and the manifest into `<base>.json`. */
export function writeCase(base: string, workload: Workload, seed: number, tensors: Record<string, { shape: number[]; data: Float32Array | Int32Array }>): CaseFile {
  const entries = Object.entries(tensors);
  const total = entries.reduce((n, [, t]) => n + t.data.byteLength, 0);
  const buf = Buffer.alloc(total);
  const manifest: CaseFile = { workload, bin: `${base}.bin`, tensors: {}, ref: {}, seed };
  let off = 0;
  for (const [name, t] of entries) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(buf, off);
    manifest.tensors[name] = { shape: t.shape, dtype: t.data instanceof Int32Array ? 'i32' : 'f32', offset: off };
    off += t.data.byteLength;
  }
  writeFileSync(manifest.bin, buf);
  writeFileSync(`${base}.json`, JSON.stringify(manifest));
  return manifest;
}

export function loadCase(path: string): LoadedCase {
  const c = JSON.parse(readFileSync(path, 'utf8')) as CaseFile;
  const bin = readFileSync(c.bin);
  const view = (name: string, want: 'f32' | 'i32'): { off: number; n: number } => {
    const t = c.tensors[name];
    if (t === undefined) throw new Error(`case ${path}: no tensor '${name}' (has ${Object.keys(c.tensors).join(', ')})`);
    if (t.dtype !== want) throw new Error(`case ${path}: tensor '${name}' is ${t.dtype}, expected ${want}`);
    return { off: bin.byteOffset + t.offset, n: t.shape.reduce((a, b) => a * b, 1) };
  };
  return {
    ...c,
    // copies, so every consumer owns aligned storage it may modify
    f32: (name) => { const v = view(name, 'f32'); return new Float32Array(bin.buffer.slice(v.off, v.off + 4 * v.n)); },
    i32: (name) => { const v = view(name, 'i32'); return new Int32Array(bin.buffer.slice(v.off, v.off + 4 * v.n)); },
  };
}

// ---- results --------------------------------------------------------------------------------------

export type ValidationStatus = 'ok' | 'failed' | 'not validated';
export interface Validation { status: ValidationStatus; detail: string }

/** What one child process reports (one JSON line, prefixed with RESULT_TAG). */
export interface BenchResult {
  peer: string;
  variant: string;
  workload: string;
  threads: number | null;
  validation: Validation;
  /** Seconds per step (training, seed cell) or per character (sampling): best round, median round. */
  best: number | null;
  median: number | null;
  rounds: number;
  stepsPerRound: number;
  /** Peak resident memory of the process, bytes. */
  maxRss: number;
  /** Backend description, thread facts, anything a reader needs to interpret the number. */
  notes: string[];
  /** PyTorch: the BLAS library the process really loaded (from /proc/self/maps), its configuration and threads. */
  blas?: { libraries: string[]; openblas?: string; core?: string; blasThreads?: number };
  /** Values a reference child computed (mode 'reference'). */
  reference?: CaseRef;
  error?: string;
}

export const RESULT_TAG = 'BENCH_RESULT ';

export function emit(r: BenchResult): void {
  process.stdout.write(`\n${RESULT_TAG}${JSON.stringify(r)}\n`);
}

export const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

// ---- validation -----------------------------------------------------------------------------------

/** Compares the first two training losses with the reference (`oneBias`: against its one-bias-per-layer variant). */
export function checkLosses(ref: CaseRef, loss0: number, loss1: number, oneBias = false): Validation {
  const r1 = oneBias ? ref.loss1OneBias : ref.loss1;
  if (ref.loss0 === undefined || r1 === undefined) return { status: 'failed', detail: `no reference losses${oneBias ? ' (one bias per layer)' : ''} in the case file` };
  const d0 = Math.abs(loss0 - ref.loss0), d1 = Math.abs(loss1 - r1);
  const ok = d0 <= (ref.tol0 ?? 0) && d1 <= (ref.tol1 ?? 0) && Number.isFinite(loss0 + loss1);
  return {
    status: ok ? 'ok' : 'failed',
    detail: `loss ${loss0.toFixed(6)} → ${loss1.toFixed(6)} after one step; reference (${ref.source}${oneBias ? ', one bias per layer as in Keras' : ''}) `
      + `${ref.loss0.toFixed(6)} → ${r1.toFixed(6)}; |Δ| ${d0.toExponential(1)}, ${d1.toExponential(1)} (tolerance ${ref.tol0}, ${ref.tol1})`,
  };
}

/** Compares the seed cell's outputs over the validation steps with the reference. */
export function checkOutputs(ref: CaseRef, ys: ArrayLike<number>): Validation {
  if (ref.ys === undefined) return { status: 'failed', detail: 'no reference outputs in the case file' };
  if (ys.length !== ref.ys.length) return { status: 'failed', detail: `expected ${ref.ys.length} outputs, got ${ys.length}` };
  let worst = 0, at = 0, scale = 0;
  for (let i = 0; i < ys.length; i++) {
    scale = Math.max(scale, Math.abs(ref.ys[i]));
    const d = Math.abs(ys[i] - ref.ys[i]);
    if (!(d <= worst)) { worst = d; at = i; }
  }
  const rel = worst / (scale || 1);
  return {
    status: rel <= (ref.tolY ?? 0) ? 'ok' : 'failed',
    detail: `${ys.length} outputs over the validation steps: largest |Δ| ${worst.toExponential(1)} at ${at} `
      + `(${rel.toExponential(1)} of the largest output; tolerance ${ref.tolY}) against ${ref.source}`,
  };
}

/** Compares greedy (temperature 0) generation with the reference's. */
export function checkGreedy(ref: CaseRef, ids: ArrayLike<number>): Validation {
  if (ref.greedy === undefined) return { status: 'failed', detail: 'no reference generation in the case file' };
  let same = 0;
  while (same < ref.greedy.length && same < ids.length && ids[same] === ref.greedy[same]) same++;
  return {
    status: same === ref.greedy.length ? 'ok' : 'failed',
    detail: `greedy generation: ${same} of ${ref.greedy.length} characters equal to ${ref.source}'s`
      + (same < ref.greedy.length ? ` (first difference at ${same}: ${ids[same]} vs ${ref.greedy[same]})` : ''),
  };
}

// ---- timing ---------------------------------------------------------------------------------------

export interface TimingOptions {
  /** Untimed calls after validation (which itself already ran the step). */
  warmup: number;
  /** Timed rounds; the best round's mean is the result (best-of-N). */
  rounds: number;
  /** A round repeats the step until at least this long. */
  minRoundMs: number;
  /** Stop adding rounds past this (at least two rounds are run when a step fits). */
  budgetMs: number;
}

export const timingOptions = (quick: boolean): TimingOptions =>
  (quick ? { warmup: 1, rounds: 2, minRoundMs: 30, budgetMs: 1500 } : { warmup: 2, rounds: 7, minRoundMs: 300, budgetMs: 12_000 });

export interface Timing { best: number; median: number; rounds: number; stepsPerRound: number }

const nowMs = (): number => performance.now();

/**
 * Best-of-N timing of `step` (seconds per call). One call is timed to size the rounds so each
 * lasts at least minRoundMs; rounds stop early once the budget is spent.
 */
export function measure(step: () => void, o: TimingOptions): Timing {
  let t0 = nowMs();
  // warm-up calls; one slower than a round is warm-up enough (validation already ran the step too)
  for (let i = 0; i < o.warmup; i++) { step(); if (nowMs() - t0 > o.minRoundMs) break; }
  t0 = nowMs();
  step();
  const one = Math.max(1e-3, nowMs() - t0);
  const reps = Math.max(1, Math.ceil(o.minRoundMs / one));
  // a step longer than a round is a round of its own: the sizing call counts (slow cells stay within the budget)
  const per: number[] = reps === 1 ? [one / 1000] : [];
  const start = nowMs();
  while (per.length < o.rounds) {
    t0 = nowMs();
    for (let i = 0; i < reps; i++) step();
    per.push((nowMs() - t0) / 1000 / reps);
    if (per.length >= 2 && nowMs() - start > o.budgetMs) break;
  }
  const sorted = [...per].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[Math.floor((sorted.length - 1) / 2)], rounds: per.length, stepsPerRound: reps };
}

// ---- child process arguments ------------------------------------------------------------------------

/** What the orchestrator passes a child: `<case.json> '<spec json>'`. */
export interface ChildSpec {
  mode: 'bench' | 'reference';
  variant: string;
  threads: number | null;
  quick: boolean;
}

export function childArgs(): { casePath: string; spec: ChildSpec } {
  const [casePath, specJson] = process.argv.slice(2);
  if (casePath === undefined || specJson === undefined) throw new Error(`usage: ${process.argv[1]} <case.json> '<spec json>'`);
  return { casePath, spec: JSON.parse(specJson) as ChildSpec };
}

/** Runs a child's main, turning an exception into a result line that says what went wrong. */
export async function runChild(peer: string, main: (c: LoadedCase, s: ChildSpec) => Promise<BenchResult> | BenchResult): Promise<void> {
  const { casePath, spec } = childArgs();
  let c: LoadedCase | null = null;
  try {
    c = loadCase(casePath);
    emit(await main(c, spec));
  } catch (e) {
    emit({
      peer, variant: spec.variant, workload: c?.workload.id ?? '?', threads: spec.threads,
      validation: { status: 'failed', detail: 'did not run' }, best: null, median: null, rounds: 0, stepsPerRound: 0,
      maxRss: maxRssBytes(), notes: [], error: (e as Error).stack ?? String(e),
    });
  }
  // a worker thread (wasm backends) must not keep the process alive
  process.exit(0);
}
