import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vegaDataset } from '../data/datasets.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { mobyDick } from '../tasks/text/corpus.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { ROOT } from '../test-utils/index.js';
import { runCli } from './run-cli.js';

/**
 * Interrupted training loses nothing: a run killed mid-way and resumed with --resume ends with
 * the same weights, bit for bit, as a run that was never interrupted (same seed, same backend).
 */
const dir = mkdtempSync(join(tmpdir(), 'recur-resume-'));

function startCli(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function killWhenCheckpointed(args: string[], ckpt: string, signal: NodeJS.Signals): Promise<number | null> {
  const child = startCli(args);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  for (let i = 0; i < 600 && !existsSync(ckpt); i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(ckpt), `no checkpoint appeared; stderr: ${stderr}`).toBe(true);
  child.kill(signal);
  return exited;
}

const weights = (path: string) => {
  const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(path)));
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t.data)]));
};

describe('forecast train --model hybrid killed after a member and resumed', () => {
  it('keeps the members it had and ends with the same weights as an uninterrupted run', async () => {
    const base = ['forecast', 'train', '--model', 'hybrid', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2',
      '--horizon', '3', '--epochs', '2', '--hidden', '4', '--layers', '1', '--seeds', '2', '--device', 'cpu'];
    const whole = join(dir, 'hy-whole.safetensors'), cut = join(dir, 'hy-cut.safetensors');
    expect(runCli([...base, '--out', whole]).code).toBe(0);
    await killWhenCheckpointed([...base, '--out', cut], `${cut}.ckpt`, 'SIGKILL');
    const r = runCli([...base, '--out', cut, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/member 1\/4: .*from the checkpoint/);
    expect(weights(cut)).toEqual(weights(whole));
    expect(existsSync(`${cut}.ckpt`)).toBe(false);
    const other = runCli([...base.slice(0, -4), '--out', cut, '--resume']);
    expect(other.stderr).toMatch(/no checkpoint at/);
  }, 180_000);
});

describe.each(['SIGINT', 'SIGKILL'] as const)('forecast train killed by %s and resumed', (signal) => {
  it('ends with the same weights as an uninterrupted run', async () => {
    const base = ['forecast', 'train', '--model', 'rnn', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '6',
      '--hidden', '8', '--checkpoint-every', '10', '--seed', '3', '--device', 'cpu'];
    const full = join(dir, `full-${signal}.safetensors`), cut = join(dir, `cut-${signal}.safetensors`);
    const a = runCli([...base, '--out', full]);
    expect(a.code, a.stderr).toBe(0);

    const code = await killWhenCheckpointed([...base, '--out', cut], `${cut}.ckpt`, signal);
    expect(existsSync(cut)).toBe(false); // it did not finish
    if (signal === 'SIGINT') expect(code).toBe(130); // Ctrl-C writes a checkpoint and exits
    const b = runCli([...base, '--out', cut, '--resume']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/resuming from step \d+/);
    expect(weights(cut)).toEqual(weights(full));
    expect(existsSync(`${cut}.ckpt`)).toBe(false); // removed once the run finished
  });
});

describe('text train killed at the worst moments', () => {
  const data = join(dir, 'moby.txt');
  writeFileSync(data, mobyDick().slice(0, 60_000));
  const base = ['text', 'train', '--data', data, '--hidden', '32', '--seq', '24', '--batch', '8', '--steps', '30', '--seed', '5', '--device', 'cpu'];
  const full = join(dir, 'text-full.safetensors');
  const uninterrupted = () => { if (!existsSync(full)) expect(runCli([...base, '--out', full]).code).toBe(0); return weights(full); };

  it('while it writes a checkpoint at every step, three times: each checkpoint left is whole, and the run ends as if never killed', async () => {
    const cut = join(dir, 'text-cut.safetensors'), ckpt = `${cut}.ckpt`, args = [...base, '--checkpoint-every', '1', '--out', cut];
    for (const [k, delay] of [40, 170, 90].entries()) {
      const child = startCli(k === 0 ? args : [...args, '--resume']);
      const exited = new Promise((res) => child.on('exit', res));
      const step0 = existsSync(ckpt) ? Number(loadCheckpoint(ckpt)!.json.step) : 0;
      for (let i = 0; i < 600 && !(existsSync(ckpt) && Number(loadCheckpoint(ckpt)?.json.step) > step0); i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, delay)); // by now a checkpoint is written every few ms: likely mid-write
      child.kill('SIGKILL');
      await exited;
      const c = loadCheckpoint(ckpt); // a torn file would throw here
      expect(Number(c!.json.step)).toBeGreaterThan(step0);
      expect(existsSync(cut)).toBe(false);
    }
    const r = runCli([...args, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(weights(cut)).toEqual(uninterrupted());
  });

  it('after its last step, before the model file is written: --resume only finishes it', async () => {
    const cut = join(dir, 'text-end.safetensors'), ckpt = `${cut}.ckpt`;
    // a large validation part: the model is written well after the final checkpoint
    const args = [...base, '--val-fraction', '0.45', '--out', cut];
    const child = startCli(args);
    const exited = new Promise((res) => child.on('exit', res));
    for (let i = 0; i < 1500 && !(existsSync(ckpt) && loadCheckpoint(ckpt)?.json.finished === true); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(cut), 'the model was written before the kill: the window was not hit').toBe(false);
    expect(loadCheckpoint(ckpt)!.json).toMatchObject({ step: 30, finished: true });
    const r = runCli([...args, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/had finished its training at step 30/);
    expect(existsSync(ckpt)).toBe(false);
    const again = join(dir, 'text-end-full.safetensors');
    expect(runCli([...base, '--val-fraction', '0.45', '--out', again]).code).toBe(0);
    expect(weights(cut)).toEqual(weights(again));
  });
});

describe('--resume guards', () => {
  it('refuses a checkpoint written with other options', async () => {
    const out = join(dir, 'guard.safetensors');
    const base = ['forecast', 'train', '--model', 'rnn', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '6', '--hidden', '8', '--checkpoint-every', '10', '--device', 'cpu'];
    await killWhenCheckpointed([...base, '--out', out], `${out}.ckpt`, 'SIGKILL');
    const r = runCli([...base, '--hidden', '9', '--out', out, '--resume']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/was written by a run with other options/);
  });
  it('says when there is nothing to resume', () => {
    const r = runCli(['forecast', 'train', '--model', 'rnn', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--out', join(dir, 'none.safetensors'), '--resume']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no checkpoint at .*none\.safetensors\.ckpt/);
  });
});
