import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Debian's Python with python3-torch (installed by `npm test`'s pretest). */
export const PYTHON = '/usr/bin/python3';
export const ROOT = new URL('../../', import.meta.url).pathname;

/** Runs a fixture generator from tools/fixtures into a fresh temp dir; returns the parsed JSON it wrote. */
export function regenerate(script: string, file: string): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'recur-fx-'));
  try {
    execFileSync(PYTHON, [join(ROOT, 'tools/fixtures', script), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const loadJson = (relPath: string): unknown => JSON.parse(readFileSync(join(ROOT, relPath), 'utf8'));

/** Largest |a − b| and where it is. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; at: number } {
  let max = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) { max = d; at = i; }
  }
  return { max, at };
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise; the failure names the worst
 * element, its values and `what`.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string,
  tol: { atol?: number; rtol?: number } = {}): void {
  const atol = tol.atol ?? 1e-5, rtol = tol.rtol ?? 0;
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= worstExcess)) { worstExcess = excess; worst = i; }
  }
  if (worst >= 0) {
    const { max } = maxDiff(actual, expected);
    expect.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} `
      + `(atol ${atol}, rtol ${rtol}; max |diff| over all ${max.toExponential(3)})`);
  }
}
