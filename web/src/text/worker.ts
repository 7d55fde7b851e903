/// <reference lib="webworker" />
/**
 * The text worker: trains character models with the library's training loop, samples from them,
 * reads texts through them, saves and opens model files. While a model trains, the loop yields
 * to messages every few steps, so Stop, a new temperature or a new text to read get through.
 */
import {
  DataError, type Progress, TextTrainer, type TrainTask, evaluateText, prepareText, resolveTextOptions, runLoop,
} from '../../../src/web.js';
import type { TextEvent, TextRequest } from '../protocol.js';
import { post as postEvent, serve } from '../serve.js';
import { type TextModel, abcHeader, describe, load, probe, sample, save, useDevice, weights } from './model.js';

const post: (e: TextEvent, transfer?: Transferable[]) => void = postEvent;

let current: TextModel | null = null;
let training: { aborted: boolean } | null = null;
let live = { temperature: 0.8, probe: '' };
/** The description of the device the current model runs on, for the page's badge. */
let device = '';
/** How often, while training, the page gets new weights, a sample and a reading of its text (ms). */
const EVERY = { progress: 100, weights: 400, sample: 2000, probe: 1500 };

type TrainRequest = Extract<TextRequest, { type: 'train' }>;

/** The trainer a request asks for, its model made the current one; the page hears 'started'. */
function prepare(req: TrainRequest) {
  const c = req.config;
  const o = resolveTextOptions({
    cell: c.cell, hidden: c.hidden, layers: c.cell === 'seed' ? 1 : c.layers, seq: c.seq, batch: c.batch,
    steps: c.steps, lr: c.lr, seed: c.seed, device: c.device, evalEvery: Math.max(5, Math.round(c.steps / 15)),
  });
  // a short pasted text gets fewer parallel streams rather than an error
  const chars = Array.from(req.text).length, nVal = Math.max(o.seq + 1, Math.floor(chars * o.valFraction));
  const batch = Math.max(1, Math.min(o.batch, Math.floor((chars - nVal) / (o.seq + 1)))), notes: string[] = [];
  if (batch < o.batch) {
    notes.push(`the text is short: ${batch} parallel stream${batch > 1 ? 's' : ''} instead of ${o.batch}`);
  }
  const { vocab, streams, validation, options } = prepareText(req.text, { ...o, batch });
  const abc = /X:\s*\d+/.test(req.text) && /^K:/m.test(req.text);

  device = useDevice(null, c.device);
  const t = new TextTrainer(vocab, streams, validation, options);
  const m: TextModel = (current = { model: t.model, vocab, seq: o.seq, abc, source: req.source });
  post({ type: 'started', device, info: describe(m), batch: options.batch, notes });
  const validate = () => evaluateText(t.model, validation(), o.seq);
  return { t, m, steps: o.steps, charsPerStep: o.seq * options.batch, validate };
}

/**
 * What the page sees of a run: the loss of every step (posted in batches, ten times a second), the
 * validation points, and every so often new weights, a sample and a reading of its text.
 */
function watch(t: TextTrainer, m: TextModel, total: number) {
  const last = { progress: 0, weights: 0, sample: 0, probe: 0 };
  // a large model's weights (an LSTM 256 has 350k) change little in 400 ms: copy and send them once a second
  const every = { ...EVERY, weights: describe(m).params > 100_000 ? 1000 : EVERY.weights };
  const due = (k: keyof typeof EVERY, now: number) => (now - last[k] >= every[k] ? ((last[k] = now), true) : false);
  let pending: number[] = [], evalsSent = 0, smooth = NaN, rate = 0;
  const flush = (step: number) => {
    if (pending.length) post({ type: 'progress', step, total, losses: pending, smooth, rate });
    pending = [];
  };
  const liveViews = (step: number, force = false) => {
    const now = performance.now();
    if (force || due('weights', now)) postWeights(m, step);
    if ((force || due('probe', now)) && live.probe) {
      const p = probe(m, live.probe);
      post({ type: 'probe', step, probe: p }, [p.states.buffer]);
    }
    if (force || due('sample', now)) {
      const { temperature } = live, text = sample(m, { prime: '', length: 240, temperature, seed: step });
      post({ type: 'sample', step, text, prime: '', device, temperature, seed: step });
    }
  };
  const progress: Progress = {
    start() {},
    update(done, info) {
      pending.push(t.lastLoss); smooth = info.loss; rate = info.rate;
      if (due('progress', performance.now())) flush(done);
    },
    note(line) { post({ type: 'note', line }); },
    stop() {},
  };
  const afterStep = (i: number) => {
    for (const e of t.evals.slice(evalsSent)) post({ type: 'eval', step: e.step, valLoss: e.valLoss });
    evalsSent = t.evals.length;
    liveViews(i + 1, i === 0);
  };
  return { progress, flush, liveViews, afterStep };
}

async function train(req: TrainRequest): Promise<void> {
  if (training) throw new DataError('a model is training already; stop it first');
  live = req.live;
  const { t, m, steps, charsPerStep, validate } = prepare(req);
  const state = (training = { aborted: false });
  const w = watch(t, m, steps), task = t.task();
  const watched: TrainTask = { ...task, after(i) { const r = task.after?.(i); w.afterStep(i); return r; } };
  const t0 = performance.now();
  try {
    const loop = await runLoop(watched, {
      label: 'text', unit: 'chars', progress: w.progress, store: null, checkpointEvery: 0, resume: false,
      fingerprint: '', gradWarn: 1e3, signal: state,
    });
    w.flush(loop.steps);
    const seconds = (performance.now() - t0) / 1000;
    const valLoss = validate();
    post({ type: 'eval', step: loop.steps, valLoss });
    w.liveViews(loop.steps, true);
    post({
      type: 'done', steps: loop.steps, trainLoss: t.lastLoss, valLoss, seconds,
      charsPerSec: (loop.steps * charsPerStep) / seconds, stopped: loop.interrupted,
    });
  } finally {
    training = null;
  }
}

function postWeights(m: TextModel, step: number): void {
  const { mats, layer } = weights(m);
  post({ type: 'weights', step, mats, layer }, mats.map((x) => x.data.buffer));
}

function need(): TextModel {
  if (!current) throw new DataError('no model yet: train one or open a model file');
  return current;
}

serve<TextRequest>(async (req) => {
  switch (req.type) {
    case 'train': await train(req); break;
    case 'stop': if (training) training.aborted = true; break;
    case 'live': live = { temperature: req.temperature, probe: req.probe }; break;
    case 'sample': {
      const m = need(), c = req.config;
      // while it trains, the model stays on the device it trains on
      if (!training) device = useDevice(m, c.device);
      const prime = c.abc ? abcHeader() + c.prime : c.prime;
      post({ type: 'sample', step: null, text: sample(m, c), prime, device, temperature: c.temperature, seed: c.seed });
      break;
    }
    case 'probe': {
      const p = probe(need(), req.text);
      post({ type: 'probe', step: null, probe: p }, [p.states.buffer]);
      break;
    }
    case 'save': {
      const m = need(), bytes = save(m);
      const cell = m.model.arch.cell === 'seed' ? 'seed-cell' : m.model.arch.cell;
      const name = `${cell}-${describe(m).hidden}.safetensors`;
      post({ type: 'saved', bytes: bytes.buffer as ArrayBuffer, name }, [bytes.buffer as ArrayBuffer]);
      break;
    }
    case 'load': {
      if (training) throw new DataError('a model is training; stop it before opening another');
      current = load(new Uint8Array(req.bytes), req.name);
      device = useDevice(current, 'auto');
      post({ type: 'loaded', info: describe(current), device });
      postWeights(current, 0);
      break;
    }
  }
});
