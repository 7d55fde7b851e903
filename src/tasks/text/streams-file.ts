import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Vocab } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import type { RunOptions } from '../../train/loop.js';
import type { TokenStreams } from './streams.js';
import { type TextOptions, type TextRun, resolveTextOptions, trainText } from './train.js';

/** Files above this size are streamed from disk rather than read into memory. */
export const STREAM_ABOVE_BYTES = 32 << 20;

/** Start of the UTF-8 character at or after byte `at`. */
function charStart(fd: number, at: number, end: number): number {
  const b = Buffer.alloc(4);
  while (at < end) {
    readSync(fd, b, 0, 1, at);
    if ((b[0] & 0xc0) !== 0x80) return at;
    at++;
  }
  return end;
}

/** One sequential reader of a byte range of a UTF-8 file, yielding character ids. */
class FileCursor {
  private buf: Int32Array = new Int32Array(0);
  private at = 0; // next unread id in buf
  private decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly bytes: Buffer;
  constructor(readonly fd: number, readonly start: number, readonly end: number, public offset: number, readonly vocab: Vocab, chunk: number, readonly path: string) {
    this.bytes = Buffer.alloc(chunk);
  }
  /** The next character id, or -1 at the end of the range. */
  read(): number {
    while (this.at >= this.buf.length) {
      if (this.offset >= this.end) return -1;
      const n = readSync(this.fd, this.bytes, 0, Math.min(this.bytes.length, this.end - this.offset), this.offset);
      this.offset += n;
      let text: string;
      try { text = this.decoder.decode(this.bytes.subarray(0, n), { stream: this.offset < this.end }); } catch {
        throw new DataError(`${this.path}: not valid UTF-8 near byte ${this.offset}`);
      }
      this.buf = this.vocab.encode(text);
      this.at = 0;
    }
    return this.buf[this.at++];
  }
  /** Position for a checkpoint: the byte offset of the buffered chunk and how far into it we are. */
  mark(): { offset: number; at: number; len: number } { return { offset: this.offset, at: this.at, len: this.buf.length }; }
}

/**
 * A large UTF-8 file split by bytes into a training part (B streams) and a validation part.
 * Only `chunk` bytes per stream are held at a time.
 */
export class FileStreams implements TokenStreams {
  private readonly fd: number;
  readonly size: number;
  readonly trainEnd: number;
  private cursors: FileCursor[] = [];
  private carry: Int32Array;
  private starts: number[] = [];
  private wrapNext = false;

  constructor(readonly path: string, readonly vocab: Vocab, readonly B: number, valFraction: number, readonly chunk = 1 << 16) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
    this.trainEnd = charStart(this.fd, Math.floor(this.size * (1 - valFraction)), this.size);
    for (let b = 0; b <= B; b++) this.starts.push(b === B ? this.trainEnd : charStart(this.fd, Math.floor((this.trainEnd * b) / B), this.trainEnd));
    this.carry = new Int32Array(B).fill(-1);
    this.rewind();
  }

  /**
   * Refuses, before any training, streams shorter than one sequence of T + 1 characters (next()
   * would find out only at the first step). A character is 1 to 4 bytes, so only a stream of
   * fewer than 4(T + 1) bytes needs its characters counted.
   */
  assertLength(T: number): void {
    const buf = Buffer.alloc(4 * (T + 1));
    for (let b = 0; b < this.B; b++) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, this.starts[b + 1] - this.starts[b]), this.starts[b]);
      let chars = 0;
      for (let i = 0; i < n; i++) if ((buf[i] & 0xc0) !== 0x80) chars++;
      if (chars < T + 1) {
        throw new DataError(`${this.path}: the training part is too short: ${this.B} streams over its ${this.trainEnd} bytes, stream ${b + 1} of ${chars} characters, `
          + `but one sequence needs ${T + 1}; use a smaller --seq or --batch, or more text`);
      }
    }
  }

  private rewind(): void {
    this.cursors = Array.from({ length: this.B }, (_, b) => new FileCursor(this.fd, this.starts[b], this.starts[b + 1], this.starts[b], this.vocab, this.chunk, this.path));
    this.carry.fill(-1);
  }

  next(T: number, x: Int32Array, y: Int32Array): boolean {
    let wrapped = this.wrapNext;
    this.wrapNext = false;
    for (let attempt = 0; attempt < 2; attempt++) {
      let short = false;
      for (let b = 0; b < this.B && !short; b++) {
        let prev = this.carry[b] >= 0 ? this.carry[b] : this.cursors[b].read();
        for (let t = 0; t < T; t++) {
          const c = this.cursors[b].read();
          if (prev < 0 || c < 0) { short = true; break; }
          x[t * this.B + b] = prev; y[t * this.B + b] = c; prev = c;
        }
        this.carry[b] = prev;
      }
      if (!short) return wrapped;
      // a stream ran out: a new pass over the text, every stream from its start
      if (attempt === 1) throw new DataError(`${this.path}: a stream of the training text is shorter than one sequence of ${T + 1}`);
      this.rewind();
      wrapped = true;
    }
    return wrapped;
  }

  /** Validation characters in order, as S parallel readers over the validation bytes. */
  validation(S: number): { read(): number }[] {
    const starts = Array.from({ length: S + 1 }, (_, s) => (s === S ? this.size : charStart(this.fd, this.trainEnd + Math.floor(((this.size - this.trainEnd) * s) / S), this.size)));
    return starts.slice(0, S).map((st, s) => new FileCursor(this.fd, st, starts[s + 1], st, this.vocab, this.chunk, this.path));
  }

  state(): Record<string, unknown> {
    return { cursors: this.cursors.map((c) => c.mark()), carry: Array.from(this.carry) };
  }

  /** Restores positions: re-reads the chunk each cursor was in and skips to where it was. */
  setState(s: Record<string, unknown>): void {
    const marks = s.cursors as { offset: number; at: number; len: number }[];
    this.rewind();
    marks.forEach((m, b) => {
      const c = this.cursors[b];
      // replay from the stream start to the mark: exact, since decoding is deterministic
      while (c.mark().offset < m.offset || (c.mark().offset === m.offset && c.mark().at < m.at)) {
        if (c.read() < 0) break;
      }
    });
    this.carry = Int32Array.from(s.carry as number[]);
  }

  close(): void { closeSync(this.fd); }
}

/** Vocabulary of the training bytes [0, end) of a file, read in chunks. */
export function fileVocab(path: string, valFraction: number, make: (chars: string) => Vocab, chunk = 1 << 16): Vocab {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size, end = charStart(fd, Math.floor(size * (1 - valFraction)), size);
    const seen = new Set<string>(), buf = Buffer.alloc(chunk), dec = new TextDecoder('utf-8', { fatal: true });
    for (let off = 0; off < end;) {
      const n = readSync(fd, buf, 0, Math.min(chunk, end - off), off);
      off += n;
      let text: string;
      try { text = dec.decode(buf.subarray(0, n), { stream: off < end }); } catch { throw new DataError(`${path}: not a UTF-8 text file (invalid bytes near byte ${off})`); }
      if (text.includes('\0')) throw new DataError(`${path}: not a UTF-8 text file (binary data?)`);
      for (const ch of text) seen.add(ch);
    }
    if (seen.size === 0 || [...seen].every((c) => /\s/.test(c))) throw new DataError(`${path}: the text is empty`);
    return make([...seen].join(''));
  } finally { closeSync(fd); }
}

/** Trains on a large UTF-8 file read in place: vocabulary from a first pass, then streams over the bytes. */
export async function runTextFile(path: string, opts: TextOptions, run: RunOptions): Promise<TextRun> {
  const o = resolveTextOptions(opts);
  const vocab = fileVocab(path, o.valFraction, (chars) => Vocab.chars(chars));
  const fs = new FileStreams(path, vocab, o.batch, o.valFraction);
  try {
    fs.assertLength(o.seq);
    return await trainText(vocab, fs, () => fs.validation(16), fs.size, o, run);
  } finally { fs.close(); }
}
