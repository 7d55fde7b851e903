import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { cmudictPath } from '../../data/datasets.js';
import { DataError } from '../../errors.js';
import { loadModelFile, saveModel } from '../../io/fs.js';
import { type Field, type Pair, parseCmudict, parsePairs } from '../../tasks/translate/data.js';
import type { TranslatorCell } from '../../tasks/translate/model.js';
import { runTranslate } from '../../tasks/translate/run.js';
import { Translation, type UnknownPolicy } from '../../tasks/translate/translation.js';
import { type CommonOpts, type TrainOpts, common, num, posInt, readTextFile, runOptions, training } from '../common.js';
import { Out } from '../output.js';

/** `recur translate train` and `recur translate MODEL TEXT…`: sequence-to-sequence, e.g. spelling → pronunciation. */
export interface TranslateTrainArgs extends TrainOpts {
  data: string; sourceField?: Field; targetField?: Field; header: boolean; keepStress: boolean; limit?: number;
  cell: TranslatorCell; hidden: number; embed: number; bidirectional: boolean; attention: boolean;
  beam: number; alpha: number; epochs: number; batch: number; lr: number; lrDecay: number; patience: number; nnSample: number;
}

const field = (v: string): Field => (/^\d+$/.test(v) ? Number(v) : v);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function loadPairs(o: Pick<TranslateTrainArgs, 'data' | 'sourceField' | 'targetField' | 'header' | 'keepStress'>, out: Out): Pair[] {
  if (o.data === 'cmudict') {
    const pairs = parseCmudict(readFileSync(cmudictPath(), 'utf8'), { keepStress: o.keepStress });
    out.log(`data: CMUdict, ${pairs.length} words with one pronunciation each (letters only, stress ${o.keepStress ? 'kept' : 'dropped'})`);
    return pairs;
  }
  if (o.keepStress) throw new DataError('--keep-stress applies to --data cmudict only');
  const { pairs, skipped } = parsePairs(readTextFile(o.data), o.data, { sourceField: o.sourceField, targetField: o.targetField, header: o.header });
  out.log(`data: ${o.data}, ${pairs.length} pairs${skipped ? ` (${skipped} rows with an empty source or target skipped)` : ''}`);
  return pairs;
}

export function registerTranslate(program: Command): void {
  const tr = common(program.command('translate'))
    .description('sequence-to-sequence translation with an encoder–decoder (e.g. spelling → pronunciation): translate with a trained model, or `translate train`')
    .argument('<model>', 'model file from `recur translate train`')
    .argument('<input...>', 'text(s) to translate, each read as characters')
    .option('--beam <n>', 'beam width (1: greedy decoding); with `train`, for the test evaluation', posInt, 1)
    .option('--alpha <x>', 'beam search length normalisation: log p / length^alpha', num, 1)
    .addOption(new Option('--unknown <policy>', 'input characters outside the model\'s alphabet: refuse, drop them, or read them as <unk>').choices(['error', 'skip', 'unk']).default('error'))
    .action(async (modelPath: string, inputs: string[], o: CommonOpts & { beam: number; alpha: number; unknown: UnknownPolicy }) => {
      const out = new Out(o.json);
      const t = Translation.fromFile(await loadModelFile(modelPath, 'translator'), o.device);
      const rs = t.translate(inputs, { beam: o.beam, alpha: o.alpha, unknown: o.unknown });
      for (const r of rs) {
        if (r.unknown.length) out.log(`note: input '${r.input}': ${r.unknown.map((c) => `'${c}'`).join(', ')} not in the model's alphabet; ${o.unknown === 'skip' ? 'dropped' : 'read as <unk>'}`);
        out.say(`${r.input}\t${r.output.join(' ')}`);
      }
      out.result({ translations: rs.map((r) => ({ input: r.input, output: r.output.join(' '), tokens: r.output, logp: r.logp, unknown: r.unknown })), beam: o.beam });
    });

  // `translate` parses the options it knows wherever they appear, also after `train`, so --json,
  // --seed, --device, --beam and --alpha are defined once, there, and `train` reads them as globals
  training(tr.command('train').configureHelp({ showGlobalOptions: true }))
    .description('train an encoder–decoder on source/target pairs, evaluate it on held-out sources against nearest-neighbour and majority baselines, save it')
    .requiredOption('--data <file>', "TSV/CSV of source and target columns (targets: space-separated tokens), or the keyword 'cmudict' for the bundled CMUdict")
    .option('--source-field <col>', 'source column: a 1-based index or a header name (default 1)', field)
    .option('--target-field <col>', 'target column: a 1-based index or a header name (default 2)', field)
    .option('--header', 'the first row names the columns (implied by a field given by name)', false)
    .option('--keep-stress', 'cmudict: keep the stress digits of vowels (AH0, EY1)', false)
    .option('--limit <n>', 'use at most this many distinct sources (a seeded sample)', posInt)
    .addOption(new Option('--cell <cell>', 'recurrent cell of encoder and decoder').choices(['gru', 'lstm']).default('gru'))
    .option('--hidden <n>', 'hidden units (per encoder direction, and of the decoder)', posInt, 128)
    .option('--embed <n>', 'embedding size of source and target symbols', posInt, 64)
    .option('--no-bidirectional', 'a forward-only encoder')
    .option('--attention', 'additive (Bahdanau) attention over the encoder outputs', false)
    .option('--epochs <n>', 'maximum epochs (early stopping on validation)', posInt, 20)
    .option('--patience <n>', 'epochs without validation improvement before stopping', posInt, 4)
    .option('--batch <n>', 'pairs per batch', posInt, 64)
    .option('--lr <x>', 'Adam learning rate', num, 3e-3)
    .option('--lr-decay <x>', 'factor on the learning rate after an epoch without validation improvement', num, 0.5)
    .option('--nn-sample <n>', 'test sources scored by the nearest-neighbour baseline (it compares each with every training source)', posInt, 1000)
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<TranslateTrainArgs>();
      new Out(o.json).result(await translateTrain(o));
    });
}

export async function translateTrain(o: TranslateTrainArgs): Promise<Record<string, unknown>> {
  const out = new Out(o.json);
  const pairs = loadPairs(o, out);
  const r = await runTranslate(pairs, {
    cell: o.cell, hidden: o.hidden, embed: o.embed, bidirectional: o.bidirectional, attention: o.attention,
    epochs: o.epochs, batch: o.batch, lr: o.lr, lrDecay: o.lrDecay, patience: o.patience, seed: o.seed, device: o.device,
    limit: o.limit ?? null, beam: o.beam, alpha: o.alpha, nnSample: o.nnSample, dataLabel: o.data === 'cmudict' ? 'cmudict' : o.data,
  }, runOptions(o));
  if (r.loop.interrupted) process.exit(130);
  const ev = r.evaluation!;
  out.log(`model: ${o.cell} ${o.hidden}, ${o.bidirectional ? 'bidirectional' : 'forward'} encoder, ${o.attention ? 'additive attention' : 'no attention'}; `
    + `best epoch ${r.trainer.best.epoch} (validation token error rate ${(100 * r.trainer.best.valTer).toFixed(2)}%)`);
  const row = (label: string, s: { exact_match: number; token_error_rate: number }) =>
    out.say(`  ${label}`.padEnd(48) + pct(s.exact_match).padStart(12) + pct(s.token_error_rate).padStart(18));
  out.say(`test: ${ev.test_examples} unseen sources`.padEnd(48) + 'exact match'.padStart(12) + 'token error rate'.padStart(18));
  row(`model (${o.beam === 1 ? 'greedy' : `beam ${o.beam}`})`, ev);
  const nn = ev.baseline.nearest_neighbour, maj = ev.baseline.majority;
  row(`nearest neighbour${nn.sample < ev.test_examples ? ` (sample of ${nn.sample})` : ''}`, nn);
  row('majority (commonest target of that length)', maj);
  const bestBase = Math.min(nn.token_error_rate, maj.token_error_rate), gain = (1 - ev.token_error_rate / bestBase) * 100;
  out.say(gain > 0 ? `verdict: the model's token error rate is ${gain.toFixed(1)}% below the better baseline's`
    : `verdict: the model did NOT beat the better baseline (token error rate ${(-gain).toFixed(1)}% higher); train longer or on more data`);
  for (const e of ev.examples.slice(0, 5)) out.say(`  ${e.source}: ${e.output}${e.output === e.reference ? '' : `   (reference: ${e.reference})`}`);
  if (o.out) { await saveModel(o.out, r.trainer.model, r.meta!); out.log(`model saved to ${o.out}`); }
  return {
    exact_match: ev.exact_match, token_error_rate: ev.token_error_rate, baseline: ev.baseline, test_examples: ev.test_examples, beam: ev.beam,
    counts: r.counts, best_epoch: r.trainer.best.epoch, validation_token_error_rate: r.trainer.best.valTer, examples: ev.examples, out: o.out ?? null,
  };
}
