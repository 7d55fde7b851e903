import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Vocab } from '../../data/vocab.js';
import { ROOT } from '../../test-utils/index.js';
import { mobyDick } from './corpus.js';
import { makeProgress } from '../../train/progress.js';
import { FileStreams, fileVocab, runTextFile } from './streams-file.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-streams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file streams', () => {
  const text = 'héllo wörld — ✓ naïve café; '.repeat(40);
  const path = join(dir, 'utf8.txt');
  writeFileSync(path, text);
  const vocab = fileVocab(path, 0.1, (c) => Vocab.chars(c));

  it('read every training character in order, across chunk boundaries that split characters', () => {
    const B = 3, T = 5, fs = new FileStreams(path, vocab, B, 0.1, 7);
    const seen: string[][] = Array.from({ length: B }, () => []);
    const x = new Int32Array(T * B), y = new Int32Array(T * B);
    for (let step = 0; ; step++) {
      const wrapped = fs.next(T, x, y);
      if (wrapped && step > 0) break;
      for (let b = 0; b < B; b++) {
        if (seen[b].length === 0) seen[b].push(vocab.tokens[x[b]]);
        for (let t = 0; t < T; t++) {
          expect(x[t * B + b]).toBe(t === 0 ? vocab.id(seen[b][seen[b].length - 1]) : y[(t - 1) * B + b]);
          seen[b].push(vocab.tokens[y[t * B + b]]);
        }
      }
    }
    // each stream is a contiguous piece of the text, together in order
    const joined = seen.map((s) => s.join('')).join('');
    expect(text.startsWith(joined.slice(0, 50))).toBe(true);
    for (const s of seen) expect(text.includes(s.join(''))).toBe(true);
    fs.close();
  });

  it('state() and setState() resume exactly where the streams were', () => {
    const T = 4, B = 2, a = new FileStreams(path, vocab, B, 0.1, 9), b = new FileStreams(path, vocab, B, 0.1, 9);
    const x = new Int32Array(T * B), y = new Int32Array(T * B), x2 = new Int32Array(T * B), y2 = new Int32Array(T * B);
    for (let i = 0; i < 13; i++) a.next(T, x, y);
    b.setState(JSON.parse(JSON.stringify(a.state())));
    for (let i = 0; i < 40; i++) {
      expect(b.next(T, x2, y2)).toBe(a.next(T, x, y));
      expect(Array.from(x2)).toEqual(Array.from(x));
      expect(Array.from(y2)).toEqual(Array.from(y));
    }
  });
});

describe('a streamed text too short for its streams', () => {
  const path = join(dir, 'short.txt');
  writeFileSync(path, 'ünïcödé '.repeat(40)); // 320 characters, 480 bytes

  it('is refused before training starts, not at the first step', async () => {
    let started = false;
    const progress = { ...makeProgress({ quiet: true }), start: () => { started = true; } };
    const run = runTextFile(path, { seq: 16, batch: 32, hidden: 8, steps: 3, valFraction: 0.1 }, { progress, store: null, checkpointEvery: 0, resume: false });
    await expect(run).rejects.toThrow(/short\.txt: the training part is too short: 32 streams over its 432 bytes, stream 1 of 9 characters, but one sequence needs 17/);
    expect(started).toBe(false);
  });

  it('counts characters, not bytes: 17 two-byte characters per stream are enough for T = 16', () => {
    const vocab = fileVocab(path, 0.1, (c) => Vocab.chars(c));
    const fs = new FileStreams(path, vocab, 8, 0.1);
    expect(() => fs.assertLength(16)).not.toThrow(); // 54 bytes, 36 characters a stream
    expect(() => fs.assertLength(40)).toThrow(/stream 1 of 36 characters, but one sequence needs 41/);
    fs.close();
  });
});

describe('memory stays flat whatever the corpus size (streamed training)', () => {
  const write = (name: string, mb: number) => {
    const p = join(dir, name), chunk = Buffer.from(mobyDick()), fd = openSync(p, 'w');
    for (let n = 0; n < mb * 2 ** 20; n += chunk.length) writeSync(fd, chunk);
    closeSync(fd);
    return p;
  };
  /** Peak resident memory of a short training run (32 streams spread over the whole file). */
  const peakMb = (file: string, stream: boolean) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'src/test-utils/report-rss.mjs'), join(ROOT, 'src/cli/main.ts'),
      'text', 'train', '--data', file, ...(stream ? ['--stream'] : []), '--hidden', '32', '--seq', '32', '--batch', '32', '--steps', '20',
      '--val-fraction', '0.0005', '--out', `${file}.model`, '--device', 'cpu'],
    { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return Number(/maxrss-kb (\d+)/.exec(r.stderr)![1]) / 1024;
  };
  it('10 MB and 100 MB corpora peak within 40 MB of each other; in memory, 10 MB stays within a few times its size', () => {
    const f10 = write('10mb.txt', 10);
    const small = peakMb(f10, true), big = peakMb(write('100mb.txt', 100), true), inMemory = peakMb(f10, false);
    console.log(`peak RSS: streamed 10 MB corpus ${small.toFixed(0)} MB, 100 MB corpus ${big.toFixed(0)} MB; in memory 10 MB ${inMemory.toFixed(0)} MB`);
    // reading 100 MB into memory as ids alone would take 400 MB
    expect(big - small).toBeLessThan(40);
    // the text, its code points (4 bytes each, turned into ids in place) and the runtime; a string
    // per character (Array.from) took 826 MB here
    expect(inMemory).toBeLessThan(small + 120);
  }, 180_000);
});
