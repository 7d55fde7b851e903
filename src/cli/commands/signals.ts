import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { columnIndex, parseTable } from '../../data/table.js';
import { buildSeries, guessDateColumn, type MissingPolicy } from '../../data/series.js';
import { DataError } from '../../errors.js';
import { saveModel } from '../../io/fs.js';
import { runSensors } from '../../tasks/sensors/index.js';
import { runSmooth } from '../../tasks/smooth/index.js';
import type { CellName } from '../../layers/recurrent.js';
import { type TrainOpts, common, list, num, posInt, readTextFile, runOptions, training } from '../common.js';
import { Out } from '../output.js';
import { checkPlotPath, writeLineChart } from '../plot.js';
import { describeSeries } from './forecast.js';

/** `recur smooth` and `recur sensors`: the signal-processing uses of the cell. */
export function registerSignals(program: Command): void {
  training(common(program.command('smooth')), false)
    .description('train a denoiser on a real signal with added noise; compare with a moving average and exponential smoothing')
    .requiredOption('--data <file>', 'CSV file with a header row')
    .requiredOption('--column <col>', 'the clean signal column')
    .option('--noise <x>', 'noise std in units of the std of one-step changes', num, 1)
    .option('--window <n>', 'window length the denoiser reads', posInt, 64)
    .addOption(new Option('--cell <cell>', 'recurrent cell (bidirectional)').choices(['gru', 'lstm', 'rnn']).default('gru'))
    .option('--hidden <n>', 'hidden units per direction', posInt, 32)
    .option('--steps <n>', 'training steps', posInt, 1500)
    .addOption(new Option('--missing <policy>', 'empty cells and date gaps').choices(['interpolate', 'ffill', 'drop', 'error']).default('interpolate'))
    .option('--plot <file.svg>', 'plot clean, noisy and smoothed on the test tail')
    .action(async (o: TrainOpts & { data: string; column: string; noise: number; window: number; cell: CellName; hidden: number; steps: number; missing: MissingPolicy; plot?: string }) => {
      const out = new Out(o.json);
      if (o.plot) checkPlotPath(o.plot);
      const table = parseTable(readTextFile(o.data), o.data);
      const date = guessDateColumn(table);
      const s = buildSeries(table, { targets: [o.column], date, missing: o.missing });
      describeSeries(out, s, date);
      const r = await runSmooth(s.values, { noise: o.noise, window: o.window, cell: o.cell, hidden: o.hidden, steps: o.steps, seed: o.seed, device: o.device, name: o.column }, runOptions(o));
      if (r.interrupted) process.exit(130);
      const line = (name: string, m: { mse: number; mae: number }, extra = '') => out.say(`  ${name.padEnd(30)}${m.mse.toFixed(4).padStart(10)}${m.mae.toFixed(4).padStart(10)}  ${extra}`);
      out.say(`test tail: ${r.test_points} points, noise std ${r.noise_std.toFixed(4)}          MSE       MAE   (against the clean signal)`);
      line('noisy input', r.noisy);
      line(`${o.cell} denoiser (bidirectional)`, r.model!);
      line('moving average (centred)', r.moving_average, `window ${r.moving_average.window}, chosen on validation`);
      line('exponential smoothing', r.exponential, `α ${r.exponential.alpha}, chosen on validation`);
      if (o.out) { await saveModel(o.out, r.model_state!.model, r.model_state!.meta as never); out.log(`model saved to ${o.out}`); }
      if (o.plot) {
        await writeLineChart(o.plot, {
          title: `${o.column}: denoising the test tail`, x: Array.from(r.series.clean, (_, i) => i), xIsDate: false, yTitle: o.column,
          series: [{ name: 'clean', y: r.series.clean }, { name: 'noisy', y: r.series.noisy, dash: true }, { name: 'denoiser', y: r.series.model! }, { name: 'moving average', y: r.series.movingAverage, dash: true }],
        });
        out.log(`plot written to ${o.plot}`);
      }
      out.result({ test_points: r.test_points, noise_std: r.noise_std, model: r.model, noisy: r.noisy, moving_average: r.moving_average, exponential: r.exponential, out: o.out ?? null });
    });

  training(common(program.command('sensors')), false)
    .description('predict the next readings of several sensors at once and flag readings whose prediction error is unusually large; '
      + '--out saves the one-step forecaster, which `recur forecast predict` reads')
    .requiredOption('--data <file>', 'CSV file with a header row')
    .requiredOption('--features <cols>', 'sensor columns, comma-separated (all are predicted)', list)
    .option('--group <col>', 'column that separates independent sensor units (e.g. mote_id)')
    .option('--label <col>', 'column with 1 for labelled anomalies, to score the flags')
    .option('--lookback <n>', 'window length', posInt, 20)
    .option('--hidden <n>', 'hidden units', posInt, 32)
    .option('--epochs <n>', 'maximum epochs', posInt, 10)
    .option('--threshold <q>', 'flag scores above this quantile of validation scores', num, 0.999)
    .option('--score-window <n>', 'score a reading by the median of its last n scores (1: each reading alone)', posInt, 5)
    .option('--export-splits <file.json>', 'write each group\'s rows, training part and scored readings (eval/sensors-var.py reads it)')
    .addOption(new Option('--cell <cell>', 'recurrent cell').choices(['lstm', 'gru', 'rnn']).default('lstm'))
    .addOption(new Option('--missing <policy>', 'empty cells').choices(['interpolate', 'ffill', 'drop', 'error']).default('interpolate'))
    .action(async (o: TrainOpts & { data: string; features: string[]; group?: string; label?: string; lookback: number; hidden: number; epochs: number; threshold: number; scoreWindow: number; exportSplits?: string; cell: CellName; missing: MissingPolicy }) => {
      const out = new Out(o.json);
      const table = parseTable(readTextFile(o.data), o.data);
      const s = buildSeries(table, { targets: o.features, group: o.group ?? null, missing: o.missing });
      describeSeries(out, s, null);
      let labels: Int8Array | null = null;
      if (o.label) {
        const li = columnIndex(table, o.label);
        const gi = o.group ? columnIndex(table, o.group) : -1;
        const order = gi < 0 ? table.rows : [...new Set(table.rows.map((r) => r[gi]))].flatMap((g) => table.rows.filter((r) => r[gi] === g));
        if (o.missing === 'drop' || order.length !== s.N) throw new DataError('--label needs every row kept (use --missing interpolate or ffill)');
        labels = Int8Array.from(order, (r, i) => {
          const v = Number(r[li]);
          if (v !== 0 && v !== 1) throw new DataError(`${o.data}: label column '${o.label}' must hold 0 or 1, got '${r[li]}' (row ${i + 2})`);
          return v;
        });
      }
      const r = await runSensors(s, { lookback: o.lookback, hidden: o.hidden, epochs: o.epochs, cell: o.cell, seed: o.seed, device: o.device,
        thresholdQuantile: o.threshold, scoreWindow: o.scoreWindow }, runOptions(o), labels);
      if (r.interrupted) process.exit(130);
      if (r.filled_excluded > 0) out.log(`note: ${r.filled_excluded} scored-part readings were filled in (--missing ${o.missing}) and are not scored`);
      if (o.exportSplits) { writeFileSync(o.exportSplits, JSON.stringify({ features: r.features, ...r.splits })); out.log(`splits written to ${o.exportSplits}`); }
      const lags = r.var.map((v) => `${v.group}: ${v.lags}`).join(', ');
      out.say(`one-step prediction on the scored part (${r.scored_readings} readings)      MAE model   MAE persistence   MAE VAR`);
      for (const [k, v] of Object.entries(r.forecast)) {
        out.say(`  ${k.padEnd(44)}${v.model.mae.toFixed(4).padStart(10)}${v.persistence.mae.toFixed(4).padStart(16)}${v.var.mae.toFixed(4).padStart(10)}`);
      }
      out.say(`  (VAR: one per ${o.group ?? 'series'}, fitted on its training part, lags by AIC up to ${o.lookback}: ${lags})`);
      if (r.anomalies) {
        out.say('anomaly flags against the labels          precision   recall      F1   events caught');
        const rows = [['model prediction error', r.anomalies.model], ['persistence error (baseline)', r.anomalies.persistence_baseline],
          ['VAR error (baseline)', r.anomalies.var_baseline]] as const;
        out.say(`  (each: errors in units of validation RMS, median of the last ${o.scoreWindow}, above the ${o.threshold} validation quantile)`);
        for (const [name, d] of rows) {
          out.say(`  ${name.padEnd(38)}${d.precision.toFixed(3).padStart(10)}${d.recall.toFixed(3).padStart(9)}${d.f1.toFixed(3).padStart(8)}   ${d.events.detected}/${d.events.total}`);
        }
      }
      if (o.out) { await saveModel(o.out, r.model_state!.model, r.model_state!.meta); out.log(`model saved to ${o.out} (a forecaster: recur forecast predict ${o.out} --data FILE)`); }
      const { model_state: _model, splits: _splits, ...result } = r;
      out.result({ ...result, out: o.out ?? null });
    });
}
