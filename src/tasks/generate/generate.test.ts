import { describe, expect, it } from 'vitest';
import '../../autograd/index.js';
import '../../kernels/index.js'; // the fastest backend this machine has, for the learning test
import { EOS } from '../../data/vocab.js';
import { parseModelFile, serializeModel } from '../../io/model-file.js';
import { Rng } from '../../tensor/rng.js';
import { makeProgress } from '../../train/progress.js';
import { bundledNames, charVocab, encodePairs, splitByText } from './data.js';
import { generatorFromFile } from './load.js';
import { ConditionalGenerator } from './model.js';
import { runGenerate } from './run.js';
import { sampleTexts } from './sample.js';

const quiet = { progress: makeProgress({ quiet: true }), store: null, checkpointEvery: 0, resume: false };

describe('names data', () => {
  it('keeps names on both lists in both categories and holds them out together', () => {
    const d = bundledNames();
    expect(d.categories).toEqual(['female', 'male']);
    expect(d.notes.join('; ')).toMatch(/419 names are on both lists; they are kept on both/);
    const female = new Set(d.texts.filter((_, i) => d.labels[i] === 0));
    const both = d.texts.filter((t, i) => d.labels[i] === 1 && female.has(t));
    expect(both.length).toBe(419);
    const { train, val } = splitByText(d.texts, 0.1, 0);
    const valNames = new Set(Array.from(val, (i) => d.texts[i]));
    expect(Array.from(train).some((i) => valNames.has(d.texts[i]))).toBe(false);
    expect(train.length + val.length).toBe(d.texts.length);
  });

  it('teacher forcing pairs: <bos> + text in, text + <eos> out', () => {
    const v = charVocab(['Ann', 'Bo']);
    const { inputs, targets } = encodePairs(v, ['Bob']);
    expect(v.decode(inputs[0], '|')).toBe('<bos>|B|o|<unk>');
    expect(v.decode(targets[0], '|')).toBe('B|o|<unk>|<eos>');
  });
});

describe('sampling', () => {
  const vocab = charVocab(['Anna', 'Bob', 'Carla', 'Dave']);
  const model = new ConditionalGenerator({ cell: 'lstm', vocab: vocab.size, hidden: 12, layers: 2, categories: 2, conditional: true }, new Rng(3), 'cpu');
  const draw = (seed: number, o: { maxLength?: number; temperature?: number } = {}) =>
    sampleTexts(model, vocab, 1, { count: 20, temperature: o.temperature ?? 1, maxLength: o.maxLength ?? 12, rng: new Rng(seed) });

  it('the same seed gives the same samples; another seed others', () => {
    expect(draw(5)).toEqual(draw(5));
    expect(draw(6)).not.toEqual(draw(5));
  });

  it('stops at maxLength and never emits special tokens', () => {
    for (const s of draw(1, { maxLength: 3, temperature: 2 })) {
      expect(s.length).toBeLessThanOrEqual(3);
      expect(s).not.toMatch(/<|>/);
    }
    expect(() => draw(1, { temperature: 0 })).toThrow('temperature: expected a number > 0, got 0');
    expect(vocab.has(EOS)).toBe(true);
  });
});

describe('learning on real data', () => {
  it('first names: knowing the sex lowers the held-out loss, both far below an untrained model', async () => {
    const all = bundledNames(), keep = (_: unknown, i: number) => i % 4 === 0; // 2,211 of the 8,842 names
    const d = { ...all, texts: all.texts.filter(keep), labels: all.labels.filter(keep) };
    const r = await runGenerate(d, { hidden: 48, epochs: 10, lr: 1e-2, evalSamples: 20 }, quiet);
    const v = r.result!.val_nats_per_char;
    // an untrained model is near uniform over the 57 symbols: ln 57 ≈ 4.04 nats
    expect(v.conditional).toBeLessThan(2.4);
    expect(v.unconditional).toBeLessThan(2.5);
    expect(v.conditional).toBeLessThan(v.unconditional);
    // the model file samples exactly what the trained model samples
    const g = generatorFromFile(parseModelFile(serializeModel(r.model, r.meta!), 'conditional-generator'));
    const fromFile = g.sample('male', { count: 5, temperature: 0.8, seed: 9 });
    const vocab = charVocab(Array.from(splitByText(d.texts, 0.1, 0).train, (i) => d.texts[i]));
    expect(fromFile).toEqual(sampleTexts(r.model, vocab, 1, { count: 5, temperature: 0.8, maxLength: g.maxLength, rng: new Rng(9) }));
    expect(() => g.sample('other', { count: 1, temperature: 1, seed: 0 })).toThrow("no category 'other'; this model knows 'female', 'male'");
  });
});
