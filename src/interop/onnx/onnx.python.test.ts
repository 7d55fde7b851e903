import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON, ROOT } from '../../test-utils/index.js';
import { allCases, charLM } from '../test-utils/cases.js';
import { OPSET, exportOnnx } from './export.js';
import { GraphBuilder } from './graph.js';
import { encodeModel } from './proto.js';

/** Every export passes the ONNX project's checker with full_check (strict shape inference), via Debian's python3-onnx. */
const dir = mkdtempSync(join(tmpdir(), 'recur-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report { ok: boolean; error?: string; ops?: string[]; opset?: number; inputs?: string[]; outputs?: string[] }

function check(files: Record<string, Uint8Array>): Record<string, Report> {
  const paths = Object.entries(files).map(([name, bytes]) => { const p = join(dir, `${name}.onnx`); writeFileSync(p, bytes); return p; });
  const out = execFileSync(PYTHON, [join(ROOT, 'tools/interop/onnx_check.py'), ...paths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const byPath = JSON.parse(out) as Record<string, Report>;
  return Object.fromEntries(Object.keys(files).map((name, k) => [name, byPath[paths[k]]]));
}

describe('onnx.checker.check_model(full_check=True)', () => {
  it('passes every kind, cell, depth and direction, with and without state inputs', () => {
    const files: Record<string, Uint8Array> = {};
    allCases().forEach((c, k) => { files[`case${k}`] = exportOnnx(c.parsed); });
    files.state = exportOnnx(charLM('lstm', 2).parsed, { state: true });
    const reports = check(files);
    for (const [name, r] of Object.entries(reports)) {
      expect(r.error ?? '', name).toBe('');
      expect(r.ok, name).toBe(true);
      expect(r.opset).toBe(OPSET);
    }
    expect(reports.state.inputs).toEqual(['ids', 'h0', 'c0']);
    expect(reports.state.outputs).toEqual(['logits', 'hT', 'cT']);
    expect(reports.case0.ops).toEqual(['Add', 'LSTM', 'MatMul', 'OneHot', 'Squeeze']);
  });

  it('is a real check: a graph reading an undefined value fails it', () => {
    const g = new GraphBuilder();
    g.addInput('x', 'FLOAT', ['batch', 2]);
    g.op('Relu', ['nowhere'], {}, 1, 'y');
    g.addOutput('y', 'FLOAT', ['batch', 2]);
    const bytes = encodeModel({ ir_version: 8, opset_import: [{ domain: '', version: OPSET }], graph: g.graph('broken', '') });
    const r = check({ broken: bytes }).broken;
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/nowhere/);
  });
});
