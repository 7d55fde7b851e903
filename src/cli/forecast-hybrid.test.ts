import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLineError } from '../test-utils/cli.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-hybrid-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const month = (i: number) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`;
// monthly, trending, seasonal: level 100·(1 + k/10) for series k
const value = (k: number, i: number) => ((100 + 10 * k + i) * (1 + 0.2 * Math.sin((2 * Math.PI * i) / 12))).toFixed(2);
const long = (ids: string[], n: number) => `store,date,sales\n${ids.flatMap((id, k) =>
  Array.from({ length: n }, (_, i) => `${id},${month(i)},${value(k, i)}`)).join('\n')}`;
const small = ['--epochs', '2', '--seeds', '1', '--hidden', '8', '--layers', '1', '--out', join(dir, 'small.safetensors')];
const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any


describe('recur forecast train --model hybrid: one global model over a collection', () => {
  const data = file('stores.csv', long(['a', 'b', 'c'], 72));
  const out = join(dir, 'stores.safetensors');

  it('a long CSV with --id: every series scored beside ETS, Theta and naive2; predict one or all', () => {
    const r = runCli(['forecast', 'train', '--data', data, '--id', 'store', '--target', 'sales', '--horizon', '6', ...small, '--out', out,
      '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = json(r);
    expect(j.model_kind).toBe('hybrid');
    expect(j.season).toBe(12); // from the monthly dates and the autocorrelation
    expect(j.series.map((s: { id: string }) => s.id)).toEqual(['a', 'b', 'c']);
    for (const s of j.series) expect(Object.keys(s.baselines)).toEqual(expect.arrayContaining(['ets', 'theta', 'naive2', 'seasonal_naive']));
    expect(Object.keys(j.geo_mase)).toContain('ets');
    const p = runCli(['forecast', 'predict', out, '--data', data, '--series', 'b', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const f = json(p);
    expect(f.series).toHaveLength(1);
    expect(f.forecast.map((x: { date: string }) => x.date)).toEqual(Array.from({ length: 6 }, (_, h) => month(72 + h)));
    const all = json(runCli(['forecast', 'predict', out, '--data', data, '--json']));
    expect(all.series.map((s: { id: string }) => s.id)).toEqual(['a', 'b', 'c']);
  }, 120_000);

  it('a folder of CSVs, one series each', () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    for (const [k, id] of ['x', 'y'].entries()) {
      writeFileSync(join(folder, `${id}.csv`), `date,v\n${Array.from({ length: 60 }, (_, i) => `${month(i)},${value(k, i)}`).join('\n')}`);
    }
    const r = runCli(['forecast', 'train', '--data', folder, '--target', 'v', '--horizon', '3', ...small, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).series.map((s: { id: string }) => s.id)).toEqual(['x', 'y']);
  }, 120_000);

  it('announces its fallbacks: no season for a series shorter than two, additive smoothing for values ≤ 0', () => {
    const short = file('short.csv', `date,y\n${Array.from({ length: 30 }, (_, i) => `${month(i)},${(i % 12) - 3 + i / 5}`).join('\n')}`);
    const r = runCli(['forecast', 'train', '--data', short, '--target', 'y', '--season', '12', '--horizon', '3', ...small]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/season 12 dropped: a series is shorter than two seasons/);
    expect(r.stderr).toMatch(/additive \(not log\) smoothing for y: zeros or negative values/);
    expect(r.stdout).toMatch(/verdict: the model/);
  }, 120_000);

  it('bad input: a constant series, an id with one point, a date twice in one id, --features with the hybrid', () => {
    const constant = file('const.csv', `date,y\n${Array.from({ length: 50 }, (_, i) => `${month(i)},4`).join('\n')}`);
    expectOneLineError(['forecast', 'train', '--data', constant, '--target', 'y', ...small], /series 'y' is constant .*every value is 4/);
    const one = file('one.csv', `${long(['a'], 40)}\nb,2000-01-01,5`);
    expectOneLineError(['forecast', 'train', '--data', one, '--id', 'store', '--target', 'sales', ...small], /'b' has 1 point/);
    const twice = file('twice.csv', `${long(['a'], 40)}\na,2000-03-01,7`);
    expectOneLineError(['forecast', 'train', '--data', twice, '--id', 'store', '--target', 'sales', ...small], /2000-03-01 appears twice/);
    expectOneLineError(['forecast', 'train', '--data', data, '--target', 'sales', '--features', 'store', '--model', 'hybrid', ...small],
      /univariate; use --model rnn/);
  }, 120_000);
});
