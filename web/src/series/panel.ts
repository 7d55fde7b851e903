/**
 * The Series tab: the bundled weather (or a CSV dropped on the page), a forecaster trained in
 * the worker, and its one-step forecasts on the held-out tail beside the baselines it must beat,
 * drawn with Vega-Lite.
 */
import type { VisualizationSpec } from 'vega-embed';
import { parseTable } from '../../../src/data/table.js';
import { LineChart, type Line } from '../charts/line.js';
import { WEATHER } from '../data.js';
import type { DeviceChoice, ForecastPlot, SeriesConfig, SeriesEvent, SeriesRequest } from '../protocol.js';
import { $, Announcer, download, fillDevices, filePicker, fmtInt, intOf } from '../ui.js';
import { columnsOf } from './columns.js';

export interface SeriesPanel { worker: Worker; device: string }

const COLORS: Record<string, string> = { actual: '#1b1f2a', model: '#4f46e5', persistence: '#8f96aa' };
const BASELINE_COLORS = ['#e8590c', '#16a34a'];

export function seriesPanel(onDevice: (description: string) => void): SeriesPanel {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'recur-series' });
  const send = (r: SeriesRequest, transfer: Transferable[] = []) => worker.postMessage(r, transfer);
  const panel: SeriesPanel = { worker, device: '' };

  const sourceSel = $<HTMLSelectElement>('series-source'), info = $('series-info'), target = $<HTMLSelectElement>('target');
  const status = $('series-status'), trainBtn = $<HTMLButtonElement>('s-train'), stopBtn = $<HTMLButtonElement>('s-stop');
  const saveBtn = $<HTMLButtonElement>('s-save'), form = $<HTMLFormElement>('series-form'), drop = $('drop');
  const chartBox = $('forecast-chart'), verdict = $('verdict'), tbody = $('scores').querySelector('tbody')!;
  const deviceSel = $<HTMLSelectElement>('s-device'), announce = new Announcer($('series-announce'));

  /** The status line the eye reads; a screen reader hears milestones only (`report`), not every step. */
  const setStatus = (text: string, state?: string) => {
    status.textContent = text;
    status.classList.toggle('error', state === 'error');
    if (state) status.dataset.state = state;
  };
  const report = (text: string, state?: string) => { setStatus(text, state); announce.say(text); };

  // ---- data ----
  let data = { csv: WEATHER.csv, source: WEATHER.source };
  let fileData: typeof data | null = null;
  const useData = (d: typeof data, preferred?: string) => {
    try {
      const table = parseTable(d.csv, d.source), { date, numeric, target: guess } = columnsOf(table);
      if (!guess) throw new Error(`${d.source}: no numeric column to forecast`);
      data = d;
      target.replaceChildren(...numeric.map((c) => new Option(c, c)));
      target.value = preferred && numeric.includes(preferred) ? preferred : guess;
      info.textContent = `${d.source}: ${fmtInt(table.rows.length)} rows, ${table.columns.length} columns${date ? `, dated by '${date}'` : ''}`;
    } catch (e) {
      setStatus(`Error: ${(e as Error).message}`, 'error');
    }
  };
  useData(data, WEATHER.target);
  sourceSel.addEventListener('change', () => (sourceSel.value === 'file' && fileData ? useData(fileData) : useData({ csv: WEATHER.csv, source: WEATHER.source }, WEATHER.target)));
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

  // ---- loss chart, scores ----
  // runForecast trains two candidates, on level and on relative inputs, and keeps the one with the
  // lower validation error: their validation MAE per epoch (scaled alike, so comparable), one line each
  const valCanvas = $('s-loss-chart');
  const valChart = new LineChart($<HTMLCanvasElement>('s-loss-chart'), { yLabel: 'validation MAE (scaled)', xLabel: 'epoch', empty: 'Validation error per epoch appears here.' });
  const RUN_COLORS = ['#4f46e5', '#e8590c', '#16a34a'];
  let runs = new Map<string, Line>();
  const resetRuns = (epochs: number) => { runs = new Map(); valChart.reset(epochs, []); valCanvas.dataset.points = '0'; };
  const runLine = (run: string) => {
    let l = runs.get(run);
    if (!l) {
      l = { name: `${run} inputs`, color: RUN_COLORS[runs.size % RUN_COLORS.length], width: 2, points: [], dots: true };
      runs.set(run, l);
      valChart.lines = [...runs.values()];
    }
    return l;
  };
  resetRuns(1);
  const PENDING = [['model', 'not trained yet'], ['persistence', 'the last value'], ['seasonal naive', 'season —'], ['moving average', 'window —']];
  /** Three decimals, fewer as the number grows (at most four significant digits, whole from 1,000): narrow enough for the fixed columns. */
  const fmtScore = (v: number) => {
    const a = Math.abs(v);
    return !Number.isFinite(v) ? '—' : a >= 1000 ? fmtInt(v) : v.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : 3);
  };
  const showTable = (p: ForecastPlot | null) => {
    const rows = p?.table ?? PENDING.map(([name, detail]) => ({ name, detail, mae: NaN, rmse: NaN, smape: NaN, mase: NaN }));
    const best = Math.min(...rows.map((r) => r.mae));
    tbody.dataset.modelMae = String(rows[0].mae);
    tbody.replaceChildren(...rows.map((r) => {
      const tr = document.createElement('tr');
      if (r.mae === best) tr.className = 'best';
      const th = Object.assign(document.createElement('th'), { scope: 'row' });
      th.append(Object.assign(document.createElement('span'), { textContent: r.name }), Object.assign(document.createElement('span'), { className: 'detail', textContent: r.detail }));
      tr.append(th, ...[r.mae, r.rmse, r.smape, r.mase].map((v) => Object.assign(document.createElement('td'), { textContent: fmtScore(v), title: Number.isFinite(v) ? String(v) : '' })));
      return tr;
    }));
  };
  showTable(null);
  chartBox.innerHTML = '<p class="hint" style="padding:140px 0;text-align:center">The forecast appears here after training.</p>';

  // ---- the forecast chart (Vega-Lite, loaded when first needed) ----
  const showPlot = async (p: ForecastPlot) => {
    const { default: embed } = await import('vega-embed');
    const names = p.lines.map((l) => l.name);
    const color = names.map((n, i) => COLORS[n] ?? BASELINE_COLORS[(i - 3) % 2]);
    const values = p.lines.flatMap((l) => l.values.map((v, i) => ({ x: p.x[i], value: v, series: l.name })));
    const narrow = chartBox.clientWidth < 600;
    const line = (strokeWidth: number, strokeDash?: number[]) => ({ type: 'line' as const, strokeWidth, strokeDash, interpolate: 'monotone' as const });
    const only = (names: string[]) => [{ filter: { field: 'series', oneOf: names } }];
    // baselines thin and dashed underneath, the actual values over them, the model on top
    const spec: VisualizationSpec = {
      width: 'container', height: 'container', autosize: { type: 'fit', contains: 'padding' },
      data: { values },
      encoding: {
        x: { field: 'x', type: p.xIsDate ? 'temporal' : 'quantitative', title: null, axis: { labelOverlap: true, grid: false } },
        y: { field: 'value', type: 'quantitative', title: p.target, scale: { zero: false } },
        color: {
          field: 'series', type: 'nominal', scale: { domain: names, range: color },
          legend: { orient: 'top', title: null, columns: narrow ? 2 : 5, labelFontSize: 12, labelLimit: 0, symbolStrokeWidth: 3 },
        },
        opacity: { condition: { param: 'pick', value: 1, empty: true }, value: 0.12 },
        tooltip: [{ field: 'x', type: p.xIsDate ? 'temporal' : 'quantitative', title: p.xIsDate ? 'date' : 'step' }, { field: 'series' }, { field: 'value', format: '.2f' }],
      },
      layer: [
        { params: [{ name: 'pick', select: { type: 'point', fields: ['series'] }, bind: 'legend' }], transform: only(names.slice(2)), mark: line(1.3, [4, 3]) },
        { transform: only(['actual']), mark: line(1.8) },
        { transform: only(['model']), mark: line(2.4) },
      ],
      config: {
        font: 'system-ui, "DejaVu Sans", sans-serif', view: { stroke: null },
        axis: { gridColor: '#eceef4', domainColor: '#cfd4e0', tickColor: '#cfd4e0', labelColor: '#5b6275', titleColor: '#2c3242' },
      },
    };
    chartBox.replaceChildren();
    await embed(chartBox, spec, { actions: false, renderer: 'svg', mode: 'vega-lite' });
    chartBox.dataset.drawn = String(Number(chartBox.dataset.drawn ?? 0) + 1);
  };

  // ---- training ----
  let training = false, hasModel = false, lastNote = '';
  const setTraining = (on: boolean) => {
    training = on;
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>('input, select, button')) {
      if (el !== stopBtn) el.disabled = on || (el === saveBtn && !hasModel);
    }
    stopBtn.disabled = !on;
    trainBtn.textContent = on ? 'Training…' : 'Train';
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (training) return;
    const config: SeriesConfig = {
      target: target.value, cell: $<HTMLSelectElement>('s-cell').value as SeriesConfig['cell'], hidden: Number($<HTMLSelectElement>('s-hidden').value),
      horizon: intOf($<HTMLInputElement>('horizon'), 1), epochs: intOf($<HTMLInputElement>('epochs'), 20), lookback: null,
      seed: intOf($<HTMLInputElement>('s-seed'), 0), device: deviceSel.value as DeviceChoice,
    };
    resetRuns(config.epochs); lastNote = '';
    valCanvas.setAttribute('aria-label', 'Validation error per epoch of the forecaster: training has just started');
    setTraining(true);
    setStatus(`Reading ${data.source}…`, 'training');
    send({ type: 'train', csv: data.csv, source: data.source, config });
  });
  stopBtn.addEventListener('click', () => { stopBtn.disabled = true; send({ type: 'stop' }); });
  saveBtn.addEventListener('click', () => send({ type: 'save' }));
  filePicker($<HTMLButtonElement>('s-open-button'), $<HTMLInputElement>('s-open-file'), async (f) => {
    const bytes = await f.arrayBuffer();
    setStatus(`Opening ${f.name}…`);
    // the curves of an earlier training say nothing about the opened model
    resetRuns(1);
    valCanvas.setAttribute('aria-label', 'Validation error per epoch: none, the model was opened from a file');
    send({ type: 'load', bytes, name: f.name, csv: data.csv, source: data.source, device: deviceSel.value as DeviceChoice }, [bytes]);
  });

  worker.onmessage = async (ev: MessageEvent<SeriesEvent>) => {
    const e = ev.data;
    switch (e.type) {
      case 'ready': fillDevices(deviceSel, e.devices, e.auto); panel.device = e.auto; onDevice(e.auto); break;
      case 'started':
        panel.device = e.device; onDevice(e.device);
        report(`${e.notes.join('; ')} · device ${e.device.split(' ')[0]}`);
        break;
      case 'progress': {
        const line = `step ${fmtInt(e.step)} of ${fmtInt(e.total)} · loss ${e.loss.toFixed(4)}${lastNote ? ` · ${lastNote}` : ''}`;
        setStatus(line);
        announce.progress(() => line);
        break;
      }
      case 'epoch':
        runLine(e.run).points.push([e.epoch, e.valMae]); valChart.redraw();
        valCanvas.dataset.points = String(Number(valCanvas.dataset.points ?? 0) + 1);
        lastNote = `${e.run} inputs, epoch ${e.epoch}: validation MAE ${e.valMae.toFixed(3)}`;
        break;
      case 'note': lastNote = e.line; break;
      case 'result': {
        hasModel = true; setTraining(false); saveBtn.disabled = false;
        const p = e.plot;
        showTable(p);
        verdict.textContent = p.verdict;
        verdict.className = `verdict ${p.verdict.includes('below') ? 'good' : 'bad'}`;
        setStatus(`${e.source === 'loaded' ? 'Opened model' : 'Trained'}: ${p.target}, one step ahead${p.horizon > 1 ? ` (of ${p.horizon})` : ''}, `
          + `lookback ${p.lookback}, season ${p.season}, ${p.inputs} inputs; ${p.x.length} test points.`, 'done');
        announce.say(`${status.textContent} ${p.verdict}`); // the verdict is news too
        chartBox.setAttribute('aria-label', `Chart of actual ${p.target}, the model's one-step forecasts and the baselines on the held-out tail. ${p.verdict}`);
        if (e.source === 'trained') {
          const best = [...runs.values()].map((l) => `${l.name} down to ${Math.min(...l.points.map((q) => q[1])).toFixed(3)}`).join(', ');
          valCanvas.setAttribute('aria-label', `Validation error (MAE, in standard deviations of the target) per epoch: ${best}; the model kept has ${p.inputs} inputs`);
        }
        await showPlot(p);
        break;
      }
      case 'saved':
        download(e.bytes, e.name);
        report(`Saved ${e.name}: use it with recur forecast predict ${e.name} --data FILE.csv`);
        break;
      case 'error': setTraining(false); report(`Error: ${e.message}`, 'error'); break;
    }
  };
  worker.onerror = (e) => {
    setTraining(false);
    report(`Error: the series worker failed: ${e.message || 'it did not start'}`, 'error');
  };
  return panel;
}
