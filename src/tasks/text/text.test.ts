import { describe, expect, it } from 'vitest';
import { makeProgress } from '../../train/progress.js';
import { abcPrompt, abcStop } from './abc.js';
import { loadCorpus, mobyDick } from './corpus.js';
import type { CharLM } from './model.js';
import { Sampler } from './sample.js';
import { evaluateText, runText } from './train.js';

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

describe("the seed's cell as a character model (--cell seed)", () => {
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

describe('ABC tunes', () => {
  it('header prompt and bar limit', () => {
    expect(abcPrompt({ title: 'T', meter: '6/8', key: 'G' })).toBe('X:1\nT:T\nM:6/8\nL:1/8\nK:G\n');
    const stop = abcStop(3);
    const seq = Array.from('|:AB|cd||ef|g'), stops = seq.map((ch) => stop(ch));
    expect(stops.indexOf(true)).toBe(7); // bar lines at 0, 4 and 7 ('||' at 7–8 counts once)
    expect(abcStop(100)('\n') || abcStop(100)('x')).toBe(false);
  });
  it('a model trained on the bundled tunes writes a header-prompted tune that stops at the bar limit', async () => {
    const c = loadCorpus(new URL('../../../data/abc', import.meta.url).pathname, '.abc');
    const r = await runText(c.text, { cell: 'gru', hidden: 32, seq: 32, batch: 2, steps: 80, lr: 1e-2, valFraction: 0.1, seed: 3 }, quiet);
    const out = new Sampler(r.trainer.model as CharLM, r.trainer.vocab).sample({ prime: abcPrompt({ meter: '6/8', key: 'G' }), length: 400, stop: abcStop(8), seed: 5 });
    const bars = out.text.split('').filter((ch, i, a) => ch === '|' && a[i - 1] !== '|').length;
    expect(bars === 8 || out.text.endsWith('\n\n')).toBe(true);
    expect(bars).toBeLessThanOrEqual(8);
  }, 60_000);
});
