import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stdlibDataset, vegaDataset } from '../data/datasets.js';
import { parseModelFile } from '../io/model-file.js';
import { expectOneLineError } from '../test-utils/cli.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-cli-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const seq = (n: number, f: (i: number) => string) => `t,y,z\n${Array.from({ length: n }, (_, i) => `${i},${f(i)},${i % 5}`).join('\n')}`;


describe('recur forecast: bad input gets one clear line and a non-zero exit', () => {
  const train = (data: string, ...more: string[]) => ['forecast', 'train', '--model', 'rnn', '--data', data, '--target', 'y', '--out', join(dir, 'm.safetensors'), '--epochs', '1', ...more];
  it('empty file', () => expectOneLineError(train(file('empty.csv', '')), /empty/));
  it('header only', () => expectOneLineError(train(file('header.csv', 'date,y\n')), /no data rows/));
  it('non-numeric target', () => expectOneLineError(train(file('text.csv', seq(50, (i) => (i === 7 ? 'abc' : String(i))))), /row 9, column 'y': expected a number, got 'abc'/));
  it('all-missing column', () => expectOneLineError(train(file('allmiss.csv', seq(50, () => ''))), /column 'y' has no values at all/));
  it('unknown column names the ones that exist', () => expectOneLineError([...train(file('ok.csv', seq(80, (i) => String(Math.sin(i))))).slice(0, 6), '--target', 'nope', '--out', join(dir, 'x')], /no column 'nope'; the columns are 't', 'y', 'z'/));
  it('series shorter than lookback + horizon', () => expectOneLineError(train(file('short.csv', seq(12, (i) => String(Math.sin(i)))), '--lookback', '10', '--horizon', '5'), /lookback 10 \+ horizon 5 needs at least 15|too short/));
  it('constant series', () => expectOneLineError(train(file('const.csv', seq(80, () => '3.5'))), /constant \(every value is 3.5\)/));
  it('a target constant only in its training part says so', () => expectOneLineError(train(file('const-train.csv', seq(80, (i) => (i < 60 ? '3.5' : String(i))))),
    /the target 'y' is constant in its training part \(all \d+ training values are 3.5, later values differ\)/));
  it('smooth and sensors refuse a constant series too', () => {
    const c = file('const2.csv', seq(400, () => '3.5'));
    expectOneLineError(['smooth', '--data', c, '--column', 'y', '--window', '16', '--steps', '1'], /the signal 'y' is constant \(every value is 3.5\): there is nothing to smooth/);
    expectOneLineError(['sensors', '--data', c, '--features', 'y', '--epochs', '1'], /the target 'y' is constant \(every value is 3.5\): there is nothing to predict/);
  });
  it('a plot that is not SVG, before any training', () => {
    expectOneLineError([...train(file('ok2.csv', seq(80, (i) => String(Math.sin(i))))), '--plot', join(dir, 'x.png')], /--plot .*x\.png: expected a \.svg file, got a \.png file/);
    expectOneLineError(['smooth', '--data', vegaDataset('co2-concentration.csv'), '--column', 'CO2', '--plot', join(dir, 'x.png')], /expected a \.svg file, got a \.png file/);
  });
  it('NaN in the data is a missing value: under --missing error it stops, naming it', () => expectOneLineError(
    [...train(file('nan.csv', seq(80, (i) => (i === 20 ? 'NaN' : String(i))))), '--missing', 'error'], /missing values: 1 in 'y'/));
  it('Infinity in the data', () => expectOneLineError(train(file('inf.csv', seq(80, (i) => (i === 3 ? 'Infinity' : String(i))))), /holds 'Infinity'/));
  it('missing values under --missing error', () => expectOneLineError(train(file('gap.csv', seq(80, (i) => (i === 9 ? '' : String(i)))), '--missing', 'error'), /missing values: 1 in 'y'/));
  it('a model file of another kind', () => {
    const other = join(dir, 'other.safetensors');
    const r = runCli(['smooth', '--data', vegaDataset('co2-concentration.csv'), '--column', 'CO2', '--steps', '2', '--window', '16', '--out', other]);
    expect(r.code, r.stderr).toBe(0);
    expectOneLineError(['forecast', 'predict', other, '--data', vegaDataset('co2-concentration.csv')], /expected a 'forecaster' or 'hybrid' model, got a 'denoiser' model/);
  });
  it('a file that is not a model', () => expectOneLineError(['forecast', 'predict', file('junk.safetensors', 'hello world, not a model'), '--data', 'x.csv'], /safetensors/));
  it('binary data instead of CSV', () => {
    const p = join(dir, 'bin.csv'); writeFileSync(p, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81]));
    expectOneLineError(train(p), /not a UTF-8 text file/);
  });
});

describe('recur forecast on real data', () => {
  it('trains, reports the baselines table as JSON, saves a model that predicts', () => {
    const out = join(dir, 'co2.safetensors'), plot = join(dir, 'co2.svg');
    const r = runCli(['forecast', 'train', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '4', '--hidden', '16', '--inputs', 'relative', '--out', out, '--plot', plot, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['mae', 'rmse', 'smape', 'mase']) expect(Number.isFinite(j.model[k])).toBe(true);
    expect(Object.keys(j.baselines).sort()).toEqual(['ets', 'moving_average', 'naive', 'naive2', 'seasonal_naive', 'theta']);
    expect(j.season).toBe(12); // monthly data: season guessed
    expect(j.horizon).toBe(1);
    expect(j.test_points).toBeGreaterThan(50);
    // even a short training beats persistence on this strongly seasonal series
    expect(j.model.mae).toBeLessThan(j.baselines.naive.mae);
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg/);
    const p = runCli(['forecast', 'predict', out, '--data', vegaDataset('co2-concentration.csv'), '--json']);
    expect(p.code, p.stderr).toBe(0);
    const f = JSON.parse(p.stdout);
    expect(f.forecast).toHaveLength(1);
    expect(f.forecast[0].date).toBe('2020-05-01'); // the month after the file's last (2020-04-01)
    expect(f.forecast[0].values.CO2).toBeGreaterThan(400);
    expect(f.forecast[0].values.CO2).toBeLessThan(420);
    expect(f.missing).toEqual({ policy: 'interpolate', filled: 5, dropped: 0 }); // the 5 rows of the file's 3 date gaps, as train fills them
    // the same last window, fewer rows before it (641: not a whole number of years): the same forecast
    const lines = readFileSync(vegaDataset('co2-concentration.csv'), 'utf8').trim().split('\n');
    const cut = runCli(['forecast', 'predict', out, '--data', file('co2-last100.csv', [lines[0], ...lines.slice(-100)].join('\n')), '--json', '--device', 'cpu']);
    expect(cut.code, cut.stderr).toBe(0);
    expect(JSON.parse(cut.stdout).forecast[0].values.CO2).toBeCloseTo(f.forecast[0].values.CO2, 4);
    expect(JSON.parse(cut.stdout).device).toBe('cpu');
    // a missing value: filled and reported as train does, or refused with --missing error
    const holed = file('co2-hole.csv', [...lines.slice(0, -3), lines.at(-3)!.replace(/,[\d.]+,/, ',,'), ...lines.slice(-2)].join('\n'));
    const filled = runCli(['forecast', 'predict', out, '--data', holed, '--json']);
    expect(filled.code, filled.stderr).toBe(0);
    expect(filled.stderr).toMatch(/missing: 1 in 'CO2'; 3 date gaps \(5 rows inserted\) → 6 values filled \(interpolate\)/);
    expect(JSON.parse(filled.stdout).missing).toEqual({ policy: 'interpolate', filled: 6, dropped: 0 });
    expectOneLineError(['forecast', 'predict', out, '--data', holed, '--missing', 'error'], /missing values: 1 in 'CO2', 3 date gaps \(5 rows\); choose --missing/);
  });

  it('recursive multi-step: one-step model fed back, scored on every step of the horizon', () => {
    const out = join(dir, 'co2-rec.safetensors');
    const r = runCli(['forecast', 'train', '--data', vegaDataset('co2-concentration.csv'), '--target', 'CO2', '--epochs', '3', '--hidden', '16', '--inputs', 'relative', '--horizon', '6', '--mode', 'recursive', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.per_step.map((p: { h: number }) => p.h)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const p of j.per_step) for (const who of ['model', 'naive', 'seasonal_naive', 'moving_average']) expect(Number.isFinite(p[who].mae), `h=${p.h} ${who}`).toBe(true);
    for (const k of ['mae', 'rmse', 'smape', 'mase']) expect(Number.isFinite(j.model[k])).toBe(true);
    // errors grow with the horizon for persistence on a trending series
    expect(j.per_step[5].naive.mae).toBeGreaterThan(j.per_step[0].naive.mae);
    const p = runCli(['forecast', 'predict', out, '--data', vegaDataset('co2-concentration.csv'), '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).forecast).toHaveLength(6);
  });

  it('sensors: next readings of several motes, anomaly flags scored against the labels', () => {
    const data = join(stdlibDataset('suthaharan-single-hop-sensor-network'), 'data.csv');
    const r = runCli(['sensors', '--data', data, '--features', 'humidity,temperature', '--group', 'mote_id', '--label', 'label', '--epochs', '2', '--hidden', '8', '--out', join(dir, 'sensors.safetensors'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.features).toEqual(['humidity', 'temperature']);
    expect(j.scored_readings).toBeGreaterThan(5000);
    for (const f of ['humidity', 'temperature']) {
      const { model, persistence } = j.forecast[f];
      // MASE is scaled by the in-sample one-step persistence error, so it differs from MAE and stays near 1 for persistence
      expect(persistence.mase).not.toBeCloseTo(persistence.mae, 6);
      expect(persistence.mase).toBeGreaterThan(0.2); expect(persistence.mase).toBeLessThan(5);
      expect(Number.isFinite(model.mase)).toBe(true);
    }
    for (const d of [j.anomalies.model, j.anomalies.persistence_baseline]) {
      expect(d.events.total).toBe(2); // the data set's two labelled events
      for (const k of ['precision', 'recall', 'f1']) { expect(d[k]).toBeGreaterThanOrEqual(0); expect(d[k]).toBeLessThanOrEqual(1); }
      expect(d.flagged).toBeGreaterThan(0);
    }
    expect(j.anomalies.model.recall).toBeGreaterThan(0.5); // the events are large excursions: even a short training finds most of them
    // the model written is a forecaster of every sensor: forecast predict reads it on one mote's readings
    const [header, ...rows] = readFileSync(data, 'utf8').trim().split('\n');
    const mote = file('mote1.csv', [header, ...rows.filter((r) => r.split(',')[1] === '1')].join('\n'));
    const p = runCli(['forecast', 'predict', join(dir, 'sensors.safetensors'), '--data', mote, '--json']);
    expect(p.code, p.stderr).toBe(0);
    const next = JSON.parse(p.stdout).forecast[0].values;
    expect(next.humidity).toBeGreaterThan(0); expect(next.temperature).toBeGreaterThan(0);
  });

  it('quantiles: intervals scored per step, and printed by predict, direct and recursive (approximate)', () => {
    const co2 = vegaDataset('co2-concentration.csv');
    for (const mode of ['direct', 'recursive']) {
      const out = join(dir, `q-${mode}.safetensors`);
      const r = runCli(['forecast', 'train', '--data', co2, '--target', 'CO2', '--epochs', '2', '--hidden', '8', '--inputs', 'relative', '--horizon', '3', '--mode', mode, '--quantiles', '0.1,0.5,0.9', '--out', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.interval_coverage).toBeGreaterThan(0); expect(j.interval_coverage).toBeLessThanOrEqual(1);
      for (const p of j.per_step) expect(p.interval_coverage, `${mode} h=${p.h}`).toBeGreaterThanOrEqual(0);
      const p = runCli(['forecast', 'predict', out, '--data', co2, '--json']);
      expect(p.code, p.stderr).toBe(0);
      const f = JSON.parse(p.stdout);
      expect(f.forecast).toHaveLength(3);
      for (const row of f.forecast) expect(Number.isFinite(row.lower.CO2) && Number.isFinite(row.upper.CO2), mode).toBe(true);
      expect(f.interval).toEqual({ lower_quantile: 0.1, upper_quantile: 0.9, approximate: mode === 'recursive' });
    }
    const text = runCli(['forecast', 'predict', join(dir, 'q-recursive.safetensors'), '--data', co2]);
    expect(text.stdout).toMatch(/CO2 [\d.]+ \[[\d.]+, [\d.]+\]/);
    expect(text.stdout).toMatch(/approximate and too narrow beyond step 1/);
  });

  it('several targets in different units, month-end dates, --stride and --scaler minmax', () => {
    // month-end data, a in units, b in thousands; the last row of b is missing
    const rows = Array.from({ length: 150 }, (_, i) => {
      const d = new Date(Date.UTC(2000, i + 1, 0)).toISOString().slice(0, 10), a = 10 + 3 * Math.sin((2 * Math.PI * i) / 12) + 0.02 * i;
      return `${d},${a.toFixed(3)},${i === 147 ? '' : (1000 * a + 300 * Math.cos(i)).toFixed(1)}`;
    });
    const data = file('month-end.csv', `date,a,b\n${rows.join('\n')}`), out = join(dir, 'ab.safetensors');
    const r = runCli(['forecast', 'train', '--data', data, '--target', 'a,b', '--horizon', '2', '--epochs', '2', '--hidden', '8', '--inputs', 'level',
      '--scaler', 'minmax', '--stride', '2', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.units).toBe('scaled');
    expect(j.model.mae).toBeCloseTo(j.model.mase, 9); // pooled over targets in units of each one's MASE scale
    expect(j.per_target.b.model.mae).toBeGreaterThan(50 * j.per_target.a.model.mae); // each in its own units
    expect(j.filled_excluded).toBe(2); // b's missing value is the target of two test windows
    expect(parseModelFile(new Uint8Array(readFileSync(out)), 'forecaster').meta.features).toMatchObject({ scaler: { kind: 'minmax' } });
    const text = runCli(['forecast', 'train', '--data', data, '--target', 'a,b', '--horizon', '2', '--epochs', '1', '--hidden', '4', '--out', join(dir, 'ab2.safetensors')]);
    expect(text.stdout).toMatch(/verdict \(a\):[\s\S]*verdict \(b\):/);
    expect(text.stdout).toMatch(/note: 2 test values were filled in/);
    const p = runCli(['forecast', 'predict', out, '--data', data, '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).forecast.map((f: { date: string }) => f.date)).toEqual(['2012-07-31', '2012-08-31']);
    // --missing drop leaves the model's last window with a hole: refused
    expectOneLineError(['forecast', 'predict', out, '--data', data, '--missing', 'drop'], /the model's window \(the last \d+ rows\) spans rows removed by --missing drop/);
  });

  it('--help on every command', () => {
    for (const c of [['forecast', 'train'], ['forecast', 'predict'], ['smooth'], ['sensors'], ['demo'], ['start']]) {
      const r = runCli([...c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/--json/);
    }
  });
});
