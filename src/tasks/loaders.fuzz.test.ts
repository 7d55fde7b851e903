import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { exportTorch } from '../interop/torch.js';
import { parseModelFile } from '../io/model-file.js';
import { charLM } from '../interop/test-utils/cases.js';
import { LOADERS, MODEL_CASES, fuzzMeta, loadEverywhere, withMeta } from '../test-utils/fuzz-models.js';
import { charLMFromFile } from './text/load.js';

/**
 * The model-file loaders of every task, and export, under files whose metadata lies (see
 * test-utils/fuzz-models.ts): every case loads (the lie was harmless) or is refused with a
 * DataError/ShapeError, at once — no RangeError, no TypeError, no gigabyte allocation before the
 * weights are compared with the architecture.
 */
describe('model files whose metadata lies', () => {
  it('unmutated, every case loads and exports', () => {
    for (const c of MODEL_CASES) {
      expect(parseModelFile(withMeta(c.parsed, c.parsed.meta)).meta).toEqual(c.parsed.meta);
      expect(c.parsed.meta.kind in LOADERS).toBe(true);
      loadEverywhere(c.parsed, c.parsed.meta);
    }
  });

  it.each(MODEL_CASES.map((c) => [c.name, c] as const))('%s: 400 mutations load, or are refused with a typed error, quickly', (_n, c) => {
    const r = fuzzMeta(c.parsed, 400, 7);
    expect(r.loaded + r.refused).toBe(400);
    expect(r.refused).toBeGreaterThan(100);
    expect(r.slowestMs).toBeLessThan(2000);
  });

  it('a header claiming a hidden size of 10⁹ is refused before anything that size is allocated', () => {
    const c = charLM('lstm', 1), meta = { ...c.parsed.meta, arch: { ...c.parsed.meta.arch, hidden: 1e9 } };
    const rss = process.memoryUsage().rss;
    expect(() => charLMFromFile(parseModelFile(withMeta(c.parsed, meta)))).toThrow(/metadata describes a model larger than the \d+ weights \(\d+ tensors\) it holds/);
    expect(() => exportTorch(parseModelFile(withMeta(c.parsed, meta)))).toThrow(DataError);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200e6);
  });
});
