import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vegaDataset } from '../data/datasets.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { mobyDick } from '../tasks/text/corpus.js';
import { ROOT } from '../test-utils/index.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-text-'));
const file = (name: string, text: string | Buffer) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const small = file('small.txt', mobyDick().slice(0, 6000));
const tiny = ['--hidden', '16', '--seq', '16', '--batch', '4'];

function oneLineError(args: string[], match: RegExp): void {
  const r = runCli(args);
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('recur:'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(match);
}

describe('recur text', () => {
  it('train --json reports validation loss and speed; sample streams text from the model', () => {
    const out = join(dir, 'lm.safetensors');
    const r = runCli(['text', 'train', '--data', small, ...tiny, '--steps', '12', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['val_loss', 'val_perplexity', 'train_loss', 'chars_per_sec', 'steps']));
    expect(j.val_perplexity).toBeCloseTo(Math.exp(j.val_loss), 6);
    expect(j.steps).toBe(12);
    const s = runCli(['text', 'sample', out, '--prime', 'Call me Ishmaël', '--length', '40', '--seed', '3']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout.startsWith('Call me Ishmaël')).toBe(true);
    expect(s.stdout.length).toBeGreaterThanOrEqual('Call me Ishmaël'.length + 40);
    expect(s.stderr).toMatch(/never saw, left out: "ë"/);
    const again = runCli(['text', 'sample', out, '--prime', 'Call me Ishmaël', '--length', '40', '--seed', '3']);
    expect(again.stdout).toBe(s.stdout);
  });

  it('bad input: one clear line, non-zero exit', () => {
    const t = (data: string) => ['text', 'train', '--data', data, ...tiny, '--steps', '2', '--out', join(dir, 'x.safetensors')];
    oneLineError(t(file('empty.txt', '')), /the text is empty/);
    oneLineError(t(file('blank.txt', '  \n\n ')), /the text is empty/);
    oneLineError(t(file('bin.txt', Buffer.from([0x00, 0xff, 0xfe, 0x10, 0x80]))), /not a UTF-8 text file/);
    oneLineError(t(file('short.txt', 'too short')), /shorter than two sequences of 17/);
    oneLineError(t(join(dir, 'nope.txt')), /no such file or folder/);
    oneLineError(['text', 'sample', file('junk.safetensors', 'junk'), '--length', '3'], /safetensors/);
  });

  it('a model file of another kind is refused', () => {
    const fc = join(dir, 'fc.safetensors');
    expect(runCli(['forecast', 'train', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '1', '--hidden', '4', '--out', fc]).code).toBe(0);
    oneLineError(['text', 'sample', fc], /expected a 'char-lm' model, got a 'forecaster' model/);
  });

  it('killed with SIGKILL mid-run and resumed: the same weights as an uninterrupted run', async () => {
    const base = ['text', 'train', '--data', small, ...tiny, '--steps', '60', '--checkpoint-every', '10', '--seed', '4', '--device', 'cpu'];
    const full = join(dir, 'full.safetensors'), cut = join(dir, 'cut.safetensors');
    expect(runCli([...base, '--out', full]).code).toBe(0);
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...base, '--out', cut], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise((res) => child.on('exit', res));
    for (let i = 0; i < 600 && !existsSync(`${cut}.ckpt`); i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(cut)).toBe(false);
    const r = runCli([...base, '--out', cut, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    const w = (p: string) => Object.values(decodeSafetensors(new Uint8Array(readFileSync(p))).tensors).map((t) => Array.from(t.data));
    expect(w(cut)).toEqual(w(full));
  });
});
