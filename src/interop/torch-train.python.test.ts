import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSeries } from '../data/series.js';
import { parseTable } from '../data/table.js';
import { type ParsedModel, parseModelFile } from '../io/model-file.js';
import { forecasterFromFile } from '../tasks/forecast/load.js';
import { charLMFromFile } from '../tasks/text/load.js';
import { Sampler } from '../tasks/text/sample.js';
import { ROOT, expectClose, maxDiff } from '../test-utils/index.js';
import { importTorch } from './torch.js';

/**
 * The train.py that `recur export --format torch` writes, run as a user runs it: a recur model is
 * trained a few steps, exported, trained further by two processes under torchrun (gloo, CPU), and
 * read back with recur; recur then gives what PyTorch gave from those weights (train.py's own
 * --sample / --forecast): the same greedy text, the same forecast within float32 rounding.
 * The text and the series go through their commands side by side: most of the time is processes
 * starting (the CLI under tsx, Python importing torch), which overlap well.
 */
const TORCHRUN = '/usr/bin/torchrun';
const absent = existsSync(TORCHRUN) ? null : `${TORCHRUN} is absent (Debian's python3-torch provides it)`;
if (absent) console.warn(`torch-train.python.test: skipped: ${absent}`);

const dir = mkdtempSync(join(tmpdir(), 'recur-torch-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);

/** Runs a command in `cwd` to its end; its stdout, or a failure with everything it wrote. */
function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', OMP_NUM_THREADS: '1' } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(stdout)
      : reject(new Error(`${cmd} ${args.join(' ')}: expected exit code 0, got ${code}\n${stdout}\n${stderr}`))));
  });
}

/** `recur …` from source, as a user runs it (from the repository, where tsx resolves). */
const recur = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], ROOT);

/**
 * torchrun with two CPU processes on one machine; rank 0's stdout. What `--standalone` sets up, but
 * on a free port: torch 1.13's --standalone always takes port 29400, where two jobs at once (the two
 * here, or another run of this test) would collide or be merged into one. `--redirects 1 --tee 1`:
 * Debian's torch 1.13 under Python 3.11 cannot parse the default `--redirects 0` (enum iteration
 * changed in 3.11); these keep rank 0's output on the console (prefixed `[default0]:`).
 * `--monitor_interval 1`: the launcher sees the workers end within a second rather than five.
 */
async function torchrun(exported: string, args: string[]): Promise<string> {
  const launcher = ['--rdzv_backend=c10d', '--rdzv_endpoint=localhost:0', '--nnodes=1', '--nproc_per_node=2',
    '--redirects', '1', '--tee', '1', '--monitor_interval', '1'];
  const stdout = await run(TORCHRUN, [...launcher, join(exported, 'train.py'), ...args, '--cpu'], dir);
  expect(stdout).toMatch(/step \d+\/\d+: training loss [\d.]+ \(mean of 2 processes\)/);
  return stdout;
}

/** The JSON after `label: ` on a line of train.py's output. */
function reported(stdout: string, label: string): unknown {
  const m = new RegExp(`^(?:\\[default0\\]:)?${label}: (.*)$`, 'm').exec(stdout);
  expect(m, `no '${label}:' line in:\n${stdout}`).not.toBeNull();
  return JSON.parse(m![1]);
}

/** Exports `model` to DIR, checks train.py is written, and returns the exported weights (to see they change). */
async function exportTorchDir(model: string, out: string): Promise<ParsedModel> {
  const reply = await recur(['export', '--format', 'torch', model, out, '--json']);
  const { files } = JSON.parse(reply) as { files: string[] };
  expect(files).toEqual(['model.safetensors', 'model.py', 'train.py'].map((f) => join(out, f)));
  return parseModelFile(new Uint8Array(readFileSync(join(out, 'model.safetensors'))));
}

/** train.py's output read back into recur; checks no temporary file is left and that training moved the weights. */
function importBack(trained: string, before: ParsedModel): ParsedModel {
  expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  const back = parseModelFile(importTorch(new Uint8Array(readFileSync(trained)), { source: trained }));
  expect(back.meta).toEqual(before.meta);
  const moved = Math.max(...Object.entries(before.state).map(([k, t]) => maxDiff(back.state[k].data, t.data).max));
  expect(moved).toBeGreaterThan(1e-4);
  return back;
}

const PRIME = 'the ';

/** A character model: recur trains it, exports it; train.py trains it further and writes a greedy sample. */
async function textRun(): Promise<{ before: ParsedModel; stdout: string }> {
  writeFileSync(path('fox.txt'), 'the quick brown fox jumps over the lazy dog. '.repeat(40));
  await recur(['text', 'train', '--data', path('fox.txt'), '--cell', 'lstm', '--layers', '2', '--embed', '6',
    '--hidden', '16', '--seq', '16', '--batch', '4', '--steps', '60', '--lr', '0.02', '--out', path('lm.safetensors')]);
  const before = await exportTorchDir(path('lm.safetensors'), path('lm-torch'));
  const stdout = await torchrun(path('lm-torch'), [path('fox.txt'), '--steps', '8', '--seq', '12', '--batch', '3',
    '--lr', '0.01', '--out', path('lm-trained.safetensors'), '--sample', '60', '--prime', PRIME]);
  return { before, stdout };
}

/** A daily series with a weekly season (its phase counted from the model's anchor date) and a covariate. */
function writeSeries(): void {
  const rows = Array.from({ length: 120 }, (_, i) => {
    const x = Math.cos(i / 5), noise = 0.2 * Math.sin(i * 12.9898);
    const y = 10 + 3 * Math.sin((2 * Math.PI * i) / 7) + 0.05 * i + 0.5 * x + noise;
    return `${new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10)},${y.toFixed(4)},${x.toFixed(4)}`;
  });
  writeFileSync(path('series.csv'), ['date,y,x', ...rows].join('\n') + '\n');
}

/** A forecaster (relative inputs, quantiles): recur trains it, exports it; train.py trains it and forecasts. */
async function seriesRun(): Promise<{ before: ParsedModel; stdout: string }> {
  writeSeries();
  await recur(['forecast', 'train', '--data', path('series.csv'), '--target', 'y', '--features', 'x', '--model', 'rnn',
    '--cell', 'gru', '--hidden', '8', '--lookback', '10', '--horizon', '3', '--season', '7', '--inputs', 'relative',
    '--quantiles', '0.1,0.5,0.9', '--epochs', '2', '--out', path('f.safetensors')]);
  const before = await exportTorchDir(path('f.safetensors'), path('f-torch'));
  const stdout = await torchrun(path('f-torch'), [path('series.csv'), '--steps', '8', '--batch', '8', '--lr', '0.01',
    '--out', path('f-trained.safetensors'), '--forecast']);
  return { before, stdout };
}

describe.skipIf(absent !== null)('train.py under torchrun (DistributedDataParallel, 2 processes, gloo)', () => {
  let text: { before: ParsedModel; stdout: string };
  let series: { before: ParsedModel; stdout: string };
  beforeAll(async () => { [text, series] = await Promise.all([textRun(), seriesRun()]); }, 240_000);

  it('a character model: recur reproduces PyTorch\'s greedy sample from the weights trained there', () => {
    expect(text.stdout).toMatch(/validation: [\d.]+ nats\/char/);
    const torchText = reported(text.stdout, 'sample') as string;
    expect(new Set(torchText).size, `a sample that tells little: ${JSON.stringify(torchText)}`).toBeGreaterThan(5);
    const { model, vocab } = charLMFromFile(importBack(path('lm-trained.safetensors'), text.before));
    expect(new Sampler(model, vocab).sample({ prime: PRIME, length: 60, temperature: 0 }).text).toBe(torchText);
  });

  it('a forecaster (dated, seasonal, relative inputs, a covariate, quantiles): recur\'s forecast is PyTorch\'s', () => {
    expect(series.stdout).toMatch(/validation: loss [\d.]+ on \d+ windows/);
    const torchForecast = reported(series.stdout, 'forecast') as { targets: string[]; point: number[] };
    expect(torchForecast.targets).toEqual(['y']);
    const { predictor } = forecasterFromFile(importBack(path('f-trained.safetensors'), series.before));
    const table = parseTable(readFileSync(path('series.csv'), 'utf8'), 'series.csv');
    const s = buildSeries(table, { targets: ['y'], features: ['x'], date: 'date' });
    const p = predictor.predict(s.values, s.N - 1, s.dates);
    expectClose(p.point, torchForecast.point, 'recur vs PyTorch forecast after train.py', { atol: 1e-5, rtol: 1e-5 });
  });
});
