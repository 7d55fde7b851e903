import type { ProbeResult } from '../protocol.js';
import { divergingPixel } from './colors.js';

/**
 * The hidden state over time: one row per hidden unit, one column per character read, the
 * characters printed under their columns. Point (or use the arrow keys) to move a cursor; click
 * (or Enter) to pick the unit under it. The map is drawn once into a bitmap of T × H pixels and
 * scaled up without smoothing; the cursor is drawn over it.
 * The map is far wider than its box (11 px a character), so the canvas is only the box's size and
 * stays in view (position: sticky) while a spacer gives the box its scroll width: each redraw
 * paints the part in view, and the canvas stays small at any screen density.
 */
const COL = 11, GUTTER = 30, TOP = 6, LABELS = 22, MAP_HEIGHT = 268;

/** hover: the cursor moved to character t, unit `unit` (fromKeys: by the keyboard, not the pointer); pick: a unit was chosen. */
export interface HeatMapEvents { hover(t: number, unit: number, fromKeys: boolean): void; pick(unit: number): void }

export class HeatMap {
  private probe: ProbeResult | null = null;
  private readonly bitmap = document.createElement('canvas');
  private readonly extent = document.createElement('div');
  private rowH = 4;
  private queued = false;
  t = 0;
  unit = 0;
  picked = 0;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly scroller: HTMLElement, private readonly on: HeatMapEvents) {
    this.extent.className = 'heat-extent';
    scroller.append(this.extent);
    // map coordinates: the pointer's place on the canvas plus how far the box is scrolled
    const at = (e: MouseEvent) => {
      if (!this.probe) return null;
      const x = e.offsetX + scroller.scrollLeft, y = e.offsetY + scroller.scrollTop;
      const t = Math.floor((x - GUTTER) / COL), u = Math.floor((y - TOP) / this.rowH);
      return { t: clamp(t, 0, this.probe.chars.length - 1), u: clamp(u, 0, this.probe.H - 1) };
    };
    canvas.addEventListener('mousemove', (e) => { const p = at(e); if (p) this.move(p.t, p.u, false); });
    canvas.addEventListener('click', (e) => { const p = at(e); if (p) { this.move(p.t, p.u, false); this.pick(p.u); } });
    canvas.addEventListener('keydown', (e) => {
      if (!this.probe) return;
      const T = this.probe.chars.length, H = this.probe.H;
      const k: Record<string, () => void> = {
        ArrowLeft: () => this.move(this.t - 1, this.unit, true), ArrowRight: () => this.move(this.t + 1, this.unit, true),
        ArrowUp: () => this.move(this.t, this.unit - 1, true), ArrowDown: () => this.move(this.t, this.unit + 1, true),
        Home: () => this.move(0, this.unit, true), End: () => this.move(T - 1, this.unit, true),
        PageUp: () => this.move(this.t, this.unit - 8, true), PageDown: () => this.move(this.t, Math.min(H - 1, this.unit + 8), true),
        Enter: () => this.pick(this.unit), ' ': () => this.pick(this.unit),
      };
      if (k[e.key]) { e.preventDefault(); k[e.key](); }
    });
    canvas.addEventListener('focus', () => { if (this.probe) this.move(this.t, this.unit, true); });
    scroller.addEventListener('scroll', () => this.redraw(), { passive: true });
    new ResizeObserver(() => this.draw()).observe(scroller);
  }

  get data(): ProbeResult | null { return this.probe; }

  set(p: ProbeResult): void {
    this.probe = p;
    const T = p.chars.length, H = p.H;
    this.rowH = clamp(Math.floor(MAP_HEIGHT / H), 1, 12);
    this.t = clamp(this.t, 0, T - 1); this.unit = clamp(this.unit, 0, H - 1); this.picked = clamp(this.picked, 0, H - 1);
    const b = this.bitmap;
    // a canvas given its size again is cleared and reallocated: resize only when the size changes
    if (b.width !== T || b.height !== H) { b.width = T; b.height = H; }
    const ctx = b.getContext('2d')!, img = ctx.createImageData(T, H), px = new Uint32Array(img.data.buffer);
    for (let t = 0; t < T; t++) for (let u = 0; u < H; u++) px[u * T + t] = divergingPixel(p.states[t * H + u]);
    ctx.putImageData(img, 0, 0);
    this.extent.style.width = `${GUTTER + T * COL + 8}px`;
    this.extent.style.height = `${TOP + H * this.rowH + LABELS}px`;
    this.draw();
  }

  private move(t: number, u: number, fromKeys: boolean): void {
    if (!this.probe) return;
    this.t = clamp(t, 0, this.probe.chars.length - 1);
    this.unit = clamp(u, 0, this.probe.H - 1);
    if (fromKeys) this.reveal();
    this.draw();
    this.on.hover(this.t, this.unit, fromKeys);
  }

  pick(u: number): void {
    if (!this.probe) return;
    this.picked = clamp(u, 0, this.probe.H - 1);
    this.unit = this.picked;
    this.draw();
    this.on.pick(this.picked);
  }

  /** Scrolls so the cursor is in view (keyboard use). */
  private reveal(): void {
    const x = GUTTER + this.t * COL, y = TOP + this.unit * this.rowH, s = this.scroller;
    if (x < s.scrollLeft + GUTTER) s.scrollLeft = x - GUTTER;
    else if (x + COL > s.scrollLeft + s.clientWidth) s.scrollLeft = x + COL - s.clientWidth + 20;
    if (y < s.scrollTop) s.scrollTop = y;
    else if (y + this.rowH > s.scrollTop + s.clientHeight - LABELS) s.scrollTop = y - s.clientHeight + LABELS + 20;
  }

  private redraw(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.draw(); });
  }

  /** Paints the part of the map in view: the canvas covers the box, the map is shifted by the scroll. */
  private draw(): void {
    const p = this.probe;
    if (!p) return;
    const s = this.scroller, dpr = window.devicePixelRatio || 1, T = p.chars.length, H = p.H, rh = this.rowH;
    const W = Math.min(s.clientWidth, GUTTER + T * COL + 8), Hpx = Math.min(s.clientHeight, TOP + H * rh + LABELS);
    const cw = Math.round(W * dpr), ch = Math.round(Hpx * dpr);
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      this.canvas.width = cw; this.canvas.height = ch;
      this.canvas.style.width = `${W}px`; this.canvas.style.height = `${Hpx}px`;
    }
    const ctx = this.canvas.getContext('2d')!, sx = s.scrollLeft, sy = s.scrollTop;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, cw, ch);
    ctx.setTransform(dpr, 0, 0, dpr, -sx * dpr, -sy * dpr);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.bitmap, GUTTER, TOP, T * COL, H * rh);
    // the characters in view under their columns
    const t0 = clamp(Math.floor((sx - GUTTER) / COL), 0, T - 1), t1 = clamp(Math.ceil((sx + W - GUTTER) / COL), 0, T - 1);
    const yText = TOP + H * rh + 14;
    ctx.font = '12px ui-monospace, "DejaVu Sans Mono", monospace'; ctx.textAlign = 'center'; ctx.textBaseline = 'alphabetic';
    for (let t = t0; t <= t1; t++) {
      const c = p.chars[t], shown = visible(c);
      ctx.fillStyle = t === this.t ? '#4f46e5' : shown === c ? '#262b38' : '#a3a9ba';
      ctx.fillText(shown, GUTTER + t * COL + COL / 2, yText);
    }
    // picked unit row and cursor column
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = 'rgba(79, 70, 229, 0.9)';
    ctx.strokeRect(GUTTER - 0.5, TOP + this.picked * rh - 0.5, T * COL + 1, rh + 1);
    ctx.strokeStyle = 'rgba(20, 24, 40, 0.85)';
    ctx.strokeRect(GUTTER + this.t * COL - 0.5, TOP - 0.5, COL + 1, H * rh + 1);
    if (this.unit !== this.picked) {
      ctx.strokeStyle = 'rgba(20, 24, 40, 0.35)';
      ctx.strokeRect(GUTTER - 0.5, TOP + this.unit * rh - 0.5, T * COL + 1, rh + 1);
    }
    // unit numbers in a gutter that stays at the left edge as the map scrolls under it
    ctx.fillStyle = '#fbfbfd';
    ctx.fillRect(sx, sy, GUTTER - 2, Hpx);
    ctx.fillStyle = '#7a8094'; ctx.font = '10px ui-monospace, "DejaVu Sans Mono", monospace'; ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    const every = Math.max(1, Math.ceil(12 / rh));
    for (let u = 0; u < H; u += every) ctx.fillText(String(u), sx + GUTTER - 5, TOP + u * rh + rh / 2);
  }
}

/** How a character shows in a single column: newline ↵, tab →, space as a faint dot. */
export function visible(c: string): string {
  return c === '\n' ? '↵' : c === '\t' ? '→' : c === ' ' ? '·' : c === '\r' ? '␍' : c;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
