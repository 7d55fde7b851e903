import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParsedModel, parseModelFile } from '../io/model-file.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { type Input, recurOutput } from '../interop/test-utils/cases.js';
import { PYTHON, ROOT, expectClose } from '../test-utils/index.js';
import { runCli } from './run-cli.js';

/**
 * `recur export` / `recur import` as a user runs them, on a model trained by `recur text train`:
 * out to PyTorch and back through the generated model.py, out to ONNX Runtime, and one-line errors.
 */
const dir = mkdtempSync(join(tmpdir(), 'recur-interop-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);
const lm = path('lm.safetensors');
let parsed: ParsedModel;
let ids: Input;

beforeAll(() => {
  writeFileSync(path('text.txt'), 'the quick brown fox jumps over the lazy dog. '.repeat(60));
  const r = runCli(['text', 'train', '--data', path('text.txt'), '--cell', 'gru', '--layers', '2', '--hidden', '8', '--seq', '8',
    '--batch', '2', '--steps', '3', '--out', lm]);
  expect(r.code, r.stderr).toBe(0);
  parsed = parseModelFile(new Uint8Array(readFileSync(lm)));
  const V = parsed.meta.arch.vocab as number;
  ids = { name: 'ids', dtype: 'int64', shape: [6, 2], data: Array.from({ length: 12 }, (_, i) => (i * 7) % V) };
}, 60_000);

/** runCli, but not blocking: the error cases run side by side (each start of the CLI costs seconds). */
function runCliAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

async function oneLineError(args: string[], match: RegExp): Promise<void> {
  const r = await runCliAsync(args);
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('recur:'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(match);
}

describe('recur export / import', () => {
  it('torch: export, train in PyTorch with model.py, import back; outputs match at each step', () => {
    const out = path('torch');
    const e = runCli(['export', '--format', 'torch', lm, out, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).files).toEqual([join(out, 'model.safetensors'), join(out, 'model.py'), join(out, 'train.py')]);
    const trained = path('trained.safetensors');
    writeFileSync(path('job.json'), JSON.stringify({ cases: [{ dir: out, inputs: [ids], trained }] }));
    execFileSync(PYTHON, [join(ROOT, 'tools/interop/torch_roundtrip.py'), path('job.json'), path('result.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const [res] = (JSON.parse(readFileSync(path('result.json'), 'utf8')) as { cases: { before: number[]; after: number[] }[] }).cases;
    expectClose(res.before, recurOutput(parsed, [ids]), 'PyTorch vs recur');

    const back = path('back.safetensors');
    const i = runCli(['import', '--from', trained, '--out', back]);
    expect(i.code, i.stderr).toBe(0);
    expectClose(recurOutput(parseModelFile(new Uint8Array(readFileSync(back)), 'char-lm'), [ids]), res.after, 'recur after import vs PyTorch');

    // the same weights saved without recur's metadata: the template supplies it
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(trained)));
    writeFileSync(path('bare.safetensors'), encodeSafetensors(tensors));
    const t = runCli(['import', '--from', path('bare.safetensors'), '--template', lm, '--out', path('back2.safetensors')]);
    expect(t.code, t.stderr).toBe(0);
    expect(readFileSync(path('back2.safetensors'))).toEqual(readFileSync(back));
  });

  it('onnx: the exported file runs in ONNX Runtime with recur\'s outputs', async () => {
    const file = path('lm.onnx');
    const e = runCli(['export', '--format', 'onnx', lm, file]);
    expect(e.code, e.stderr).toBe(0);
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(file)));
    const r = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids.data, (v) => BigInt(v)), ids.shape) });
    expectClose(r.logits.data as Float32Array, recurOutput(parsed, [ids]), 'ONNX Runtime vs recur');
    await session.release();
  });

  it('bad arguments and files: one clear line, non-zero exit', async () => {
    writeFileSync(path('junk.safetensors'), 'junk');
    writeFileSync(path('no-meta.safetensors'), encodeSafetensors(parsed.state));
    await Promise.all([
      oneLineError(['export', '--format', 'tensorflow', lm, path('y')], /--format: expected torch or onnx, got 'tensorflow'/),
      oneLineError(['export', '--format', 'onnx', path('nope.safetensors'), path('y.onnx')], /nope.safetensors: no such model file/),
      oneLineError(['import', '--from', path('junk.safetensors'), '--out', path('z.safetensors')], /junk.safetensors: not a safetensors state dict/),
      oneLineError(['import', '--from', path('no-meta.safetensors'), '--out', path('z.safetensors')], /carries no recur metadata.*--template/),
    ]);
    expect(existsSync(path('z.safetensors'))).toBe(false);
  });
});
