/**
 * Grapheme-to-phoneme conversion on CMUdict: a full run of `recur translate`'s encoder–decoder,
 * without and with additive attention, scored on held-out words against the baselines.
 *
 *   npx tsx eval/translate.ts [--words 24000] [--hidden 128] [--epochs 10] [--beam 5] [--device auto]
 *
 * Both models see the same split (by word, seeded): 85% training, 5% validation (early stopping
 * on the greedy phoneme error rate), 10% test. Word accuracy = exact match of the whole
 * pronunciation; phoneme error rate = Levenshtein distance / reference length. The device is the
 * fastest backend present (the native one when it is built).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import '../src/autograd/index.js';
import { cmudictPath } from '../src/data/datasets.js';
import { type Device, getBackend } from '../src/kernels/device.js';
import { parseCmudict } from '../src/tasks/translate/data.js';
import { type TranslateRun, runTranslate } from '../src/tasks/translate/run.js';
import { evaluateTranslation } from '../src/tasks/translate/evaluate.js';
import { splitPairs } from '../src/tasks/translate/data.js';
import { makeProgress } from '../src/train/progress.js';

// every backend this machine has registers itself on import ('auto' then picks the fastest)
import '../src/kernels/index.js';

const { values: a } = parseArgs({
  options: {
    words: { type: 'string', default: '24000' }, hidden: { type: 'string', default: '128' }, embed: { type: 'string', default: '64' },
    epochs: { type: 'string', default: '10' }, beam: { type: 'string', default: '5' }, device: { type: 'string', default: 'auto' },
    seed: { type: 'string', default: '0' },
  },
});
const device = a.device as Device, seed = Number(a.seed), words = Number(a.words), beam = Number(a.beam);
console.log(`device: ${getBackend(device).description}`);

const pairs = parseCmudict(readFileSync(cmudictPath(), 'utf8'));
const split = splitPairs(pairs, { valFraction: 0.05, testFraction: 0.1, seed, limit: words });
console.log(`CMUdict: ${pairs.length} words; using ${words}: ${split.train.length} training, ${split.val.length} validation, ${split.test.length} test`);

const rows: [string, { exact_match: number; token_error_rate: number }, string][] = [];
let baselines: TranslateRun['evaluation'] = null;
for (const attention of [false, true]) {
  const name = attention ? 'GRU encoder–decoder + attention' : 'GRU encoder–decoder';
  console.log(`\n${name}: training …`);
  const t0 = performance.now();
  const r = await runTranslate(pairs, {
    cell: 'gru', hidden: Number(a.hidden), embed: Number(a.embed), bidirectional: true, attention,
    epochs: Number(a.epochs), batch: 64, lr: 3e-3, patience: 3, seed, device,
    valFraction: 0.05, testFraction: 0.1, limit: words, nnSample: split.test.length,
  }, { progress: makeProgress(), store: null, checkpointEvery: 0, resume: false });
  const minutes = (performance.now() - t0) / 60e3;
  const ev = r.evaluation!;
  baselines ??= ev;
  const t1 = performance.now();
  const evBeam = evaluateTranslation(r.translation!, split.train, split.test, { beam, nnSample: 1 });
  const note = `${r.trainer.history.length} epochs, best ${r.trainer.best.epoch}, ${minutes.toFixed(1)} min`;
  rows.push([`${name} (greedy)`, ev, note], [`${name} (beam ${beam})`, evBeam, `decoding ${((performance.now() - t1) / 1000).toFixed(0)} s`]);
  for (const e of ev.examples.slice(0, 4)) console.log(`  ${e.source}: ${e.output}  (reference ${e.reference})`);
}

const b = baselines!.baseline;
rows.push(['nearest neighbour (spelling edit distance)', b.nearest_neighbour, `all ${b.nearest_neighbour.sample} test words`],
  ['majority (commonest pronunciation of that length)', b.majority, '']);
console.log(`\nCMUdict G2P, ${split.test.length} unseen test words (${split.train.length} training words, hidden ${a.hidden}, stress dropped)`);
console.log(`${''.padEnd(52)}word acc.   phoneme err.`);
for (const [n, s, note] of rows) {
  console.log(`${n.padEnd(52)}${`${(100 * s.exact_match).toFixed(1)}%`.padStart(9)}${`${(100 * s.token_error_rate).toFixed(1)}%`.padStart(15)}   ${note}`);
}
