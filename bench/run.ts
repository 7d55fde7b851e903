/**
 * `npm run bench`: recur on every backend it has against PyTorch, TensorFlow.js and brain.js, in
 * one process tree and one report. Every (implementation, workload) cell runs in its own child
 * process (so its peak memory is its own), starts from the same weights and data (case files
 * written here from recur's initialisation, in PyTorch's names and layouts), is validated against
 * a float64 reference before it is timed, and is timed best-of-N after a warm-up.
 *
 *   npm run bench                          full run (~10–20 min on 2 cores), writes BENCHMARKS.md
 *   npm run bench -- --quick               few steps per cell, for development (writes nothing)
 *   npm run bench -- --peers recur,torch --workloads A,D --quick
 *   npm run bench -- --out path.md         write the report there (also with --quick)
 *   npm run bench -- --from bench/results.json   re-render BENCHMARKS.md from a full run's saved results
 *
 * Peers that cannot run are reported with the reason, never left out. PyTorch comes from Debian
 * (python3-torch with libopenblas0-pthread), installed here with apt-get when missing and running
 * as root, as scripts/install-test-deps.sh does; TensorFlow.js and brain.js are devDependencies.
 */
import { type SpawnOptions, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchResult, type CaseFile, type CaseRef, type ChildSpec, type SampleWorkload, type TrainWorkload, type Workload,
  CHARS, RESULT_TAG, WORKLOADS, writeCase,
} from './common.js';
import { type Impl, type Machine, type Peak, type Row, renderMarkdown, renderTerminal } from './report.js';
import { CharLM, MyRNNCell, Rng, mobyDick, randn } from '../src/node.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'bench');
const PYTHON = '/usr/bin/python3';

// ---- options --------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
};
const quick = flag('quick');
const peersWanted = (option('peers') ?? 'recur,torch,tfjs,brain').split(',');
const workloadsWanted = (option('workloads') ?? WORKLOADS.map((w) => w.id).join(',')).split(',');
const outPath = option('out') ?? (quick ? undefined : join(ROOT, 'BENCHMARKS.md'));
const keepCases = flag('keep');
/** Re-renders BENCHMARKS.md from a saved results file, running nothing (`--from bench/results.json`). */
const fromPath = option('from');
for (const w of workloadsWanted) if (!WORKLOADS.some((x) => x.id === w)) throw new Error(`bench: unknown workload '${w}' (have ${WORKLOADS.map((x) => x.id).join(', ')})`);

/** Reference tolerances: float32 implementations against float64 (losses ≈ ln 65 ≈ 4.17). */
const TOL = { loss0: 1e-4, loss1: 5e-4, y: 1e-4 };
/** A child that has not answered by then is stopped and reported as timed out. */
const TIMEOUT_MS = quick ? 180_000 : 420_000;

// ---- implementations ------------------------------------------------------------------------------

/**
 * PyTorch's threads: its OpenMP intra-op pool and OpenBLAS's own pthreads, n each. OMP_WAIT_POLICY=passive,
 * because with GOMP's default spinning the idle OpenMP threads take the cores OpenBLAS's threads need, and
 * 2 threads measured 2–6× slower than 1 here (A 141k vs 254k chars/s, C 8k vs 47k).
 */
const threadsEnv = (n: number): Record<string, string> =>
  ({ OMP_NUM_THREADS: String(n), OPENBLAS_NUM_THREADS: String(n), MKL_NUM_THREADS: String(n), OMP_WAIT_POLICY: 'passive' });
const SLOW_L = 'not run: the time budget (tens of seconds to minutes a step at this size)';

const IMPLS: Impl[] = [
  { key: 'recur-cpu', peer: 'recur', variant: 'cpu', threads: 1, label: 'recur cpu (reference kernels)', skip: { 'L-RNN': SLOW_L, 'L-LSTM': SLOW_L } },
  { key: 'recur-wasm-1', peer: 'recur', variant: 'wasm', threads: 1, label: 'recur wasm, 1 thread' },
  { key: 'recur-wasm-2', peer: 'recur', variant: 'wasm', threads: 2, label: 'recur wasm, 2 threads' },
  { key: 'recur-native-1', peer: 'recur', variant: 'native', threads: 1, label: 'recur native, 1 thread', env: { RECUR_NATIVE_THREADS: '1' } },
  { key: 'recur-native', peer: 'recur', variant: 'native', threads: null, label: 'recur native, default (auto: ≤ 2 threads)' },
  ...[1, 2].flatMap((n): Impl[] => [
    { key: `torch-nn-${n}`, peer: 'torch', variant: 'nn', threads: n, label: `PyTorch nn.RNN/LSTM, ${n} thread${n > 1 ? 's' : ''}`, env: threadsEnv(n) },
    { key: `torch-loop-${n}`, peer: 'torch', variant: 'loop', threads: n, label: `PyTorch per-step loop, ${n} thread${n > 1 ? 's' : ''}`, env: threadsEnv(n) },
  ]),
  { key: 'tfjs-cpu', peer: 'tfjs', variant: 'cpu', threads: 1, label: 'TensorFlow.js cpu', skip: { 'L-RNN': SLOW_L, 'L-LSTM': SLOW_L } },
  { key: 'tfjs-wasm', peer: 'tfjs', variant: 'wasm', threads: 1, label: 'TensorFlow.js wasm' },
  {
    key: 'brain', peer: 'brain', variant: 'brain', threads: 1, label: 'brain.js',
    skip: { 'L-RNN': 'not run: brain.js has no minibatches', 'L-LSTM': 'not run: brain.js has no minibatches' },
  },
];

function command(peer: Impl['peer']): string[] {
  const tsx = (file: string) => [process.execPath, '--import', 'tsx', join(BENCH, file)];
  return peer === 'torch' ? [PYTHON, join(BENCH, 'peers/torch.py')] : peer === 'recur' ? tsx('recur.ts') : tsx(`peers/${peer}.ts`);
}

// ---- child processes ------------------------------------------------------------------------------

interface ChildRun { result: BenchResult | null; stdout: string; stderr: string; ms: number; timedOut: boolean }

function runChild(cmd: string[], args: string[], env: Record<string, string> = {}, timeoutMs = TIMEOUT_MS): Promise<ChildRun> {
  return new Promise((done) => {
    const t0 = performance.now();
    const opts: SpawnOptions = { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] };
    const child = spawn(cmd[0], [...cmd.slice(1), ...args], opts);
    let stdout = '', stderr = '', timedOut = false;
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
      done({ result: line ? JSON.parse(line.slice(RESULT_TAG.length)) as BenchResult : null, stdout, stderr, ms: performance.now() - t0, timedOut });
    });
    child.on('error', (e) => { stderr += String(e); });
  });
}

const tail = (s: string, n = 600): string => (s.length > n ? `…${s.slice(-n)}` : s).trim();

// ---- peers' availability ------------------------------------------------------------------------------

const sh = (cmd: string, args: string[]): string => {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(); } catch { return ''; }
};

/** PyTorch from Debian with OpenBLAS (pthread) behind libblas.so.3; installed here when root. */
function setupTorch(): string | null {
  const need: Record<string, string> = {
    'python3-torch': '/usr/lib/python3/dist-packages/torch/__init__.py',
    'libopenblas0-pthread': '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0',
  };
  const missing = Object.keys(need).filter((p) => !existsSync(need[p]));
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) return `cannot run: Debian packages missing (${missing.join(', ')}); install them with: sudo apt-get install -y ${missing.join(' ')}`;
    console.error(`bench: installing ${missing.join(', ')} with apt-get`);
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch (e) { return `cannot run: apt-get install ${missing.join(' ')} failed (${(e as Error).message})`; }
  }
  // libblas.so.3 must resolve to OpenBLAS (pthread), not the reference BLAS (10× slower)
  const alt = 'libblas.so.3-x86_64-linux-gnu', openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3';
  const shown = sh('update-alternatives', ['--display', alt]);
  if (!shown.includes(`currently points to ${openblas}`)) {
    if (process.getuid?.() !== 0) return `cannot run fairly: ${alt} does not point at ${openblas} (run: sudo update-alternatives --set ${alt} ${openblas})`;
    sh('update-alternatives', ['--set', alt, openblas]);
  }
  if (!existsSync(PYTHON)) return `cannot run: ${PYTHON} is missing`;
  return null;
}

function setupNpmPeer(pkgs: string[]): string | null {
  const req = createRequire(import.meta.url);
  for (const p of pkgs) {
    try { req.resolve(`${p}/package.json`); } catch { return `cannot run: ${p} is not installed (npm install --save-dev ${p})`; }
  }
  return null;
}

// ---- cases: identical weights and data for everyone ---------------------------------------------------

const SEED = 1234;

function writeCases(dir: string, workloads: Workload[]): Map<string, string> {
  const paths = new Map<string, string>();
  const modelTensors = (w: TrainWorkload | SampleWorkload, seed: number) => {
    const model = new CharLM({ cell: w.cell, vocab: w.V, hidden: w.H, layers: 1, dropout: 0, embed: 0 }, new Rng(seed), 'cpu');
    return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { shape: [...t.shape], data: Float32Array.from(t.data) }]));
  };
  // real text: Moby-Dick (bundled with recur); characters outside the 65 read as spaces
  const space = CHARS.indexOf(' ');
  const text = Int32Array.from(mobyDick(), (ch) => { const i = CHARS.indexOf(ch); return i >= 0 ? i : space; });
  for (const w of workloads) {
    const base = join(dir, `case-${w.id}`);
    const rng = new Rng(SEED + 7);
    let tensors: Record<string, { shape: number[]; data: Float32Array | Int32Array }>;
    if (w.kind === 'train') {
      // B contiguous streams, as ArrayStreams reads a text: x the characters, y the next ones; time-major (T, B)
      const x = new Int32Array(w.T * w.B), y = new Int32Array(w.T * w.B);
      for (let b = 0; b < w.B; b++) {
        const start = Math.floor(((text.length - w.T - 1) * b) / w.B);
        for (let t = 0; t < w.T; t++) { x[t * w.B + b] = text[start + t]; y[t * w.B + b] = text[start + t + 1]; }
      }
      tensors = { ...modelTensors(w, SEED), x: { shape: [w.T, w.B], data: x }, y: { shape: [w.T, w.B], data: y } };
    } else if (w.kind === 'sample') {
      tensors = modelTensors(w, SEED); // model A's initial weights (same seed, same shapes)
    } else {
      const cell = new MyRNNCell(w.units, w.input, w.output, new Rng(SEED));
      const f32 = (t: { shape: readonly number[]; data: ArrayLike<number> }) => ({ shape: [...t.shape], data: Float32Array.from(t.data) });
      tensors = {
        W_xh: f32(cell.W_xh), W_hh: f32(cell.W_hh), W_hy: f32(cell.W_hy),
        xs_val: f32(randn([10, w.input], { rng })), xs_time: f32(randn([64, w.input], { rng })),
      };
    }
    writeCase(base, w, SEED, tensors);
    paths.set(w.id, `${base}.json`);
  }
  return paths;
}

function setRef(path: string, ref: CaseRef): void {
  const c = JSON.parse(readFileSync(path, 'utf8')) as CaseFile;
  c.ref = ref;
  writeFileSync(path, JSON.stringify(c));
}

/**
 * The references: recur in float64 on its plain-TypeScript kernels, and PyTorch in float64; each
 * checks the other where both ran. The large shapes take PyTorch's alone (recur's float64
 * reference would take minutes there) unless PyTorch cannot run.
 */
async function references(cases: Map<string, string>, torchReason: string | null): Promise<Map<string, CaseRef>> {
  const refs = new Map<string, CaseRef>();
  for (const w of WORKLOADS.filter((x) => cases.has(x.id))) {
    const path = cases.get(w.id)!;
    const spec = (variant: string): string => JSON.stringify({ mode: 'reference', variant, threads: 2, quick } satisfies ChildSpec);
    const big = w.id.startsWith('L-');
    process.stderr.write(`reference ${w.id}: `);
    const r = !big || torchReason !== null ? await runChild(command('recur'), [path, spec('cpu')], {}, 900_000) : null;
    const t = torchReason === null ? await runChild(command('torch'), [path, spec('loop')], threadsEnv(2)) : null;
    const mine = r?.result?.reference, theirs = t?.result?.reference;
    if (r && !mine) throw new Error(`bench: recur's float64 reference failed for ${w.id}: ${r.result?.error ?? tail(r.stderr)}`);
    if (t && !theirs) console.error(`\nbench: PyTorch's float64 reference failed for ${w.id}: ${t.result?.error ?? tail(t.stderr)}`);
    const primary = mine ?? theirs;
    if (!primary) throw new Error(`bench: no reference for ${w.id}`);
    const source = mine ? 'recur float64' : 'PyTorch float64';
    const ref: CaseRef = { ...primary, source, tol0: TOL.loss0, tol1: TOL.loss1, tolY: TOL.y };
    if (mine && theirs) ref.crossCheck = crossCheck(w, mine, theirs);
    else ref.crossCheck = mine ? `PyTorch float64 not available (${torchReason ?? 'failed'})` : 'recur float64 not run (minutes at this size); PyTorch float64 only';
    setRef(path, ref);
    refs.set(w.id, ref);
    process.stderr.write(`${ref.crossCheck}\n`);
  }
  return refs;
}

function crossCheck(w: Workload, a: CaseRef, b: CaseRef): string {
  if (w.kind === 'train') {
    const d = Math.max(Math.abs(a.loss0! - b.loss0!), Math.abs(a.loss1! - b.loss1!), Math.abs(a.loss1OneBias! - b.loss1OneBias!));
    return `recur float64 and PyTorch float64 losses agree to ${d.toExponential(1)}${d > 1e-9 ? ' — DISAGREE' : ''}`;
  }
  if (w.kind === 'seed') {
    const d = Math.max(...a.ys!.map((v, i) => Math.abs(v - b.ys![i])));
    return `recur float64 and PyTorch float64 outputs agree to ${d.toExponential(1)}${d > 1e-12 ? ' — DISAGREE' : ''}`;
  }
  const same = a.greedy!.every((v, i) => v === b.greedy![i]);
  return `recur float64 and PyTorch float64 greedy generations ${same ? 'are identical' : 'DIFFER'} (${a.greedy!.length} characters)`;
}

// ---- the machine ----------------------------------------------------------------------------------

function machine(): Machine {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const field = (k: string) => cpuinfo.match(new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim() ?? '?';
  const lscpu = sh('lscpu', []);
  const ls = (k: string) => lscpu.match(new RegExp(`^${k.replace(/[()]/g, '\\$&')}:\\s*(.*)$`, 'm'))?.[1]?.trim() ?? '?';
  const req = createRequire(import.meta.url);
  const version = (p: string) => { try { return (req(`${p}/package.json`) as { version: string }).version; } catch { return 'not installed'; } };
  const dpkg = sh('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', 'python3-torch', 'libopenblas0-pthread']);
  const flags = field('flags');
  return {
    cpu: `${field('model name')} (family ${field('cpu family')}, model ${field('model')}), ${ls('Hypervisor vendor') !== '?' ? `${ls('Hypervisor vendor')} guest` : 'bare metal'}`,
    isa: ['avx512f', 'avx2', 'fma'].filter((f) => flags.split(' ').includes(f)).join(', '),
    cores: `${ls('Core(s) per socket')} core(s) per socket × ${ls('Socket(s)')} socket(s), ${ls('Thread(s) per core')} thread(s) per core`,
    nproc: sh('nproc', []),
    memory: `${(Number(readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s+(\d+)/)?.[1] ?? 0) / 1024 / 1024).toFixed(1)} GiB`,
    node: `Node ${process.version}, V8 ${process.versions.v8}`,
    python: sh(PYTHON, ['--version']) || 'not found',
    debian: dpkg.split('\n').filter(Boolean).join('; ') || 'python3-torch / libopenblas0-pthread not installed',
    blasAlternative: sh('update-alternatives', ['--query', 'libblas.so.3-x86_64-linux-gnu']).match(/^Value:\s*(.*)$/m)?.[1] ?? '?',
    npm: `@tensorflow/tfjs ${version('@tensorflow/tfjs')}, @tensorflow/tfjs-backend-wasm ${version('@tensorflow/tfjs-backend-wasm')}, brain.js ${version('brain.js')}`,
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    loadBefore: loadavg(),
    loadAfter: [0, 0, 0],
    date: new Date().toISOString(),
  };
}

/** Float32 peak from a pure FMA loop (bench/peak.c), 1 and 2 threads; PERF-NOTES' figure if it cannot be built. */
async function measurePeak(dir: string): Promise<Peak> {
  const exe = join(dir, 'peak');
  try {
    execFileSync('cc', ['-O2', '-march=native', '-pthread', join(BENCH, 'peak.c'), '-o', exe], { stdio: ['ignore', 'pipe', 'pipe'] });
    const one = JSON.parse(execFileSync(exe, ['1'], { encoding: 'utf8' })) as { gflops: number; isa: string };
    const two = JSON.parse(execFileSync(exe, ['2'], { encoding: 'utf8' })) as { gflops: number };
    return { one: one.gflops, two: two.gflops, source: `measured: pure ${one.isa} FMA loop (bench/peak.c), best of 3` };
  } catch (e) {
    return { one: 117, two: 234, source: `PERF-NOTES / the native engineer's pure-FMA measurement, ~117 GFLOP/s per core (could not build bench/peak.c: ${(e as Error).message.split('\n')[0]})` };
  }
}

// ---- main -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = performance.now();
  const m = machine();
  console.error(`bench${quick ? ' (quick)' : ''}: load average ${m.loadBefore.map((v) => v.toFixed(2)).join(' ')} on ${m.nproc} cores`);
  const dir = mkdtempSync(join(tmpdir(), 'recur-bench-'));
  const peak = await measurePeak(dir);
  console.error(`float32 peak: ${peak.one} GFLOP/s on 1 thread, ${peak.two} on 2 (${peak.source})`);

  const unavailable: Record<string, string | null> = {
    recur: null,
    torch: peersWanted.includes('torch') ? setupTorch() : 'not selected (--peers)',
    tfjs: setupNpmPeer(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']),
    brain: setupNpmPeer(['brain.js']),
  };
  const workloads = WORKLOADS.filter((w) => workloadsWanted.includes(w.id));
  const cases = writeCases(dir, workloads);
  const refs = await references(cases, unavailable.torch);

  const impls = IMPLS.filter((i) => peersWanted.includes(i.peer));
  const rows: Row[] = [];
  const total = impls.length * workloads.length;
  let n = 0;
  for (const w of workloads) {
    for (const impl of impls) {
      n++;
      const load = loadavg()[0];
      const skip = impl.skip?.[w.id] ?? (unavailable[impl.peer] ? unavailable[impl.peer]! : null);
      let result: BenchResult | null = null, error: string | null = null, ms = 0;
      if (skip === null) {
        const spec: ChildSpec = { mode: 'bench', variant: impl.variant, threads: impl.threads, quick };
        const r = await runChild(command(impl.peer), [cases.get(w.id)!, JSON.stringify(spec)], impl.env ?? {});
        ms = r.ms;
        result = r.result;
        if (r.timedOut) error = `timed out after ${(TIMEOUT_MS / 1000).toFixed(0)} s`;
        else if (!result) error = `no result (exit without a result line): ${tail(r.stderr) || tail(r.stdout)}`;
        else if (result.error) error = result.error.split('\n').slice(0, 3).join(' | ');
      }
      const row: Row = { impl, workload: w, result, error, skip, load, ms };
      rows.push(row);
      console.error(`[${n}/${total}] ${w.id.padEnd(6)} ${impl.label.padEnd(44)} ${renderTerminal.cell(row, peak)}  (load ${load.toFixed(2)}, ${(ms / 1000).toFixed(1)} s)`);
    }
  }
  m.loadAfter = loadavg();
  const minutes = (performance.now() - t0) / 60_000;
  console.log(renderTerminal.tables(rows, workloads, impls, peak));
  if (outPath) {
    const saved: Saved = { machine: m, peak, rows, refs: Object.fromEntries(refs), workloads, impls, unavailable, minutes, quick };
    writeFileSync(outPath, render(saved));
    writeFileSync(quick ? `${outPath}.json` : join(BENCH, 'results.json'), JSON.stringify(saved, null, 1));
    console.error(`wrote ${outPath}`);
  }
  console.error(`bench: ${minutes.toFixed(1)} min; load average now ${m.loadAfter.map((v) => v.toFixed(2)).join(' ')}`);
  if (!keepCases) rmSync(dir, { recursive: true, force: true });
  else console.error(`case files kept in ${dir}`);
}

/** Everything a report is made from, as bench/results.json keeps it. */
interface Saved {
  machine: Machine; peak: Peak; rows: Row[]; refs: Record<string, CaseRef>; workloads: Workload[]; impls: Impl[];
  unavailable: Record<string, string | null>; minutes: number; quick: boolean;
}

const render = (s: Saved): string => renderMarkdown({ ...s, refs: new Map(Object.entries(s.refs)) });

if (fromPath) {
  const s = JSON.parse(readFileSync(fromPath, 'utf8')) as Partial<Saved> & Pick<Saved, 'machine' | 'peak' | 'rows' | 'refs'>;
  const out = option('out') ?? join(ROOT, 'BENCHMARKS.md');
  const minutes = s.minutes ?? (Math.max(...s.rows.map((r) => 0 * r.ms)) || s.rows.reduce((a, r) => a + r.ms, 0) / 60_000);
  writeFileSync(out, render({
    workloads: WORKLOADS.filter((w) => s.rows.some((r) => r.workload.id === w.id)), impls: IMPLS.filter((i) => s.rows.some((r) => r.impl.key === i.key)),
    unavailable: { recur: null, torch: null, tfjs: null, brain: null }, quick: false, ...s, minutes,
  }));
  console.error(`wrote ${out} from ${fromPath}`);
} else {
  await main();
}

