/**
 * `npm run fuzz`: the long version of the bounded fuzz tests — many more mutated inputs for the
 * model-file loader, the CSV reader and the text reader, and model files of every kind whose
 * metadata lies (through every task's loader and both exporters). Every case must load or be
 * rejected with a DataError/ShapeError; the first other error stops the run with the input that caused it.
 * Usage: npx tsx tools/fuzz.ts [cases per loader, default 50000] [seed]
 */
import { LSTM, Linear, Module, parseModelFile, serializeModel } from '../src/node.js';
import { fuzz } from '../src/test-utils/fuzz.js';
import { MODEL_CASES, fuzzMeta } from '../src/test-utils/fuzz-models.js';
import { csvSeed, loadCsv, loadText, textSeed } from '../src/test-utils/fuzz-targets.js';

const cases = Number(process.argv[2] ?? 50_000), seed = Number(process.argv[3] ?? 1);

class Tiny extends Module {
  rnn = this.module('rnn', new LSTM({ inputSize: 3, hiddenSize: 2 }));
  head = this.module('head', new Linear(2, 3));
}
const model = serializeModel(new Tiny(), { kind: 'char-lm', arch: { cell: 'lstm', hidden: 2 }, vocab: { kind: 'char', tokens: ['a', 'b', 'c'], specials: [] } });

const targets: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
  ['model file', model, (b) => parseModelFile(b, 'char-lm')],
  ['CSV reader', csvSeed(), loadCsv],
  ['text reader', textSeed(), loadText],
];
for (const [name, input, load] of targets) {
  const t0 = performance.now();
  const r = fuzz(input, load, cases, seed);
  console.log(`${name}: ${r.cases} cases, ${r.loaded} loaded, ${r.rejected} rejected with a typed error, 0 crashes; slowest ${r.slowestMs.toFixed(1)} ms; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
for (const c of MODEL_CASES) {
  const t0 = performance.now(), n = Math.ceil(cases / 10);
  const r = fuzzMeta(c.parsed, n, seed);
  console.log(`${c.name}, metadata: ${n} cases, ${r.loaded} loaded, ${r.refused} rejected with a typed error, 0 crashes; slowest ${r.slowestMs.toFixed(1)} ms; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
