/**
 * `npm run eval:text`: recur's character model against PyTorch's, same text, vocabulary, split,
 * batching (B contiguous streams, truncated BPTT over T), optimizer, clipping and number of steps.
 * The target: recur's validation loss within 3% of PyTorch's. Configurations: LSTM 256 and a
 * vanilla tanh RNN 128 (T 64, B 32, Adam 2e-3, clip 5), on Moby-Dick.
 * Usage: npx tsx eval/text.ts [--steps N] [--device auto|cpu|wasm|native]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Vocab, getBackend, type Device } from '../src/node.js';
import { mobyDick } from '../src/tasks/text/corpus.js';
import { runText } from '../src/tasks/text/train.js';
import { makeProgress } from '../src/train/progress.js';

const { values: args } = parseArgs({ options: { steps: { type: 'string', default: '1500' }, device: { type: 'string', default: 'auto' }, seed: { type: 'string', default: '0' } } });
const steps = Number(args.steps), device = args.device as Device, seed = Number(args.seed);
const text = mobyDick();
const configs = [
  { name: 'LSTM 256', cell: 'lstm' as const, hidden: 256 },
  { name: 'RNN (tanh) 128', cell: 'rnn' as const, hidden: 128 },
];
const common = { seq: 64, batch: 32, lr: 2e-3, clip: 5, valFraction: 0.05, steps, seed, device };

const chars = Array.from(text), nVal = Math.floor(chars.length * common.valFraction);
const vocab = Vocab.chars(chars.slice(0, chars.length - nVal).join(''));
const dir = mkdtempSync(join(tmpdir(), 'recur-eval-'));
writeFileSync(join(dir, 'ids.bin'), Buffer.from(vocab.encode(chars).buffer));
console.log(`Moby-Dick: ${chars.length} characters, ${vocab.size} symbols, validation = last ${nVal}; ${steps} steps; recur on ${getBackend(device).description}`);

const rows: string[] = [];
for (const c of configs) {
  const r = await runText(text, { ...common, cell: c.cell, hidden: c.hidden }, { progress: makeProgress(), store: null, checkpointEvery: 0, resume: false });
  const cfgPath = join(dir, `${c.cell}.json`);
  writeFileSync(cfgPath, JSON.stringify({ cell: c.cell, hidden: c.hidden, vocab: vocab.size, seq: common.seq, batch: common.batch, lr: common.lr, clip: common.clip, steps, seed, n_val: nVal }));
  const t = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, '../tools/eval/text_torch.py'), cfgPath, join(dir, 'ids.bin')], { encoding: 'utf8' }).trim());
  const rel = (r.valLoss! - t.val_loss) / t.val_loss;
  rows.push(`| ${c.name} | ${r.valLoss!.toFixed(4)} | ${t.val_loss.toFixed(4)} | ${(100 * rel).toFixed(2)}% ${Math.abs(rel) <= 0.03 ? '✓' : '✗'} | ${Math.round(r.charsPerSec)} | ${Math.round(t.chars_per_sec)} |`);
  console.log(rows[rows.length - 1]);
}
console.log('\n| model | recur val nats/char | PyTorch val nats/char | difference (target ≤ 3%) | recur chars/s | PyTorch chars/s |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
