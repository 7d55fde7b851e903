import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/** Usage errors are one line and a non-zero exit, like every other error (the help is one --help away). */
describe('usage errors', () => {
  it.each([
    [['demo', '--device', 'gpu'], /^recur: option '--device <name>' argument 'gpu' is invalid\. Allowed choices are auto, cpu, wasm, native\. \(--help lists the options\)$/],
    [['forecast', 'train', '--data', 'x.csv'], /^recur: required option '--out <path>' not specified \(--help lists the options\)$/],
    [['bogus'], /^recur: unknown command 'bogus'/],
    [['text', 'train', '--data', 'x', '--out', 'y', '--steps', 'many'], /^recur: option '--steps <n>' argument 'many' is invalid\. expected an integer, got 'many'/],
  ])('%j', (args, want) => {
    const r = runCli(args as string[]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(want);
  });
});
