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
import { Sampler } from './sample.js';
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
