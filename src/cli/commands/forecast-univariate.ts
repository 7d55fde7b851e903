import { loadCollection } from '../../data/collection-node.js';
import { type MissingPolicy, type Series, column } from '../../data/series.js';
import { DataError } from '../../errors.js';
import { saveModel } from '../../io/fs.js';
import { type Evaluation, baselineLabel, bestBaseline, formatTable } from '../../tasks/forecast/evaluate.js';
import { Ensemble, hybridFromFile, hybridMeta } from '../../tasks/forecast/hybrid/file.js';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { checkpointPath } from '../../io/fs.js';
import { type ParsedModel, parseModelFile, serializeModel } from '../../io/model-file.js';
import type { EsRnn } from '../../tasks/forecast/hybrid/model.js';
import type { Device } from '../../kernels/device.js';
import { type SeriesResult, type UnivariateModel, type UnivariateRun, runUnivariate } from '../../tasks/forecast/hybrid/run.js';
import type { CellName } from '../../layers/recurrent.js';
import { etsForecastAt } from '../../tasks/forecast/stat-baselines.js';
import type { Out } from '../output.js';
import { writeLineChart } from '../plot.js';

/**
 * `recur forecast train` with a univariate model (--model hybrid, the default for one target and
 * no covariates, or ets): one series, or many — a long CSV (--id), the target columns of a wide
 * CSV, or a folder of CSVs — trained as one global model and each scored on its own test tail.
 */
export interface UnivariateArgs {
  resume?: boolean;
  data: string; target: string[]; id?: string; date?: string; missing: MissingPolicy; model: UnivariateModel;
  horizon: number; season?: number; lookback?: number; seeds?: number; combine?: 'ets' | 'none'; cell?: CellName; hidden?: number; layers?: number;
  epochs?: number; batch?: number; lr?: number; quantiles?: number[]; seed: number; device: 'auto' | 'cpu' | 'wasm' | 'native';
  out?: string; plot?: string; plotStep?: number;
}

export function loadUnivariate(a: Pick<UnivariateArgs, 'data' | 'target' | 'id' | 'date' | 'missing'>, out: Out) {
  const c = loadCollection({ path: a.data }, {
    id: a.id ?? null, targets: a.id ? null : a.target, target: a.id || a.target.length === 1 ? a.target[0] : null,
    date: a.date, missing: a.missing,
  });
  for (const note of c.report.notes) out.log(`note: ${note}`);
  return c;
}

export async function univariateTrain(a: UnivariateArgs, out: Out): Promise<Record<string, unknown>> {
  const c = loadUnivariate(a, out);
  out.log(`data: ${c.items.length} series (${c.layout}), lengths ${lengths(c.items.map((i) => i.series))}`);
  const ck = memberCheckpoint(a, c.items.map((i) => ({ id: i.id, n: i.series.N })));
  const r = runUnivariate(c.items, {
    model: a.model, horizon: a.horizon, season: a.season ?? null, lookbacks: a.lookback ? [a.lookback] : undefined,
    seeds: a.seeds, combine: a.combine, cell: a.cell, hidden: a.hidden, layers: a.layers, epochs: a.epochs, batch: a.batch, lr: a.lr,
    quantiles: a.quantiles, seed: a.seed, device: a.device, resumeFrom: ck.resumed(a.device),
    onMember: (m, k, of, trained) => {
      out.log(`member ${k + 1}/${of}: lookback ${m.lookback}, seed ${m.seed}, ${m.epochs === 0 ? 'from the checkpoint'
        : `best epoch ${m.bestEpoch} of ${m.epochs}${Number.isFinite(m.valLoss) ? `, validation MAE ${m.valLoss.toFixed(4)} (normalised units)` : ''}`}`);
      ck.save(trained);
    },
  });
  out.log(`${a.model}: season ${r.season}${r.seasonGuessed ? ' (from the dates and the autocorrelation)' : ''}, horizon ${r.horizon}`
    + (r.forecaster ? `, ${r.forecaster.members.length} members combined by the median`
      + (r.forecaster.options.combine === 'ets' ? ', averaged with ETS' : '') : ''));
  for (const note of r.notes) out.log(`note: ${note}`);
  report(r, out);
  if (a.out) await save(a, r, c.items[0].series, out);
  if (a.plot) await plot(a, r, c.items[0], out);
  const one = r.series.length === 1 ? evaluationJson(r.series[0].evaluation) : {};
  return {
    ...one, model_kind: a.model, season: r.season, horizon: r.horizon, geo_mase: r.geoMase, notes: r.notes,
    series: r.series.map((s) => ({ id: s.id, n: s.n, test_points: s.evaluation.test_points, ets: s.ets,
      model: s.evaluation.model, baselines: s.evaluation.baselines, notes: s.notes })),
    out: a.out ?? null,
  };
}

/**
 * The hybrid's checkpoints: after each member, the members so far, written atomically to
 * OUT.ckpt (removed once the model is saved); --resume keeps them and trains the rest, to the
 * same final weights as an uninterrupted run. The fingerprint (options and data shape) guards it.
 */
function memberCheckpoint(a: UnivariateArgs, shape: { id: string; n: number }[]) {
  const path = a.out ? checkpointPath(a.out) : null;
  const fingerprint = JSON.stringify({ ...a, json: undefined, out: undefined, resume: undefined, plot: undefined,
    device: undefined, checkpointEvery: undefined, shape });
  return {
    resumed(device: Device): EsRnn[] | undefined {
      if (!a.resume) return undefined;
      if (!path || !existsSync(path)) throw new DataError(`--resume: no checkpoint at ${path} (nothing to resume, or the run already finished)`);
      const parsed = parseModelFile(new Uint8Array(readFileSync(path)), 'hybrid');
      if (parsed.meta.fingerprint !== fingerprint) throw new DataError(`--resume: ${path} was written by a run with other options or data`);
      return hybridFromFile(parsed, device).forecaster.members;
    },
    save(members: EsRnn[]): void {
      if (!path) return;
      const archs = members.map((m) => ({ ...m.arch }));
      // placeholders: a checkpoint's members are all that --resume reads back
      const series = shape.map((s) => ({ id: s.id, kind: 'additive' as const, scale: 1 }));
      const bytes = serializeModel(new Ensemble(members), {
        kind: 'hybrid', arch: { members: archs }, series, horizon: a.horizon, season: archs[0].season, quantiles: archs[0].quantiles,
        fingerprint,
      });
      writeFileSync(`${path}.tmp`, bytes);
      renameSync(`${path}.tmp`, path);
    },
  };
}

const lengths = (ss: Series[]) => {
  const ns = ss.map((s) => s.N);
  return Math.min(...ns) === Math.max(...ns) ? `${ns[0]}` : `${Math.min(...ns)}–${Math.max(...ns)}`;
};

const evaluationJson = (ev: Evaluation) => ({
  model: ev.model, baselines: ev.baselines, units: ev.units, horizon: ev.horizon, test_points: ev.test_points,
  per_step: ev.per_step, filled_excluded: ev.filled_excluded,
  ...(ev.interval_coverage !== undefined ? { interval_coverage: ev.interval_coverage } : {}),
});

function report(r: UnivariateRun, out: Out): void {
  if (r.series.length === 1) {
    const s = r.series[0];
    if (s.ets) out.say(`ETS baseline: ${s.ets} (selected by AICc on the values before the test part)`);
    out.say(formatTable(s.evaluation));
    out.say(verdict(s));
    return;
  }
  const f = (v: number) => v.toFixed(3).padStart(8);
  const names = Object.keys(r.geoMase);
  out.say(`MASE per series (test tail, every origin, horizon ${r.horizon})`);
  out.say(`${'series'.padEnd(24)}${names.map((n) => (n === 'model' ? r.model : n).slice(0, 8).padStart(8)).join('')}`);
  for (const s of r.series) {
    const b = s.evaluation.baselines as Record<string, { mase: number } | undefined>;
    out.say(`${s.id.slice(0, 23).padEnd(24)}${names.map((n) => f(n === 'model' ? s.evaluation.model.mase : b[n]?.mase ?? NaN)).join('')}`);
  }
  out.say(`${'geometric mean'.padEnd(24)}${names.map((n) => f(r.geoMase[n])).join('')}`);
  const beat = r.series.filter((s) => s.evaluation.baselines.ets && s.evaluation.model.mase < s.evaluation.baselines.ets.mase).length;
  out.say(`the ${r.model} beats ETS on ${beat} of ${r.series.length} series`);
  const [bestName, bestGeo] = Object.entries(r.geoMase).filter(([k]) => k !== 'model').reduce((x, y) => (y[1] < x[1] ? y : x));
  const gain = (1 - r.geoMase.model / bestGeo) * 100;
  out.say(gain > 0 ? `verdict: geometric-mean MASE ${gain.toFixed(1)}% below the best baseline (${bestName})`
    : `verdict: the ${r.model} did NOT beat the best baseline (${bestName}, geometric-mean MASE ${(-gain).toFixed(1)}% lower)`);
}

/** Did the model beat the best of every baseline on MAE? Named. */
function verdict(s: SeriesResult): string {
  const ev = s.evaluation, { name, m } = bestBaseline(ev.baselines), label = baselineLabel(name, ev.season);
  const gain = (1 - ev.model.mae / m.mae) * 100;
  return gain > 0
    ? `verdict: the model's MAE is ${gain.toFixed(1)}% below the best baseline, ${label}; MASE ${ev.model.mase.toFixed(3)}`
    : `verdict: the model did NOT beat the best baseline, ${label} (MAE ${(-gain).toFixed(1)}% worse); use ${label} or more data`;
}

async function save(a: UnivariateArgs, r: UnivariateRun, s0: Series, out: Out): Promise<void> {
  if (!r.forecaster) throw new DataError('--out: an ETS run has no trained weights to save; use --model hybrid');
  const meta = hybridMeta(r.forecaster, {
    target: a.target[0], idColumn: a.id ?? null, dateColumn: a.date ?? null,
    frequency: s0.frequency, lastDate: s0.dates ? s0.dates[s0.N - 1] : null,
  });
  await saveModel(a.out!, new Ensemble(r.forecaster.members), meta);
  out.log(`model saved to ${a.out}`);
}

/** One series: step-h forecasts on the test tail beside ETS and persistence. */
async function plot(a: UnivariateArgs, r: UnivariateRun, item: { id: string; series: Series }, out: Out): Promise<void> {
  const s = item.series, res = r.series[0], h = a.plotStep ?? 1, H = r.horizon, ets = res.etsFit;
  const y = column(s);
  const { origins } = res, at = origins.map((t) => t + h);
  await writeLineChart(a.plot!, {
    title: `${item.id}: ${h}-step-ahead forecasts on the test tail (step ${h} of ${H})`,
    x: at.map((t) => (s.dates ? s.dates[t] : t)), xIsDate: !!s.dates, yTitle: a.target[0],
    series: [
      { name: 'actual', y: at.map((t) => y[t]) },
      ...(r.forecaster ? [{ name: r.model, y: res.point.map((p) => p[h - 1]) }] : []),
      ...(ets ? [{ name: ets.name, y: origins.map((t) => etsForecastAt(ets, y, t, h)[h - 1]), dash: true }] : []),
      { name: 'persistence', y: origins.map((t) => y[t]), dash: true },
    ],
  });
  out.log(`plot written to ${a.plot}`);
}

/** `recur forecast predict` with a hybrid file: the next H values of every series (or of --series), from --data. */
export function hybridPredict(parsed: ParsedModel, o: { data: string; horizon?: number; missing: MissingPolicy; series?: string;
  device: Device }, out: Out, nextDates: (s: Series, H: number) => string[] | null): Record<string, unknown> {
  const { forecaster, meta } = hybridFromFile(parsed, o.device);
  const H = o.horizon ?? meta.horizon;
  if (H > meta.horizon) throw new DataError(`--horizon ${H}: this model forecasts ${meta.horizon} steps; retrain with --horizon ${H}`);
  const c = loadUnivariate({ data: o.data, target: [meta.target], id: meta.idColumn ?? undefined,
    date: meta.dateColumn ?? undefined, missing: o.missing }, out);
  const known = new Set(meta.series.map((s) => s.id));
  const items = c.items.filter((it) => (o.series ? it.id === o.series : known.has(it.id)));
  if (items.length === 0) {
    throw new DataError(`${o.data}: expected ${o.series ? `series '${o.series}'` : 'a series the model was trained on'}`
      + ` (it knows ${[...known].slice(0, 8).join(', ')}), got ${c.items.map((i) => i.id).slice(0, 8).join(', ')}`);
  }
  const q = meta.quantiles, Q = q.length, qm = q.indexOf(0.5);
  const results = items.map(({ id, series: s }) => {
    const y = column(s);
    const f = forecaster.forecast(id, y, [s.N - 1]), dates = nextDates(s, H);
    const rows = Array.from({ length: H }, (_, h) => ({
      step: h + 1, ...(dates ? { date: dates[h] } : {}), value: f[h * Q + qm],
      ...(Q > 1 ? { lower: f[h * Q], upper: f[h * Q + Q - 1] } : {}),
    }));
    out.say(`${id}:`);
    for (const r of rows) {
      out.say(`${String(r.step).padStart(3)}  ${r.date ? `${r.date}  ` : ''}${r.value.toFixed(3)}`
        + `${r.lower !== undefined ? ` [${r.lower.toFixed(3)}, ${r.upper!.toFixed(3)}]` : ''}`);
    }
    return { id, from_rows: s.N, forecast: rows };
  });
  return { model_kind: 'hybrid', horizon: H, series: results, ...(results.length === 1 ? { forecast: results[0].forecast } : {}) };
}
