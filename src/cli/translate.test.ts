import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmudictPath } from '../data/datasets.js';
import { saveModel } from '../io/fs.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { Linear } from '../layers/linear.js';
import { ROOT } from '../test-utils/index.js';
import { expectOneLineError } from '../test-utils/cli.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-translate-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const tiny = ['--data', 'cmudict', '--limit', '600', '--hidden', '16', '--embed', '8', '--epochs', '2', '--batch', '32', '--lr', '0.01', '--nn-sample', '50'];


describe('recur translate', () => {
  const model = join(dir, 'g2p.safetensors');

  it('trains on CMUdict, reports the scores beside the baselines, and the saved model translates', () => {
    const r = runCli(['translate', 'train', ...tiny, '--attention', '--out', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.test_examples).toBe(60);
    for (const s of [j, j.baseline.nearest_neighbour, j.baseline.majority]) {
      expect(s.exact_match).toBeGreaterThanOrEqual(0);
      expect(s.token_error_rate).toBeGreaterThan(0);
    }
    expect(j.baseline.nearest_neighbour.sample).toBe(50);

    const t = runCli(['translate', model, 'hello', 'Translate', '--beam', '3', '--json']);
    expect(t.code, t.stderr).toBe(0);
    const out = JSON.parse(t.stdout);
    expect(out.translations.map((x: { input: string }) => x.input)).toEqual(['hello', 'Translate']); // upper case folded to the alphabet
    const phonemes = new Set(readFileSync(cmudictPath(), 'utf8').split('\n').flatMap((l) => l.split(/\s+/).slice(1)).map((p) => p.replace(/\d$/, '')));
    for (const x of out.translations) {
      expect(x.tokens.length).toBeGreaterThan(0);
      for (const p of x.tokens) expect(phonemes.has(p), p).toBe(true);
    }
    const plain = runCli(['translate', model, 'hello']);
    expect(plain.stdout).toMatch(/^hello\t[A-Z]+( [A-Z]+)*\n$/);
  });

  it('input characters outside the alphabet: refused by default, dropped with --unknown skip', () => {
    expectOneLineError(['translate', model, 'naïve'], /input 'naïve': 'ï' is not in the model's source alphabet \(abcdefghijklmnopqrstuvwxyz\); pass --unknown skip/);
    const r = runCli(['translate', model, 'naïve', '--unknown', 'skip']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: input 'naïve': 'ï' not in the model's alphabet; dropped/);
  });

  it('trains on a pairs file with named columns', () => {
    const rows = readFileSync(cmudictPath(), 'utf8').split('\n').filter((l) => /^[A-Z]+ {2}/.test(l)).slice(0, 300);
    const tsv = file('pairs.tsv', `phones\tword\n${rows.map((l) => { const [w, ...p] = l.split(/\s+/); return `${p.join(' ')}\t${w.toLowerCase()}`; }).join('\n')}\n`);
    const r = runCli(['translate', 'train', '--data', tsv, '--source-field', 'word', '--target-field', 'phones', '--hidden', '8', '--embed', '8', '--epochs', '1', '--beam', '2', '--json', '--out', join(dir, 'pairs.safetensors')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ test_examples: 30, beam: 2 });
  });
});

describe('recur translate: bad input gets one clear line and a non-zero exit', () => {
  const train = (...more: string[]) => ['translate', 'train', '--out', join(dir, 'x.safetensors'), '--epochs', '1', ...more];
  it('empty file', () => expectOneLineError(train('--data', file('empty.tsv', '')), /empty\.tsv: the file is empty/));
  it('one column only', () => expectOneLineError(train('--data', file('one.tsv', 'hello\nworld\n')), /one\.tsv: expected two columns .* got one/));
  it('a missing file', () => expectOneLineError(train('--data', join(dir, 'nope.tsv')), /nope\.tsv: no such file/));
  it('a model file of another kind', async () => {
    const other = join(dir, 'other.safetensors');
    await saveModel(other, new Linear(2, 2), { kind: 'forecaster', arch: {} });
    expectOneLineError(['translate', other, 'hello'], /expected a 'translator' model, got a 'forecaster' model/);
  });
});

/** Killed mid-run and resumed with --resume, training ends with the weights of an uninterrupted run, bit for bit. */
describe('recur translate train --resume', () => {
  it('after SIGKILL reproduces the uninterrupted run', async () => {
    const base = ['translate', 'train', ...tiny, '--batch', '16', '--checkpoint-every', '5', '--seed', '3', '--device', 'cpu'];
    const full = join(dir, 'full.safetensors'), cut = join(dir, 'cut.safetensors');
    const a = runCli([...base, '--out', full]);
    expect(a.code, a.stderr).toBe(0);

    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...base, '--out', cut], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise((res) => child.on('exit', res));
    for (let i = 0; i < 600 && !existsSync(`${cut}.ckpt`); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(`${cut}.ckpt`)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(cut)).toBe(false); // it did not finish

    const b = runCli([...base, '--out', cut, '--resume']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/resuming from step \d+/);
    const weights = (p: string) => Object.fromEntries(Object.entries(decodeSafetensors(new Uint8Array(readFileSync(p))).tensors).map(([k, t]) => [k, Array.from(t.data)]));
    expect(weights(cut)).toEqual(weights(full));
    expect(existsSync(`${cut}.ckpt`)).toBe(false);
  });
});
