import type { Matrix } from '../protocol.js';
import { divergingPixel } from './colors.js';

/**
 * A weight matrix as a heat map that fills its box. Each canvas pixel, at the screen's resolution,
 * shows the nearest weight: a small matrix is scaled up in blocks, a large one is sampled, and
 * drawing costs the box's pixel count whatever the matrix's size (an LSTM 256 has 350k weights,
 * redrawn while it trains: the page must not stall on them). Colours run against the 99th
 * percentile of |w|, so one large weight does not wash out the rest. A matrix of stacked gates
 * (far taller than wide) is shown transposed, so its gates sit side by side.
 */
export class MatrixView {
  private m: Matrix | null = null;
  private scale = 1;
  private img: ImageData | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.draw()).observe(canvas.parentElement!);
  }

  /** Draws m; returns the |w| that gets the full colour and whether the matrix is shown transposed. */
  show(m: Matrix): { scale: number; transposed: boolean } {
    this.m = m;
    this.scale = quantileAbs(m.data, 0.99) || 1;
    this.draw();
    return { scale: this.scale, transposed: isTransposed(m) };
  }

  private draw(): void {
    const m = this.m, box = this.canvas.parentElement!, dpr = window.devicePixelRatio || 1;
    if (!m || box.clientWidth === 0) return;
    const Wc = Math.round(box.clientWidth * dpr), Hc = Math.round(box.clientHeight * dpr);
    if (this.canvas.width !== Wc || this.canvas.height !== Hc || !this.img) {
      this.canvas.width = Wc; this.canvas.height = Hc;
      this.img = new ImageData(Wc, Hc);
    }
    const t = isTransposed(m), W = t ? m.rows : m.cols, H = t ? m.cols : m.rows;
    const px = new Uint32Array(this.img.data.buffer), d = m.data, inv = 1 / this.scale;
    // where each canvas column and row reads in m.data: shown (i, j) is m (i, j), or m (j, i) transposed
    const colAt = new Int32Array(Wc);
    for (let x = 0; x < Wc; x++) { const j = Math.floor(((x + 0.5) * W) / Wc); colAt[x] = t ? j * m.cols : j; }
    for (let y = 0; y < Hc; y++) {
      const i = Math.floor(((y + 0.5) * H) / Hc), row = t ? i : i * m.cols, o = y * Wc;
      for (let x = 0; x < Wc; x++) px[o + x] = divergingPixel(d[row + colAt[x]] * inv);
    }
    this.canvas.getContext('2d')!.putImageData(this.img, 0, 0);
  }
}

const isTransposed = (m: Matrix): boolean => m.rows > 2 * m.cols;

/**
 * The q-quantile of |x| in two passes and no sort: the largest |x|, then a histogram of 2048 bins
 * up to it; returns the upper edge of the bin the quantile falls in (within max|x| / 2048, plenty
 * for a colour scale). 0 when every value is 0.
 */
export function quantileAbs(x: ArrayLike<number>, q: number): number {
  const n = x.length, BINS = 2048;
  let max = 0;
  for (let i = 0; i < n; i++) { const a = Math.abs(x[i]); if (a > max) max = a; }
  if (max === 0) return 0;
  const hist = new Uint32Array(BINS), k = BINS / max;
  for (let i = 0; i < n; i++) hist[Math.min(BINS - 1, Math.floor(Math.abs(x[i]) * k))]++;
  const rank = Math.min(n - 1, Math.floor(n * q));
  let seen = 0;
  for (let b = 0; b < BINS; b++) { seen += hist[b]; if (seen > rank) return (b + 1) / k; }
  return max;
}
