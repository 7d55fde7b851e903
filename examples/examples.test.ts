import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../src/test-utils/index.js';

/** Runs an example as a user would (tsx), with few steps. */
function run(file: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', file), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}
const num = (out: string, re: RegExp): number[] => { const m = out.match(re); expect(m, `${re} in:\n${out}`).not.toBeNull(); return m!.slice(1).map(Number); };

describe('examples run as written', () => {
  it("seed-cell.ts: the seed's shapes, then the cell learns", () => {
    const out = run('seed-cell.ts');
    expect(out).toMatch(/y_t \[4,1\], h_t \[16,1\]/);
    const [before, after] = num(out, /untrained ([\d.]+) → trained ([\d.]+)/);
    expect(after).toBeLessThan(before / 2);
  });

  it('char-lstm.ts: truncated BPTT with the fused LSTM lowers the loss below a uniform guess', () => {
    const out = run('char-lstm.ts', '40');
    const [V] = num(out, /V (\d+)/), [val] = num(out, /validation: ([\d.]+) nats\/char/);
    expect(val).toBeLessThan(Math.log(V) - 0.8);
    expect(out).toMatch(/Call me Ishmael\. .{80}/s);
  });

  it('custom-cell.ts: a cell of autograd ops passes gradcheck and learns', () => {
    const out = run('custom-cell.ts', '40');
    const [n, err] = num(out, /gradcheck: (\d+) partial derivatives, max \|analytic − numeric\| ([\d.e+-]+)/);
    expect(n).toBe(90);
    expect(err).toBeLessThan(1e-6);
    const [first, last] = num(out, /loss ([\d.]+) → ([\d.]+) nats\/char/);
    expect(last).toBeLessThan(first - 0.8);
  });
});
