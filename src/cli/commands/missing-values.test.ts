import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledNames } from '../../tasks/generate/data.js';
import { runCli } from '../run-cli.js';

/**
 * Issue #14 from the command line: a TSV of first names labelled by sex, with "Nan", "None", "Null", "True" among
 * the names and one row whose sex is NA. `classify train` refused the file at "Nan"; now it trains on every named
 * row and says, before training, which row it left out and why.
 */
const dir = mkdtempSync(join(tmpdir(), 'recur-missing-cli-'));
const names = bundledNames();
const rows = names.texts.map((t, i) => `${t}\t${names.categories[names.labels[i]]}`).filter((_, i) => i % 40 === 0);
const tsv = join(dir, 'names.tsv');
const lookalikes = ['Nan\tfemale', 'None\tmale', 'Null\tfemale', 'True\tmale'];
writeFileSync(tsv, ['name\tsex', ...lookalikes, 'Kim\tNA', ...rows].join('\n') + '\n');
const N = rows.length + lookalikes.length;
const NOTE = `note: left out 1 of ${N + 1} records with a missing label in field 'sex' (1 'NA'; row 6)`;
const tiny = ['--epochs', '1', '--hidden', '4', '--device', 'cpu', '--json', '--out', join(dir, 'model.safetensors')];

describe('missing values from the command line', () => {
  it('classify train reads every name as text and notes the NA label once, before training', () => {
    const r = runCli(['classify', 'train', '--data', tsv, ...tiny, '--embed', '4', '--min-freq', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${N} examples, 2 classes`);
    expect(r.stderr.split('\n').filter((l) => l === NOTE)).toHaveLength(1);
    expect(r.stderr.indexOf(NOTE)).toBeLessThan(r.stderr.indexOf('device:'));
    expect(JSON.parse(r.stdout).notes).toContain(NOTE.slice('note: '.length));
  });

  it('generate train too', () => {
    const r = runCli(['generate', 'train', '--data', tsv, ...tiny, '--samples', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${N} texts in 2 categories`);
    expect(r.stderr.split('\n').filter((l) => l === NOTE)).toHaveLength(1);
  });
});
