/**
 * A small live line chart on a canvas that fills a fixed-size box: steps or epochs on x (0 … total,
 * known in advance, so nothing rescales sideways as points arrive), a loss or an error on y. Redraws
 * at most once per animation frame, and again when the box changes size.
 */
const AXIS_FONT = '11px ui-monospace, "DejaVu Sans Mono", monospace', LEGEND_FONT = '12px system-ui, "DejaVu Sans", sans-serif';

export interface Line { name: string; color: string; width: number; points: [number, number][]; dots?: boolean; alpha?: number }

export class LineChart {
  private readonly ctx: CanvasRenderingContext2D;
  lines: Line[] = [];
  xMax = 1;
  private queued = false;

  constructor(private readonly canvas: HTMLCanvasElement, readonly o: { yLabel: string; xLabel: string; empty: string }) {
    this.ctx = canvas.getContext('2d')!;
    new ResizeObserver(() => this.draw()).observe(canvas.parentElement!);
  }

  reset(xMax: number, lines: Line[]): void { this.xMax = Math.max(1, xMax); this.lines = lines; this.redraw(); }

  redraw(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.draw(); });
  }

  private draw(): void {
    const { canvas, ctx } = this, box = canvas.parentElement!.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    const W = Math.max(10, Math.round(box.width)), H = Math.max(10, Math.round(box.height));
    if (canvas.width !== W * dpr || canvas.height !== H * dpr) { canvas.width = W * dpr; canvas.height = H * dpr; }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    // the legend sits top right, beside the y label, or under it when the box is too narrow for both
    const legend = this.lines.filter((l) => l.alpha === undefined || l.alpha >= 0.5);
    ctx.font = LEGEND_FONT;
    const legendW = legend.reduce((a, l) => a + ctx.measureText(l.name).width + 34, 0);
    ctx.font = AXIS_FONT;
    const below = 4 + ctx.measureText(this.o.yLabel).width + 12 > W - 12 - legendW;
    const pad = { l: 46, r: 12, t: below ? 42 : 26, b: 30 }, pw = W - pad.l - pad.r, ph = H - pad.t - pad.b;
    const ys = this.lines.flatMap((l) => l.points.map((p) => p[1])).filter(Number.isFinite);
    if (ys.length === 0) {
      ctx.fillStyle = '#8a90a2'; ctx.textAlign = 'center';
      ctx.fillText(this.o.empty, W / 2, H / 2);
      return;
    }
    const yMax = niceCeil(Math.max(...ys) * 1.05), yMin = Math.max(0, niceFloor(Math.min(...ys) * 0.9, yMax));
    const X = (x: number) => pad.l + (x / this.xMax) * pw, Y = (y: number) => pad.t + (1 - (y - yMin) / (yMax - yMin)) * ph;
    // grid and axes
    ctx.strokeStyle = '#eceef4'; ctx.fillStyle = '#6b7186'; ctx.lineWidth = 1;
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    for (const v of ticks(yMin, yMax, 5)) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(pad.l + pw, y); ctx.stroke();
      ctx.fillText(fmt(v), pad.l - 6, y);
    }
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    for (const v of ticks(0, this.xMax, Math.max(2, Math.floor(pw / 90)))) ctx.fillText(fmt(v), X(v), pad.t + ph + 6);
    ctx.textAlign = 'left'; ctx.textBaseline = 'alphabetic';
    ctx.fillText(this.o.yLabel, 4, 14);
    ctx.textAlign = 'right';
    ctx.fillText(this.o.xLabel, pad.l + pw, H - 2);
    // lines
    ctx.save();
    ctx.beginPath(); ctx.rect(pad.l, pad.t - 2, pw, ph + 4); ctx.clip();
    for (const l of this.lines) {
      if (l.points.length === 0) continue;
      ctx.globalAlpha = l.alpha ?? 1; ctx.strokeStyle = l.color; ctx.fillStyle = l.color; ctx.lineWidth = l.width; ctx.lineJoin = 'round';
      ctx.beginPath();
      l.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(X(x), Y(y)) : ctx.lineTo(X(x), Y(y))));
      ctx.stroke();
      if (l.dots) for (const [x, y] of l.points) { ctx.beginPath(); ctx.arc(X(x), Y(y), 3, 0, 2 * Math.PI); ctx.fill(); }
    }
    ctx.restore();
    ctx.globalAlpha = 1;
    // legend
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle'; ctx.font = LEGEND_FONT;
    let x = pad.l + pw;
    const y = below ? 28 : 12;
    for (const l of [...legend].reverse()) {
      const w = ctx.measureText(l.name).width;
      ctx.fillStyle = '#3b4152'; ctx.fillText(l.name, x, y);
      ctx.fillStyle = l.color; ctx.fillRect(x - w - 20, y - 2, 14, 3);
      x -= w + 34;
    }
  }
}

function ticks(lo: number, hi: number, n: number): number[] {
  const step = niceStep((hi - lo) / n), out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}
function niceStep(x: number): number {
  const e = 10 ** Math.floor(Math.log10(x || 1)), m = x / e;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}
const niceCeil = (v: number) => { const s = niceStep(v / 5); return Math.ceil(v / s) * s || 1; };
const niceFloor = (v: number, hi: number) => { const s = niceStep(hi / 5); return Math.floor(v / s) * s; };
// small values (a hybrid's validation error in log units) in exponent form, which two decimals would round to 0
const fmt = (v: number) => {
  const a = Math.abs(v);
  return a >= 1000 ? `${+(v / 1000).toFixed(1)}k` : a > 0 && a < 0.01 ? v.toExponential(1).replace('.0e', 'e') : `${+v.toFixed(2)}`;
};
