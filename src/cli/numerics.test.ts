import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vegaDataset } from '../data/datasets.js';
import { mobyDick } from '../tasks/text/corpus.js';
import { runCli } from './run-cli.js';

/** Numerical trouble in real runs: a NaN stops training naming the step, keeps the weights, and --skip-bad-batches goes on. */
const dir = mkdtempSync(join(tmpdir(), 'recur-numerics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('numerical trouble, from the command line', () => {
  it('text train with an absurd learning rate stops at the first NaN, checkpoints the weights before it, and resumes past it', () => {
    const data = join(dir, 'moby.txt'), out = join(dir, 'nan.safetensors');
    writeFileSync(data, mobyDick().slice(0, 20_000));
    const args = ['text', 'train', '--data', data, '--hidden', '16', '--seq', '16', '--batch', '4', '--steps', '40', '--lr', '1e37', '--out', out];
    const r = runCli(args);
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/^recur: TrainingError: step (\d+): loss is NaN; training stopped \(the weights before it are checkpointed at .*nan\.safetensors\.ckpt/);
    expect(existsSync(`${out}.ckpt`)).toBe(true);
    expect(existsSync(out)).toBe(false);
    const again = runCli([...args, '--resume', '--skip-bad-batches']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming from step \d+ of 40/);
    expect(again.stderr).toMatch(/step \d+: loss is NaN; batch skipped/);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(`${out}.ckpt`)).toBe(false); // the model is written: its checkpoint is gone
  });

  it('forecast train reports exploding gradients with their norm (and clips them)', () => {
    const r = runCli(['forecast', 'train', '--model', 'rnn', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '2', '--hidden', '8', '--lr', '100', '--out', join(dir, 'f.safetensors')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/step \d+: exploding gradient, norm \d\.\d\de\+\d+ \(clipped\)/);
  });
});
