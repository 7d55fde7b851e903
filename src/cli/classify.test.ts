import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { vegaDataset } from '../data/datasets.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { sentimentRecords } from '../tasks/classify/data.js';
import { ROOT } from '../test-utils/index.js';
import { expectOneLineError } from '../test-utils/cli.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-classify-cli-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

// 301 of the 3,000 UCI sentiment sentences (every tenth record)
const sentences = file('sentences.json', JSON.stringify(sentimentRecords().rows.filter((_, i) => i % 10 === 0).map(([text, label]) => ({ text, class: label }))));
const textModel = join(dir, 'text.safetensors');
const tiny = ['--epochs', '2', '--hidden', '8', '--embed', '8', '--device', 'cpu'];


describe('recur classify on texts (many-to-one)', () => {
  let trained: Record<string, unknown>;
  beforeAll(() => {
    const r = runCli(['classify', 'train', '--data', sentences, ...tiny, '--out', textModel, '--json']);
    expect(r.code, r.stderr).toBe(0);
    trained = JSON.parse(r.stdout);
  });

  it('train reports the model and the bag-of-words baseline side by side', () => {
    expect(trained.classes).toEqual(['negative', 'positive']);
    expect(trained.test_examples).toBe(45);
    for (const k of ['accuracy', 'baseline_accuracy', 'majority_accuracy']) expect(trained[k]).toBeGreaterThanOrEqual(0);
    expect(trained.baseline).toBe('bag-of-words logistic regression');
    expect(trained.out).toBe(textModel);
  });

  it('predict gives a label and class probabilities', () => {
    const r = runCli(['classify', 'predict', textModel, 'The food was great and the service friendly.', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(['negative', 'positive']).toContain(p.label);
    expect(p.probabilities.negative + p.probabilities.positive).toBeCloseTo(1, 5);
    expect(p.probabilities[p.label]).toBeGreaterThanOrEqual(0.5);
  });

  it('bad input: one line, non-zero exit', () => {
    const train = (data: string, ...more: string[]) => ['classify', 'train', '--data', data, ...tiny, '--out', join(dir, 'bad.safetensors'), ...more];
    expectOneLineError(train(file('empty.json', '')), /empty\.json: the file is empty/);
    expectOneLineError(train(file('one.csv', 'text,class\ngood,x\nfine,x\n')), /expected at least two classes, got only 'x'/);
    expectOneLineError(train(sentences, '--text-field', 'body'), /no text field 'body'; the fields are 'text', 'class'/);
    expectOneLineError(train(file('blank.json', JSON.stringify([{ text: 'ok', class: 1 }, { text: '', class: 0 }]))), /record 2 has an empty text/);
    expectOneLineError(['classify', 'predict', textModel, '--values', '1,2'], /this model classifies texts/);
    expectOneLineError(['generate', 'sample', textModel, '--label', 'positive'], /expected a 'conditional-generator' model, got a 'classifier' model/);
  });
});

describe('recur classify on feature vectors (one-to-one)', () => {
  it('penguin sex from four measurements: train, then predict from --values', () => {
    const out = join(dir, 'penguins.safetensors');
    const features = 'Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g)';
    const r = runCli(['classify', 'train', '--data', vegaDataset('penguins.json'), '--features', features, '--label-field', 'Sex', '--epochs', '100', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/dropped 11 of 344 rows with missing values/);
    const j = JSON.parse(r.stdout);
    expect(j.classes).toEqual(['FEMALE', 'MALE']);
    expect(j.baseline).toBe('logistic regression');
    expect(j.accuracy).toBeGreaterThan(0.75);
    const big = runCli(['classify', 'predict', out, '--values', '50,19,220,5500', '--json']);
    expect(big.code, big.stderr).toBe(0);
    expect(JSON.parse(big.stdout).label).toBe('MALE'); // a large Gentoo-sized, deep-billed bird
    expectOneLineError(['classify', 'predict', out, 'some text'], /this model classifies feature vectors \(Beak Length \(mm\), .*\): pass --values with 4 numbers/);
  });
});

describe('classify train killed and resumed', () => {
  const startCli = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const weights = (path: string) => Object.fromEntries(Object.entries(decodeSafetensors(new Uint8Array(readFileSync(path))).tensors).map(([k, t]) => [k, Array.from(t.data)]));

  it('ends with the same weights as an uninterrupted run (SIGKILL after a checkpoint)', async () => {
    const base = ['classify', 'train', '--data', sentences, '--epochs', '5', '--hidden', '8', '--embed', '8', '--checkpoint-every', '5', '--seed', '4', '--device', 'cpu'];
    const full = join(dir, 'full.safetensors'), cut = join(dir, 'cut.safetensors');
    const a = runCli([...base, '--out', full]);
    expect(a.code, a.stderr).toBe(0);
    const child = startCli([...base, '--out', cut]);
    const exited = new Promise((res) => child.on('exit', res));
    for (let i = 0; i < 600 && !existsSync(`${cut}.ckpt`); i++) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(`${cut}.ckpt`)).toBe(true);
    expect(existsSync(cut)).toBe(false); // it did not finish
    const b = runCli([...base, '--out', cut, '--resume']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/resuming from step \d+/);
    expect(weights(cut)).toEqual(weights(full));
  });
});
