import { describe, expect, it } from 'vitest';
import { CharLM, DataError, IntTensor, Rng, Vocab, noGrad, topNext } from '../../../src/web.js';
import { probe } from './model.js';

/**
 * What the heat map's "What comes next?" shows: the library's topNext (src/tasks/text/sample.ts)
 * over the logits Sampler.read hands out. Checked against a softmax of the model's own
 * full-sequence forward, so the page's reading and the model agree.
 */
const vocab = Vocab.chars('the quick brown fox jumps over the lazy dog.\n'); // with <pad> and <unk>
const V = vocab.size;

describe('topNext', () => {
  it('is the softmax over the drawable characters, most likely first, specials never', () => {
    const logits = Float32Array.from({ length: V }, (_, i) => Math.sin(i * 1.7) * 3);
    for (const s of vocab.specials) logits[vocab.id(s)] = 50; // the likeliest, were they allowed
    const all = topNext(logits, vocab, V);
    expect(all).toHaveLength(V - vocab.specials.length);
    expect(all.map((x) => x.c)).not.toContain('<pad>');
    expect(all.reduce((a, x) => a + x.p, 0)).toBeCloseTo(1, 12);
    for (let k = 1; k < all.length; k++) expect(all[k].p).toBeLessThanOrEqual(all[k - 1].p);
    const z = all.reduce((a, x) => a + Math.exp(logits[vocab.id(x.c)]), 0);
    for (const x of all) expect(x.p).toBeCloseTo(Math.exp(logits[vocab.id(x.c)]) / z, 12);
    expect(topNext(logits, vocab, 5)).toEqual(all.slice(0, 5));
  });

  it('refuses logits of another vocabulary', () => {
    expect(() => topNext(new Float32Array(V + 1), vocab, 5)).toThrow(DataError);
  });
});

describe('probe', () => {
  it('reads states and next-character predictions that agree with the full forward', () => {
    const model = new CharLM({ cell: 'gru', vocab: V, hidden: 12, layers: 2, dropout: 0, embed: 0 }, new Rng(4), 'cpu');
    const text = 'the lazy dog.\nthe fox';
    const p = probe({ model, vocab, seq: 16, abc: false, source: 'test' }, text);
    expect(p.H).toBe(12);
    expect(p.label).toMatch(/layer 2/);
    const ids = vocab.encodeText(text), T = ids.length;
    const logits = noGrad(() => model.forward(new IntTensor(ids, [T, 1]), null, null)).logits.data;
    for (let t = 0; t < T; t++) {
      const want = topNext(logits.subarray(t * V, (t + 1) * V), vocab, 5);
      expect(p.next[t].map((x) => x.c)).toEqual(want.map((x) => x.c));
      p.next[t].forEach((x, k) => expect(x.p).toBeCloseTo(want[k].p, 5));
    }
  });
});
