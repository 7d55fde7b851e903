/**
 * The Loss card's chart: the loss of every step (faint), its running average and the validation
 * loss, over the run's steps (known in advance, so the x axis never rescales). It also writes the
 * numbers a test reads onto the status line's data attributes: firstLoss, loss, step, valLoss.
 */
import { LineChart, type Line } from '../charts/line.js';
import type { TextEvent } from '../protocol.js';
import { fmtInt, fmtRate } from '../ui.js';

const BETA = 0.9;

export class LossCurve {
  private readonly chart: LineChart;
  private readonly raw: Line = { name: 'train (each step)', color: '#818cf8', width: 1, points: [], alpha: 0.45 };
  private readonly smooth: Line = { name: 'train', color: '#4f46e5', width: 2.2, points: [] };
  private readonly val: Line = { name: 'validation', color: '#e8590c', width: 2, points: [], dots: true };
  private ema = NaN;
  private emaSum = 0;
  private emaWeight = 0;
  private lastVal = NaN;
  private rate = 0;
  private step = 0;
  /** The steps of the run in progress (or of the last one). */
  total = 0;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly marks: DOMStringMap) {
    this.chart = new LineChart(canvas, {
      yLabel: 'nats / character', xLabel: 'step', empty: 'The loss appears here as the model trains.',
    });
    this.chart.reset(1, this.lines());
  }

  private lines(): Line[] { return [this.raw, this.smooth, this.val]; }

  private empty(xMax: number): void {
    for (const l of this.lines()) l.points = [];
    this.chart.reset(xMax, this.lines());
  }

  /** A new run of `total` steps: no points, no averages. */
  start(total: number): void {
    this.total = total; this.step = 0; this.ema = NaN; this.emaSum = 0; this.emaWeight = 0;
    this.lastVal = NaN; this.rate = 0;
    this.empty(total);
    delete this.marks.firstLoss;
    this.canvas.setAttribute('aria-label', 'Loss curve: training has just started');
  }

  /** A model opened from a file: its training is not on the page. */
  clear(): void {
    this.empty(1);
    this.canvas.setAttribute('aria-label', 'Loss curve: empty, the model was opened from a file');
  }

  /** The losses of the steps since the last message. */
  add(e: Extract<TextEvent, { type: 'progress' }>): void {
    const from = e.step - e.losses.length;
    e.losses.forEach((l, i) => {
      // a bias-corrected running average (as Adam corrects its moments): no lag from a zero start
      this.emaSum = BETA * this.emaSum + (1 - BETA) * l;
      this.emaWeight = BETA * this.emaWeight + (1 - BETA);
      this.ema = this.emaSum / this.emaWeight;
      this.raw.points.push([from + i + 1, l]); this.smooth.points.push([from + i + 1, this.ema]);
    });
    this.step = e.step; this.rate = e.rate;
    this.marks.firstLoss ??= String(this.raw.points[0]?.[1] ?? e.losses[0]);
    this.marks.loss = String(this.ema); this.marks.step = String(this.step);
    this.chart.redraw();
  }

  addEval(e: Extract<TextEvent, { type: 'eval' }>): void {
    this.lastVal = e.valLoss; this.val.points.push([e.step, e.valLoss]); this.marks.valLoss = String(e.valLoss);
    this.chart.redraw();
    this.describe();
  }

  /** The chart's text alternative, renewed at the validation points (every fifteenth of the run) and at the end. */
  describe(): void {
    const val = Number.isFinite(this.lastVal) ? `, validation loss ${this.lastVal.toFixed(3)}` : '';
    this.canvas.setAttribute('aria-label', `Loss curve: step ${fmtInt(this.step)} of ${fmtInt(this.total)}, `
      + `training loss ${this.ema.toFixed(3)}${val} nats per character`);
  }

  /** The status line while it trains. */
  line(): string {
    const val = Number.isFinite(this.lastVal) ? ` · validation ${this.lastVal.toFixed(3)}` : '';
    return `step ${fmtInt(this.step)} / ${fmtInt(this.total)} · loss ${this.ema.toFixed(3)}${val}`
      + ` · ${fmtRate(this.rate)} chars/s`;
  }
}
