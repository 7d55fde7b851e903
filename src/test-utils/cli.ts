import { expect } from 'vitest';
import { runCli } from '../cli/run-cli.js';

/** Every bad input: one line on stderr starting with `recur:`, a non-zero exit code. */
export function expectOneLineError(args: string[], match: RegExp): void {
  const r = runCli(args);
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('recur:'));
  // a crash before the CLI's handler (a module that fails to load, a timeout: code -1) shows here whole
  expect(lines.length, `exit code ${r.code}, stderr:\n${r.stderr}`).toBe(1);
  expect(lines[0]).toMatch(match);
}
