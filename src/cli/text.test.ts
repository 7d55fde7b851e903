import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
    oneLineError([...t(file('short32.txt', 'x'.repeat(300))), '--batch', '32'], /the text is too short: 283 characters give 32 streams of 8, but one sequence needs 17/);
    oneLineError([...t(file('short32s.txt', 'x'.repeat(300))), '--batch', '32', '--stream'], /short32s\.txt: the training part is too short: 32 streams/);
    oneLineError([...t(small), '--cell', 'seed', '--embed', '8', '--layers', '2'], /--cell seed .*: expected no --embed, --layers or --dropout, got --embed 8, --layers 2$/);
    oneLineError(t(join(dir, 'nope.txt')), /no such file or folder/);
    oneLineError(['text', 'sample', file('junk.safetensors', 'junk'), '--length', '3'], /safetensors/);
  });

  it('a model file of another kind is refused', () => {
    const fc = join(dir, 'fc.safetensors');
    expect(runCli(['forecast', 'train', '--model', 'rnn', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '1', '--hidden', '4', '--out', fc]).code).toBe(0);
    oneLineError(['text', 'sample', fc], /fc\.safetensors: model file: expected a 'char-lm' model, got a 'forecaster' model/);
  });

  it('sample checks its options before it writes anything', () => {
    const lm = join(dir, 'prose.safetensors');
    expect(runCli(['text', 'train', '--data', small, ...tiny, '--steps', '2', '--out', lm]).code).toBe(0);
    for (const bad of [['--top-p', '0'], ['--temperature', '-1']]) {
      const r = runCli(['text', 'sample', lm, '--prime', 'Call me', ...bad]);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^recur: .*(top-p|temperature): expected/);
    }
  });

  it('ABC: a folder of tunes trains on its .abc files only; its model samples a headed tune by default', () => {
    const tunes = join(dir, 'tunes'), model = join(dir, 'tunes.safetensors'), prose = join(dir, 'prose2.safetensors');
    mkdirSync(tunes);
    copyFileSync(join(ROOT, 'data/abc/recur-tunes.abc'), join(tunes, 'recur-tunes.abc'));
    copyFileSync(join(ROOT, 'data/abc/README.md'), join(tunes, 'README.md'));
    const r = runCli(['text', 'train', '--data', tunes, ...tiny, '--steps', '5', '--val-fraction', '0.1', '--out', model]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reading only its \.abc files, not README\.md/);
    expect(r.stderr).toMatch(/ABC notation: 8 tunes/);
    const s = runCli(['text', 'sample', model, '--meter', '6/8', '--length', '30', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).prime).toBe('X:1\nT:Generated by recur\nM:6/8\nL:1/8\nK:D\n');
    const plain = runCli(['text', 'sample', model, '--no-abc', '--prime', 'X:', '--length', '30', '--json']);
    expect(JSON.parse(plain.stdout).prime).toBe('X:');
    expect(runCli(['text', 'train', '--data', small, ...tiny, '--steps', '2', '--out', prose]).code).toBe(0);
    oneLineError(['text', 'sample', prose, '--abc'], /prose2\.safetensors: --abc expects a model trained on ABC tunes, got one trained on plain text/);
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
