import { type Command, Option } from 'commander';
import { loadModelFile, saveModel } from '../../io/fs.js';
import { getBackend } from '../../kernels/device.js';
import type { CellName } from '../../layers/recurrent.js';
import { NAMES, loadLabelledTexts } from '../../tasks/generate/data.js';
import { generatorFromFile } from '../../tasks/generate/load.js';
import { runGenerate } from '../../tasks/generate/run.js';
import { type CommonOpts, type TrainOpts, common, num, posInt, runOptions, training } from '../common.js';
import { Out } from '../output.js';

interface GenerateTrainArgs extends TrainOpts {
  data: string; textField?: string; labelField?: string; cell: CellName; hidden: number; layers: number;
  epochs: number; batch: number; lr: number; samples: number; temperature: number;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`.padStart(6);

/** `recur generate train|sample`: one-to-many generation of short texts conditioned on a category. */
export function registerGenerate(program: Command): void {
  const gen = program.command('generate').description('generate short texts (first names) conditioned on a category: one input, a sequence out');

  training(common(gen.command('train')))
    .description('train a conditional character-level generator and its unconditional control; compare held-out nats per character')
    .requiredOption('--data <file>', `JSON, CSV or TSV file of texts with a category each, or '${NAMES}' for the bundled English first names`)
    .option('--text-field <name>', "field with the text (default: 'text', else the first field)")
    .option('--label-field <name>', "field with the category (default: 'class', else the next field)")
    .addOption(new Option('--cell <cell>', 'recurrent cell').choices(['gru', 'lstm', 'rnn']).default('gru'))
    .option('--hidden <n>', 'hidden units', posInt, 128)
    .option('--layers <n>', 'recurrent layers', posInt, 1)
    .option('--epochs <n>', 'maximum epochs (early stopping on validation loss)', posInt, 30)
    .option('--batch <n>', 'texts per batch', posInt, 64)
    .option('--lr <x>', 'Adam learning rate', num, 3e-3)
    .option('--samples <n>', 'samples per category for the category-match check', posInt, 200)
    .option('--temperature <t>', 'sampling temperature of that check', num, 1)
    .action(async (o: GenerateTrainArgs) => { new Out(o.json).result(await generateTrain(o)); });

  common(gen.command('sample'))
    .description('sample texts of one category from a trained generator')
    .argument('<model>', 'model file from `recur generate train`')
    .requiredOption('--label <category>', 'the category to generate, e.g. female')
    .option('--count <n>', 'how many', posInt, 10)
    .option('--temperature <t>', 'below 1: safer, more common; above 1: more varied', num, 1)
    .option('--max-length <n>', 'longest text in characters (default: from the training data)', posInt)
    .action(async (modelPath: string, o: CommonOpts & { label: string; count: number; temperature: number; maxLength?: number }) => {
      const out = new Out(o.json);
      const g = generatorFromFile(await loadModelFile(modelPath, 'conditional-generator'), o.device);
      const samples = g.sample(o.label, { count: o.count, temperature: o.temperature, seed: o.seed, maxLength: o.maxLength });
      for (const s of samples) out.say(s);
      out.result({ label: o.label, temperature: o.temperature, seed: o.seed, samples });
    });
}

export async function generateTrain(o: GenerateTrainArgs): Promise<Record<string, unknown>> {
  const out = new Out(o.json);
  const d = loadLabelledTexts(o.data, { textField: o.textField, labelField: o.labelField });
  out.log(`data: ${d.source}: ${d.texts.length} texts in ${d.categories.length} categories (${d.categories.map((c, k) => `${c} ${d.labels.filter((l) => l === k).length}`).join(', ')})`);
  // what loading left out is said now, before a long training run, and not again after it
  for (const n of d.notes) out.log(`note: ${n}`);
  out.log(`device: ${getBackend(o.device).description}`);
  const r = await runGenerate(d, {
    cell: o.cell, hidden: o.hidden, layers: o.layers, epochs: o.epochs, batch: o.batch, lr: o.lr,
    evalSamples: o.samples, evalTemperature: o.temperature, seed: o.seed, device: o.device,
  }, runOptions(o));
  if (r.loop.interrupted) process.exit(130);
  const res = r.result!;
  for (const n of res.notes) if (!d.notes.includes(n)) out.log(`note: ${n}`);
  const v = res.val_nats_per_char;
  out.say(`held-out loss on ${res.validation_texts} texts, nats per character (lower is better):`);
  out.say(`  conditional (category → initial state)   ${v.conditional.toFixed(4)}   (best epoch ${res.best_epoch.conditional})`);
  out.say(`  unconditional (category zeroed)          ${v.unconditional.toFixed(4)}   (best epoch ${res.best_epoch.unconditional})`);
  out.say(`samples at temperature ${o.temperature}, ${o.samples} per category: share that are real texts of the requested category / of another / new`);
  for (const [c, s] of Object.entries(res.samples)) {
    out.say(`  ${c.padEnd(12)} conditional ${pct(s.conditional.same)} /${pct(s.conditional.other)} /${pct(s.conditional.novel)}    unconditional ${pct(s.unconditional.same)} /${pct(s.unconditional.other)} /${pct(s.unconditional.novel)}`);
    out.say(`  ${''.padEnd(12)} e.g. ${s.conditional.examples.join(', ')}`);
  }
  out.say(v.conditional < v.unconditional
    ? `verdict: conditioning on the category lowers the held-out loss by ${(v.unconditional - v.conditional).toFixed(4)} nats per character`
    : 'verdict: conditioning did NOT lower the held-out loss on this data');
  if (o.out) { await saveModel(o.out, r.model, r.meta!); out.log(`model saved to ${o.out}`); }
  return { ...res, out: o.out ?? null };
}
