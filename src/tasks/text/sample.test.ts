import { describe, expect, it } from 'vitest';
import { noGrad } from '../../autograd/engine.js';
import '../../autograd/index.js';
import { Vocab } from '../../data/vocab.js';
import '../../kernels/index.js';
import { getDefaultDevice, listDevices, setDefaultDevice } from '../../kernels/device.js';
import { SeedCharLM } from '../../models/seed-char-lm.js';
import { Rng } from '../../tensor/rng.js';
import { IntTensor } from '../../tensor/tensor.js';
import { CharLM } from './model.js';
import { Sampler, pickIndex } from './sample.js';
import type { CharModel } from './train.js';

/**
 * Sampling on every device: greedy decoding must follow the argmax of the model's own
 * full-sequence forward (the stepper and head of the fast path against the fused forward), the
 * same seed must give the same text, and the specials are never drawn.
 */
const devices = listDevices().filter((d) => d.available).map((d) => d.name);
const vocab = Vocab.chars('the quick brown fox jumps over the lazy dog.\n'); // with <pad> and <unk>

/** Greedy text after `prime` agrees with the argmax of forward() over prime + text, until a near tie (1e-4) lets float rounding choose. */
function checkGreedy(model: CharModel, prime: string, text: string): number {
  const ids = vocab.encodeText(prime + text), T = ids.length, V = vocab.size;
  const logits = noGrad(() => model.forward(new IntTensor(ids, [T, 1]), null, null)).logits.data;
  const drawable = (i: number) => !vocab.specials.includes(vocab.tokens[i]);
  let checked = 0;
  for (let t = prime.length - 1; t < T - 1; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    const order = Array.from({ length: V }, (_, i) => i).filter(drawable).sort((a, b) => row[b] - row[a]);
    if (row[order[0]] - row[order[1]] < 1e-4) break;
    expect(ids[t + 1], `character ${t + 1 - prime.length} of ${JSON.stringify(text)}`).toBe(order[0]);
    checked++;
  }
  return checked;
}

describe.each(devices)('Sampler on %s', (device) => {
  it.each([['rnn', 0], ['lstm', 0], ['gru', 6]] as const)('%s (embedding %i, 2 layers): greedy follows the full forward; the same seed, the same text', (cell, embed) => {
    const model = new CharLM({ cell, vocab: vocab.size, hidden: 24, layers: 2, dropout: 0, embed }, new Rng(1), device);
    // decided logits (few near ties), recurrences left as initialised (contractive: no chaos to amplify rounding)
    for (const t of [...model.rnn.weights.map((w) => w.wih), model.head.weight]) t.data.forEach((_, i) => { t.data[i] *= 3; });
    const s = new Sampler(model, vocab);
    const greedy = s.sample({ prime: 'the ', length: 60, temperature: 0 }).text;
    expect(checkGreedy(model, 'the ', greedy)).toBeGreaterThan(20);
    const a = s.sample({ prime: 'a', length: 300, temperature: 1.5, seed: 7 }).text;
    expect(s.sample({ prime: 'a', length: 300, temperature: 1.5, seed: 7 }).text).toBe(a);
    expect(s.sample({ prime: 'a', length: 300, temperature: 1.5, seed: 8 }).text).not.toBe(a);
    expect(a).not.toMatch(/<pad>|<unk>/);
    expect(s.sample({ prime: 'a', length: 50, temperature: 1, topK: 3, seed: 1 }).text).toHaveLength(50);
    s.dispose();
  });

  it('the seed\'s cell (SeedCharLM) samples through its stepper (on the default device)', () => {
    const was = getDefaultDevice();
    setDefaultDevice(device);
    const model = new SeedCharLM({ cell: 'seed', hidden: 20, vocab: vocab.size }, new Rng(2));
    // randn·0.01 → decided logits, with W_hh kept contractive (a chaotic recurrence would amplify
    // float rounding until any two correct implementations part ways)
    for (const [p, k] of [[model.cell.W_xh, 300], [model.cell.W_hh, 15], [model.cell.W_hy, 300]] as const) p.data.forEach((_, i) => { p.data[i] *= k; });
    const s = new Sampler(model, vocab);
    const greedy = s.sample({ prime: 'the ', length: 40, temperature: 0 }).text;
    expect(checkGreedy(model, 'the ', greedy)).toBeGreaterThan(10);
    const a = s.sample({ length: 200, seed: 3 }).text;
    expect(s.sample({ length: 200, seed: 3 }).text).toBe(a);
    s.dispose();
    setDefaultDevice(was);
  });
});

describe('drawing a character', () => {
  const abcd = Vocab.chars('abcd'); // <pad> <unk> a b c d
  /** A sampler whose next-character distribution is p (over a, b, c, d) whatever it reads: a zero head, log p as its bias. */
  function fixed(p: number[]): Sampler {
    const model = new CharLM({ cell: 'rnn', vocab: abcd.size, hidden: 4, layers: 1, dropout: 0, embed: 0 }, new Rng(1), 'cpu');
    model.head.weight.data.fill(0);
    model.head.bias!.data.set([0, 0, ...p.map(Math.log)]);
    return new Sampler(model, abcd);
  }

  it('top-k first, then top-p over what it kept, renormalised (as Hugging Face chains them)', () => {
    const s = fixed([0.4, 0.3, 0.2, 0.1]);
    // top-k 2 keeps a and b, renormalised to 4/7 and 3/7; a alone holds top-p 0.5 of that. (Measured against the
    // whole distribution, a's 0.4 would fall short of 0.5 and b would be drawn too.)
    expect(new Set(s.sample({ length: 400, topK: 2, topP: 0.5, seed: 1 }).text)).toEqual(new Set(['a']));
    expect(new Set(s.sample({ length: 400, topP: 0.5, seed: 1 }).text)).toEqual(new Set(['a', 'b']));
    const kept = s.sample({ length: 4000, topK: 3, topP: 0.7, seed: 2 }).text; // a, b (4/9 + 3/9 ≥ 0.7), in the ratio 4 : 3
    expect(new Set(kept)).toEqual(new Set(['a', 'b']));
    const ratio = (kept.split('a').length - 1) / (kept.split('b').length - 1);
    expect(ratio).toBeGreaterThan(1.2);
    expect(ratio).toBeLessThan(1.5);
    s.dispose();
  });

  it('a draw that rounding leaves past the total takes the last character with any probability, never a special', () => {
    expect(pickIndex([0.5, 0.5, 0], [0, 1, 2], 3, 1 + 1e-12)).toBe(1);
    expect(pickIndex([0, 0.25, 0.75, 0], [2, 1, 0, 3], 4, 2)).toBe(1);
    expect(pickIndex([0.5, 0.5, 0], [0, 1, 2], 3, 0.6)).toBe(1);
    expect(pickIndex([0.5, 0.5, 0], [0, 1, 2], 3, 0)).toBe(0);
  });
});
