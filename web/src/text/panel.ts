/**
 * The Text tab: choose a text and a cell, train in the worker with a live loss curve, sample as
 * it learns, watch the hidden state read a passage, and save or open the CLI's model files.
 */
import { LineChart, type Line } from '../charts/line.js';
import { TEXTS } from '../data.js';
import type { DeviceChoice, ModelInfo, TextCell, TextConfig, TextEvent, TextRequest } from '../protocol.js';
import { $, Announcer, download, fillDevices, filePicker, fmtInt, fmtRate, intOf } from '../ui.js';
import { memoryCard } from './memory.js';
import { WeightsCard } from './weights.js';

const CELL_NOTES: Record<TextCell, string> = {
  lstm: 'LSTM: gates decide what to write to, keep in and read from a separate cell state. The classic for text.',
  gru: 'GRU: an update and a reset gate, no separate cell state; lighter than an LSTM.',
  rnn: 'RNN: h = tanh(W_ih·x + W_hh·h + b), the plain feedback loop, fused forward and backward through time.',
  seed: 'The seed\'s own cell: h = tanh(W_hh·h + W_xh·x), y = W_hy·h, three explicit matrices trained by autograd step by step (slower: try 32–64 units).',
};
const CELL_NAMES: Record<TextCell, string> = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN', seed: 'seed cell' };

export interface TextPanel { worker: Worker; device: string }

export function textPanel(onDevice: (description: string) => void): TextPanel {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'recur-text' });
  const send = (r: TextRequest, transfer: Transferable[] = []) => worker.postMessage(r, transfer);
  const panel: TextPanel = { worker, device: '' };

  // ---- elements ----
  const source = $<HTMLSelectElement>('text-source'), input = $<HTMLTextAreaElement>('text-input'), count = $('text-count');
  const cell = $<HTMLSelectElement>('cell'), hidden = $<HTMLSelectElement>('hidden'), seq = $<HTMLSelectElement>('seq');
  const steps = $<HTMLInputElement>('steps'), deviceChoice = $<HTMLSelectElement>('device-choice'), layers = $<HTMLSelectElement>('layers');
  const batch = $<HTMLInputElement>('batch'), lr = $<HTMLInputElement>('lr'), trainSeed = $<HTMLInputElement>('train-seed');
  const trainBtn = $<HTMLButtonElement>('train'), stopBtn = $<HTMLButtonElement>('stop'), saveBtn = $<HTMLButtonElement>('save');
  const openBtn = $<HTMLButtonElement>('open-button'), sampleBtn = $<HTMLButtonElement>('sample'), probeBtn = $<HTMLButtonElement>('probe');
  const status = $('text-status'), temperature = $<HTMLInputElement>('temperature'), tempOut = $<HTMLOutputElement>('temperature-out');
  const sampleOut = $('sample-out'), sampleCaption = $('sample-caption'), probeText = $<HTMLTextAreaElement>('probe-text');
  const lossCanvas = $('loss-chart'), announce = new Announcer($('text-announce'));
  const form = $<HTMLFormElement>('text-form'), modelInfo = $('model-info'), abcMode = $<HTMLInputElement>('abc-mode');

  // ---- text sources ----
  for (const t of TEXTS) source.add(new Option(t.label, t.id));
  source.add(new Option('Your own text (paste it below)', 'own'));
  const showCount = () => {
    const chars = Array.from(input.value);
    count.textContent = `${fmtInt(chars.length)} characters · ${new Set(chars).size} distinct`;
  };
  const useSource = (id: string) => {
    const t = TEXTS.find((x) => x.id === id);
    if (t) { input.value = t.text; probeText.value = t.probe; }
    showCount();
  };
  source.addEventListener('change', () => { if (source.value === 'own') { input.value = ''; input.focus(); showCount(); } else useSource(source.value); });
  input.addEventListener('input', () => { if (source.value !== 'own') source.value = 'own'; showCount(); });
  filePicker($<HTMLButtonElement>('text-file-button'), $<HTMLInputElement>('text-file'), async (f) => {
    input.value = await f.text(); source.value = 'own'; showCount();
    report(`Opened ${f.name}.`);
  });
  useSource(TEXTS[0].id);

  const cellNote = $('cell-note');
  const showCellNote = () => { cellNote.textContent = CELL_NOTES[cell.value as TextCell]; layers.disabled = cell.value === 'seed'; };
  // the seed's cell has no biases and small initial weights: it needs a larger step to leave its plateau
  let lrEdited = false;
  lr.addEventListener('input', () => { lrEdited = true; });
  cell.addEventListener('change', () => { showCellNote(); if (!lrEdited) lr.value = cell.value === 'seed' ? '0.01' : '0.004'; });
  showCellNote();

  // ---- loss chart ----
  const chart = new LineChart($<HTMLCanvasElement>('loss-chart'), { yLabel: 'nats / character', xLabel: 'step', empty: 'The loss appears here as the model trains.' });
  const raw: Line = { name: 'train (each step)', color: '#818cf8', width: 1, points: [], alpha: 0.45 };
  const smooth: Line = { name: 'train', color: '#4f46e5', width: 2.2, points: [] };
  const val: Line = { name: 'validation', color: '#e8590c', width: 2, points: [], dots: true };
  chart.reset(1, [raw, smooth, val]);
  const BETA = 0.9;
  let ema = NaN, emaSum = 0, emaWeight = 0, lastVal = NaN, rate = 0, total = 0, step = 0;

  /** The status line the eye reads; a screen reader hears milestones only (`announce`), not every step. */
  const setStatus = (text: string, state?: string) => {
    status.textContent = text;
    status.classList.toggle('error', state === 'error');
    if (state) status.dataset.state = state;
  };
  status.dataset.state = 'idle';
  /** A milestone: on the status line, and heard. */
  const report = (text: string, state?: string) => { setStatus(text, state); announce.say(text); };
  /** The loss chart's text alternative, renewed at the validation points (every fifteenth of the run) and at the end. */
  const describeLoss = () => lossCanvas.setAttribute('aria-label', `Loss curve: step ${fmtInt(step)} of ${fmtInt(total)}, training loss ${ema.toFixed(3)}`
    + (Number.isFinite(lastVal) ? `, validation loss ${lastVal.toFixed(3)}` : '') + ' nats per character');

  // ---- sampling ----
  let samples = 0;
  tempOut.value = Number(temperature.value).toFixed(2);
  const sendLive = () => send({ type: 'live', temperature: Number(temperature.value), probe: probeText.value });
  temperature.addEventListener('input', () => { tempOut.value = Number(temperature.value).toFixed(2); sendLive(); });
  sampleBtn.addEventListener('click', () => {
    sampleBtn.disabled = true;
    send({ type: 'sample', config: {
      prime: $<HTMLInputElement>('prime').value, length: intOf($<HTMLInputElement>('sample-length'), 300),
      temperature: Number(temperature.value), seed: intOf($<HTMLInputElement>('sample-seed'), 1), device: deviceChoice.value as DeviceChoice,
      abc: abcMode.checked && !abcMode.disabled,
    } });
  });
  const showSample = (e: Extract<TextEvent, { type: 'sample' }>) => {
    sampleOut.replaceChildren();
    if (e.prime) sampleOut.append(Object.assign(document.createElement('span'), { className: 'prime', textContent: e.prime }));
    sampleOut.append(document.createTextNode(e.text));
    sampleOut.dataset.text = e.text;
    if (e.step === null) {
      samples++;
      sampleOut.dataset.kind = 'manual';
      sampleOut.dataset.count = String(samples);
      sampleCaption.textContent = `Sample ${samples}: seed ${e.seed}, temperature ${e.temperature.toFixed(2)}, on ${e.device.split(' ')[0]}`;
      announce.say(`Sample ${samples} is ready.`);
      sampleBtn.disabled = false;
      panel.device = e.device; onDevice(e.device);
    } else {
      sampleOut.dataset.kind = 'live';
      sampleCaption.textContent = `Live sample at step ${fmtInt(e.step)}, temperature ${e.temperature.toFixed(2)}`;
    }
  };

  // ---- memory: heat map, predictions, units ----
  const memory = memoryCard();
  probeBtn.addEventListener('click', () => { sendLive(); send({ type: 'probe', text: probeText.value }); });
  probeText.addEventListener('change', sendLive);

  // ---- weights ----
  const weights = new WeightsCard();

  // ---- training ----
  let training = false, hasModel = false;
  const setTraining = (on: boolean) => {
    training = on;
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement>('input, select, textarea, button')) {
      if (el === stopBtn) continue;
      el.disabled = on || (el === saveBtn && !hasModel) || (el === layers && cell.value === 'seed');
    }
    stopBtn.disabled = !on;
    trainBtn.textContent = on ? 'Training…' : 'Train';
    sampleBtn.disabled = !hasModel; probeBtn.disabled = !hasModel;
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (training) return;
    const text = input.value;
    const config: TextConfig = {
      cell: cell.value as TextCell, hidden: Number(hidden.value), layers: Number(layers.value), seq: Number(seq.value),
      batch: intOf(batch, 16), steps: intOf(steps, 800), lr: Number(lr.value) > 0 ? Number(lr.value) : 0.004,
      seed: intOf(trainSeed, 0), device: deviceChoice.value as DeviceChoice,
    };
    total = config.steps; step = 0; ema = NaN; emaSum = 0; emaWeight = 0; lastVal = NaN; rate = 0;
    raw.points = []; smooth.points = []; val.points = [];
    chart.reset(total, [raw, smooth, val]);
    delete status.dataset.firstLoss;
    const name = source.value === 'own' ? 'your text' : source.selectedOptions[0].text;
    setStatus(`Preparing ${fmtInt(Array.from(text).length)} characters…`, 'training');
    lossCanvas.setAttribute('aria-label', 'Loss curve: training has just started');
    setTraining(true);
    send({ type: 'train', text, source: name, config, live: { temperature: Number(temperature.value), probe: probeText.value } });
  });
  stopBtn.addEventListener('click', () => { stopBtn.disabled = true; send({ type: 'stop' }); });
  saveBtn.addEventListener('click', () => send({ type: 'save' }));
  filePicker(openBtn, $<HTMLInputElement>('open-file'), async (f) => {
    const bytes = await f.arrayBuffer();
    setStatus(`Opening ${f.name}…`);
    send({ type: 'load', bytes, name: f.name }, [bytes]);
  });

  const describeModel = (i: ModelInfo) => `${CELL_NAMES[i.cell]} ${i.hidden}${i.layers > 1 ? `×${i.layers}` : ''}, ${i.vocab} symbols, ${fmtInt(i.params)} parameters`;
  const progressLine = () => `step ${fmtInt(step)} / ${fmtInt(total)} · loss ${ema.toFixed(3)}`
    + (Number.isFinite(lastVal) ? ` · validation ${lastVal.toFixed(3)}` : '') + ` · ${fmtRate(rate)} chars/s`;

  worker.onmessage = (ev: MessageEvent<TextEvent>) => {
    const e = ev.data;
    switch (e.type) {
      case 'ready':
        fillDevices(deviceChoice, e.devices, e.auto);
        panel.device = e.auto; onDevice(e.auto);
        trainBtn.disabled = false;
        sendLive();
        break;
      case 'started':
        hasModel = true; modelInfo.textContent = `Model: ${describeModel(e.info)} (training)`;
        abcMode.disabled = !e.info.abc; abcMode.checked = e.info.abc;
        panel.device = e.device; onDevice(e.device);
        setStatus(`Training ${describeModel(e.info)} on ${e.info.source}; ${e.batch} streams.${e.notes.map((n) => ` Note: ${n}.`).join('')}`, 'training');
        announce.say(`Training ${describeModel(e.info)}: ${fmtInt(total)} steps.`);
        sampleBtn.disabled = false; probeBtn.disabled = false;
        break;
      case 'progress': {
        const from = e.step - e.losses.length;
        e.losses.forEach((l, i) => {
          // a bias-corrected running average (as Adam corrects its moments): no lag from a zero start
          emaSum = BETA * emaSum + (1 - BETA) * l; emaWeight = BETA * emaWeight + (1 - BETA); ema = emaSum / emaWeight;
          raw.points.push([from + i + 1, l]); smooth.points.push([from + i + 1, ema]);
        });
        step = e.step; rate = e.rate;
        status.dataset.firstLoss ??= String(raw.points[0]?.[1] ?? e.losses[0]);
        status.dataset.loss = String(ema); status.dataset.step = String(step);
        chart.redraw();
        setStatus(progressLine());
        announce.progress(() => progressLine());
        break;
      }
      case 'eval':
        lastVal = e.valLoss; val.points.push([e.step, e.valLoss]); status.dataset.valLoss = String(e.valLoss); chart.redraw();
        describeLoss();
        break;
      case 'sample': showSample(e); break;
      case 'weights': weights.show(e.mats, e.layer); break;
      case 'probe': memory.show(e.probe); break;
      case 'done':
        setTraining(false);
        modelInfo.textContent = modelInfo.textContent!.replace(' (training)', `, trained ${fmtInt(e.steps)} steps`);
        report(`${e.stopped ? 'Stopped' : 'Done'}: ${fmtInt(e.steps)} steps in ${e.seconds.toFixed(1)} s (${fmtRate(e.charsPerSec)} chars/s). `
          + `Train loss ${e.trainLoss.toFixed(3)}, validation ${e.valLoss?.toFixed(3) ?? '—'} nats/char (perplexity ${e.valLoss === null ? '—' : Math.exp(e.valLoss).toFixed(2)}).`, 'done');
        describeLoss();
        saveBtn.disabled = false;
        break;
      case 'saved':
        download(e.bytes, e.name);
        report(`Saved ${e.name} (${fmtInt(e.bytes.byteLength)} bytes): sample it with recur text sample ${e.name}`);
        break;
      case 'loaded':
        hasModel = true; setTraining(false); saveBtn.disabled = false;
        modelInfo.textContent = `Model: ${describeModel(e.info)}, from ${e.info.source}`;
        abcMode.disabled = !e.info.abc; abcMode.checked = e.info.abc;
        panel.device = e.device; onDevice(e.device);
        raw.points = []; smooth.points = []; val.points = []; chart.reset(1, [raw, smooth, val]);
        lossCanvas.setAttribute('aria-label', 'Loss curve: empty, the model was opened from a file');
        report(`Opened ${e.info.source}: ${describeModel(e.info)}. Press Sample, or Read to see its memory.`, 'loaded');
        sendLive();
        send({ type: 'probe', text: probeText.value });
        break;
      case 'note': break;
      case 'error':
        if (e.during === 'train') setTraining(false);
        sampleBtn.disabled = !hasModel;
        report(`Error: ${e.message}`, 'error');
        break;
    }
  };
  worker.onerror = (e) => {
    setTraining(false);
    report(`Error: the text worker failed: ${e.message || 'it did not start'}`, 'error');
  };
  trainBtn.disabled = true;
  return panel;
}
