import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vegaDataset } from '../data/datasets.js';
import { decodeSafetensors } from '../io/safetensors.js';
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

describe.each(['SIGINT', 'SIGKILL'] as const)('forecast train killed by %s and resumed', (signal) => {
  it('ends with the same weights as an uninterrupted run', async () => {
    const base = ['forecast', 'train', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '6',
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

describe('--resume guards', () => {
  it('refuses a checkpoint written with other options', async () => {
    const out = join(dir, 'guard.safetensors');
    const base = ['forecast', 'train', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '6', '--hidden', '8', '--checkpoint-every', '10', '--device', 'cpu'];
    await killWhenCheckpointed([...base, '--out', out], `${out}.ckpt`, 'SIGKILL');
    const r = runCli([...base, '--hidden', '9', '--out', out, '--resume']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/was written by a run with other options/);
  });
  it('says when there is nothing to resume', () => {
    const r = runCli(['forecast', 'train', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--out', join(dir, 'none.safetensors'), '--resume']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no checkpoint at .*none\.safetensors\.ckpt/);
  });
});
