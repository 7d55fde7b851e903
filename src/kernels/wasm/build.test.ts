import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('module.generated.ts is exactly what `npm run build:wasm` makes from assembly/ (no drift)', () => {
  const here = new URL('.', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'recur-wasm-build-'));
  try {
    execFileSync(process.execPath, [join(here, 'build.mjs'), '--out', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const fresh = readFileSync(join(dir, 'module.generated.ts'), 'utf8');
    const committed = readFileSync(join(here, 'module.generated.ts'), 'utf8');
    expect(fresh === committed, 'module.generated.ts differs from a fresh build: run `npm run build:wasm`').toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
