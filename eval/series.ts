/**
 * `npm run eval:series`: time series on real data, recur's models against the baselines a forecaster
 * would use, through the `recur` command line exactly as a user runs it (`--json`, one child per run):
 *   - forecasting (vega-datasets): Seattle's daily max temperature 7 days ahead from max/min
 *     temperature, precipitation and wind; the same 1 day ahead from itself alone; monthly CO₂ at
 *     Mauna Loa, 1 and 12 months ahead — MAE / RMSE / sMAPE / MASE on the held-out tail against
 *     persistence, seasonal naive and a moving average;
 *   - smoothing: a bidirectional GRU denoiser on each series with added noise, against a centred
 *     moving average and exponential smoothing (window and α each chosen on the validation part,
 *     between the training part and the scored test tail);
 *   - sensors (Suthaharan et al.): next humidity and temperature of four motes, anomaly flags scored
 *     against the labelled events.
 * Usage: npx tsx eval/series.ts [--seed 0] [--device auto|cpu|wasm|native] [--only forecast,smooth,sensors]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stdlibDataset, vegaDataset } from '../src/data/datasets.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { seed: { type: 'string', default: '0' }, device: { type: 'string', default: 'auto' }, only: { type: 'string', default: 'forecast,smooth,sensors' } } });
const only = new Set(args.only.split(','));
const dir = mkdtempSync(join(tmpdir(), 'recur-eval-series-'));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** One `recur … --json` run as a child process; its stderr (progress) passes through. */
function recur(argv: string[]): { json: Json; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...argv, '--json', '--seed', args.seed, '--device', args.device],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`recur ${argv.join(' ')} failed (exit ${r.status})`);
  return { json: JSON.parse(r.stdout) as Json, seconds: (performance.now() - t0) / 1000 };
}
const f3 = (v: number) => v.toFixed(3), pct = (v: number) => `${v.toFixed(2)}%`; // sMAPE comes in percent
const weather = vegaDataset('seattle-weather.csv'), co2 = vegaDataset('co2-concentration.csv');

if (only.has('forecast')) {
  const runs: { title: string; argv: string[] }[] = [
    { title: 'Seattle temp_max, 7 days ahead, with temp_min, precipitation, wind', argv: ['--data', weather, '--target', 'temp_max', '--features', 'temp_min,precipitation,wind', '--horizon', '7', '--hidden', '32', '--epochs', '20'] },
    { title: 'Seattle temp_max, 1 day ahead, univariate', argv: ['--data', weather, '--target', 'temp_max', '--hidden', '32', '--epochs', '20'] },
    { title: 'Mauna Loa CO₂ (monthly), 1 month ahead', argv: ['--data', co2, '--target', 'CO2'] },
    { title: 'Mauna Loa CO₂ (monthly), 12 months ahead, recursive', argv: ['--data', co2, '--target', 'CO2', '--horizon', '12', '--mode', 'recursive'] },
  ];
  console.log('## Forecasting: held-out tail, mean over the horizon\n');
  console.log('| series | model MAE | persistence | seasonal naive | moving average | model RMSE | model sMAPE | model MASE | test points | season | seconds |\n|---|---|---|---|---|---|---|---|---|---|---|');
  for (const run of runs) {
    const { json: r, seconds } = recur(['forecast', 'train', ...run.argv, '--out', join(dir, 'f.safetensors')]);
    const b = r.baselines;
    const best = Math.min(r.model.mae, b.naive.mae, b.seasonal_naive.mae, b.moving_average.mae);
    const cell = (v: number) => (v === best ? `**${f3(v)}**` : f3(v));
    console.log(`| ${run.title} | ${cell(r.model.mae)} | ${cell(b.naive.mae)} | ${cell(b.seasonal_naive.mae)} | ${cell(b.moving_average.mae)} | ${f3(r.model.rmse)} | ${pct(r.model.smape)} | ${f3(r.model.mase)} | ${r.test_points} | ${r.season} | ${seconds.toFixed(0)} |`);
  }
  // MASE divides by the training part's MAE of the seasonal naive forecast at the season shown
  // (persistence when the season is 1), as src/tasks/forecast/metrics.ts computes it
  console.log('\nBold: the lowest MAE. MASE < 1: below the in-sample MAE of seasonal naive at the season shown (persistence at season 1).\n');
}

if (only.has('smooth')) {
  console.log('## Smoothing: noisy signal in, clean signal out (test tail)\n');
  console.log('| signal | denoiser MSE | moving average | exponential | noisy input | seconds |\n|---|---|---|---|---|---|');
  for (const [title, data, column] of [['Seattle temp_max', weather, 'temp_max'], ['Mauna Loa CO₂', co2, 'CO2']] as const) {
    const { json: r, seconds } = recur(['smooth', '--data', data, '--column', column, '--out', join(dir, 's.safetensors')]);
    console.log(`| ${title} | **${f3(r.model.mse)}** | ${f3(r.moving_average.mse)} (window ${r.moving_average.window}) | ${f3(r.exponential.mse)} (α ${r.exponential.alpha}) | ${f3(r.noisy.mse)} | ${seconds.toFixed(0)} |`);
  }
  console.log('');
}

if (only.has('sensors')) {
  const data = join(stdlibDataset('suthaharan-single-hop-sensor-network'), 'data.csv'), job = join(dir, 'splits.json'), ref = join(dir, 'var.json');
  const { json: r, seconds } = recur(['sensors', '--data', data, '--features', 'humidity,temperature', '--group', 'mote_id', '--label', 'label',
    '--out', join(dir, 'n.safetensors'), '--export-splits', job]);
  // the reference VAR: statsmodels on the rows, training parts and scored readings recur used
  const py = spawnSync('/usr/bin/python3', [join(ROOT, 'eval/sensors-var.py'), job, ref], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  if (py.status !== 0) throw new Error('eval/sensors-var.py failed (statsmodels missing? run bash scripts/install-test-deps.sh)');
  const sm = JSON.parse(readFileSync(ref, 'utf8')) as Json;
  const f4 = (v: number) => v.toFixed(4);
  console.log(`## Sensors: Suthaharan single-hop network, humidity and temperature of 4 motes, ${r.scored_readings} scored readings, ${seconds.toFixed(0)} s\n`);
  console.log('| next reading | model MAE | persistence MAE | VAR MAE | VAR MAE (statsmodels) | model MASE | persistence MASE | VAR MASE | VAR MASE (statsmodels) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [name, f] of Object.entries(r.forecast as Record<string, Json>)) {
    console.log(`| ${name} | ${f4(f.model.mae)} | ${f4(f.persistence.mae)} | ${f4(f.var.mae)} | ${f4(sm.mae[name])} | ${f3(f.model.mase)} | ${f3(f.persistence.mase)} | ${f3(f.var.mase)} | ${f3(sm.mase[name])} |`);
  }
  const lags = (r.var as Json[]).map((v, k) => `${v.group}: ${v.lags}${sm.groups[k].p === v.lags ? '' : ` (statsmodels ${sm.groups[k].p})`}`).join(', ');
  console.log(`\nVAR: one per mote, on its training part, lag order by AIC up to the window (20): ${lags}; one-step forecasts from the actual past readings.\n`);
  console.log('| anomaly flags vs labels | precision | recall | F1 | events caught | flagged |\n|---|---|---|---|---|---|');
  const rows = [['model prediction error', r.anomalies.model], ['persistence error (baseline)', r.anomalies.persistence_baseline], ['VAR error (baseline)', r.anomalies.var_baseline]];
  for (const [name, d] of rows as [string, Json][]) {
    console.log(`| ${name} | ${f3(d.precision)} | ${f3(d.recall)} | ${f3(d.f1)} | ${d.events.detected}/${d.events.total} | ${d.flagged} |`);
  }
  console.log('\nThe same detector on each forecaster\'s errors: per-sensor errors in units of their validation RMS, combined by RMS, the median of each mote\'s last 5 readings, flagged above the 0.999 quantile of validation scores (labels only score the flags).\n');
}
rmSync(dir, { recursive: true, force: true });
