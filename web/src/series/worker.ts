/// <reference lib="webworker" />
/**
 * The series worker: trains the hybrid (runUnivariate, the CLI's `recur forecast train --model
 * hybrid`) or the recurrent network (runForecast, `--model rnn`) on a CSV column, scores it on the
 * held-out tail against every baseline (ETS, Theta and naive2 included), and opens and saves the
 * CLI's model files of both kinds.
 */
import {
  DataError, type Module, type ModelMeta, type ParsedModel, type Progress, type Series, buildSeries, evaluate,
  forecasterFromFile, getBackend, guessDateColumn, parseModelFile, parseTable, runForecast, serializeModel,
  setDefaultDevice, splitOrigins, statBaselines,
  column,
} from '../../../src/web.js';
import type { SeriesConfig, SeriesEvent, SeriesRequest } from '../protocol.js';
import { post as postEvent, serve } from '../serve.js';
import { PAGE_HYBRID, openHybridIn, trainHybridIn } from './hybrid.js';
import { plotOf } from './report.js';

const post: (e: SeriesEvent, transfer?: Transferable[]) => void = postEvent;

let trained: { model: Module; meta: ModelMeta } | null = null;
let training: { aborted: boolean } | null = null;

function loadSeries(csv: string, source: string, targets: string[], features: string[],
  date?: string | null): { s: Series; date: string | null } {
  const table = parseTable(csv, source);
  const dateCol = date === undefined ? guessDateColumn(table) : date;
  return { s: buildSeries(table, { targets, features, date: dateCol, missing: 'interpolate' }), date: dateCol };
}


/** The progress the recurrent network's training reports: steps, and each candidate's validation error per epoch. */
function networkProgress(): Progress {
  let last = 0, total = 0;
  return {
    start(steps) { total = steps; },
    update(done, info) {
      const now = performance.now();
      if (now - last > 100) { last = now; post({ type: 'progress', step: done, total, loss: info.loss }); }
    },
    note(line) {
      // each candidate's end of epoch (Candidate.endOfEpoch):
      // "[level] epoch 3: train loss 0.1234, validation MAE 2.3456"
      const m = /^\[(\w+)\] epoch (\d+): train loss \S+ validation MAE ([^,\s]+)/.exec(line);
      post(m ? { type: 'epoch', run: m[1], epoch: Number(m[2]), valMae: Number(m[3]) } : { type: 'note', line });
    },
    stop() {},
  };
}

async function trainNetwork(s: Series, c: SeriesConfig, date: string | null, state: { aborted: boolean }) {
  const r = await runForecast(s, {
    horizon: c.horizon, cell: c.cell, hidden: c.hidden, epochs: c.epochs, lookback: c.lookback ?? undefined,
    seed: c.seed, device: c.device, dateColumn: date,
  }, { progress: networkProgress(), store: null, checkpointEvery: 0, resume: false, signal: state });
  const ch = r.chosen!, ev = r.evaluation!, o = r.options, origins = ch.splits.test;
  trained = { model: ch.model, meta: r.meta! };
  const window = Math.min(o.lookback, o.season >= 2 ? o.season : o.lookback);
  const plot = plotOf({
    s, target: c.target, origins, season: o.season, window, ev, ets: r.ets,
    model: {
      name: 'network', detail: `${ch.mode} inputs`,
      values: origins.map((t) => ch.predict(t).point[0]),
    },
    summary: `lookback ${o.lookback}, season ${o.season}, ${ch.mode} inputs`,
  });
  post({ type: 'result', plot, model: 'rnn', canSave: true, source: 'trained' });
  if (r.loop.aborted) post({ type: 'note', line: `stopped at step ${r.loop.steps}: the best weights so far are kept` });
}

/** The hybrid runs to its end (runUnivariate is synchronous): the page's Stop ends this worker and starts another. */
function trainHybrid(s: Series, c: SeriesConfig, date: string | null): void {
  const r = trainHybridIn(s, c, date, (m, k, of) => post({ type: 'member', k, of, ...m }));
  trained = r.trained;
  post({ type: 'result', plot: r.plot, model: 'hybrid', canSave: true, source: 'trained' });
}

async function train(req: Extract<SeriesRequest, { type: 'train' }>): Promise<void> {
  if (training) throw new DataError('a forecaster is training already');
  const c = req.config;
  const { s, date } = loadSeries(req.csv, req.source, [c.target], []);
  setDefaultDevice(c.device);
  const device = getBackend(c.device).description; // asked as the default, so the host kernels follow it too
  const notes = [`${s.N} rows${date ? `, dated by '${date}'${s.frequency ? ` (${s.frequency.label})` : ''}` : ''}`];
  if (c.model === 'hybrid') notes.push(`hybrid: ${PAGE_HYBRID.seeds} seed per lookback, at most ${c.epochs} epochs`);
  post({ type: 'started', device, rows: s.N, columns: s.names, notes });
  const state = (training = { aborted: false });
  try {
    if (c.model === 'hybrid') trainHybrid(s, c, date);
    else await trainNetwork(s, c, date, state);
  } finally {
    training = null;
  }
}

function openNetwork(req: Extract<SeriesRequest, { type: 'load' }>, parsed: ParsedModel, device: string): void {
  const { predictor, meta } = forecasterFromFile(parsed, req.device);
  const targets = meta.columns.slice(0, meta.nTargets), features = meta.columns.slice(meta.nTargets);
  const { s } = loadSeries(req.csv, req.source, targets, features, meta.dateColumn);
  const spec = predictor.spec, H = meta.horizon;
  const splits = splitOrigins(s.N, spec.lookback, meta.mode === 'recursive' ? 1 : H, 0.15, 0.15);
  const extraMeta = parsed.meta as { movingAverageWindow?: number };
  const window = extraMeta.movingAverageWindow
    ?? Math.min(spec.lookback, spec.season >= 2 ? spec.season : spec.lookback);
  // the seasonal phase from the dates, as the CLI
  const predict = (t: number) => predictor.predict(s.values, t, s.dates);
  // ETS, Theta and naive2 as runForecast scores them: one target, fitted on the values before the test part
  const base = s.nTargets === 1 && s.segments === undefined
    ? statBaselines(column(s), splits.valEnd, spec.season, H) : null;
  const ev = evaluate(s, splits.test, H, spec.season, window, splits.trainEnd, predict, base?.extras);
  trained = { model: predictor.model, meta: parsed.meta };
  const cell = meta.arch.cell.toUpperCase();
  const notes = [`opened ${req.name}: ${cell} ${meta.arch.hidden}, horizon ${H}, ${meta.mode}`];
  post({ type: 'started', device, rows: s.N, columns: s.names, notes });
  const plot = plotOf({
    s, target: targets[0], origins: splits.test, season: spec.season, window, ev, ets: base?.ets ?? null,
    model: {
      name: 'network', detail: `${spec.mode} inputs`,
      values: splits.test.map((t) => predict(t).point[0]),
    },
    summary: `lookback ${spec.lookback}, season ${spec.season}, ${spec.mode} inputs`,
  });
  post({ type: 'result', plot, model: 'rnn', canSave: true, source: 'loaded' });
}

function openHybrid(req: Extract<SeriesRequest, { type: 'load' }>, parsed: ParsedModel, device: string): void {
  const load = (target: string, date: string | null) =>
    loadSeries(req.csv, req.source, [target], [], date ?? undefined).s;
  const r = openHybridIn(parsed, req.name, load, req.device);
  trained = r.trained;
  post({ type: 'started', device, rows: r.rows, columns: [r.plot.target], notes: [r.note] });
  post({ type: 'result', plot: r.plot, model: 'hybrid', canSave: true, source: 'loaded' });
}

function open(req: Extract<SeriesRequest, { type: 'load' }>): void {
  const parsed = parseModelFile(new Uint8Array(req.bytes)), kind = parsed.meta.kind;
  if (kind !== 'forecaster' && kind !== 'hybrid') {
    throw new DataError(`${req.name}: a '${kind}' model; the Series tab opens forecasters and hybrids`
      + `${kind === 'char-lm' ? ' — open it on the Text tab' : ''}`);
  }
  setDefaultDevice(req.device);
  const device = getBackend(req.device).description;
  if (kind === 'hybrid') openHybrid(req, parsed, device);
  else openNetwork(req, parsed, device);
}

function save(): void {
  if (!trained) throw new DataError('no forecaster yet: train one or open a model file');
  const bytes = serializeModel(trained.model, trained.meta), buffer = bytes.buffer as ArrayBuffer;
  const meta = trained.meta as ModelMeta & { columns?: string[]; target?: string };
  const name = meta.kind === 'hybrid' ? `hybrid-${meta.target}` : `forecaster-${meta.columns?.[0] ?? 'series'}`;
  post({ type: 'saved', bytes: buffer, name: `${name}.safetensors` }, [buffer]);
}

serve<SeriesRequest>(async (req) => {
  switch (req.type) {
    case 'train': await train(req); break;
    case 'stop': if (training) training.aborted = true; break;
    case 'load': open(req); break;
    case 'save': save(); break;
  }
});
