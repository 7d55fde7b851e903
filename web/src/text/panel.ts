/**
 * The Text tab: choose a text and a cell, train in the worker with a live loss curve, sample as
 * it learns, watch the hidden state read a passage, and save or open the CLI's model files.
 */
import { TEXTS } from '../data.js';
import { type Panel, StatusLine, TabWorker, TrainForm, openModelFile } from '../panel.js';
import type { DeviceChoice, ModelInfo, TextCell, TextConfig, TextEvent, TextRequest } from '../protocol.js';
import { $, filePicker, fmtInt, fmtRate, intOf } from '../ui.js';
import { LossCurve } from './loss.js';
import { memoryCard } from './memory.js';
import { WeightsCard } from './weights.js';

const CELL_NOTES: Record<TextCell, string> = {
  lstm: 'LSTM: gates decide what to write to, keep in and read from a separate cell state. The classic for text.',
  gru: 'GRU: an update and a reset gate, no separate cell state; lighter than an LSTM.',
  rnn: 'RNN: h = tanh(W_ih·x + W_hh·h + b), the plain feedback loop, fused forward and backward through time.',
  seed: 'The seed\'s own cell: h = tanh(W_hh·h + W_xh·x), y = W_hy·h, three explicit matrices trained by autograd '
    + 'step by step (slower: try 32–64 units).',
};
const CELL_NAMES: Record<TextCell, string> = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN', seed: 'seed cell' };

type EventOf<T extends TextEvent['type']> = Extract<TextEvent, { type: T }>;

const describeModel = (i: ModelInfo) => `${CELL_NAMES[i.cell]} ${i.hidden}${i.layers > 1 ? `×${i.layers}` : ''}, `
  + `${i.vocab} symbols, ${fmtInt(i.params)} parameters`;

/** The tab's elements, by id. */
function elementsOf() {
  return {
    source: $<HTMLSelectElement>('text-source'), input: $<HTMLTextAreaElement>('text-input'), count: $('text-count'),
    cell: $<HTMLSelectElement>('cell'), hidden: $<HTMLSelectElement>('hidden'), seq: $<HTMLSelectElement>('seq'),
    steps: $<HTMLInputElement>('steps'), device: $<HTMLSelectElement>('device-choice'),
    layers: $<HTMLSelectElement>('layers'), batch: $<HTMLInputElement>('batch'), lr: $<HTMLInputElement>('lr'),
    trainSeed: $<HTMLInputElement>('train-seed'), form: $<HTMLFormElement>('text-form'),
    train: $<HTMLButtonElement>('train'), stop: $<HTMLButtonElement>('stop'), save: $<HTMLButtonElement>('save'),
    sample: $<HTMLButtonElement>('sample'), probe: $<HTMLButtonElement>('probe'),
    temperature: $<HTMLInputElement>('temperature'), tempOut: $<HTMLOutputElement>('temperature-out'),
    sampleOut: $('sample-out'), sampleCaption: $('sample-caption'), probeText: $<HTMLTextAreaElement>('probe-text'),
    modelInfo: $('model-info'), abc: $<HTMLInputElement>('abc-mode'),
  };
}
type Elements = ReturnType<typeof elementsOf>;

/** The text to train on: a bundled one (with a passage for the heat map to read), pasted, or a file. */
function wireSources(el: Elements, status: StatusLine): void {
  const { source, input, count, probeText } = el;
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
  source.addEventListener('change', () => {
    if (source.value === 'own') { input.value = ''; input.focus(); showCount(); } else useSource(source.value);
  });
  input.addEventListener('input', () => { if (source.value !== 'own') source.value = 'own'; showCount(); });
  filePicker($<HTMLButtonElement>('text-file-button'), $<HTMLInputElement>('text-file'), async (f) => {
    input.value = await f.text(); source.value = 'own'; showCount();
    status.report(`Opened ${f.name}.`);
  });
  useSource(TEXTS[0].id);
}

/** The cell's note, and the settings that follow the cell. */
function wireCell(el: Elements): void {
  const { cell, layers, lr } = el, note = $('cell-note');
  const showNote = () => {
    note.textContent = CELL_NOTES[cell.value as TextCell];
    layers.disabled = cell.value === 'seed';
  };
  // the seed's cell has no biases and small initial weights: it needs a larger step to leave its plateau
  let lrEdited = false;
  lr.addEventListener('input', () => { lrEdited = true; });
  cell.addEventListener('change', () => {
    showNote();
    if (!lrEdited) lr.value = cell.value === 'seed' ? '0.01' : '0.004';
  });
  showNote();
}

/** The training settings as the form has them. */
function configOf(el: Elements): TextConfig {
  return {
    cell: el.cell.value as TextCell, hidden: Number(el.hidden.value), layers: Number(el.layers.value),
    seq: Number(el.seq.value), batch: intOf(el.batch, 16), steps: intOf(el.steps, 800),
    lr: Number(el.lr.value) > 0 ? Number(el.lr.value) : 0.004, seed: intOf(el.trainSeed, 0),
    device: el.device.value as DeviceChoice,
  };
}

/** The tab: its elements, its worker, and what it does with each of the worker's messages. */
class TextTab {
  private readonly el = elementsOf();
  private readonly status = new StatusLine($('text-status'), $('text-announce'));
  private readonly loss = new LossCurve($<HTMLCanvasElement>('loss-chart'), this.status.el.dataset);
  private readonly memory = memoryCard();
  private readonly weights = new WeightsCard();
  private readonly form: TrainForm;
  readonly link: TabWorker<TextRequest, TextEvent>;
  /** Samples asked for, numbered in their captions. */
  private samples = 0;

  constructor(onDevice: (description: string) => void) {
    const el = this.el;
    this.link = new TabWorker(
      () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'recur-text' }),
      {
        name: 'text', status: this.status, onDevice,
        onEvent: (e) => this.onEvent(e), onFail: () => this.setTraining(false),
      },
    );
    const buttons = { train: el.train, stop: el.stop, save: el.save };
    this.form = new TrainForm(el.form, buttons, (c) => c === el.layers && el.cell.value === 'seed');
    wireSources(el, this.status);
    wireCell(el);
    this.status.el.dataset.state = 'idle';
    this.wireSampling();
    this.wireTraining();
    el.train.disabled = true;
  }

  private send(r: TextRequest, transfer?: Transferable[]): void { this.link.send(r, transfer); }

  /** Live settings while it trains: the temperature of the running samples, the text the heat map reads. */
  private sendLive(): void {
    this.send({ type: 'live', temperature: Number(this.el.temperature.value), probe: this.el.probeText.value });
  }

  private wireSampling(): void {
    const { temperature, tempOut, sample, probe, probeText } = this.el;
    tempOut.value = Number(temperature.value).toFixed(2);
    temperature.addEventListener('input', () => {
      tempOut.value = Number(temperature.value).toFixed(2);
      this.sendLive();
    });
    sample.addEventListener('click', () => {
      sample.disabled = true;
      this.send({ type: 'sample', config: {
        prime: $<HTMLInputElement>('prime').value, length: intOf($<HTMLInputElement>('sample-length'), 300),
        temperature: Number(temperature.value), seed: intOf($<HTMLInputElement>('sample-seed'), 1),
        device: this.el.device.value as DeviceChoice, abc: this.el.abc.checked && !this.el.abc.disabled,
      } });
    });
    probe.addEventListener('click', () => { this.sendLive(); this.send({ type: 'probe', text: probeText.value }); });
    probeText.addEventListener('change', () => this.sendLive());
  }

  private wireTraining(): void {
    const { form, el, status } = this;
    form.onSubmit(() => {
      const text = el.input.value, config = configOf(el);
      this.loss.start(config.steps);
      const name = el.source.value === 'own' ? 'your text' : el.source.selectedOptions[0].text;
      status.set(`Preparing ${fmtInt(Array.from(text).length)} characters…`, 'training');
      this.setTraining(true);
      const live = { temperature: Number(el.temperature.value), probe: el.probeText.value };
      this.send({ type: 'train', text, source: name, config, live });
    });
    form.onStop(() => this.send({ type: 'stop' }));
    form.onSave(() => this.send({ type: 'save' }));
    openModelFile($<HTMLButtonElement>('open-button'), $<HTMLInputElement>('open-file'), status,
      (bytes, name) => this.send({ type: 'load', bytes, name }, [bytes]));
  }

  private setTraining(on: boolean): void {
    this.form.set(on);
    this.el.sample.disabled = !this.form.hasModel; this.el.probe.disabled = !this.form.hasModel;
  }

  private onEvent(e: TextEvent): void {
    switch (e.type) {
      case 'ready':
        this.link.ready(this.el.device, e);
        this.el.train.disabled = false;
        this.sendLive();
        break;
      case 'started': this.started(e); break;
      case 'progress':
        this.loss.add(e);
        this.status.progress(this.loss.line());
        break;
      case 'eval': this.loss.addEval(e); break;
      case 'sample': this.showSample(e); break;
      case 'weights': this.weights.show(e.mats, e.layer); break;
      case 'probe': this.memory.show(e.probe); break;
      case 'done': this.done(e); break;
      case 'saved': this.link.saved(e, `Saved ${e.name} (${fmtInt(e.bytes.byteLength)} bytes): `
        + `sample it with recur text sample ${e.name}`); break;
      case 'loaded': this.loaded(e); break;
      case 'note': break;
      case 'error':
        if (e.during === 'train') this.setTraining(false);
        this.el.sample.disabled = !this.form.hasModel;
        this.status.error(e.message);
        break;
    }
  }

  /** A model to sample and read: trained here (and training) or opened from a file. */
  private haveModel(info: ModelInfo, line: string, device: string): void {
    this.form.hasModel = true;
    this.el.modelInfo.textContent = line;
    this.el.abc.disabled = !info.abc; this.el.abc.checked = info.abc;
    this.link.showDevice(device);
  }

  private started(e: EventOf<'started'>): void {
    this.haveModel(e.info, `Model: ${describeModel(e.info)} (training)`, e.device);
    const notes = e.notes.map((n) => ` Note: ${n}.`).join('');
    this.status.set(`Training ${describeModel(e.info)} on ${e.info.source}; ${e.batch} streams.${notes}`, 'training');
    this.status.say(`Training ${describeModel(e.info)}: ${fmtInt(this.loss.total)} steps.`);
    this.el.sample.disabled = false; this.el.probe.disabled = false;
  }

  private done(e: EventOf<'done'>): void {
    const { modelInfo, save } = this.el;
    this.setTraining(false);
    modelInfo.textContent = modelInfo.textContent!.replace(' (training)', `, trained ${fmtInt(e.steps)} steps`);
    const val = e.valLoss?.toFixed(3) ?? '—';
    const perplexity = e.valLoss === null ? '—' : Math.exp(e.valLoss).toFixed(2);
    this.status.report(`${e.stopped ? 'Stopped' : 'Done'}: ${fmtInt(e.steps)} steps in ${e.seconds.toFixed(1)} s `
      + `(${fmtRate(e.charsPerSec)} chars/s). Train loss ${e.trainLoss.toFixed(3)}, validation ${val} nats/char `
      + `(perplexity ${perplexity}).`, 'done');
    this.loss.describe();
    save.disabled = false;
  }

  private loaded(e: EventOf<'loaded'>): void {
    this.haveModel(e.info, `Model: ${describeModel(e.info)}, from ${e.info.source}`, e.device);
    this.setTraining(false);
    this.loss.clear();
    const line = `Opened ${e.info.source}: ${describeModel(e.info)}. Press Sample, or Read to see its memory.`;
    this.status.report(line, 'loaded');
    this.sendLive();
    this.send({ type: 'probe', text: this.el.probeText.value });
  }

  private showSample(e: EventOf<'sample'>): void {
    const { sampleOut, sampleCaption } = this.el;
    sampleOut.replaceChildren();
    if (e.prime) {
      sampleOut.append(Object.assign(document.createElement('span'), { className: 'prime', textContent: e.prime }));
    }
    sampleOut.append(document.createTextNode(e.text));
    sampleOut.dataset.text = e.text;
    if (e.step !== null) {
      sampleOut.dataset.kind = 'live';
      sampleCaption.textContent = `Live sample at step ${fmtInt(e.step)}, temperature ${e.temperature.toFixed(2)}`;
      return;
    }
    this.samples++;
    sampleOut.dataset.kind = 'manual';
    sampleOut.dataset.count = String(this.samples);
    sampleCaption.textContent = `Sample ${this.samples}: seed ${e.seed}, temperature ${e.temperature.toFixed(2)}, `
      + `on ${e.device.split(' ')[0]}`;
    this.status.say(`Sample ${this.samples} is ready.`);
    this.el.sample.disabled = false;
    this.link.showDevice(e.device);
  }
}

export function textPanel(onDevice: (description: string) => void): Panel {
  return new TextTab(onDevice).link;
}
