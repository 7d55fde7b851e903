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
