/// <reference lib="webworker" />
/**
 * The series worker: trains a forecaster on a CSV with the library's runForecast (the CLI's
 * `recur forecast train`), scores it on the held-out tail against the baselines, and opens and
 * saves the CLI's forecaster files.
 */
import {
  DataError, type Evaluation, type Module, type ModelMeta, type Progress, type Series, baselines, buildSeries, evaluate,
  forecasterFromFile, getBackend, guessDateColumn, listDevices, parseModelFile, parseTable, runForecast, serializeModel,
  setDefaultDevice, splitOrigins,
} from '../../../src/web.js';
import type { ForecastPlot, SeriesEvent, SeriesRequest } from '../protocol.js';

declare const self: DedicatedWorkerGlobalScope;
const post = (e: SeriesEvent, transfer: Transferable[] = []): void => self.postMessage(e, transfer);

let trained: { model: Module; meta: ModelMeta } | null = null;
let training: { aborted: boolean } | null = null;

function loadSeries(csv: string, source: string, targets: string[], features: string[], date?: string | null): { s: Series; date: string | null } {
  const table = parseTable(csv, source);
  const dateCol = date === undefined ? guessDateColumn(table) : date;
  return { s: buildSeries(table, { targets, features, date: dateCol, missing: 'interpolate' }), date: dateCol };
}

/** One-step-ahead forecasts on the test origins, and the baselines beside them. */
function plotOf(s: Series, target: string, origins: number[], predict: (t: number) => number, season: number, window: number,
  ev: Evaluation, extra: { lookback: number; inputs: string }): ForecastPlot {
  const y = Float64Array.from({ length: s.N }, (_, i) => s.values[i * s.F]);
  const at = (t: number) => (s.dates ? new Date(s.dates[t]).toISOString().slice(0, 10) : t);
  const best = Math.min(ev.baselines.naive.mae, ev.baselines.seasonal_naive.mae);
  const gain = (1 - ev.model.mae / best) * 100;
  return {
    target, xIsDate: !!s.dates, x: origins.map((t) => at(t + 1)), horizon: ev.horizon, season, ...extra,
    lines: [
      { name: 'actual', values: origins.map((t) => y[t + 1]) },
      { name: 'model', values: origins.map(predict) },
      { name: 'persistence', values: origins.map((t) => baselines.naive(y, t)) },
      { name: `seasonal naive (${season})`, values: origins.map((t) => baselines.seasonalNaive(y, t, 1, season)) },
      { name: `moving average (${window})`, values: origins.map((t) => baselines.movingAverage(y, t, window)) },
    ],
    table: [
      { name: 'model', detail: `${extra.inputs} inputs`, ...ev.model },
      { name: 'persistence', detail: 'the last value', ...ev.baselines.naive },
      { name: 'seasonal naive', detail: `season ${season}`, ...ev.baselines.seasonal_naive },
      { name: 'moving average', detail: `window ${window}`, ...ev.baselines.moving_average },
    ],
    verdict: gain > 0
      ? `The model's error (MAE) is ${gain.toFixed(1)}% below the best naive baseline; MASE ${ev.model.mase.toFixed(3)}.`
      : `The model did not beat the best naive baseline (MAE ${(-gain).toFixed(1)}% worse): use the baseline, or more data.`,
  };
}

async function train(req: Extract<SeriesRequest, { type: 'train' }>): Promise<void> {
  if (training) throw new DataError('a forecaster is training already');
  const c = req.config;
  const { s, date } = loadSeries(req.csv, req.source, [c.target], []);
  setDefaultDevice(c.device);
  const device = getBackend(c.device).description; // asked as the default, so the host kernels follow it too
  const notes = [`${s.N} rows${date ? `, dated by '${date}'${s.frequency ? ` (${s.frequency.label})` : ''}` : ''}`];
  post({ type: 'started', device, rows: s.N, columns: s.names, notes });
  const state = (training = { aborted: false });
  let last = 0, total = 0;
  const progress: Progress = {
    start(steps) { total = steps; },
    update(done, info) {
      const now = performance.now();
      if (now - last > 100) { last = now; post({ type: 'progress', step: done, total, loss: info.loss }); }
    },
    note(line) {
      // each candidate's end of epoch (Candidate.endOfEpoch): "[level] epoch 3: train loss 0.1234, validation MAE 2.3456"
      const m = /^\[(\w+)\] epoch (\d+): train loss \S+ validation MAE ([^,\s]+)/.exec(line);
      post(m ? { type: 'epoch', run: m[1], epoch: Number(m[2]), valMae: Number(m[3]) } : { type: 'note', line });
    },
    stop() {},
  };
  try {
    const r = await runForecast(s, {
      horizon: c.horizon, cell: c.cell, hidden: c.hidden, epochs: c.epochs, lookback: c.lookback ?? undefined, seed: c.seed,
      device: c.device, dateColumn: date,
    }, { progress, store: null, checkpointEvery: 0, resume: false, signal: state });
    const ch = r.chosen!, ev = r.evaluation!, o = r.options;
    trained = { model: ch.model, meta: r.meta! };
    const window = Math.min(o.lookback, o.season >= 2 ? o.season : o.lookback);
    const plot = plotOf(s, c.target, ch.splits.test, (t) => ch.predict(t).point[0], o.season, window, ev,
      { lookback: o.lookback, inputs: ch.mode });
    post({ type: 'result', plot, canSave: true, source: 'trained' });
    if (r.loop.aborted) post({ type: 'note', line: `stopped at step ${r.loop.steps}: the best weights so far are kept` });
  } finally {
    training = null;
  }
}

function open(req: Extract<SeriesRequest, { type: 'load' }>): void {
  const parsed = parseModelFile(new Uint8Array(req.bytes));
  if (parsed.meta.kind !== 'forecaster') {
    throw new DataError(`${req.name}: a '${parsed.meta.kind}' model; the Series tab opens forecasters${parsed.meta.kind === 'char-lm' ? ' — open it on the Text tab' : ''}`);
  }
  setDefaultDevice(req.device);
  const device = getBackend(req.device).description;
  const { predictor, meta } = forecasterFromFile(parsed, req.device);
  const targets = meta.columns.slice(0, meta.nTargets), features = meta.columns.slice(meta.nTargets);
  const { s } = loadSeries(req.csv, req.source, targets, features, meta.dateColumn);
  const spec = predictor.spec, H = meta.horizon;
  const splits = splitOrigins(s.N, spec.lookback, meta.mode === 'recursive' ? 1 : H, 0.15, 0.15);
  const extraMeta = parsed.meta as { movingAverageWindow?: number };
  const window = extraMeta.movingAverageWindow ?? Math.min(spec.lookback, spec.season >= 2 ? spec.season : spec.lookback);
  const predict = (t: number) => predictor.predict(s.values, t, s.dates); // the seasonal phase from the dates, as the CLI
  const ev = evaluate(s, splits.test, H, spec.season, window, splits.trainEnd, predict);
  trained = { model: predictor.model, meta: parsed.meta };
  post({ type: 'started', device, rows: s.N, columns: s.names, notes: [`opened ${req.name}: ${meta.arch.cell} ${meta.arch.hidden}, horizon ${H}, ${meta.mode}`] });
  const plot = plotOf(s, targets[0], splits.test, (t) => predict(t).point[0], spec.season, window, ev, { lookback: spec.lookback, inputs: spec.mode });
  post({ type: 'result', plot, canSave: true, source: 'loaded' });
}

self.onmessage = async (e: MessageEvent<SeriesRequest>) => {
  const req = e.data;
  try {
    switch (req.type) {
      case 'train': await train(req); break;
      case 'stop': if (training) training.aborted = true; break;
      case 'load': open(req); break;
      case 'save': {
        if (!trained) throw new DataError('no forecaster yet: train one or open a model file');
        const bytes = serializeModel(trained.model, trained.meta);
        const meta = trained.meta as { arch: { cell?: string }; columns?: string[] };
        post({ type: 'saved', bytes: bytes.buffer as ArrayBuffer, name: `forecaster-${meta.columns?.[0] ?? 'series'}.safetensors` }, [bytes.buffer as ArrayBuffer]);
        break;
      }
    }
  } catch (err) {
    post({ type: 'error', message: (err as Error).message, during: req.type });
  }
};

post({ type: 'ready', devices: listDevices(), auto: getBackend('auto').description });
