/**
 * Classification on real data, recur's recurrent models against logistic regression trained the
 * same way (same split, same vocabulary or features, Adam, early stopping on validation):
 *   - many-to-one: the 3,000 UCI Sentiment Labelled Sentences (Amazon, IMDb, Yelp), GRU vs a
 *     bag-of-words logistic regression; the target is RNN ≥ baseline on the test part;
 *   - one-to-one: Palmer penguins (vega-datasets) — sex and species from bill length and depth,
 *     flipper length and body mass — one step of the seed's cell vs logistic regression.
 * The protocol: five seeded stratified splits (70/15/15; seeds 0–4), texts that repeat an earlier
 * one dropped first; the mean test accuracy over the five is the number to read.
 * Usage: npx tsx eval/classify.ts [--seeds 0,1,2,3,4] [--only many-to-one|one-to-one] [--device auto|cpu|wasm|native]
 */
import { parseArgs } from 'node:util';
import { type Device, getBackend, vegaDataset } from '../src/node.js';
import { type ClassifyResult, loadExamples, runClassify } from '../src/tasks/classify/index.js';
import { makeProgress } from '../src/train/progress.js';

const { values: args } = parseArgs({ options: {
  seeds: { type: 'string', default: '0,1,2,3,4' }, only: { type: 'string' }, device: { type: 'string', default: 'auto' },
} });
const seeds = args.seeds.split(',').map(Number), device = args.device as Device, only = args.only;
if (only !== undefined && only !== 'many-to-one' && only !== 'one-to-one') throw new Error(`--only: expected many-to-one or one-to-one, got ${only}`);
const quiet = { progress: makeProgress({ quiet: true }), store: null, checkpointEvery: 0, resume: false };
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
console.log(`recur on ${getBackend(device).description}; seeds ${seeds.join(', ')}\n`);

async function table(title: string, data: string, fields: Parameters<typeof loadExamples>[1]): Promise<void> {
  const ex = loadExamples(data, fields);
  console.log(`## ${title}\n${ex.labels.length} examples, classes ${ex.classes.join(' / ')}`);
  const rows: ClassifyResult[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const r = (await runClassify(ex, { seed, device }, quiet)).result!;
    rows.push(r);
    if (rows.length === 1) console.log(`${r.notes.join('; ')}\nmodel: ${r.model}; baseline: ${r.baseline}; ${r.test_examples} test examples per split\n\n| seed | model test acc | baseline test acc | majority | model val acc | baseline val acc | best epochs | seconds |\n|---|---|---|---|---|---|---|---|`);
    console.log(`| ${seed} | ${pct(r.accuracy)} | ${pct(r.baseline_accuracy)} | ${pct(r.majority_accuracy)} | ${pct(r.validation.accuracy)} | ${pct(r.validation.baseline_accuracy)} | ${r.validation.best_epoch} / ${r.validation.baseline_best_epoch} | ${((performance.now() - t0) / 1000).toFixed(0)} |`);
  }
  const mean = (f: (r: ClassifyResult) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  const m = mean((r) => r.accuracy), b = mean((r) => r.baseline_accuracy);
  console.log(`| mean | **${pct(m)}** | **${pct(b)}** | ${pct(mean((r) => r.majority_accuracy))} | ${pct(mean((r) => r.validation.accuracy))} | ${pct(mean((r) => r.validation.baseline_accuracy))} | | |`);
  console.log(`\n${m >= b ? '✓' : '✗'} model ${m >= b ? '≥' : '<'} baseline by ${Math.abs(100 * (m - b)).toFixed(1)} points (mean test accuracy)\n`);
}

const penguinFeatures = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
if (only !== 'one-to-one') await table('Sentiment (many-to-one): UCI Sentiment Labelled Sentences', 'sentiment', {});
if (only !== 'many-to-one') {
  await table('Penguin sex (one-to-one)', vegaDataset('penguins.json'), { features: penguinFeatures, labelField: 'Sex' });
  await table('Penguin species (one-to-one)', vegaDataset('penguins.json'), { features: penguinFeatures, labelField: 'Species' });
}
