import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelFile } from '../io/model-file.js';
import { PYTHON, ROOT, expectClose, maxDiff } from '../test-utils/index.js';
import { type Case, allCases, recurOutput } from './test-utils/cases.js';
import { exportTorch, importTorch } from './torch.js';

/**
 * recur → PyTorch → recur with Debian's python3-torch: every case is exported, loaded by its
 * generated model.py, run on the same inputs as recur (within 1e-5), trained a few steps in
 * PyTorch, saved by model.py, imported back, and run again in recur (within 1e-5 of PyTorch).
 * One Python process runs every case (tools/interop/torch_roundtrip.py).
 */
const dir = mkdtempSync(join(tmpdir(), 'recur-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = allCases();
interface Result { before: number[]; after: number[]; changed: number }
let results: Result[] = [];

beforeAll(() => {
  const job = cases.map((c, k) => {
    const d = join(dir, `case${k}`), { safetensors, python } = exportTorch(c.parsed);
    mkdirSync(d);
    writeFileSync(join(d, 'model.safetensors'), safetensors);
    writeFileSync(join(d, 'model.py'), python);
    return { dir: d, inputs: c.inputs, trained: join(d, 'trained.safetensors') };
  });
  writeFileSync(join(dir, 'job.json'), JSON.stringify({ cases: job }));
  execFileSync(PYTHON, [join(ROOT, 'tools/interop/torch_roundtrip.py'), join(dir, 'job.json'), join(dir, 'result.json')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  results = (JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { cases: Result[] }).cases;
}, 60_000);

describe.each(cases.map((c, k) => [c.name, c, k] as [string, Case, number]))('PyTorch round trip: %s', (_name, c, k) => {
  it('the generated module gives recur\'s outputs', () => {
    expectClose(results[k].before, recurOutput(c.parsed, c.inputs), `${c.name}: PyTorch vs recur`);
  });

  it('weights trained in PyTorch come back and give PyTorch\'s outputs', () => {
    const r = results[k];
    expect(r.changed).toBeGreaterThan(0);
    expect(maxDiff(r.after, r.before).max).toBeGreaterThan(1e-3);
    const back = parseModelFile(importTorch(readFileSync(join(dir, `case${k}`, 'trained.safetensors')), { source: 'trained' }), c.parsed.meta.kind);
    expect(back.meta).toEqual(c.parsed.meta);
    expectClose(recurOutput(back, c.inputs), r.after, `${c.name}: recur after import vs PyTorch`);
  });
});
