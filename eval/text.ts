/**
 * `npm run eval:text`: recur's character model against PyTorch's, same text, vocabulary, split,
 * batching (B contiguous streams, truncated BPTT over T), optimizer, clipping and number of steps,
 * from the same initial weights: recur's, exported with PyTorch's names (`exportTorch`, the
 * `recur export --format torch` path) and loaded into the generated module by the Python side.
 * Validation reads the same segments in the same order on both sides (recur's own readers, written
 * out), so the two losses before training agree to float rounding: the script prints them.
 * The target: recur's validation loss within 3% of PyTorch's. Configurations: LSTM 256 and a
 * vanilla tanh RNN 128 (T 64, B 32, Adam 2e-3, clip 5), on Moby-Dick.
 * Usage: npx tsx eval/text.ts [--steps N] [--device auto|cpu|wasm|native] [--seed S]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Device, exportTorch, getBackend, parseModelFile, serializeModel } from '../src/node.js';
import { mobyDick } from '../src/tasks/text/corpus.js';
import { ArrayStreams } from '../src/tasks/text/streams.js';
import { TextTrainer, evaluateText, prepareText, trainText } from '../src/tasks/text/train.js';
import { makeProgress } from '../src/train/progress.js';

const { values: args } = parseArgs({ options: { steps: { type: 'string', default: '1500' }, device: { type: 'string', default: 'auto' }, seed: { type: 'string', default: '0' } } });
const steps = Number(args.steps), device = args.device as Device, seed = Number(args.seed);
const text = mobyDick();
const configs = [
  { name: 'LSTM 256', cell: 'lstm' as const, hidden: 256 },
  { name: 'RNN (tanh) 128', cell: 'rnn' as const, hidden: 128 },
];
const common = { seq: 64, batch: 32, lr: 2e-3, clip: 5, valFraction: 0.05, steps, seed, device };
const dir = mkdtempSync(join(tmpdir(), 'recur-eval-'));
const i32 = (a: Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const read = (r: { read(): number }) => { const ids: number[] = []; for (let v = r.read(); v >= 0; v = r.read()) ids.push(v); return ids; };

const rows: string[] = [];
for (const c of configs) {
  const p = prepareText(text, { ...common, cell: c.cell, hidden: c.hidden });
  if (!(p.streams instanceof ArrayStreams)) throw new Error('expected the in-memory streams of prepareText');
  const segments = p.validation().map(read);
  if (rows.length === 0) {
    console.log(`Moby-Dick: ${p.size} characters, ${p.vocab.size} symbols, validation = last ${segments.reduce((a, s) => a + s.length, 0)} `
      + `in ${segments.length} segments; ${steps} steps; recur on ${getBackend(device).description}`);
  }
  // the initial weights trainText will start from: a trainer built the same way (its seed, its rng)
  const init = new TextTrainer(p.vocab, p.streams, p.validation, p.options).model;
  const before = evaluateText(init, p.validation(), common.seq);
  const exported = exportTorch(parseModelFile(serializeModel(init, { kind: 'char-lm', arch: { ...init.arch }, vocab: p.vocab.toJSON(), seq: common.seq, abc: false })));
  const sub = mkdtempSync(join(dir, `${c.cell}-`));
  writeFileSync(join(sub, 'model.safetensors'), exported.safetensors);
  writeFileSync(join(sub, 'model.py'), exported.python);
  writeFileSync(join(sub, 'train.bin'), i32(p.streams.ids));
  writeFileSync(join(sub, 'val.bin'), i32(Int32Array.from(segments.flat())));
  writeFileSync(join(sub, 'config.json'), JSON.stringify({ seq: common.seq, batch: common.batch, lr: common.lr, clip: common.clip, steps, val_lengths: segments.map((s) => s.length) }));

  const r = await trainText(p.vocab, p.streams, p.validation, p.size, p.options, { progress: makeProgress(), store: null, checkpointEvery: 0, resume: false });
  const t = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, '../tools/eval/text_torch.py'), sub], { encoding: 'utf8' }).trim());
  console.log(`${c.name}: validation before training: recur ${before.toFixed(7)}, PyTorch ${t.val_loss_before.toFixed(7)} (difference ${(before - t.val_loss_before).toExponential(1)})`);
  const rel = (r.valLoss! - t.val_loss) / t.val_loss;
  rows.push(`| ${c.name} | ${r.valLoss!.toFixed(4)} | ${t.val_loss.toFixed(4)} | ${(100 * rel).toFixed(2)}% ${Math.abs(rel) <= 0.03 ? '✓' : '✗'} | ${Math.round(r.charsPerSec)} | ${Math.round(t.chars_per_sec)} |`);
  console.log(rows[rows.length - 1]);
}
console.log('\n| model | recur val nats/char | PyTorch val nats/char | difference (target ≤ 3%) | recur chars/s | PyTorch chars/s |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
