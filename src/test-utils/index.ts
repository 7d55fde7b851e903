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

/**
 * A regenerated fixture against the committed one: the same structure, strings and integers, and
 * numbers equal within `rtol·|expected| + atol` (float64 results written with 12 digits can differ in
 * the last one when OpenBLAS picks another kernel for another CPU). Names the worst number's path.
 */
export function expectSameFixture(live: unknown, committed: unknown, what: string,
  tol: { atol?: number; rtol?: number } = {}): void {
  const atol = tol.atol ?? 1e-12, rtol = tol.rtol ?? 1e-10;
  let worst: { excess: number; path: string; got: number; want: number } | null = null;
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (typeof a === 'number' && typeof b === 'number') {
      const excess = Number.isNaN(a) !== Number.isNaN(b) ? Infinity : Math.abs(a - b) - (atol + rtol * Math.abs(b));
      if (excess > (worst?.excess ?? 0)) worst = { excess, path, got: a, want: b };
    } else if (Array.isArray(a) && Array.isArray(b)) {
      expect(a.length, `${what}${path}: length`).toBe(b.length);
      a.forEach((v, i) => walk(v, b[i], `${path}[${i}]`));
    } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      expect(Object.keys(a).sort(), `${what}${path}: keys`).toEqual(Object.keys(b).sort());
      for (const k of Object.keys(a)) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    } else expect(a, `${what}${path}`).toEqual(b);
  };
  walk(live, committed, '');
  const w = worst as { path: string; got: number; want: number } | null;
  if (w) expect.fail(`${what}${w.path} is ${w.got}, committed ${w.want} (atol ${atol}, rtol ${rtol})`);
}
