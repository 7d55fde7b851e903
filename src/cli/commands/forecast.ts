import { existsSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import {
  type Frequency, type MissingPolicy, type Series, buildSeries, column, guessDateColumn, stepDate,
} from '../../data/series.js';
import { parseTable } from '../../data/table.js';
import { DataError } from '../../errors.js';
import { saveModel } from '../../io/fs.js';
import { parseModelFile } from '../../io/model-file.js';
import { getBackend } from '../../kernels/device.js';
import { type Evaluation, baselineLabel, bestBaseline, formatTable } from '../../tasks/forecast/evaluate.js';
import { forecasterFromFile } from '../../tasks/forecast/load.js';
import type { Forecast } from '../../tasks/forecast/predict.js';
import { runForecast } from '../../tasks/forecast/run.js';
import type { CellName } from '../../layers/recurrent.js';
import { type CommonOpts, type TrainOpts, common, list, numList, posInt, readBytes, readTextFile, runOptions, training } from '../common.js';
import { Out } from '../output.js';
import { hybridPredict, univariateTrain } from './forecast-univariate.js';
import { etsForecastAt } from '../../tasks/forecast/stat-baselines.js';
import type { EtsFit } from '../../tasks/forecast/stats/ets-fit.js';
import { checkPlotPath, writeLineChart } from '../plot.js';

export interface ForecastTrainArgs extends TrainOpts {
  data: string; target: string[]; features: string[]; date?: string; missing: MissingPolicy;
  model?: 'hybrid' | 'rnn' | 'ets'; id?: string; seeds?: number; combine?: 'ets' | 'none';
  lookback?: number; horizon: number; season?: number; cell?: CellName; hidden?: number; layers?: number;
  epochs?: number; batch?: number; lr?: number; mode: 'direct' | 'recursive'; inputs: 'auto' | 'level' | 'relative';
  scaler?: 'standard' | 'minmax'; stride?: number;
  quantiles?: number[]; plot?: string; plotStep?: number; plotTarget?: string;
}

const MISSING_OPTION = () => new Option('--missing <policy>', 'empty cells and date gaps: fill them (interpolate, ffill), drop their rows, or stop (error)')
  .choices(['interpolate', 'ffill', 'drop', 'error']).default('interpolate');

export function loadSeries(path: string, targets: string[], features: string[], date: string | undefined, missing: MissingPolicy, group?: string): { s: Series; date: string | null } {
  const table = parseTable(readTextFile(path), path);
  const dateCol = date ?? guessDateColumn(table);
  return { s: buildSeries(table, { targets, features, date: dateCol, missing, group }), date: dateCol };
}

export function describeSeries(out: Out, s: Series, date: string | null): void {
  const r = s.report;
  out.log(`data: ${s.N} rows × ${s.F} columns (${s.names.join(', ')})${date ? `, dated by '${date}'${s.frequency ? ` (${s.frequency.label})` : ''}` : ''}`);
  const miss = Object.entries(r.missing).filter(([, k]) => k > 0).map(([n, k]) => `${k} in '${n}'`);
  if (miss.length || r.gaps) {
    out.log(`missing: ${miss.join(', ') || 'none'}${r.gaps ? `; ${r.gaps} date gaps (${r.insertedRows} rows inserted)` : ''} → `
      + (r.policy === 'drop' ? `${r.dropped} rows dropped` : `${r.filled} values filled (${r.policy})`));
  }
  for (const note of r.notes) out.log(`note: ${note}`);
  if (r.sorted) out.log('note: rows were not in date order; they were sorted by date');
}

/** Dates of the H steps after the series' last row, or null without a regular date column. */
function nextDates(s: Series, f: Frequency | null, H: number): string[] | null {
  if (!s.dates || !f || f.label === 'irregular') return null;
  const last = s.dates[s.N - 1], fmt = f.ms < 86_400_000 && f.calendarMonths === 0 ? 16 : 10; // hours and minutes only when the step is shorter than a day
  return Array.from({ length: H }, (_, h) => new Date(stepDate(last, h + 1, f)).toISOString().slice(0, fmt));
}

export function registerForecast(program: Command): void {
  const fc = program.command('forecast').description('forecast a series from a CSV file: train, evaluate against baselines, predict');

  training(common(fc.command('train')))
    .description('train a forecaster, evaluate it on the held-out tail against persistence, seasonal naive and moving average, save it')
    .requiredOption('--data <path>', 'CSV file with a header row, or a folder of CSV files (one series each)')
    .requiredOption('--target <cols>', 'column(s) to forecast, comma-separated (hybrid/ets: each its own series)', list)
    .addOption(new Option('--model <kind>', 'hybrid: exponential smoothing + LSTM (default for one target without '
      + '--features); rnn: a recurrent network (default with --features); ets: exponential smoothing alone')
      .choices(['hybrid', 'rnn', 'ets']))
    .option('--id <col>', 'long format: the column naming each row\'s series (one global model over all of them)')
    .addOption(new Option('--combine <with>', 'hybrid: average the network ensemble with ETS (default ets), or not (none)')
      .choices(['ets', 'none']))
    .option('--seeds <n>', 'hybrid: members per lookback in the median ensemble (default 3 for series under 200 points, else 1)', posInt)
    .option('--features <cols>', 'extra input columns (covariates), comma-separated', list, [])
    .option('--date <col>', 'date/time column (default: a column named like date/time, if any); times without a zone are read as UTC')
    .addOption(MISSING_OPTION())
    .option('--lookback <n>', 'window length (default: from the season, at most 32)', posInt)
    .option('--horizon <n>', 'steps ahead to forecast', posInt, 1)
    .option('--stride <n>', 'steps between consecutive training windows', posInt, 1)
    .option('--season <n>', 'season length in steps (default: guessed from the data; 1 = none)', posInt)
    .addOption(new Option('--cell <cell>', 'recurrent cell (default lstm)').choices(['lstm', 'gru', 'rnn']))
    .option('--hidden <n>', 'hidden units (default: rnn 64, hybrid 32)', posInt)
    .option('--layers <n>', 'recurrent layers (default: rnn 1, hybrid 2 stacked)', posInt)
    .option('--epochs <n>', 'maximum epochs, early stopping on validation (default: rnn 60, hybrid 40)', posInt)
    .option('--batch <n>', 'windows per batch (default: rnn 32, hybrid 64)', posInt)
    .option('--lr <x>', 'Adam learning rate (default 3e-3)', Number)
    .addOption(new Option('--mode <mode>', 'direct: all steps at once; recursive: feed predictions back').choices(['direct', 'recursive']).default('direct'))
    .addOption(new Option('--inputs <kind>', 'input scaling (auto tries both, keeps the better on validation)').choices(['auto', 'level', 'relative']).default('auto'))
    .addOption(new Option('--scaler <kind>', 'scaler of level inputs, fitted on the training part').choices(['standard', 'minmax']).default('standard'))
    .option('--quantiles <qs>', 'train prediction intervals with the pinball loss, e.g. 0.1,0.5,0.9', numList)
    .option('--plot <file.svg>', 'write an SVG plot of forecast vs actual on the test tail')
    .option('--plot-step <h>', 'horizon step the plot shows', posInt, 1)
    .option('--plot-target <col>', 'target the plot shows (default: the first)')
    .action(async (o: ForecastTrainArgs) => { new Out(o.json).result(await forecastTrain(o)); });

  common(fc.command('predict'))
    .description('forecast the next values after the end of a CSV file with a trained model')
    .argument('<model>', 'model file from `recur forecast train` (or `recur sensors`)')
    .requiredOption('--data <file>', 'CSV file with the columns the model was trained on')
    .option('--horizon <n>', 'steps ahead (default: the trained horizon)', posInt)
    .option('--series <id>', 'hybrid over a collection: forecast this series only (default: every series it knows)')
    .addOption(MISSING_OPTION())
    .action(async (modelPath: string, o: CommonOpts & { data: string; horizon?: number; missing: MissingPolicy; series?: string }) => {
      const out = new Out(o.json);
      // the model file is checked before any backend loads: a wrong file fails fast and alone
      const parsed = parseModelFile(readBytes(modelPath));
      if (parsed.meta.kind === 'hybrid') {
        out.result(hybridPredict(parsed, o, out, (s, H) => nextDates(s, s.frequency?.label !== 'irregular' ? s.frequency : null, H)));
        return;
      }
      if (parsed.meta.kind !== 'forecaster') throw new DataError(`model file: expected a 'forecaster' or 'hybrid' model, got a '${parsed.meta.kind}' model`);
      const { predictor, meta } = forecasterFromFile(parsed, o.device);
      const backend = getBackend(o.device);
      const H = o.horizon ?? meta.horizon, spec = predictor.spec, L = spec.lookback;
      if (meta.mode === 'direct' && H > meta.horizon) {
        throw new DataError(`--horizon ${H}: this model forecasts ${meta.horizon} steps directly; retrain with --horizon ${H} or --mode recursive`);
      }
      const targets = meta.columns.slice(0, meta.nTargets);
      const { s, date } = loadSeries(o.data, targets, meta.columns.slice(meta.nTargets), meta.dateColumn ?? undefined, o.missing);
      describeSeries(out, s, date);
      out.log(`device: ${backend.description}`);
      if (s.N < L) throw new DataError(`${o.data}: ${s.N} rows, but the model reads windows of ${L}`);
      const trained = meta.frequency?.label !== 'irregular' ? meta.frequency : null, found = s.frequency?.label !== 'irregular' ? s.frequency : null;
      if (trained && found && trained.label !== found.label) throw new DataError(`${o.data}: expected ${trained.label} data (as the model was trained on), got ${found.label}`);
      const cut = (s.breaks ?? []).filter((b) => b > s.N - L);
      if (cut.length > 0) {
        throw new DataError(`${o.data}: the model's window (the last ${L} rows) spans rows removed by --missing drop; use --missing interpolate or ffill`);
      }
      if (spec.seasonal && !spec.anchor) out.log(`note: no dates, so the seasonal phase (season ${spec.season}) is counted from the file's first row, as in training: give the file from the same first row`);
      const p = predictor.withHorizon(meta.mode === 'recursive' ? H : meta.horizon).predict(s.values, s.N - 1, s.dates);
      const dates = nextDates(s, found ?? trained, H);
      const pick = (v: Float64Array, h: number) => Object.fromEntries(targets.map((c, j) => [c, v[h * meta.nTargets + j]]));
      const rows = Array.from({ length: H }, (_, h) => ({
        step: h + 1, ...(dates ? { date: dates[h] } : {}), values: pick(p.point, h),
        ...(p.lo && p.hi ? { lower: pick(p.lo, h), upper: pick(p.hi, h) } : {}),
      }));
      const q = meta.quantiles ?? [];
      if (p.lo) {
        out.say(`intervals: quantiles ${q[0]}–${q.at(-1)}${meta.mode === 'recursive' ? ' (recursive: one-step intervals around the fed-back median, approximate and too narrow beyond step 1)' : ''}`);
      }
      for (const r of rows) {
        out.say(`${String(r.step).padStart(3)}  ${r.date ? `${r.date}  ` : ''}${targets.map((c) => `${c} ${r.values[c].toFixed(3)}${r.lower ? ` [${r.lower[c].toFixed(3)}, ${r.upper![c].toFixed(3)}]` : ''}`).join('  ')}`);
      }
      out.result({
        forecast: rows, horizon: H, from_rows: s.N, device: backend.name, missing: { policy: s.report.policy, filled: s.report.filled, dropped: s.report.dropped },
        ...(p.lo ? { interval: { lower_quantile: q[0], upper_quantile: q.at(-1), approximate: meta.mode === 'recursive' } } : {}),
      });
    });
}

/** `recur forecast train`: also the second part of `recur start`. */
export async function forecastTrain(o: ForecastTrainArgs): Promise<Record<string, unknown>> {
  const out = new Out(o.json);
  const backend = getBackend(o.device);
  const model = chooseModel(o);
  if (model !== 'rnn') {
    if (o.plot) checkPlotPath(o.plot);
    out.log(`device: ${backend.description}`);
    return univariateTrain({ ...o, model }, out);
  }
  if (o.id) throw new DataError('--id: a long-format collection trains a univariate model; use --model hybrid or ets');
  const plotStep = o.plotStep ?? 1, plotTarget = o.plotTarget ?? o.target[0];
  if (o.plot) {
    checkPlotPath(o.plot);
    if (plotStep > o.horizon) throw new DataError(`--plot-step ${plotStep}: expected a step of the horizon (1 to ${o.horizon})`);
    if (!o.target.includes(plotTarget)) throw new DataError(`--plot-target ${plotTarget}: expected one of the targets (${o.target.join(', ')})`);
  }
  const { s, date } = loadSeries(o.data, o.target, o.features, o.date, o.missing);
  describeSeries(out, s, date);
  const r = await runForecast(s, {
    lookback: o.lookback, horizon: o.horizon, season: o.season ?? null, cell: o.cell, hidden: o.hidden, layers: o.layers,
    epochs: o.epochs, batch: o.batch, lr: o.lr, mode: o.mode, features: o.inputs, scaler: o.scaler, stride: o.stride, quantiles: o.quantiles,
    seed: o.seed, device: o.device, dateColumn: date,
  }, runOptions(o));
  if (r.loop.interrupted) process.exit(130);
  const ev = r.evaluation!, ch = r.chosen!;
  out.log(`device: ${backend.description}`);
  out.log(`season ${r.options.season}${o.season ? '' : ' (guessed)'}, lookback ${r.options.lookback}, horizon ${ev.horizon}, ${r.options.cell} ${r.options.hidden}, ${r.options.mode}`);
  out.log(`inputs: ${r.candidates.map((c) => `${c.features} (validation MAE ${c.valMae.toFixed(4)} σ, best epoch ${c.bestEpoch})`).join(', ')} → ${ch.mode}`);
  out.say(formatTable(ev));
  if (ev.filled_excluded > 0) out.say(`note: ${ev.filled_excluded} test values were filled in (missing cells or date gaps, --missing ${o.missing}) and are not scored`);
  for (const line of verdicts(ev)) out.say(line);
  if (ev.interval_coverage !== undefined) {
    const q = r.options.quantiles, steps = ev.per_step.length > 1 ? `; per step ${ev.per_step.map((p) => `h=${p.h} ${(100 * p.interval_coverage!).toFixed(0)}%`).join(', ')}` : '';
    out.say(`interval coverage on the test tail: ${(100 * ev.interval_coverage).toFixed(1)}% (target ${(100 * (q.at(-1)! - q[0])).toFixed(0)}%)${steps}`);
    if (r.options.mode === 'recursive') out.say('note: recursive intervals are one-step intervals around the fed-back median: approximate, and too narrow beyond step 1');
  }
  if (o.out) { await saveModel(o.out, ch.model, r.meta!); out.log(`model saved to ${o.out}`); }
  if (o.plot) {
    const j = o.target.indexOf(plotTarget), h = plotStep, T = s.nTargets;
    const origins = ch.splits.test, at = origins.map((t) => t + h), preds: Forecast[] = origins.map((t) => ch.predict(t));
    const y = (t: number) => s.values[t * s.F + j], k = (h - 1) * T + j;
    await writeLineChart(o.plot, {
      title: `${plotTarget}: ${h}-step-ahead forecasts on the test tail (step ${h} of ${ev.horizon})`, x: at.map((t) => (s.dates ? s.dates[t] : t)), xIsDate: !!s.dates, yTitle: plotTarget,
      series: [
        { name: 'actual', y: at.map(y) },
        { name: 'model', y: preds.map((p) => p.point[k]) },
        ...(r.ets ? [etsLine(s, r.ets, origins, h)] : []),
        { name: 'persistence', y: origins.map(y), dash: true },
      ],
      band: preds[0]?.lo ? { name: 'interval', lo: preds.map((p) => p.lo![k]), hi: preds.map((p) => p.hi![k]) } : undefined,
    });
    out.log(`plot written to ${o.plot}`);
  }
  return { model: ev.model, baselines: ev.baselines, units: ev.units, horizon: ev.horizon, test_points: ev.test_points, season: ev.season,
    lookback: r.options.lookback, inputs: ch.mode, per_step: ev.per_step, ...(ev.per_target ? { per_target: ev.per_target } : {}),
    ...(ev.interval_coverage !== undefined ? { interval_coverage: ev.interval_coverage } : {}), filled_excluded: ev.filled_excluded,
    candidates: r.candidates, out: o.out ?? null };
}

/** ETS's step-h forecasts beside the model (the fit the evaluation scored, run forward over each origin). */
function etsLine(s: Series, fit: EtsFit, origins: number[], h: number): { name: string; y: number[]; dash: boolean } {
  const y = column(s);
  return { name: fit.name, y: origins.map((t) => etsForecastAt(fit, y, t, h)[h - 1]), dash: true };
}

/**
 * The hybrid for one target without covariates (or any --id collection or folder), the plain
 * network when covariates or several jointly forecast targets are given — unless --model says.
 */
function chooseModel(o: ForecastTrainArgs): 'hybrid' | 'rnn' | 'ets' {
  const many = !!o.id || isFolder(o.data);
  if (o.model) {
    if (o.model !== 'rnn' && o.features.length > 0) throw new DataError(`--features: the ${o.model} model is univariate; use --model rnn`);
    if (o.model === 'rnn' && many) throw new DataError('--model rnn reads one CSV file of one series; use --model hybrid for a collection');
    return o.model;
  }
  return o.features.length === 0 && (o.target.length === 1 || many) && o.mode !== 'recursive' && o.inputs === 'auto' ? 'hybrid' : 'rnn';
}

const isFolder = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** Did the model beat the best of all baselines on MAE? Named; one line, or one per target (each in its own units). */
function verdicts(ev: Evaluation): string[] {
  const one = (m: { mae: number; mase: number }, b: Evaluation['baselines'], who: string) => {
    const best = bestBaseline(b), label = baselineLabel(best.name, ev.season);
    const gain = (1 - m.mae / best.m.mae) * 100;
    return gain > 0
      ? `verdict${who}: the model's MAE is ${gain.toFixed(1)}% below the best baseline, ${label}; MASE ${m.mase.toFixed(3)}`
      : `verdict${who}: the model did NOT beat the best baseline, ${label} (MAE ${(-gain).toFixed(1)}% worse); use ${label} or more data`;
  };
  if (!ev.per_target) return [one(ev.model, ev.baselines, '')];
  return Object.entries(ev.per_target).map(([name, { model, ...b }]) => one(model, b, ` (${name})`));
}
