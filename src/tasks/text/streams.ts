import { DataError } from '../../errors.js';

/**
 * Where training characters come from: B parallel streams, each read T + 1 characters at a time
 * (inputs and next-character targets), continuing where the previous chunk ended. Two sources:
 * an in-memory id array (small texts, here), and a file read in place (large texts, in
 * streams-file.ts: memory stays flat whatever the corpus size).
 */
export interface TokenStreams {
  readonly B: number;
  /** Fills x and y (T, B), time-major. Returns true when the streams wrapped (a new pass: reset the state). */
  next(T: number, x: Int32Array, y: Int32Array): boolean;
  state(): Record<string, unknown>;
  setState(s: Record<string, unknown>): void;
}

/** B contiguous segments of an id array. */
export class ArrayStreams implements TokenStreams {
  readonly len: number;
  pos = 0;
  constructor(readonly ids: Int32Array, readonly B: number, T: number) {
    this.len = Math.floor(ids.length / B);
    if (this.len < T + 1) {
      throw new DataError(`the text is too short: ${ids.length} characters give ${B} streams of ${this.len}, `
        + `but one sequence needs ${T + 1}; use a smaller --seq or --batch, or more text`);
    }
  }
  next(T: number, x: Int32Array, y: Int32Array): boolean {
    let wrapped = false;
    if (this.pos + T + 1 > this.len) { this.pos = 0; wrapped = true; }
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < this.B; b++) {
        const i = b * this.len + this.pos + t;
        x[t * this.B + b] = this.ids[i]; y[t * this.B + b] = this.ids[i + 1];
      }
    }
    this.pos += T;
    return wrapped;
  }
  state(): Record<string, unknown> { return { pos: this.pos }; }
  setState(s: Record<string, unknown>): void { this.pos = Number(s.pos); }
}

