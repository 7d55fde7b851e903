/**
 * Turning bench results into tables: throughput, recur/peer ratios, peak memory, validation and
 * the speed issue's targets, for the terminal and for BENCHMARKS.md.
 *
 * Units: training chars/s = B·T / step time; L-* shapes GFLOP/s (6·T·B·(G·H² + H·V) per step) and
 * the fraction of the float32 FMA peak for the thread count used; D µs per step; E chars/s.
 */
import { type BenchResult, type CaseRef, type Workload, trainFlops } from './common.js';

export interface Impl {
  key: string;
  peer: 'recur' | 'torch' | 'tfjs' | 'brain';
  variant: string;
  /** null: the implementation's own choice (recur native: per shape, ≤ 2). */
  threads: number | null;
  label: string;
  env?: Record<string, string>;
  /** Workloads this implementation does not run, with the reason. */
  skip?: Record<string, string>;
}

export interface Row {
  impl: Impl;
  workload: Workload;
  result: BenchResult | null;
  /** Why there is no number: a crash, a timeout. */
  error: string | null;
  /** Why it was not run: unavailable peer, time budget, no such model. */
  skip: string | null;
  /** 1-minute load average when the cell started. */
  load: number;
  ms: number;
}

export interface Peak { one: number; two: number; source: string }

export interface Machine {
  cpu: string; isa: string; cores: string; nproc: string; memory: string; node: string; python: string; debian: string;
  blasAlternative: string; npm: string; command: string; loadBefore: number[]; loadAfter: number[]; date: string;
}

// ---- values ---------------------------------------------------------------------------------------

/** A timed, valid (or honestly not validatable) result. */
const timed = (r: Row): BenchResult | null =>
  r.result && r.result.best !== null && r.result.validation.status !== 'failed' && !r.error ? r.result : null;

/** Higher is better: chars/s, GFLOP/s, or steps/s for D. */
export function value(r: Row): number | null {
  const res = timed(r);
  if (!res) return null;
  const w = r.workload, s = res.best!;
  if (w.kind === 'train') return w.id.startsWith('L-') ? trainFlops(w) / s / 1e9 : (w.B * w.T) / s;
  return 1 / s;
}

const peakFor = (r: Row, p: Peak): number => (r.impl.threads === 1 ? p.one : p.two);

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const sig = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The number a cell shows, with its unit where the column does not say it. */
function show(r: Row, p: Peak): string {
  const v = value(r);
  if (v === null) return status(r);
  const w = r.workload, mark = r.result!.validation.status === 'not validated' ? ' †' : '';
  if (w.kind === 'seed') return `${(1e6 / v).toFixed(v > 1e6 ? 3 : 2)} µs${mark}`;
  if (w.id.startsWith('L-')) return `${sig(v)} (${((100 * v) / peakFor(r, p)).toFixed(0)}%)${mark}`;
  return `${int(v)}${mark}`;
}

function status(r: Row): string {
  if (r.skip) return r.skip.startsWith('cannot run') ? 'cannot run' : 'not run';
  if (r.error) return r.error.startsWith('timed out') ? 'timed out' : 'error';
  if (r.result?.validation.status === 'failed') return 'INVALID';
  return '–';
}

const find = (rows: Row[], key: string, id: string): Row | undefined => rows.find((r) => r.impl.key === key && r.workload.id === id);

const ratioText = (a: number | null, b: number | null): string => (a === null || b === null ? '–' : `${a / b >= 10 ? (a / b).toFixed(0) : (a / b).toFixed(2)}×`);

// ---- tables ---------------------------------------------------------------------------------------

const unitOf = (w: Workload): string =>
  w.kind === 'seed' ? 'µs/step' : w.id.startsWith('L-') ? 'GFLOP/s (% of peak)' : 'chars/s';

/** A Markdown table, readable as plain text too; numbers right-aligned, `textColumns` left-aligned like the first. */
function table(head: string[], body: string[][], textColumns = 1): string {
  const all = [head, ...body];
  const width = head.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const left = (j: number) => j < textColumns;
  const line = (r: string[]) => `| ${r.map((c, j) => (left(j) ? c.padEnd(width[j]) : c.padStart(width[j]))).join(' | ')} |`;
  return [line(head), `|${width.map((n, j) => (left(j) ? `:${'-'.repeat(n + 1)}` : `${'-'.repeat(n + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

function throughputTable(rows: Row[], workloads: Workload[], impls: Impl[], p: Peak): string {
  return table(['', ...workloads.map((w) => `${w.id} ${unitOf(w)}`)],
    impls.map((i) => [i.label, ...workloads.map((w) => { const r = find(rows, i.key, w.id); return r ? show(r, p) : '–'; })]));
}

function memoryTable(rows: Row[], workloads: Workload[], impls: Impl[]): string {
  return table(['peak RSS, MB', ...workloads.map((w) => w.id)],
    impls.map((i) => [i.label, ...workloads.map((w) => {
      const r = find(rows, i.key, w.id);
      return r?.result && !r.skip ? (r.result.maxRss / 1048576).toFixed(0) : '–';
    })]));
}

function ratioTable(rows: Row[], workloads: Workload[], impls: Impl[], mine: string): string {
  const peers = impls.filter((i) => i.peer !== 'recur');
  return table([`${impls.find((i) => i.key === mine)?.label ?? mine} ÷`, ...workloads.map((w) => w.id)],
    peers.map((i) => [i.label, ...workloads.map((w) => {
      const a = find(rows, mine, w.id), b = find(rows, i.key, w.id);
      return ratioText(a ? value(a) : null, b ? value(b) : null);
    })]));
}

function validationTable(rows: Row[], workloads: Workload[], impls: Impl[]): string {
  const mark = (r: Row | undefined): string => {
    if (!r || r.skip) return '–';
    if (r.error && !r.result) return 'error';
    const s = r.result?.validation.status;
    return s === 'ok' ? '✓' : s === 'not validated' ? 'n.v.' : s === 'failed' ? '✗' : '?';
  };
  return table(['', ...workloads.map((w) => w.id)], impls.map((i) => [i.label, ...workloads.map((w) => mark(find(rows, i.key, w.id)))]));
}

// ---- targets --------------------------------------------------------------------------------------

export interface Target { what: string; verdict: string }

function targets(rows: Row[], workloads: Workload[]): Target[] {
  const out: Target[] = [];
  const has = (id: string) => workloads.some((w) => w.id === id);
  const v = (key: string, id: string): number | null => { const r = find(rows, key, id); return r ? value(r) : null; };
  const bestOf = (keys: string[], id: string): { v: number | null; key: string } => {
    let best: { v: number | null; key: string } = { v: null, key: keys[0] };
    for (const k of keys) { const x = v(k, id); if (x !== null && (best.v === null || x > best.v)) best = { v: x, key: k }; }
    return best;
  };
  const verdict = (ratio: number | null, need: number, what: string): string => {
    if (ratio === null) return `not measured (${what})`;
    return ratio >= need ? `**met**: ${ratio.toFixed(2)}× (${what})`
      : `**missed**: ${ratio.toFixed(2)}× of ${need}× — needs ${(need / ratio).toPrecision(3)}× more (${what})`;
  };
  const torch2 = ['torch-nn-2', 'torch-loop-2'];
  for (const id of ['A', 'B', 'C'].filter(has)) {
    const t = bestOf(torch2, id), r = v('recur-native', id);
    out.push({ what: `Training ${id} ≥ 1.0× PyTorch (OpenBLAS, 2 threads)`, verdict: verdict(r !== null && t.v !== null ? r / t.v : null, 1, `recur native default vs the faster PyTorch variant, ${t.key}`) });
  }
  if (has('A')) {
    const t = bestOf(torch2, 'A'), r = v('recur-wasm-2', 'A');
    out.push({ what: 'WASM backend alone ≥ 0.5× PyTorch on A', verdict: verdict(r !== null && t.v !== null ? r / t.v : null, 0.5, `recur wasm 2 threads vs ${t.key}`) });
  }
  for (const id of ['A', 'B', 'C'].filter(has)) {
    const r = v('recur-native', id), t = v('tfjs-wasm', id), rw = v('recur-wasm-2', id);
    out.push({ what: `${id}: ≥ 30× TensorFlow.js wasm`, verdict: `${verdict(r !== null && t !== null ? r / t : null, 30, 'recur native default vs tfjs wasm')}; WASM to WASM (recur wasm 2 threads): ${ratioText(rw, t)}` });
  }
  for (const id of ['A', 'B', 'C'].filter(has)) {
    const r = v('recur-native', id), b = v('brain', id);
    out.push({ what: `${id}: ≥ 70× brain.js`, verdict: verdict(r !== null && b !== null ? r / b : null, 70, 'recur native default vs brain.js, a different model') });
  }
  if (has('D')) {
    const r = v('recur-native', 'D');
    const t = bestOf(['torch-nn-1', 'torch-loop-1', 'torch-nn-2', 'torch-loop-2'], 'D');
    const us = r === null ? null : 1e6 / r;
    out.push({
      what: 'D ≤ 0.2 µs per step',
      verdict: us === null ? 'not measured' : us <= 0.2 ? `**met**: ${us.toFixed(3)} µs (recur native default)` : `**missed**: ${us.toFixed(3)} µs — needs ${(us / 0.2).toPrecision(3)}× less (recur native default)`,
    });
    out.push({ what: 'D ≥ 20× PyTorch', verdict: verdict(r !== null && t.v !== null ? r / t.v : null, 20, `recur native default vs the fastest PyTorch D, ${t.key}`) });
  }
  if (has('E')) {
    const r = v('recur-native', 'E');
    out.push({ what: 'E ≥ 100,000 chars/s', verdict: r === null ? 'not measured' : r >= 1e5 ? `**met**: ${int(r)} chars/s (recur native default)` : `**missed**: ${int(r)} chars/s — needs ${(1e5 / r).toPrecision(3)}× more (recur native default)` });
  }
  return out;
}

// ---- terminal -------------------------------------------------------------------------------------

export const renderTerminal = {
  cell(r: Row, p: Peak): string {
    const v = show(r, p);
    if (r.skip) return r.skip;
    if (r.error) return `${v}: ${r.error.slice(0, 200)}`;
    const res = r.result!;
    return `${v} ${r.workload.kind === 'seed' || r.workload.id.startsWith('L-') ? '' : unitOf(r.workload)} [${res.validation.status}${res.validation.status === 'failed' ? `: ${res.validation.detail}` : ''}]`;
  },
  tables(rows: Row[], workloads: Workload[], impls: Impl[], p: Peak): string {
    return [
      '\nThroughput († not validated: a different model)', throughputTable(rows, workloads, impls, p),
      '\nrecur native (default) ÷ peer', ratioTable(rows, workloads, impls, 'recur-native'),
      '\nrecur wasm, 2 threads ÷ peer', ratioTable(rows, workloads, impls, 'recur-wasm-2'),
      '\nPeak memory', memoryTable(rows, workloads, impls),
      '\nValidation', validationTable(rows, workloads, impls),
      '\nTargets', ...targets(rows, workloads).map((t) => `- ${t.what}: ${t.verdict.replace(/\*\*/g, '')}`),
    ].join('\n');
  },
};

// ---- BENCHMARKS.md --------------------------------------------------------------------------------

export interface Report {
  rows: Row[]; workloads: Workload[]; impls: Impl[]; peak: Peak; machine: Machine; refs: Map<string, CaseRef>;
  unavailable: Record<string, string | null>; minutes: number; quick: boolean;
}

export function renderMarkdown(rep: Report): string {
  const { rows, workloads, impls, peak: p, machine: m } = rep;
  const loads = rows.map((r) => r.load);
  const L: string[] = [];
  L.push('# Benchmarks', '');
  L.push('Generated by `npm run bench` (bench/run.ts): recur on every backend against PyTorch, TensorFlow.js and brain.js.',
    'Every cell is its own child process, starts from the same weights and data as every other implementation,',
    'is validated against a float64 reference before it is timed, and reports the best of several timed rounds after a warm-up.', '');
  if (rep.quick) L.push('> **Quick run** (`--quick`): few steps per cell, for development only. Do not quote these numbers.', '');
  L.push('## Machine', '');
  // what each PyTorch process really loaded, grouped: library and configuration, then BLAS threads per cell kind
  const torchRows = rows.filter((r) => r.result?.blas);
  const libs = [...new Set(torchRows.map((r) => {
    const b = r.result!.blas!;
    return b.openblas ? `${b.openblas}, core ${b.core} (${b.libraries.join(', ')})` : `NOT OpenBLAS: ${b.libraries.join(', ') || 'no BLAS library mapped'}`;
  }))];
  const threads = [...new Set(torchRows.map((r) => `${r.impl.threads}-thread cells ran ${r.result!.blas!.blasThreads ?? '?'} BLAS thread(s)`))];
  const blas = libs.length ? [`${libs.join('; ')}; ${threads.join(', ')}`] : [];
  L.push(table(['', 'value'], [
    ['CPU', m.cpu], ['instruction sets', m.isa], ['cores', m.cores], ['nproc', m.nproc], ['memory', m.memory],
    ['Node / V8', m.node], ['Python', m.python], ['Debian packages', m.debian], ['libblas.so.3 alternative', m.blasAlternative],
    ['PyTorch\'s BLAS, as loaded', blas.length ? blas.join('') : 'PyTorch did not run'],
    ['PyTorch threads', 'torch.set_num_threads(n), OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = n, OMP_WAIT_POLICY=passive (with spinning OpenMP threads, 2 threads ran 2–6× slower than 1 here)'],
    ['npm peers', m.npm], ['float32 peak', `${p.one} GFLOP/s on 1 thread, ${p.two} on 2 — ${p.source}`],
    ['load average', `${m.loadBefore.map((v) => v.toFixed(2)).join(' ')} before; ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} (1 min) while the cells ran; ${m.loadAfter.map((v) => v.toFixed(2)).join(' ')} after`],
    ['date', m.date], ['duration', `${rep.minutes.toFixed(1)} min`],
  ], 2), '');
  L.push('## Command', '', '```sh', m.command, '```', '');
  L.push('## Workloads', '');
  for (const w of workloads) {
    if (w.kind === 'train') L.push(`- **${w.title}**: one-hot input V ${w.V}, ${w.cell === 'lstm' ? 'LSTM' : 'tanh RNN'} hidden ${w.H}, linear to ${w.V}, softmax cross-entropy, T ${w.T}, B ${w.B}, Adam (lr ${w.lr}), gradient norm clipped at ${w.clip}; ${(trainFlops(w) / 1e9).toFixed(2)} GFLOP a step counting the one-hot input as a gather. chars/s = B·T / step time.`);
    else if (w.kind === 'seed') L.push(`- **${w.title}**: the seed's cell h = tanh(W_hh·h + W_xh·x), y = W_hy·h with hidden ${w.units}, input ${w.input}, output ${w.output}, batch 1; inference (no tape).`);
    else L.push(`- **${w.title}**: model A's weights; one character at a time, temperature 1, ${w.length} characters a call (500 with --quick); validated by ${w.greedy} characters of greedy generation.`);
  }
  L.push('');
  const dPath = rows.find((r) => r.impl.key === 'recur-native' && r.workload.id === 'D')?.result?.notes.find((n) => n.startsWith('path: '));
  L.push('## Reading the numbers', '',
    '- **recur native, default** is what `device: \'auto\'` gives a user here (the native addon, choosing 1 or 2 threads per shape); the targets use it. '
      + '**recur wasm** is the WebAssembly backend on its own, 1 thread (`new WasmBackend({ threads: 1 })`) or 2 (the default: this thread and a worker).',
    '- **PyTorch** (Debian\'s python3-torch 1.13 on OpenBLAS): `nn.RNN`/`nn.LSTM` take the one-hot input as a dense tensor (an extra input GEMM recur does as a gather); '
      + 'the per-step loop is the seed\'s style, explicit matrices one time step per Python iteration, the input as a row gather. '
      + 'n threads: `torch.set_num_threads(n)`, OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = n and OMP_WAIT_POLICY=passive '
      + '(with GOMP\'s default spinning, the idle OpenMP threads took the cores OpenBLAS\'s threads needed and 2 threads ran 2–6× slower than 1). '
      + 'D for PyTorch: the seed module under `torch.no_grad()` (the loop rows) and `nn.RNNCell` + `nn.Linear` without biases (the nn rows).',
    '- **TensorFlow.js** trains through tfjs-layers (`simpleRNN`/`lstm` + `dense`, one-hot input, `tf.train.adam`); its wasm backend runs SIMD on one thread '
      + '(tfjs turns wasm threads off under Node). D and E use tfjs-core ops step by step.',
    '- **brain.js** trains one sequence at a time; its training column is the time for B sequences of T characters one after another, so chars/s compare with the others\' B·T.',
    `- **D** in recur: ${dPath ? `\`${dPath.slice(6)}\`` : 'see the per-cell notes'} (the seed cell's fast stepper; the autograd forward is timed too, in the per-cell notes).`,
    '- **L-\***: GFLOP/s count 6·T·B·(G·H² + H·V) per step for every implementation; the percentage is of the float32 FMA peak for the thread count the row uses (1 thread: one core\'s; otherwise both cores\').', '');
  L.push('## Throughput', '', '† not validated: a different model (brain.js cannot take these weights or run this model). `INVALID`: failed validation, so not timed.', '');
  L.push(throughputTable(rows, workloads, impls, p), '');
  L.push('## Ratios', '', 'recur ÷ peer for each workload (for D, the peer\'s time per step ÷ recur\'s). Above 1: recur is faster.', '');
  L.push(ratioTable(rows, workloads, impls, 'recur-native'), '');
  L.push(ratioTable(rows, workloads, impls, 'recur-wasm-2'), '');
  L.push('## Targets (from the speed issue)', '');
  L.push(table(['target', 'outcome'], targets(rows, workloads).map((t) => [t.what, t.verdict]), 2), '');
  L.push('## Peak memory', '', 'Peak resident set of each cell\'s process (`process.resourceUsage().maxRSS`, Python `resource.getrusage`), including the runtime itself.', '');
  L.push(memoryTable(rows, workloads, impls), '');
  L.push('## Validation', '', '✓ matches the reference; n.v. not validated (different model); ✗ failed; – not run.', '');
  L.push(validationTable(rows, workloads, impls), '');
  L.push('', 'How each result is checked, before it is timed:',
    '- **Training (A, B, C, L-\\*)**: every implementation loads the same initial weights (recur\'s initialisation, exported in PyTorch\'s names and layouts; transposed into Keras\'s for TensorFlow.js) and the same batch; the loss of the first step (initial weights) and of the second (after one clipped Adam step) must equal the float64 reference within '
      + `${rows[0] ? 'the tolerances below' : ''}.`,
    '- **D**: the same W_xh, W_hh, W_hy and 10 inputs; the outputs y of 10 consecutive steps (state carried) must match the float64 reference.',
    '- **E**: the same weights; 200 characters of greedy (temperature 0) generation must equal the reference\'s exactly; timing then samples at temperature 1.',
    '- **brain.js**: not validated (different model: ReLU RNN, learned input embedding, LSTM without cell state, no minibatches, its own optimiser).', '');
  L.push('References:', '');
  for (const [id, ref] of rep.refs) {
    const vals = ref.loss0 !== undefined ? `losses ${ref.loss0.toFixed(8)} → ${ref.loss1!.toFixed(8)}, tolerance ${ref.tol0} / ${ref.tol1}`
      : ref.ys ? `${ref.ys.length} outputs, relative tolerance ${ref.tolY}` : `${ref.greedy!.length} greedy characters, exact`;
    L.push(`- ${id}: ${ref.source}; ${vals}; ${ref.crossCheck}`);
  }
  L.push('', '### Per cell', '');
  for (const w of workloads) {
    L.push(`**${w.title}**`, '');
    for (const i of impls) {
      const r = find(rows, i.key, w.id);
      if (!r) continue;
      const res = r.result;
      const what = r.skip ?? (r.error ? `error: ${r.error}` : `${res!.validation.status}${res!.validation.detail ? ` — ${res!.validation.detail}` : ''}`);
      const brainTrain = i.peer === 'brain' && w.kind === 'train';
      const per = w.kind === 'sample' ? 'character' : brainTrain ? `${w.B} sequences (B·T characters, one sequence at a time)` : 'step';
      const of = w.kind === 'sample' ? 'characters' : brainTrain ? 'sequences' : 'steps';
      const timing = res && res.best !== null ? `; best ${fmtTime(res.best)}, median ${fmtTime(res.median!)} per ${per} over ${res.rounds} rounds of ${res.stepsPerRound} ${of}` : '';
      const notes = res?.notes.length ? ` [${res.notes.join('; ')}]` : '';
      L.push(`- ${i.label}: ${what}${timing}; load ${r.load.toFixed(2)}${notes}`);
    }
    L.push('');
  }
  const cannot = Object.entries(rep.unavailable).filter(([, v]) => v !== null);
  const skipped = [...new Set(rows.filter((r) => r.skip && !r.skip.startsWith('cannot run')).map((r) => `${r.impl.label} on ${r.workload.id}: ${r.skip}`))];
  const failed = rows.filter((r) => r.error || r.result?.validation.status === 'failed').map((r) => `${r.impl.label} on ${r.workload.id}: ${r.error ?? r.result!.validation.detail}`);
  L.push('## Not run, could not run, failed', '');
  if (cannot.length + skipped.length + failed.length === 0) L.push('Nothing: every cell ran and validated.');
  for (const [peer, why] of cannot) L.push(`- ${peer}: ${why}`);
  for (const s of skipped) L.push(`- ${s}`);
  for (const f of failed) L.push(`- ${f}`);
  L.push('');
  return L.join('\n');
}

function fmtTime(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(3)} µs`;
}
