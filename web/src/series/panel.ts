/**
 * The Series tab: bundled CO₂ or weather (or a CSV dropped on the page), a forecaster trained in
 * the worker — the hybrid (ES-RNN) by default, or the recurrent network — and its one-step
 * forecasts on the held-out tail beside ETS and the baselines it must beat, drawn with Vega-Lite.
 */
import { parseTable } from '../../../src/data/table.js';
import { LineChart, type Line } from '../charts/line.js';
import { SERIES } from '../data.js';
import type { DeviceChoice, ForecastPlot, SeriesConfig, SeriesEvent, SeriesModel, SeriesRequest } from '../protocol.js';
import { $, Announcer, download, fillDevices, filePicker, fmtInt, intOf } from '../ui.js';
import { columnsOf } from './columns.js';
import { drawForecast } from './plot.js';
import { showScores } from './scores.js';

export interface SeriesPanel { worker: Worker; device: string }

type Data = { csv: string; source: string };

/** The data select: the bundled series, or the user's CSV; `current()` is what training reads. */
function dataControls(setStatus: (text: string, state?: string) => void): { current: () => Data } {
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
      setStatus(`Error: ${(e as Error).message}`, 'error');
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

export function seriesPanel(onDevice: (description: string) => void): SeriesPanel {
  const panel: SeriesPanel = { worker: null as unknown as Worker, device: '' };
  const send = (r: SeriesRequest, transfer: Transferable[] = []) => panel.worker.postMessage(r, transfer);
  const status = $('series-status'), trainBtn = $<HTMLButtonElement>('s-train');
  const stopBtn = $<HTMLButtonElement>('s-stop'), saveBtn = $<HTMLButtonElement>('s-save');
  const form = $<HTMLFormElement>('series-form'), modelSel = $<HTMLSelectElement>('s-model');
  const chartBox = $('forecast-chart'), verdict = $('verdict'), tbody = $('scores').querySelector('tbody')!;
  const deviceSel = $<HTMLSelectElement>('s-device'), announce = new Announcer($('series-announce'));
  const hint = $('s-model-hint'), epochsIn = $<HTMLInputElement>('epochs'), HINTS = hintsOf(hint.innerHTML);
  const valCanvas = $<HTMLCanvasElement>('s-loss-chart'), val = validationChart(valCanvas);

  /** The status line the eye reads; a screen reader hears milestones only (`report`), not every step. */
  const setStatus = (text: string, state?: string) => {
    status.textContent = text;
    status.classList.toggle('error', state === 'error');
    if (state) status.dataset.state = state;
  };
  const report = (text: string, state?: string) => { setStatus(text, state); announce.say(text); };
  const data = dataControls(setStatus);

  modelSel.addEventListener('change', () => {
    const m = modelSel.value as SeriesModel;
    hint.innerHTML = HINTS[m].html; hint.dataset.model = m;
    epochsIn.value = HINTS[m].epochs;
  });
  val.reset('hybrid', 1);
  showScores(tbody, null);
  chartBox.innerHTML = '<p class="hint" style="padding:140px 0;text-align:center">'
    + 'The forecast appears here after training.</p>';

  // ---- training ----
  let training: SeriesModel | null = null, hasModel = false, lastNote = '', readied = false;
  const setTraining = (model: SeriesModel | null) => {
    training = model;
    type Control = HTMLInputElement | HTMLSelectElement | HTMLButtonElement;
    for (const el of form.querySelectorAll<Control>('input, select, button')) {
      if (el !== stopBtn) el.disabled = !!model || (el === saveBtn && !hasModel);
    }
    stopBtn.disabled = !model;
    trainBtn.textContent = model ? 'Training…' : 'Train';
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (training) return;
    const config: SeriesConfig = {
      model: modelSel.value as SeriesModel, target: $<HTMLSelectElement>('target').value,
      cell: $<HTMLSelectElement>('s-cell').value as SeriesConfig['cell'],
      hidden: Number($<HTMLSelectElement>('s-hidden').value),
      horizon: intOf($<HTMLInputElement>('horizon'), 1), epochs: intOf(epochsIn, 10), lookback: null,
      seed: intOf($<HTMLInputElement>('s-seed'), 0), device: deviceSel.value as DeviceChoice,
    };
    val.reset(config.model, config.model === 'hybrid' ? 1 : config.epochs); lastNote = '';
    valCanvas.setAttribute('aria-label', 'Validation error of the forecaster: training has just started');
    setTraining(config.model);
    const d = data.current();
    setStatus(`Reading ${d.source}…`, 'training');
    send({ type: 'train', csv: d.csv, source: d.source, config });
  });
  stopBtn.addEventListener('click', () => {
    stopBtn.disabled = true;
    if (training !== 'hybrid') { send({ type: 'stop' }); return; }
    // runUnivariate runs to its end in one go: end the worker (and what it held) and start another
    panel.worker.terminate();
    panel.worker = spawn();
    hasModel = false; setTraining(null);
    report('Stopped: the hybrid keeps nothing until every member is trained, so this run is gone.', 'stopped');
  });
  saveBtn.addEventListener('click', () => send({ type: 'save' }));
  filePicker($<HTMLButtonElement>('s-open-button'), $<HTMLInputElement>('s-open-file'), async (f) => {
    const bytes = await f.arrayBuffer(), d = data.current();
    setStatus(`Opening ${f.name}…`);
    // the curves of an earlier training say nothing about the opened model
    val.reset(modelSel.value as SeriesModel, 1);
    valCanvas.setAttribute('aria-label', 'Validation error: none, the model was opened from a file');
    const device = deviceSel.value as DeviceChoice;
    send({ type: 'load', bytes, name: f.name, csv: d.csv, source: d.source, device }, [bytes]);
  });

  const showResult = async (e: Extract<SeriesEvent, { type: 'result' }>) => {
    hasModel = true; setTraining(null); saveBtn.disabled = false;
    const p: ForecastPlot = e.plot, who = e.model === 'hybrid' ? 'hybrid' : 'network';
    showScores(tbody, p);
    verdict.textContent = p.verdict;
    verdict.className = `verdict ${p.verdict.includes('below') ? 'good' : 'bad'}`;
    const of = p.horizon > 1 ? ` (of ${p.horizon})` : '';
    setStatus(`${e.source === 'loaded' ? 'Opened model' : 'Trained'}: ${p.target}, one step ahead${of}, `
      + `${p.summary}; ${p.x.length} test points.`, 'done');
    announce.say(`${status.textContent} ${p.verdict}`); // the verdict is news too
    chartBox.setAttribute('aria-label', `Chart of actual ${p.target}, the ${who}'s one-step forecasts, ETS and `
      + `the naive baselines on the held-out tail. ${p.verdict}`);
    if (e.source === 'trained') {
      valCanvas.setAttribute('aria-label', `Validation error (MAE) of the ${who}: ${val.summary()}`);
    }
    await drawForecast(chartBox, p);
  };

  const onMessage = async (ev: MessageEvent<SeriesEvent>) => {
    const e = ev.data;
    switch (e.type) {
      case 'ready':
        if (readied) break; // a worker started again after Stop: the device shown stands
        readied = true; fillDevices(deviceSel, e.devices, e.auto); panel.device = e.auto; onDevice(e.auto);
        break;
      case 'started':
        panel.device = e.device; onDevice(e.device);
        report(`${e.notes.join('; ')} · device ${e.device.split(' ')[0]}`);
        break;
      case 'progress': {
        const note = lastNote ? ` · ${lastNote}` : '';
        const line = `step ${fmtInt(e.step)} of ${fmtInt(e.total)} · loss ${e.loss.toFixed(4)}${note}`;
        setStatus(line);
        announce.progress(() => line);
        break;
      }
      case 'epoch':
        val.add(`${e.run} inputs`, e.epoch, e.valMae);
        lastNote = `${e.run} inputs, epoch ${e.epoch}: validation MAE ${e.valMae.toFixed(3)}`;
        break;
      case 'member': {
        if (Number.isFinite(e.valLoss)) val.add('members', e.k + 1, e.valLoss, e.of);
        const line = `member ${e.k + 1} of ${e.of}: lookback ${e.lookback}, best epoch ${e.bestEpoch} of ${e.epochs}`
          + `${Number.isFinite(e.valLoss) ? `, validation MAE ${e.valLoss.toExponential(2)} (log units)` : ''}`;
        setStatus(line);
        announce.progress(() => line);
        break;
      }
      case 'note': lastNote = e.line; break;
      case 'result': await showResult(e); break;
      case 'saved':
        download(e.bytes, e.name);
        report(`Saved ${e.name}: use it with recur forecast predict ${e.name} --data FILE.csv`);
        break;
      case 'error': setTraining(null); report(`Error: ${e.message}`, 'error'); break;
    }
  };
  const spawn = () => {
    const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'recur-series' });
    w.onmessage = onMessage;
    w.onerror = (e) => {
      setTraining(null);
      report(`Error: the series worker failed: ${e.message || 'it did not start'}`, 'error');
    };
    return w;
  };
  panel.worker = spawn();
  return panel;
}
