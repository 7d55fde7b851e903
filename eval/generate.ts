/**
 * One-to-many on real data: English first names (female and male lists) generated from the sex
 * alone, which becomes the initial hidden state. Reports held-out nats per character of the
 * conditional model and of its unconditional control (same size, same initial weights and
 * batches, category zeroed), and for samples of each sex the share that are real names of that
 * sex, of the other, or new. Usage: npx tsx eval/generate.ts [--seed 0] [--samples 500] [--device auto]
 */
import { parseArgs } from 'node:util';
import { type Device, getBackend } from '../src/node.js';
import { loadLabelledTexts, runGenerate } from '../src/tasks/generate/index.js';
import { makeProgress } from '../src/train/progress.js';

const { values: args } = parseArgs({ options: { seed: { type: 'string', default: '0' }, samples: { type: 'string', default: '500' }, device: { type: 'string', default: 'auto' } } });
const device = args.device as Device, pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const d = loadLabelledTexts('names');
console.log(`recur on ${getBackend(device).description}\n${d.source}: ${d.texts.length} names; ${d.notes.join('; ')}\n`);
const t0 = performance.now();
const r = await runGenerate(d, { seed: Number(args.seed), device, evalSamples: Number(args.samples) }, { progress: makeProgress({ quiet: true }), store: null, checkpointEvery: 0, resume: false });
const res = r.result!, v = res.val_nats_per_char, o = r.options;
console.log(`${o.cell} ${o.hidden}, batch ${o.batch}, Adam ${o.lr}, early stopping on validation (best epochs ${res.best_epoch.conditional} / ${res.best_epoch.unconditional}); ${res.train_texts} training and ${res.validation_texts} held-out names; ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
console.log('| model | held-out nats/char |\n|---|---|');
console.log(`| conditional (sex → h0) | **${v.conditional.toFixed(4)}** |\n| unconditional (sex zeroed) | ${v.unconditional.toFixed(4)} |`);
console.log(`\n${v.conditional < v.unconditional ? '✓' : '✗'} conditioning ${v.conditional < v.unconditional ? 'lowers' : 'does not lower'} the loss by ${(v.unconditional - v.conditional).toFixed(4)} nats/char (${(100 * (1 - v.conditional / v.unconditional)).toFixed(1)}%)\n`);
console.log(`Samples at temperature ${o.evalTemperature}, ${o.evalSamples} per sex: share that are real names of the requested sex / of the other sex / new (a name on both lists counts for both)\n`);
console.log('| requested | conditional: same | other | new | unconditional: same | other | new | conditional examples |\n|---|---|---|---|---|---|---|---|');
for (const [c, s] of Object.entries(res.samples)) {
  const a = s.conditional, u = s.unconditional;
  console.log(`| ${c} | **${pct(a.same)}** | ${pct(a.other)} | ${pct(a.novel)} | ${pct(u.same)} | ${pct(u.other)} | ${pct(u.novel)} | ${a.examples.join(', ')} |`);
}
