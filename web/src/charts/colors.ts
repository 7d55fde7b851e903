/**
 * The diverging colour scale of every heat map: −1 cool blue, 0 near-white, +1 warm orange
 * (tanh's range). A slight gamma lifts small values so weak memories still show.
 */
const ZERO = [248, 248, 250], POS = [232, 89, 12], NEG = [28, 100, 184];

export function diverging(v: number, out: Uint8ClampedArray, o: number): void {
  const x = Math.max(-1, Math.min(1, v)), t = Math.abs(x) ** 0.75, to = x >= 0 ? POS : NEG;
  out[o] = ZERO[0] + (to[0] - ZERO[0]) * t;
  out[o + 1] = ZERO[1] + (to[1] - ZERO[1]) * t;
  out[o + 2] = ZERO[2] + (to[2] - ZERO[2]) * t;
  out[o + 3] = 255;
}

export function divergingCss(v: number): string {
  const c = new Uint8ClampedArray(4);
  diverging(v, c, 0);
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}

/**
 * The same scale as a table of whole RGBA pixels, for maps of many thousand cells: one lookup and
 * one 32-bit store per pixel instead of a power and four byte stores. Built as bytes and read as
 * 32-bit words, so a store into a Uint32Array view of ImageData writes the same bytes on any platform.
 */
const LEVELS = 256;
const table = new Uint8ClampedArray(4 * (2 * LEVELS + 1));
for (let k = 0; k <= 2 * LEVELS; k++) diverging(k / LEVELS - 1, table, 4 * k);
const PIXELS = new Uint32Array(table.buffer);

/** The pixel (RGBA bytes as one 32-bit word) of v on the diverging scale; v is clamped to [−1, 1], NaN is white. */
export function divergingPixel(v: number): number {
  const k = Math.round((v + 1) * LEVELS);
  return Number.isNaN(k) ? PIXELS[LEVELS] : PIXELS[Math.max(0, Math.min(2 * LEVELS, k))];
}
