import { existsSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { DataError } from '../../errors.js';
import { loadModelFile, saveModel } from '../../io/fs.js';
import { getBackend } from '../../kernels/device.js';
import type { CellName } from '../../layers/recurrent.js';
import { abcPrompt, abcStop, assertAbc } from '../../tasks/text/abc.js';
import { BUNDLED, loadCorpus } from '../../tasks/text/corpus.js';
import { charLMFromFile } from '../../tasks/text/load.js';
import { Sampler, resolveSampleOptions } from '../../tasks/text/sample.js';
import { STREAM_ABOVE_BYTES, runTextFile } from '../../tasks/text/streams-file.js';
import { TEXT_DEFAULTS as D, resolveTextOptions, runText } from '../../tasks/text/train.js';
import { type CommonOpts, type TrainOpts, common, int, num, posInt, runOptions, training } from '../common.js';
import { Out } from '../output.js';

export interface TextTrainArgs extends TrainOpts {
  data: string; cell: CellName | 'seed'; hidden: number; layers: number; dropout: number; embed: number;
  seq: number; batch: number; steps: number; lr: number; clip: number; valFraction: number; evalEvery: number; stream: boolean;
}

/** `recur text train`: also part of `recur start`. */
export async function textTrain(o: TextTrainArgs): Promise<Record<string, unknown>> {
  const out = new Out(o.json);
  const textOpts = {
    cell: o.cell, hidden: o.hidden, layers: o.layers, dropout: o.dropout, embed: o.embed, seq: o.seq, batch: o.batch, steps: o.steps,
    lr: o.lr, clip: o.clip, valFraction: o.valFraction, evalEvery: o.evalEvery, seed: o.seed, device: o.device,
  };
  resolveTextOptions(textOpts); // refuses bad options before the text is read
  // a large single file is read in place, so memory stays flat whatever its size
  const big = o.data !== BUNDLED && existsSync(o.data) && statSync(o.data).isFile() && (o.stream || statSync(o.data).size > STREAM_ABOVE_BYTES);
  const corpus = big ? null : loadCorpus(o.data);
  const abc = !!corpus && /X:\s*\d+/.test(corpus.text) && /^K:/m.test(corpus.text);
  if (corpus && corpus.skipped.length > 0) out.log(`${corpus.source}: reading only its .abc files, not ${corpus.skipped.join(', ')}`);
  if (abc) out.log(`ABC notation: ${assertAbc(corpus!.text, corpus!.source)} tunes`);
  out.log(corpus ? `text: ${corpus.source}, ${corpus.text.length} characters${corpus.files > 1 ? ` from ${corpus.files} files` : ''}`
    : `text: ${o.data}, ${statSync(o.data).size} bytes, streamed from disk`);
  out.log(`device: ${getBackend(o.device).description}`);
  const r = corpus ? await runText(corpus.text, textOpts, runOptions(o)) : await runTextFile(o.data, textOpts, runOptions(o));
  if (r.loop.interrupted) process.exit(130);
  const { trainer } = r;
  out.say(`${o.cell} ${o.hidden}×${o.layers}, ${trainer.vocab.size} symbols: ${r.loop.steps} steps, `
    + `train loss ${r.trainLoss.toFixed(4)}, validation ${r.valLoss!.toFixed(4)} nats/char (perplexity ${Math.exp(r.valLoss!).toFixed(2)}), `
    + `${Math.round(r.charsPerSec).toLocaleString('en-US')} chars/s`);
  if (o.out) {
    await saveModel(o.out, trainer.model, { kind: 'char-lm', arch: { ...trainer.model.arch }, vocab: trainer.vocab.toJSON(), seq: o.seq, abc });
    out.log(`model saved to ${o.out}`);
  }
  return { val_loss: r.valLoss, val_perplexity: Math.exp(r.valLoss!), train_loss: r.trainLoss, chars_per_sec: r.charsPerSec, steps: r.loop.steps, vocab: trainer.vocab.size, evals: trainer.evals };
}

export function registerText(program: Command): void {
  const text = program.command('text').description('character-level language models: train on a text (or ABC tunes), sample from them');

  training(common(text.command('train')))
    .description('train a character model with truncated BPTT; report validation loss in nats per character')
    .requiredOption('--data <path>', `text file, folder of files (e.g. .abc tunes), or '${BUNDLED}' (bundled)`)
    .addOption(new Option('--cell <cell>', "recurrent cell ('seed': the seed's explicit MyRNNCell)")
      .choices(['lstm', 'gru', 'rnn', 'seed']).default(D.cell))
    .option('--hidden <n>', 'hidden units', posInt, D.hidden)
    .option('--layers <n>', 'recurrent layers', posInt, D.layers)
    .option('--dropout <p>', 'dropout between layers', num, D.dropout)
    .option('--embed <n>', 'learned embedding size (0: one-hot input)', int, D.embed)
    .option('--seq <n>', 'characters per chunk (BPTT length)', posInt, D.seq)
    .option('--batch <n>', 'parallel streams', posInt, D.batch)
    .option('--steps <n>', 'training steps', posInt, D.steps)
    .option('--lr <x>', 'Adam learning rate', num, D.lr)
    .option('--clip <x>', 'gradient clipping (global norm)', num, D.clip)
    .option('--val-fraction <x>', 'last part of the text held out for validation', num, D.valFraction)
    .option('--eval-every <n>', 'validation every N steps (0: only at the end)', int, D.evalEvery)
    .option('--stream', `read the file in place instead of into memory (automatic above ${STREAM_ABOVE_BYTES >> 20} MB)`, false)
    .action(async (o: TextTrainArgs) => { new Out(o.json).result(await textTrain(o)); });

  common(text.command('sample'))
    .description('generate text from a trained character model, streaming it as it comes')
    .argument('<model>', 'model file from `recur text train`')
    .option('--prime <text>', 'text to start from', '')
    .option('--length <n>', 'characters to generate', posInt, 500)
    .option('--temperature <t>', 'softmax temperature (0: greedy)', num, 0.8)
    .option('--top-k <k>', 'sample among the k most likely characters (0: all)', int, 0)
    .option('--top-p <p>', 'sample from the smallest set with this total probability', num, 1)
    .option('--abc', 'ABC tune mode, the default for a model trained on tunes: prime with a header, stop after --bars bars')
    .option('--no-abc', 'plain sampling from a model trained on tunes: no header, no bar limit')
    .option('--title <t>', 'ABC title', 'Generated by recur')
    .option('--meter <m>', 'ABC meter (M:)', '4/4')
    .option('--unit <l>', 'ABC default note length (L:)', '1/8')
    .option('--key <k>', 'ABC key (K:)', 'D')
    .option('--bars <n>', 'ABC: stop after this many bars', posInt, 16)
    .action(async (modelPath: string, o: CommonOpts & { prime: string; length: number; temperature: number; topK: number; topP: number; abc?: boolean; title: string; meter: string; unit: string; key: string; bars: number }) => {
      const out = new Out(o.json);
      // every check before the first character goes to stdout
      const sampling = resolveSampleOptions({ length: o.length, temperature: o.temperature, topK: o.topK, topP: o.topP });
      const { model, vocab, meta } = charLMFromFile(await loadModelFile(modelPath, 'char-lm'));
      if (o.abc === true && meta.abc !== true) {
        throw new DataError(`${modelPath}: --abc expects a model trained on ABC tunes, got one trained on plain text (no X:/K: headers)`);
      }
      const abc = o.abc ?? meta.abc === true;
      for (const m of model.namedModules()) if ('device' in m[1]) (m[1] as { device: string }).device = o.device;
      const prime = abc ? abcPrompt({ title: o.title, meter: o.meter, unit: o.unit, key: o.key }) + o.prime : o.prime;
      const stream = !o.json; // human mode prints each character as it is generated
      if (stream) process.stdout.write(prime);
      const r = new Sampler(model, vocab).sample({
        ...sampling, prime, seed: o.seed,
        onChar: stream ? (c) => process.stdout.write(c) : undefined, stop: abc ? abcStop(o.bars) : undefined,
      });
      if (stream) process.stdout.write('\n');
      if (r.dropped.length) out.log(`note: the prime has characters the model never saw, left out: ${r.dropped.map((c) => JSON.stringify(c)).join(' ')}`);
      out.result({ prime, text: r.text, dropped: r.dropped });
    });
}
