import { describe, expect, it } from 'vitest';
import { fuzz } from '../test-utils/fuzz.js';
import { csvSeed, loadCsv, loadText, textSeed } from '../test-utils/fuzz-targets.js';

/** CSV and text loaders under mutation: load or a typed error, never a crash, never slow. */
describe('fuzzed loaders', () => {
  it('CSV reader: 3,000 mutated files load or give a DataError', () => {
    const r = fuzz(csvSeed(), loadCsv, 3000);
    expect(r.loaded + r.rejected).toBe(3000);
    expect(r.rejected).toBeGreaterThan(100); // the mutations do break things
    expect(r.slowestMs).toBeLessThan(1000);
  });
  it('text reader: 3,000 mutated texts load or give a DataError', () => {
    const r = fuzz(textSeed(), loadText, 3000, 2);
    expect(r.loaded + r.rejected).toBe(3000);
    expect(r.rejected).toBeGreaterThan(50);
    expect(r.slowestMs).toBeLessThan(1000);
  });
});
