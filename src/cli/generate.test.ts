import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledNames } from '../tasks/generate/data.js';
import { expectOneLineError } from '../test-utils/cli.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-generate-cli-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

// every eighth of the bundled first names, as a CSV file a user could have written
const names = bundledNames();
const csv = file('names.csv', `name,sex\n${names.texts.map((t, i) => `${t},${names.categories[names.labels[i]]}`).filter((_, i) => i % 8 === 0).join('\n')}\n`);
const model = join(dir, 'names.safetensors');


describe('recur generate (one-to-many)', () => {
  let trained: { val_nats_per_char: { conditional: number; unconditional: number }; categories: string[]; samples: Record<string, { conditional: { same: number; examples: string[] } }> };
  beforeAll(() => {
    const r = runCli(['generate', 'train', '--data', csv, '--epochs', '1', '--hidden', '16', '--samples', '10', '--device', 'cpu', '--out', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    trained = JSON.parse(r.stdout);
  });

  it('train reports nats per character of the conditional model and its unconditional control, and samples', () => {
    expect(trained.categories).toEqual(['female', 'male']);
    const v = trained.val_nats_per_char;
    for (const x of [v.conditional, v.unconditional]) expect(x).toBeGreaterThan(0.5);
    expect(v.conditional).toBeLessThan(Math.log(60)); // one epoch already beats uniform guessing
    expect(trained.samples.female.conditional.examples.length).toBe(10);
  });

  it('sample: the same seed gives the same names, another seed others', () => {
    const draw = (seed: string) => {
      const r = runCli(['generate', 'sample', model, '--label', 'female', '--count', '8', '--temperature', '0.9', '--seed', seed, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { label: string; samples: string[] };
    };
    const a = draw('3'), b = draw('3'), c = draw('4');
    expect(a.label).toBe('female');
    expect(a.samples).toHaveLength(8);
    expect(b.samples).toEqual(a.samples);
    expect(c.samples).not.toEqual(a.samples);
  });

  it('bad input: one line, non-zero exit', () => {
    expectOneLineError(['generate', 'sample', model, '--label', 'robot'], /no category 'robot'; this model knows 'female', 'male'/);
    expectOneLineError(['generate', 'train', '--data', file('one.csv', 'name,sex\nAnna,female\nEva,female\n'), '--out', join(dir, 'x')], /expected at least two classes, got only 'female'/);
    expectOneLineError(['classify', 'predict', model, 'Anna'], /expected a 'classifier' model, got a 'conditional-generator' model/);
  });
});
