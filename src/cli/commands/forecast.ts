import { type Command, Option } from 'commander';
import { type Series, buildSeries, guessDateColumn, type MissingPolicy } from '../../data/series.js';
import { parseTable } from '../../data/table.js';
import { DataError } from '../../errors.js';
import { saveModel } from '../../io/fs.js';
import { parseModelFile } from '../../io/model-file.js';
import { getBackend } from '../../kernels/device.js';
import { formatTable } from '../../tasks/forecast/evaluate.js';
import { forecasterFromFile } from '../../tasks/forecast/load.js';
import { runForecast } from '../../tasks/forecast/run.js';
import type { CellName } from '../../tasks/forecast/model.js';
import { type CommonOpts, type TrainOpts, common, list, numList, posInt, readBytes, readTextFile, runOptions, training } from '../common.js';
import { Out } from '../output.js';
import { writeLineChart } from '../plot.js';

export interface ForecastTrainArgs extends TrainOpts {
  data: string; target: string[]; features: string[]; date?: string; missing: MissingPolicy;
  lookback?: number; horizon: number; season?: number; cell: CellName; hidden: number; layers: number;
  epochs: number; batch: number; lr: number; mode: 'direct' | 'recursive'; inputs: 'auto' | 'level' | 'relative';
  quantiles?: number[]; plot?: string;
}

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
  if (r.sorted) out.log('note: rows were not in date order; they were sorted by date');
}

export function registerForecast(program: Command): void {
  const fc = program.command('forecast').description('forecast a series from a CSV file: train, evaluate against baselines, predict');

  training(common(fc.command('train')))
    .description('train a forecaster, evaluate it on the held-out tail against persistence, seasonal naive and moving average, save it')
    .requiredOption('--data <file>', 'CSV file with a header row')
    .requiredOption('--target <cols>', 'column(s) to forecast, comma-separated', list)
    .option('--features <cols>', 'extra input columns (covariates), comma-separated', list, [])
    .option('--date <col>', 'date/time column (default: a column named like date/time, if any)')
    .addOption(new Option('--missing <policy>', 'empty cells and date gaps').choices(['interpolate', 'ffill', 'drop', 'error']).default('interpolate'))
    .option('--lookback <n>', 'window length (default: from the season, at most 32)', posInt)
    .option('--horizon <n>', 'steps ahead to forecast', posInt, 1)
    .option('--season <n>', 'season length in steps (default: guessed from the data; 1 = none)', posInt)
    .addOption(new Option('--cell <cell>', 'recurrent cell').choices(['lstm', 'gru', 'rnn']).default('lstm'))
    .option('--hidden <n>', 'hidden units', posInt, 64)
    .option('--layers <n>', 'recurrent layers', posInt, 1)
    .option('--epochs <n>', 'maximum epochs (early stopping on validation)', posInt, 60)
    .option('--batch <n>', 'windows per batch', posInt, 32)
    .option('--lr <x>', 'Adam learning rate', Number, 3e-3)
    .addOption(new Option('--mode <mode>', 'direct: all steps at once; recursive: feed predictions back').choices(['direct', 'recursive']).default('direct'))
    .addOption(new Option('--inputs <kind>', 'input scaling (auto tries both, keeps the better on validation)').choices(['auto', 'level', 'relative']).default('auto'))
    .option('--quantiles <qs>', 'train prediction intervals with the pinball loss, e.g. 0.1,0.5,0.9', numList)
    .option('--plot <file.svg>', 'write a plot of forecast vs actual on the test tail')
    .action(async (o: ForecastTrainArgs) => { new Out(o.json).result(await forecastTrain(o)); });

  common(fc.command('predict'))
    .description('forecast the next values after the end of a CSV file with a trained model')
    .argument('<model>', 'model file from `recur forecast train`')
    .requiredOption('--data <file>', 'CSV file with the columns the model was trained on')
    .option('--horizon <n>', 'steps ahead (default: the trained horizon)', posInt)
    .action(async (modelPath: string, o: CommonOpts & { data: string; horizon?: number }) => {
      const out = new Out(o.json);
      const { predictor, meta } = forecasterFromFile(parseModelFile(readBytes(modelPath), 'forecaster'));
      const H = o.horizon ?? meta.horizon;
      if (meta.mode === 'direct' && H > meta.horizon) {
        throw new DataError(`--horizon ${H}: this model forecasts ${meta.horizon} steps directly; retrain with --horizon ${H} or --mode recursive`);
      }
      const { s } = loadSeries(o.data, meta.columns.slice(0, meta.nTargets), meta.columns.slice(meta.nTargets), meta.dateColumn ?? undefined, 'interpolate');
      if (s.N < predictor.spec.lookback) throw new DataError(`${o.data}: ${s.N} rows, but the model reads windows of ${predictor.spec.lookback}`);
      const p = predictor.withHorizon(meta.mode === 'recursive' ? H : meta.horizon).predict(s.values, s.N - 1);
      const step = s.dates && s.frequency && s.frequency.label !== 'irregular' ? s.frequency : null;
      const rows = Array.from({ length: H }, (_, h) => {
        const date = s.dates && step ? new Date(step.calendarMonths ? Date.UTC(new Date(s.dates[s.N - 1]).getUTCFullYear(), new Date(s.dates[s.N - 1]).getUTCMonth() + (h + 1) * step.calendarMonths, new Date(s.dates[s.N - 1]).getUTCDate()) : s.dates[s.N - 1] + (h + 1) * step.ms).toISOString().slice(0, 10) : null;
        const vals = Object.fromEntries(meta.columns.slice(0, meta.nTargets).map((c, j) => [c, p.point[h * meta.nTargets + j]]));
        const lo = p.lo ? Object.fromEntries(meta.columns.slice(0, meta.nTargets).map((c, j) => [c, p.lo![h * meta.nTargets + j]])) : undefined;
        const hi = p.hi ? Object.fromEntries(meta.columns.slice(0, meta.nTargets).map((c, j) => [c, p.hi![h * meta.nTargets + j]])) : undefined;
        return { step: h + 1, ...(date ? { date } : {}), values: vals, ...(lo ? { lower: lo, upper: hi } : {}) };
      });
      for (const r of rows) out.say(`${String(r.step).padStart(3)}  ${'date' in r ? `${r.date}  ` : ''}${Object.entries(r.values).map(([c, v]) => `${c} ${v.toFixed(3)}`).join('  ')}`
        + (r.lower ? `  [${Object.values(r.lower).map((v) => v.toFixed(3)).join(', ')} … ${Object.values(r.upper!).map((v) => v.toFixed(3)).join(', ')}]` : ''));
      out.result({ forecast: rows, horizon: H, from_rows: s.N });
    });
}

/** `recur forecast train`: also the second part of `recur start`. */
export async function forecastTrain(o: ForecastTrainArgs): Promise<Record<string, unknown>> {
      const out = new Out(o.json);
      const backend = getBackend(o.device);
      const { s, date } = loadSeries(o.data, o.target, o.features, o.date, o.missing);
      describeSeries(out, s, date);
      const r = await runForecast(s, {
        lookback: o.lookback, horizon: o.horizon, season: o.season ?? null, cell: o.cell, hidden: o.hidden, layers: o.layers,
        epochs: o.epochs, batch: o.batch, lr: o.lr, mode: o.mode, features: o.inputs, quantiles: o.quantiles, seed: o.seed, device: o.device, dateColumn: date,
      }, runOptions(o));
      if (r.loop.interrupted) process.exit(130);
      const ev = r.evaluation!, ch = r.chosen!;
      out.log(`device: ${backend.description}`);
      out.log(`season ${r.options.season}${o.season ? '' : ' (guessed)'}, lookback ${r.options.lookback}, horizon ${ev.horizon}, ${r.options.cell} ${r.options.hidden}, ${r.options.mode}`);
      out.log(`inputs: ${r.candidates.map((c) => `${c.features} (validation MAE ${c.valMae.toFixed(4)} σ, best epoch ${c.bestEpoch})`).join(', ')} → ${ch.mode}`);
      out.say(formatTable(ev));
      const gain = (1 - ev.model.mae / Math.min(ev.baselines.naive.mae, ev.baselines.seasonal_naive.mae)) * 100;
      out.say(gain > 0
        ? `verdict: the model's MAE is ${gain.toFixed(1)}% below the best naive baseline; MASE ${ev.model.mase.toFixed(3)}`
        : `verdict: the model did NOT beat the best naive baseline (MAE ${(-gain).toFixed(1)}% worse); use the baseline or more data`);
      if (ev.interval_coverage !== undefined) out.say(`interval coverage on the test tail: ${(100 * ev.interval_coverage).toFixed(1)}% (target ${(100 * (r.options.quantiles.at(-1)! - r.options.quantiles[0])).toFixed(0)}%)`);
      if (o.out) { await saveModel(o.out, ch.model, r.meta!); out.log(`model saved to ${o.out}`); }
      if (o.plot) {
        const origins = ch.splits.test, t1 = origins.map((t) => t + 1), preds = origins.map((t) => ch.predict(t));
        const y0 = (t: number) => s.values[t * s.F];
        await writeLineChart(o.plot, {
          title: `${o.target[0]}: one-step forecasts on the test tail`, x: t1.map((t) => (s.dates ? s.dates[t] : t)), xIsDate: !!s.dates, yTitle: o.target[0],
          series: [
            { name: 'actual', y: t1.map(y0) },
            { name: 'model', y: preds.map((p) => p.point[0]) },
            { name: 'persistence', y: origins.map(y0), dash: true },
          ],
          band: preds[0]?.lo ? { name: 'interval', lo: preds.map((p) => p.lo![0]), hi: preds.map((p) => p.hi![0]) } : undefined,
        });
        out.log(`plot written to ${o.plot}`);
      }
      return { model: ev.model, baselines: ev.baselines, horizon: ev.horizon, test_points: ev.test_points, season: ev.season,
        lookback: r.options.lookback, inputs: ch.mode, per_step: ev.per_step, ...(ev.interval_coverage !== undefined ? { interval_coverage: ev.interval_coverage } : {}),
        candidates: r.candidates, out: o.out ?? null };

}

