/// <reference lib="webworker" />
/**
 * The text worker: trains character models with the library's training loop, samples from them,
 * reads texts through them, saves and opens model files. While a model trains, the loop yields
 * to messages every few steps, so Stop, a new temperature or a new text to read get through.
 */
import {
  DataError, type Progress, TextTrainer, type TrainTask, evaluateText, getBackend, listDevices, prepareText, resolveTextOptions, runLoop,
} from '../../../src/web.js';
import type { TextEvent, TextRequest } from '../protocol.js';
import { type TextModel, abcHeader, describe, load, probe, sample, save, useDevice, weights } from './model.js';

declare const self: DedicatedWorkerGlobalScope;
const post = (e: TextEvent, transfer: Transferable[] = []): void => self.postMessage(e, transfer);

let current: TextModel | null = null;
let training: { aborted: boolean } | null = null;
let live = { temperature: 0.8, probe: '' };
/** The description of the device the current model runs on, for the page's badge. */
let device = '';
/** How often, while training, the page gets new weights, a sample and a reading of its text (ms). */
const EVERY = { progress: 100, weights: 400, sample: 2000, probe: 1500 };

async function train(req: Extract<TextRequest, { type: 'train' }>): Promise<void> {
  if (training) throw new DataError('a model is training already; stop it first');
  const c = req.config;
  live = req.live;
  const o = resolveTextOptions({
    cell: c.cell, hidden: c.hidden, layers: c.cell === 'seed' ? 1 : c.layers, seq: c.seq, batch: c.batch,
    steps: c.steps, lr: c.lr, seed: c.seed, device: c.device, evalEvery: Math.max(5, Math.round(c.steps / 15)),
  });
  // a short pasted text gets fewer parallel streams rather than an error
  const chars = Array.from(req.text).length, nVal = Math.max(o.seq + 1, Math.floor(chars * o.valFraction)), notes: string[] = [];
  const batch = Math.max(1, Math.min(o.batch, Math.floor((chars - nVal) / (o.seq + 1))));
  if (batch < o.batch) notes.push(`the text is short: ${batch} parallel stream${batch > 1 ? 's' : ''} instead of ${o.batch}`);
  const { vocab, streams, validation, options } = prepareText(req.text, { ...o, batch });
  const abc = /X:\s*\d+/.test(req.text) && /^K:/m.test(req.text);

  device = useDevice(null, c.device);
  const t = new TextTrainer(vocab, streams, validation, options);
  current = { model: t.model, vocab, seq: o.seq, abc, source: req.source };
  const task = t.task(), evals = () => t.evals, lastLoss = () => t.lastLoss, validate = () => evaluateText(t.model, validation(), o.seq);
  const m = current;
  post({ type: 'started', device, info: describe(m), batch: options.batch, notes });

  const state = (training = { aborted: false });
  const last = { progress: 0, weights: 0, sample: 0, probe: 0 };
  // a large model's weights (an LSTM 256 has 350k) change little in 400 ms: copy and send them once a second
  const every = { ...EVERY, weights: describe(m).params > 100_000 ? 1000 : EVERY.weights };
  const due = (k: keyof typeof EVERY, now: number) => (now - last[k] >= every[k] ? ((last[k] = now), true) : false);
  let pending: number[] = [], evalsSent = 0;
  const flush = (step: number, smooth: number, rate: number) => {
    if (pending.length) post({ type: 'progress', step, total: o.steps, losses: pending, smooth, rate });
    pending = [];
  };
  const liveViews = (step: number, force = false) => {
    const now = performance.now();
    if (force || due('weights', now)) postWeights(m, step);
    if (force || due('probe', now)) if (live.probe) { const p = probe(m, live.probe); post({ type: 'probe', step, probe: p }, [p.states.buffer]); }
    if (force || due('sample', now)) {
      const { temperature } = live;
      post({ type: 'sample', step, text: sample(m, { prime: '', length: 240, temperature, seed: step }), prime: '', device, temperature, seed: step });
    }
  };
  let smooth = NaN, rate = 0;
  const progress: Progress = {
    start() {},
    update(done, info) {
      pending.push(lastLoss()); smooth = info.loss; rate = info.rate;
      if (due('progress', performance.now())) flush(done, smooth, rate);
    },
    note(line) { post({ type: 'note', line }); },
    stop() {},
  };
  const watched: TrainTask = {
    ...task,
    after(i) {
      const r = task.after?.(i);
      for (const e of evals().slice(evalsSent)) post({ type: 'eval', step: e.step, valLoss: e.valLoss });
      evalsSent = evals().length;
      liveViews(i + 1, i === 0);
      return r;
    },
  };

  const t0 = performance.now();
  try {
    const loop = await runLoop(watched, {
      label: 'text', unit: 'chars', progress, store: null, checkpointEvery: 0, resume: false, fingerprint: '', gradWarn: 1e3, signal: state,
    });
    flush(loop.steps, smooth, rate);
    const seconds = (performance.now() - t0) / 1000;
    const valLoss = validate();
    post({ type: 'eval', step: loop.steps, valLoss });
    liveViews(loop.steps, true);
    post({
      type: 'done', steps: loop.steps, trainLoss: lastLoss(), valLoss, seconds,
      charsPerSec: (loop.steps * o.seq * options.batch) / seconds, stopped: loop.interrupted,
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

self.onmessage = async (e: MessageEvent<TextRequest>) => {
  const req = e.data;
  try {
    switch (req.type) {
      case 'train': await train(req); break;
      case 'stop': if (training) training.aborted = true; break;
      case 'live': live = { temperature: req.temperature, probe: req.probe }; break;
      case 'sample': {
        const m = need(), c = req.config;
        // while it trains, the model stays on the device it trains on
        if (!training) device = useDevice(m, c.device);
        post({ type: 'sample', step: null, text: sample(m, c), prime: c.abc ? abcHeader() + c.prime : c.prime, device, temperature: c.temperature, seed: c.seed });
        break;
      }
      case 'probe': { const p = probe(need(), req.text); post({ type: 'probe', step: null, probe: p }, [p.states.buffer]); break; }
      case 'save': {
        const m = need(), bytes = save(m);
        const name = `${m.model.arch.cell === 'seed' ? 'seed-cell' : m.model.arch.cell}-${describe(m).hidden}.safetensors`;
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
  } catch (err) {
    post({ type: 'error', message: (err as Error).message, during: req.type });
  }
};

post({ type: 'ready', devices: listDevices(), auto: getBackend('auto').description });
