import type { Matrix } from '../protocol.js';
import { diverging } from './colors.js';

/**
 * A weight matrix as a heat map, one pixel per weight (the canvas is scaled up by CSS, without
 * smoothing), coloured against the 99th percentile of |w| so one large weight does not wash out
 * the rest. A matrix of stacked gates (far taller than wide) is shown transposed, so its gates
 * sit side by side. Returns the scale and whether it was transposed, for the caption.
 */
export function drawMatrix(canvas: HTMLCanvasElement, m: Matrix): { scale: number; transposed: boolean } {
  const transposed = m.rows > 2 * m.cols;
  const W = transposed ? m.rows : m.cols, H = transposed ? m.cols : m.rows;
  if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
  const abs = Float32Array.from(m.data, Math.abs).sort();
  const scale = abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.99))] || 1;
  const ctx = canvas.getContext('2d')!, img = ctx.createImageData(W, H);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) diverging(m.data[r * m.cols + c] / scale, img.data, 4 * (transposed ? c * W + r : r * W + c));
  }
  ctx.putImageData(img, 0, 0);
  // display size: square pixels, as large as the box allows (up to 8 CSS px per weight)
  const k = Math.max(1, Math.min(Math.floor(190 / H), Math.floor(340 / W), 8));
  canvas.style.width = `${W * k}px`;
  canvas.style.height = `${H * k}px`;
  return { scale, transposed };
}
