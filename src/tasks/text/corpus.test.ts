import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from './corpus.js';

describe('training text', () => {
  it('is read as it is: lines like NaN, NA, None, null, True, 0 or a date are text, not missing values (issue #14)', () => {
    const text = 'Nan\nNA\nNone\nnull\nTrue\n0\n3.14\n2024-01-01\n.\n?\n\n';
    const dir = mkdtempSync(join(tmpdir(), 'recur-corpus-'));
    writeFileSync(join(dir, 'names.txt'), text);
    expect(loadCorpus(join(dir, 'names.txt')).text).toBe(text);
    expect(loadCorpus(dir)).toEqual({ text, source: dir, files: 1, skipped: [] });
  });
});
