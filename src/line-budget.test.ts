import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './test-utils/index.js';

/**
 * The line budget (tinygrad's habit, stated in the README): not code golf — less complexity, more
 * readability. Tests, fixtures and generated files do not count.
 */
const BUDGET: Record<string, number> = {
  'numeric core: src/tensor, autograd, cells, layers, losses, optim': 3500,
  'kernels: src/kernels (TypeScript, C, AssemblyScript)': 5000,
};
const FOLDERS: Record<string, string[]> = {
  'numeric core: src/tensor, autograd, cells, layers, losses, optim': ['tensor', 'autograd', 'cells', 'layers', 'losses', 'optim'],
  'kernels: src/kernels (TypeScript, C, AssemblyScript)': ['kernels'],
};

function lines(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) { if (!['test-utils', 'build', 'fixtures'].includes(f)) n += lines(p); continue; }
    if (!/\.(ts|c|h)$/.test(f) || /\.test\.ts$|\.generated\.ts$/.test(f)) continue;
    n += readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
  }
  return n;
}

describe('line budget', () => {
  it.each(Object.entries(BUDGET))('%s stays under %i non-blank lines', (name, budget) => {
    const n = FOLDERS[name].reduce((a, d) => a + lines(join(ROOT, 'src', d)), 0);
    expect(n).toBeLessThanOrEqual(budget);
  });
});
