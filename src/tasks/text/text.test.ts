import { describe, expect, it } from 'vitest';
import { makeProgress } from '../../train/progress.js';
import { abcPrompt, abcStop } from './abc.js';
import { loadCorpus, mobyDick } from './corpus.js';
import type { CharLM } from './model.js';
import { Sampler } from './sample.js';
import { ArrayStreams } from './streams.js';
import { evaluateText, resolveTextOptions, runText } from './train.js';

const quiet = { progress: makeProgress({ quiet: true }), store: null, checkpointEvery: 0, resume: false };
const chapter1 = mobyDick().slice(0, 40_000);

describe('character model', () => {
  it('learns real text: validation loss falls well below the untrained model and the unigram entropy', async () => {
    const r = await runText(chapter1, { cell: 'gru', hidden: 48, seq: 32, batch: 8, steps: 150, lr: 5e-3, valFraction: 0.1, seed: 1 }, quiet);
    const { trainer } = r;
    // the unigram entropy of the validation text is what a model without memory can reach at best
    const val: number[] = [];
    for (const rd of trainer.validation()) for (let v = rd.read(); v >= 0; v = rd.read()) val.push(v);
    const counts = new Map<number, number>();
    for (const id of val) counts.set(id, (counts.get(id) ?? 0) + 1);
    let unigram = 0;
    for (const n of counts.values()) unigram -= (n / val.length) * Math.log(n / val.length);
    expect(Math.log(trainer.vocab.size)).toBeGreaterThan(3.5); // the untrained model's loss is about this
    expect(r.valLoss!).toBeLessThan(unigram - 0.3);
    expect(r.valLoss!).toBeCloseTo(evaluateText(trainer.model, trainer.validation(), 32), 10);
    expect(r.charsPerSec).toBeGreaterThan(0);
  }, 120_000);

  it('sampling: the same seed gives the same text; temperature 0 is greedy and top-k 1 agrees with it', async () => {
    const r = await runText(chapter1.slice(0, 8000), { cell: 'lstm', hidden: 16, seq: 16, batch: 4, steps: 20, seed: 2 }, quiet);
    const s = new Sampler(r.trainer.model as CharLM, r.trainer.vocab);
    const a = s.sample({ prime: 'The ', length: 80, temperature: 1, seed: 7 });
    const b = s.sample({ prime: 'The ', length: 80, temperature: 1, seed: 7 });
    const c = s.sample({ prime: 'The ', length: 80, temperature: 1, seed: 8 });
    expect(a.text).toBe(b.text);
    expect(a.text).not.toBe(c.text);
    const g1 = s.sample({ prime: 'The ', length: 60, temperature: 0, seed: 1 }), g2 = s.sample({ prime: 'The ', length: 60, temperature: 0, seed: 99 });
    expect(g1.text).toBe(g2.text);
    expect(s.sample({ prime: 'The ', length: 60, temperature: 1, topK: 1, seed: 3 }).text).toBe(g1.text);
    const streamed: string[] = [];
    s.sample({ prime: 'a', length: 25, seed: 4, onChar: (ch) => streamed.push(ch) });
    expect(streamed).toHaveLength(25);
    expect(s.sample({ prime: 'Ωmega', length: 5 }).dropped).toEqual(['Ω']);
    expect(() => s.sample({ topP: 0 })).toThrow('top-p: expected a value in (0, 1], got 0');
  }, 60_000);
});

describe('texts too short for the streams', () => {
  it('B streams of a text must each hold one sequence of T + 1 characters', () => {
    expect(() => new ArrayStreams(new Int32Array(300), 32, 16))
      .toThrow('the text is too short: 300 characters give 32 streams of 9, but one sequence needs 17; use a smaller --seq or --batch, or more text');
    expect(new ArrayStreams(new Int32Array(300), 16, 16).len).toBe(18);
  });
});

describe("the seed's cell as a character model (--cell seed)", () => {
  it('refuses the options it has no use for, naming them', () => {
    expect(() => resolveTextOptions({ cell: 'seed', embed: 8, layers: 2 }))
      .toThrow("--cell seed (the seed's MyRNNCell: one layer, one-hot input, no dropout): expected no --embed, --layers or --dropout, got --embed 8, --layers 2");
    expect(() => resolveTextOptions({ cell: 'seed', dropout: 0.2 })).toThrow('got --dropout 0.2');
    expect(resolveTextOptions({ cell: 'seed', hidden: 32 }).cell).toBe('seed');
    expect(resolveTextOptions({ cell: 'lstm', embed: 8, layers: 2, dropout: 0.2 }).layers).toBe(2);
  });

  it('trains through its explicit matrices and samples through its stepper', async () => {
    const r = await runText(chapter1.slice(0, 12_000), { cell: 'seed', hidden: 32, seq: 16, batch: 8, steps: 60, lr: 1e-2, valFraction: 0.1, seed: 6 }, quiet);
    expect(r.trainer.model.arch.cell).toBe('seed');
    expect(Object.keys(r.trainer.model.stateDict())).toEqual(['cell.W_xh', 'cell.W_hh', 'cell.W_hy', 'cell.h']);
    expect(r.valLoss!).toBeLessThan(Math.log(r.trainer.vocab.size) - 0.8);
    const s = new Sampler(r.trainer.model, r.trainer.vocab);
    expect(s.sample({ length: 40, seed: 1 }).text).toBe(s.sample({ length: 40, seed: 1 }).text);
    s.dispose();
  }, 60_000);
});

/** What a stop rule lets through of `text`: every character until it says stop (that one is left out). */
function cut(stop: (c: string) => boolean, text: string): string {
  const chars = Array.from(text), end = chars.findIndex((c) => stop(c));
  return end < 0 ? text : chars.slice(0, end).join('');
}

describe('ABC tunes', () => {
  const abcDir = new URL('../../../data/abc', import.meta.url).pathname;
  const reel = '|:A2FA DAFA|B2GB dBGB|A2FA DAFA|BAGF E2D2:|\n|:d2fd adfd|e2ge bege|d2fd adfd|edcB A4:|\n';

  it('header prompt', () => {
    expect(abcPrompt({ title: 'T', meter: '6/8', key: 'G' })).toBe('X:1\nT:T\nM:6/8\nL:1/8\nK:G\n');
  });

  it('bar limit: bar lines read as whole tokens; a start-repeat before any note closes no bar', () => {
    // hand-counted: the opening |: closes nothing, so bar 2 ends at the second single |
    expect(cut(abcStop(2), reel)).toBe('|:A2FA DAFA|B2GB dBGB|');
    // bar 4 ends with :| at the end of line 1; the |: that opens line 2 closes nothing, so bar 5 is 'd2fd adfd|'
    expect(cut(abcStop(4), reel)).toBe('|:A2FA DAFA|B2GB dBGB|A2FA DAFA|BAGF E2D2:|');
    expect(cut(abcStop(5), reel)).toBe('|:A2FA DAFA|B2GB dBGB|A2FA DAFA|BAGF E2D2:|\n|:d2fd adfd|');
    // :||: and :: are one bar line each, never cut in two
    expect(cut(abcStop(1), 'A2FA DAFA:||:B2GB dBGB|c')).toBe('A2FA DAFA:||:');
    expect(cut(abcStop(2), 'A2FA DAFA:||:B2GB dBGB|c')).toBe('A2FA DAFA:||:B2GB dBGB|');
    expect(cut(abcStop(1), 'ABcd::efga|')).toBe('ABcd::');
    expect(cut(abcStop(1), 'ABcd:|:efga|')).toBe('ABcd:|:');
    // endings stay with their bar line: |1 and :|2 are whole tokens
    const endings = '|:ABc def|1 gfe dcB:|2 gfe d3|]\nX:2';
    expect(cut(abcStop(1), endings)).toBe('|:ABc def|1');
    expect(cut(abcStop(2), endings)).toBe('|:ABc def|1 gfe dcB:|2');
    expect(cut(abcStop(3), endings)).toBe('|:ABc def|1 gfe dcB:|2 gfe d3|]');
    expect(cut(abcStop(1), 'AB [1 cd :|[2 ef |]\n')).toBe('AB [1 cd :|'); // [1 and [2 on their own mark endings, not bar lines
    expect(cut(abcStop(2), 'AB [1 cd :|[2 ef |]\n')).toBe('AB [1 cd :|[2 ef |]');
    expect(cut(abcStop(1), '[|AB cd|]x')).toBe('[|AB cd|]');
    // a [ after a bar line opens a chord or an inline field, not part of the bar line
    expect(cut(abcStop(1), '[CEG]2 A|[K:G] B|')).toBe('[CEG]2 A|');
    // a blank line ends the tune, whatever the count
    expect(cut(abcStop(100), 'AB|cd|\n\nX:2')).toBe('AB|cd|\n');
    expect(abcStop(100)('\n') || abcStop(100)('x')).toBe(false);
  });

  it('never ends inside a bar line token (every limit on the bundled tunes)', () => {
    const tunes = loadCorpus(abcDir).text, body = tunes.slice(tunes.indexOf('K:D\n') + 4);
    for (let bars = 1; bars <= 20; bars++) {
      const kept = cut(abcStop(bars), body), next = body[kept.length];
      expect(kept, `${bars} bars`).toMatch(/(\||\]|\d|\n)$/);
      expect(/[|:\]\d]/.test(next ?? ''), `${bars} bars: cut before ${JSON.stringify(next)}`).toBe(false);
    }
  });

  it('a folder of tunes is read as tunes only: its README is left out', () => {
    const c = loadCorpus(abcDir);
    expect([c.files, c.skipped]).toEqual([1, ['README.md']]);
    expect(c.text).not.toMatch(/public domain/);
    expect(c.text.startsWith('X:1\nT:The Seed Cell Reel')).toBe(true);
  });

  it('a model trained on the bundled tunes writes a header-prompted tune that stops at the bar limit', async () => {
    const c = loadCorpus(abcDir);
    const r = await runText(c.text, { cell: 'gru', hidden: 32, seq: 32, batch: 2, steps: 80, lr: 1e-2, valFraction: 0.1, seed: 3 }, quiet);
    const out = new Sampler(r.trainer.model as CharLM, r.trainer.vocab).sample({ prime: abcPrompt({ meter: '6/8', key: 'G' }), length: 400, stop: abcStop(8), seed: 5 });
    // the rule lets all of the kept text through, and the text ends at a whole bar line, a tune's end or the length
    expect(cut(abcStop(8), out.text)).toBe(out.text);
    expect(out.text.length === 400 || /(\||\]|\d|\n)$/.test(out.text)).toBe(true);
  }, 60_000);
});
