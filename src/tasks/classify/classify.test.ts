import { describe, expect, it } from 'vitest';
import '../../autograd/index.js';
import '../../kernels/index.js'; // the fastest backend this machine has, for the learning tests
import { vegaDataset } from '../../data/datasets.js';
import { Vocab } from '../../data/vocab.js';
import { parseModelFile, serializeModel } from '../../io/model-file.js';
import { Rng } from '../../tensor/rng.js';
import { noGrad } from '../../autograd/engine.js';
import { makeProgress } from '../../train/progress.js';
import { jsonRecords, loadExamples, sentimentRecords, toExamples } from './data.js';
import { classifierFromFile } from './load.js';
import { SequenceClassifier, encodeText, padBatch } from './many-to-one.js';
import { OneStepClassifier } from './one-to-one.js';
import { runClassify } from './run.js';

const quiet = { progress: makeProgress({ quiet: true }), store: null, checkpointEvery: 0, resume: false };

describe('many-to-one: padding never changes a prediction', () => {
  const vocab = Vocab.words([['the', 'food', 'was', 'great', 'awful', 'service', 'slow', '!']], { minFreq: 1 });
  const texts = ['the food was great !', 'awful', 'service was slow , the food was awful', 'great great great'];
  const seqs = texts.map((t) => encodeText(vocab, t));
  it.each([['gru', false], ['gru', true], ['lstm', true], ['rnn', false]] as const)('%s, bidirectional %s', (cell, bidirectional) => {
    const model = new SequenceClassifier({ cell, vocab: vocab.size, embed: 8, hidden: 6, layers: 2, bidirectional, dropout: 0.5, classes: 3 }, new Rng(1), 'cpu').eval();
    const logits = (idx: number[], extraPad: number) => noGrad(() => { const b = padBatch(seqs, idx, extraPad); return Array.from(model.forward(b.ids, b.lengths).data); });
    const all = logits([0, 1, 2, 3], 0);
    expect(logits([0, 1, 2, 3], 7)).toEqual(all); // trailing padding: bit for bit the same
    seqs.forEach((_, i) => { // alone (no padding at all) versus padded inside a batch
      const alone = logits([i], 0);
      alone.forEach((v, c) => expect(v).toBeCloseTo(all[i * 3 + c], 5));
    });
  });

  it('predicts from its model file; an empty text is an error', () => {
    const arch = { cell: 'gru' as const, vocab: vocab.size, embed: 8, hidden: 6, layers: 1, bidirectional: true, dropout: 0, classes: 3 };
    const model = new SequenceClassifier(arch, new Rng(2), 'cpu').eval();
    const meta = { kind: 'classifier', arch: { type: 'many-to-one', ...arch }, classes: ['a', 'b', 'c'], vocab: vocab.toJSON(), maxTokens: 256 };
    const c = classifierFromFile(parseModelFile(serializeModel(model, meta), 'classifier'), 'cpu');
    if (c.type !== 'many-to-one') throw new Error('expected a many-to-one model');
    const p = c.predict('The food was great, honestly!');
    const b = padBatch([encodeText(vocab, 'The food was great, honestly!')], [0]);
    const direct = noGrad(() => model.forward(b.ids, b.lengths).softmax(-1).data);
    expect(Object.values(p.probabilities).map((v) => +v.toFixed(6))).toEqual(Array.from(direct, (v) => +v.toFixed(6)));
    expect(p.unknown_words).toEqual([',', 'honestly']);
    expect(() => c.predict('   ')).toThrow('expected a text with at least one word, got an empty text');
  });
});

describe('learning on real data', () => {
  it('sentiment: a small GRU beats chance and its untrained self on held-out sentences', async () => {
    const rec = sentimentRecords();
    rec.rows = rec.rows.filter((_, i) => i % 2 === 0); // 1,500 of the 3,000 sentences, all three sites
    const ex = toExamples(rec);
    const opts = { hidden: 24, embed: 24, bidirectional: false, dropout: 0.2, lr: 1e-2, epochs: 8, patience: 8, seed: 1 };
    const untrained = await runClassify(ex, { ...opts, epochs: 1, lr: 0 }, quiet);
    const r = await runClassify(ex, opts, quiet);
    const res = r.result!;
    expect(res.test_examples).toBe(224); // of 1,492 sentences left when the repeats are dropped
    expect(Math.abs(res.majority_accuracy - 0.5)).toBeLessThan(0.05);
    expect(untrained.result!.accuracy).toBeLessThan(0.62);
    expect(res.accuracy).toBeGreaterThan(0.68);
    expect(res.baseline_accuracy).toBeGreaterThan(0.68);
  });

  it('penguins: one step of the seed cell learns sex from four measurements, as logistic regression does', async () => {
    const ex = loadExamples(vegaDataset('penguins.json'), { features: ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'], labelField: 'Sex' });
    const r = await runClassify(ex, { epochs: 150 }, quiet);
    const res = r.result!;
    expect(res.test_examples).toBe(50);
    expect(res.accuracy).toBeGreaterThan(0.8);
    expect(res.baseline_accuracy).toBeGreaterThan(0.7);
    // the model is the seed's MyRNNCell itself: its three matrices and its h buffer, 4 features + the constant 1 in
    const state = r.model.stateDict();
    expect(Object.entries(state).map(([k, t]) => [k, t.shape])).toEqual([
      ['cell.W_xh', [16, 5]], ['cell.W_hh', [16, 16]], ['cell.W_hy', [1, 16]], ['cell.h', [16, 1]]]);
    // one step from h = 0: W_hh never touches the prediction, so training leaves it as the seed drew it
    const fresh = new OneStepClassifier({ inputs: 4, hidden: 16, classes: 2 }, new Rng(1));
    expect(Array.from(state['cell.W_hh'].data)).toEqual(Array.from(fresh.cell.W_hh.data));
    expect(Array.from(state['cell.W_xh'].data)).not.toEqual(Array.from(fresh.cell.W_xh.data));
    expect(Array.from(state['cell.h'].data).every((v) => v === 0)).toBe(true);
    // the model file holds the cell's weights and the scaler; predictions come back the same
    const c = classifierFromFile(parseModelFile(serializeModel(r.model, r.meta!), 'classifier'));
    if (c.type !== 'one-to-one') throw new Error('expected a one-to-one model');
    const i = r.split.test[0], D = 4;
    const p = c.predict(Array.from(ex.x.subarray(i * D, (i + 1) * D)));
    const direct = r.learners.model.probs(Int32Array.of(i));
    expect(p.probabilities.FEMALE).toBeCloseTo(direct[0], 6);
    expect(p.probabilities.MALE).toBeCloseTo(direct[1], 6);
    expect(() => c.predict([1, 2])).toThrow('expected 4 values (Beak Length (mm), Beak Depth (mm), Flipper Length (mm), Body Mass (g)), got 2');
  });

  it('penguins: three species with a softmax head', async () => {
    const ex = loadExamples(vegaDataset('penguins.json'), { features: ['Beak Length (mm)', 'Beak Depth (mm)'], labelField: 'Species' });
    expect(ex.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const r = await runClassify(ex, { epochs: 60 }, quiet);
    expect(r.model.stateDict()['cell.W_hy'].shape).toEqual([3, 16]);
    expect(r.result!.accuracy).toBeGreaterThan(0.85); // bill length and depth separate the species well
  });

  it('one-to-one: the constant 1 input is its bias, so unbalanced classes get their prior', async () => {
    // labels 80/20 and features of pure noise: the best is always the common class. Without a bias the cell is an
    // odd function of the (centred) input, p(x) = 1 − p(−x), and calls about half of the inputs rare.
    const rng = new Rng(5);
    const rows = Array.from({ length: 300 }, (_, i) => ({ a: rng.normal(), b: rng.normal(), class: i % 5 === 0 ? 'rare' : 'common' }));
    const r = (await runClassify(toExamples(jsonRecords(JSON.stringify(rows), 'noise.json'), { features: ['a', 'b'], labelField: 'class' }), {}, quiet)).result!;
    expect(r.majority_accuracy).toBe(0.8);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('many-to-one: repeated texts are dropped before the split, so none is both trained on and tested', async () => {
    const rows = [...Array.from({ length: 12 }, (_, i) => ({ text: `good thing number ${i}`, class: 'pos' })),
      ...Array.from({ length: 12 }, (_, i) => ({ text: `bad thing number ${i}`, class: 'neg' })),
      { text: 'Good thing number 3!', class: 'pos' }, { text: 'good  thing number 3 !', class: 'pos' }, { text: 'bad thing number 3', class: 'pos' }];
    const r = await runClassify(toExamples(jsonRecords(JSON.stringify(rows), 'dups.json')), { epochs: 1, hidden: 4, embed: 4, minFreq: 1 }, quiet);
    expect(r.examples.texts).toHaveLength(26); // 'good  thing number 3 !' reads as 'Good thing number 3!'; a different label is kept
    expect(r.result!.notes).toContain('removed 1 duplicate text (the words and label of an earlier one) before splitting');
    expect(r.split.train.length + r.split.val.length + r.split.test.length).toBe(26);
  });
});
