import { type Command, Option } from 'commander';
import { DataError } from '../../errors.js';
import { loadModelFile, saveModel } from '../../io/fs.js';
import { getBackend } from '../../kernels/device.js';
import { SENTIMENT, loadExamples } from '../../tasks/classify/data.js';
import { classifierFromFile } from '../../tasks/classify/load.js';
import { runClassify } from '../../tasks/classify/run.js';
import type { CellName } from '../../layers/recurrent.js';
import { type CommonOpts, type TrainOpts, common, list, num, numList, posInt, runOptions, training } from '../common.js';
import { Out } from '../output.js';

interface ClassifyTrainArgs extends TrainOpts {
  data: string; textField?: string; labelField?: string; features?: string[]; cell: CellName; hidden?: number; embed?: number;
  layers: number; bidirectional?: boolean; dropout?: number; wordDropout?: number; epochs?: number; batch: number; lr?: number; minFreq: number;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** `recur classify train|predict`: many-to-one over texts, one-to-one over numeric features. */
export function registerClassify(program: Command): void {
  const cl = program.command('classify').description('classify texts (many-to-one) or feature vectors (one-to-one); compare with logistic regression');

  training(common(cl.command('train')))
    .description('train a classifier and a logistic-regression baseline on a stratified split; report test accuracy of both')
    .requiredOption('--data <file>', `JSON (array of objects), CSV or TSV file, or '${SENTIMENT}' for the bundled UCI sentiment sentences`)
    .option('--text-field <name>', "field with the text (default: 'text', else the first field)")
    .option('--label-field <name>', "field with the label (default: 'class', else the next field)")
    .option('--features <names>', 'numeric fields to classify from instead of a text: the one-to-one model', list)
    .addOption(new Option('--cell <cell>', 'recurrent cell of the text model').choices(['gru', 'lstm', 'rnn']).default('gru'))
    .option('--hidden <n>', 'hidden units (default 64 for texts, 16 for features)', posInt)
    .option('--embed <n>', 'word embedding size (texts)', posInt)
    .option('--layers <n>', 'recurrent layers (texts)', posInt, 1)
    .option('--bidirectional', 'read texts in both directions (the default for texts)')
    .option('--no-bidirectional', 'read texts left to right only')
    .option('--dropout <p>', 'dropout on embeddings and the final state (default 0.5 for texts)', num)
    .option('--word-dropout <p>', 'in training, replace each word by <unk> with this probability (default 0.1 for texts)', num)
    .option('--epochs <n>', 'maximum epochs; early stopping on validation accuracy (default 20 for texts, 300 for features)', posInt)
    .option('--batch <n>', 'examples per batch', posInt, 32)
    .option('--lr <x>', 'Adam learning rate (default 0.01)', num)
    .option('--min-freq <n>', 'words seen fewer times in the training texts become <unk>', posInt, 2)
    .action(async (o: ClassifyTrainArgs) => { new Out(o.json).result(await classifyTrain(o)); });

  common(cl.command('predict'))
    .description('classify a text (or, for a one-to-one model, --values) with a trained model')
    .argument('<model>', 'model file from `recur classify train`')
    .argument('[text]', 'the text to classify')
    .option('--values <numbers>', 'feature values, comma-separated, for a model trained with --features', numList)
    .action(async (modelPath: string, text: string | undefined, o: CommonOpts & { values?: number[] }) => {
      const out = new Out(o.json);
      const c = classifierFromFile(await loadModelFile(modelPath, 'classifier'), o.device);
      let p;
      if (c.type === 'one-to-one') {
        if (!o.values) throw new DataError(`this model classifies feature vectors (${c.features.join(', ')}): pass --values with ${c.features.length} numbers`);
        p = c.predict(o.values);
      } else {
        if (o.values) throw new DataError('this model classifies texts: pass the text as an argument, not --values');
        if (text === undefined) throw new DataError('expected a text to classify, got none');
        p = c.predict(text);
        if (p.unknown_words && p.unknown_words.length > 0) out.log(`words not in the vocabulary (read as <unk>): ${p.unknown_words.join(' ')}`);
      }
      out.say(`${p.label}  (${Object.entries(p.probabilities).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')})`);
      out.result(p);
    });
}

export async function classifyTrain(o: ClassifyTrainArgs): Promise<Record<string, unknown>> {
  const out = new Out(o.json);
  if (o.features && o.textField) throw new DataError('use either --text-field (a text model) or --features (a feature-vector model), not both');
  const ex = loadExamples(o.data, { textField: o.textField, labelField: o.labelField, features: o.features });
  const counts = ex.classes.map((c, k) => `${c} ${ex.labels.filter((l) => l === k).length}`);
  out.log(`data: ${ex.source}: ${ex.labels.length} examples, ${ex.classes.length} classes (${counts.join(', ')}); `
    + (ex.kind === 'text' ? `text '${ex.textField}', label '${ex.labelField}'` : `features ${ex.features.join(', ')}, label '${ex.labelField}'`));
  // what loading left out is said now, before a long training run, and not again after it
  for (const n of ex.notes) out.log(`note: ${n}`);
  if (ex.kind === 'text') out.log(`device: ${getBackend(o.device).description}`);
  const r = await runClassify(ex, {
    cell: o.cell, hidden: o.hidden, embed: o.embed, layers: o.layers, bidirectional: o.bidirectional, dropout: o.dropout, wordDropout: o.wordDropout,
    epochs: o.epochs, batch: o.batch, lr: o.lr, minFreq: o.minFreq, seed: o.seed, device: o.device,
  }, runOptions(o));
  if (r.loop.interrupted) process.exit(130);
  const res = r.result!;
  for (const n of res.notes) if (!ex.notes.includes(n)) out.log(`note: ${n}`);
  out.say(`split (stratified, seed ${o.seed}): ${res.train_examples} training, ${res.validation_examples} validation, ${res.test_examples} test examples`);
  out.say(`test accuracy on ${res.test_examples} held-out examples:`);
  out.say(`  ${res.model.padEnd(64)}${pct(res.accuracy).padStart(7)}   (validation ${pct(res.validation.accuracy)}, best epoch ${res.validation.best_epoch})`);
  out.say(`  ${res.baseline.padEnd(64)}${pct(res.baseline_accuracy).padStart(7)}   (validation ${pct(res.validation.baseline_accuracy)}, best epoch ${res.validation.baseline_best_epoch})`);
  out.say(`  ${'majority class'.padEnd(64)}${pct(res.majority_accuracy).padStart(7)}`);
  const d = res.accuracy - res.baseline_accuracy;
  out.say(d >= 0 ? `verdict: the model matches or beats the baseline by ${(100 * d).toFixed(1)} points`
    : `verdict: the baseline is ${(100 * -d).toFixed(1)} points better than the model on this split`);
  if (o.out) { await saveModel(o.out, r.model, r.meta!); out.log(`model saved to ${o.out}`); }
  return { ...res, out: o.out ?? null };
}
