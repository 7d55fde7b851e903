/**
 * The Series tab: bundled CO₂ or weather (or a CSV dropped on the page), a forecaster trained in
 * the worker — the hybrid (ES-RNN) by default, or the recurrent network — and its one-step
 * forecasts on the held-out tail beside ETS and the baselines it must beat, drawn with Vega-Lite.
 */
import { parseTable } from '../../../src/data/table.js';
import { LineChart, type Line } from '../charts/line.js';
import { SERIES } from '../data.js';
import { type Panel, StatusLine, TabWorker, TrainForm, openModelFile } from '../panel.js';
import type { DeviceChoice, SeriesConfig, SeriesEvent, SeriesModel, SeriesRequest } from '../protocol.js';
import { $, filePicker, fmtInt, intOf } from '../ui.js';
import { columnsOf } from './columns.js';
import { drawForecast } from './plot.js';
import { showScores } from './scores.js';

type Data = { csv: string; source: string };

/** The data select: the bundled series, or the user's CSV; `current()` is what training reads. */
function dataControls(status: StatusLine): { current: () => Data } {
  const sourceSel = $<HTMLSelectElement>('series-source'), info = $('series-info');
  const target = $<HTMLSelectElement>('target'), drop = $('drop');
  let data: Data = SERIES[0], fileData: Data | null = null;
  const useData = (d: Data, preferred?: string) => {
    try {
      const table = parseTable(d.csv, d.source), { date, numeric, target: guess } = columnsOf(table);
      if (!guess) throw new Error(`${d.source}: no numeric column to forecast`);
      data = d;
      target.replaceChildren(...numeric.map((c) => new Option(c, c)));
      target.value = preferred && numeric.includes(preferred) ? preferred : guess;
      const dated = date ? `, dated by '${date}'` : '';
      info.textContent = `${d.source}: ${fmtInt(table.rows.length)} rows, ${table.columns.length} columns${dated}`;
    } catch (e) {
      status.set(`Error: ${(e as Error).message}`, 'error');
    }
  };
  const useBundled = (value: string) => {
    const b = SERIES.find((x) => x.value === value) ?? SERIES[0];
    useData(b, b.target);
  };
  useBundled(sourceSel.value);
  sourceSel.addEventListener('change', () =>
    (sourceSel.value === 'file' && fileData ? useData(fileData) : useBundled(sourceSel.value)));
  const takeFile = async (f: File) => {
    fileData = { csv: await f.text(), source: f.name };
    const opt = sourceSel.querySelector<HTMLOptionElement>('option[value="file"]')!;
    opt.disabled = false; opt.textContent = `Your file: ${f.name}`;
    sourceSel.value = 'file';
    useData(fileData);
  };
  filePicker($<HTMLButtonElement>('csv-button'), $<HTMLInputElement>('csv-file'), takeFile);
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault(); drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void takeFile(f);
  });
  return { current: () => data };
}

/**
 * The small chart beside the scores. The network: runForecast trains two candidates, on level and
 * on relative inputs, and keeps the one with the lower validation error — their validation MAE per
 * epoch (scaled alike, so comparable), one line each. The hybrid: each member's validation MAE
 * (log units) as it is trained.
 */
function validationChart(canvas: HTMLCanvasElement) {
  const chart = new LineChart(canvas, {
    yLabel: 'validation MAE (scaled)', xLabel: 'epoch', empty: 'Validation error appears here.',
  });
  const COLORS = ['#4f46e5', '#e8590c', '#16a34a'];
  let runs = new Map<string, Line>();
  const lineOf = (run: string) => {
    let l = runs.get(run);
    if (!l) {
      l = { name: run, color: COLORS[runs.size % COLORS.length], width: 2, points: [], dots: true };
      runs.set(run, l);
      chart.lines = [...runs.values()];
    }
    return l;
  };
  return {
    reset(model: SeriesModel, xMax: number) {
      runs = new Map();
      Object.assign(chart.o, model === 'hybrid' ? { yLabel: 'validation MAE (log units)', xLabel: 'member' }
        : { yLabel: 'validation MAE (scaled)', xLabel: 'epoch' });
      chart.reset(xMax, []);
      canvas.dataset.points = '0';
    },
    add(run: string, x: number, y: number, xMax?: number) {
      if (xMax !== undefined) chart.xMax = xMax;
      lineOf(run).points.push([x, y]);
      chart.redraw();
      canvas.dataset.points = String(Number(canvas.dataset.points ?? 0) + 1);
    },
    /** Each line's lowest value, for the chart's description. */
    summary: () => [...runs.values()]
      .map((l) => `${l.name} down to ${Math.min(...l.points.map((q) => q[1])).toPrecision(3)}`).join(', '),
  };
}

/** Each model's note under the form and its default epochs; the hybrid's note is the page's own (index.html). */
const hintsOf = (hybridHtml: string): Record<SeriesModel, { epochs: string; html: string }> => ({
  hybrid: { epochs: '10', html: hybridHtml },
  rnn: {
    epochs: '20',
    html: 'A recurrent network on windows of the series. Two input scalings are trained and the better one '
      + 'on validation is kept. Same files as <code>recur forecast train --model rnn --out</code>.',
  },
});

type EventOf<T extends SeriesEvent['type']> = Extract<SeriesEvent, { type: T }>;

/** The model select: its note under the form and its default epochs follow the model. */
function wireModelHint(modelSel: HTMLSelectElement, epochs: HTMLInputElement): void {
  const hint = $('s-model-hint'), HINTS = hintsOf(hint.innerHTML);
  modelSel.addEventListener('change', () => {
    const m = modelSel.value as SeriesModel;
    hint.innerHTML = HINTS[m].html; hint.dataset.model = m;
    epochs.value = HINTS[m].epochs;
  });
}

/** The training settings as the form has them. */
function configOf(modelSel: HTMLSelectElement, epochs: HTMLInputElement, device: HTMLSelectElement): SeriesConfig {
  return {
    model: modelSel.value as SeriesModel, target: $<HTMLSelectElement>('target').value,
    cell: $<HTMLSelectElement>('s-cell').value as SeriesConfig['cell'],
    hidden: Number($<HTMLSelectElement>('s-hidden').value),
    horizon: intOf($<HTMLInputElement>('horizon'), 1), epochs: intOf(epochs, 10), lookback: null,
    seed: intOf($<HTMLInputElement>('s-seed'), 0), device: device.value as DeviceChoice,
  };
}

/** The tab: its controls, its worker, and what it does with each of the worker's messages. */
class SeriesTab {
  private readonly status = new StatusLine($('series-status'), $('series-announce'));
  private readonly modelSel = $<HTMLSelectElement>('s-model');
  private readonly epochs = $<HTMLInputElement>('epochs');
  private readonly deviceSel = $<HTMLSelectElement>('s-device');
  private readonly chartBox = $('forecast-chart');
  private readonly tbody = $('scores').querySelector('tbody')!;
  private readonly valCanvas = $<HTMLCanvasElement>('s-loss-chart');
  private readonly val = validationChart(this.valCanvas);
  private readonly data = dataControls(this.status);
  private readonly form = new TrainForm($<HTMLFormElement>('series-form'), {
    train: $<HTMLButtonElement>('s-train'), stop: $<HTMLButtonElement>('s-stop'), save: $<HTMLButtonElement>('s-save'),
  });
  readonly link: TabWorker<SeriesRequest, SeriesEvent>;
  /** The model in training, for Stop: the network stops between steps, the hybrid only with its worker. */
  private training: SeriesModel | null = null;
  /** The last word on the run (an epoch's validation error, a note), shown after the step count. */
  private lastNote = '';
  private readied = false;

  constructor(onDevice: (description: string) => void) {
    wireModelHint(this.modelSel, this.epochs);
    this.val.reset('hybrid', 1);
    showScores(this.tbody, null);
    this.chartBox.innerHTML = '<p class="hint" style="padding:140px 0;text-align:center">'
      + 'The forecast appears here after training.</p>';
    this.wireTraining();
    this.link = new TabWorker(
      () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'recur-series' }),
      {
        name: 'series', status: this.status, onDevice,
        onEvent: (e) => this.onEvent(e), onFail: () => this.setTraining(null),
      },
    );
  }

  private send(r: SeriesRequest, transfer?: Transferable[]): void { this.link.send(r, transfer); }

  private setTraining(model: SeriesModel | null): void {
    this.training = model;
    this.form.set(!!model);
  }

  private wireTraining(): void {
    const { form, status, val, valCanvas } = this;
    form.onSubmit(() => {
      const config = configOf(this.modelSel, this.epochs, this.deviceSel);
      val.reset(config.model, config.model === 'hybrid' ? 1 : config.epochs); this.lastNote = '';
      valCanvas.setAttribute('aria-label', 'Validation error of the forecaster: training has just started');
      this.setTraining(config.model);
      const d = this.data.current();
      status.set(`Reading ${d.source}…`, 'training');
      this.send({ type: 'train', csv: d.csv, source: d.source, config });
    });
    form.onStop(() => this.stop());
    form.onSave(() => this.send({ type: 'save' }));
    openModelFile($<HTMLButtonElement>('s-open-button'), $<HTMLInputElement>('s-open-file'), status, (bytes, name) => {
      const d = this.data.current();
      // the curves of an earlier training say nothing about the opened model
      val.reset(this.modelSel.value as SeriesModel, 1);
      valCanvas.setAttribute('aria-label', 'Validation error: none, the model was opened from a file');
      const device = this.deviceSel.value as DeviceChoice;
      this.send({ type: 'load', bytes, name, csv: d.csv, source: d.source, device }, [bytes]);
    });
  }

  private stop(): void {
    if (this.training !== 'hybrid') { this.send({ type: 'stop' }); return; }
    // runUnivariate runs to its end in one go: end the worker (and what it held) and start another
    this.link.restart();
    this.form.hasModel = false; this.setTraining(null);
    this.status.report('Stopped: the hybrid keeps nothing until every member is trained, so this run is gone.',
      'stopped');
  }

  private async onEvent(e: SeriesEvent): Promise<void> {
    switch (e.type) {
      case 'ready':
        if (this.readied) break; // a worker started again after Stop: the device shown stands
        this.readied = true; this.link.ready(this.deviceSel, e);
        break;
      case 'started':
        this.link.showDevice(e.device);
        this.status.report(`${e.notes.join('; ')} · device ${e.device.split(' ')[0]}`);
        break;
      case 'progress': {
        const note = this.lastNote ? ` · ${this.lastNote}` : '';
        this.status.progress(`step ${fmtInt(e.step)} of ${fmtInt(e.total)} · loss ${e.loss.toFixed(4)}${note}`);
        break;
      }
      case 'epoch':
        this.val.add(`${e.run} inputs`, e.epoch, e.valMae);
        this.lastNote = `${e.run} inputs, epoch ${e.epoch}: validation MAE ${e.valMae.toFixed(3)}`;
        break;
      case 'member': this.member(e); break;
      case 'note': this.lastNote = e.line; break;
      case 'result': await this.showResult(e); break;
      case 'saved':
        this.link.saved(e, `Saved ${e.name}: use it with recur forecast predict ${e.name} --data FILE.csv`);
        break;
      case 'error': this.setTraining(null); this.status.error(e.message); break;
    }
  }

  /** A member of the hybrid's ensemble is trained: its validation error, on the chart and the status line. */
  private member(e: EventOf<'member'>): void {
    if (Number.isFinite(e.valLoss)) this.val.add('members', e.k + 1, e.valLoss, e.of);
    const val = Number.isFinite(e.valLoss) ? `, validation MAE ${e.valLoss.toExponential(2)} (log units)` : '';
    const line = `member ${e.k + 1} of ${e.of}: lookback ${e.lookback}, best epoch ${e.bestEpoch} of ${e.epochs}`;
    this.status.progress(line + val);
  }

  private async showResult(e: EventOf<'result'>): Promise<void> {
    const { status, chartBox } = this, p = e.plot, who = e.model === 'hybrid' ? 'hybrid' : 'network';
    this.form.hasModel = true; this.setTraining(null); this.form.buttons.save.disabled = false;
    showScores(this.tbody, p);
    const verdict = $('verdict');
    verdict.textContent = p.verdict;
    verdict.className = `verdict ${p.verdict.includes('below') ? 'good' : 'bad'}`;
    const of = p.horizon > 1 ? ` (of ${p.horizon})` : '';
    status.set(`${e.source === 'loaded' ? 'Opened model' : 'Trained'}: ${p.target}, one step ahead${of}, `
      + `${p.summary}; ${p.x.length} test points.`, 'done');
    status.say(`${status.text} ${p.verdict}`); // the verdict is news too
    chartBox.setAttribute('aria-label', `Chart of actual ${p.target}, the ${who}'s one-step forecasts, ETS and `
      + `the naive baselines on the held-out tail. ${p.verdict}`);
    if (e.source === 'trained') {
      this.valCanvas.setAttribute('aria-label', `Validation error (MAE) of the ${who}: ${this.val.summary()}`);
    }
    await drawForecast(chartBox, p);
  }
}

export function seriesPanel(onDevice: (description: string) => void): Panel {
  return new SeriesTab(onDevice).link;
}
