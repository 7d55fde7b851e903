import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../test-utils/index.js';

/**
 * A real process rewrites one file in a loop with writeFileAtomic while this test reads it, then
 * is killed with SIGKILL at a random moment. Every read, and the file left after each kill, must
 * be one whole version. (Power loss is what the fsyncs are for; a test cannot pull the plug.)
 */
const dir = mkdtempSync(join(tmpdir(), 'recur-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = 0x41, B = 0x42, SIZE_A = 1 << 20, SIZE_B = 700_000;
const CHILD = `
import { writeFileAtomic } from ${JSON.stringify(join(ROOT, 'src/io/fs.ts'))};
const [target] = process.argv.slice(2);
const a = new Uint8Array(${SIZE_A}).fill(${A}), b = new Uint8Array(${SIZE_B}).fill(${B});
for (let i = 0; ; i++) {
  await writeFileAtomic(target, i % 2 ? a : b);
  if (i === 1) process.stdout.write('ready\\n');
}
`;

/** 'A' or 'B' for a whole version, else a description of the damage. */
function classify(buf: Buffer): string {
  const v = buf[0];
  const size = v === A ? SIZE_A : v === B ? SIZE_B : -1;
  if (buf.length !== size) return `partial: ${buf.length} bytes starting with ${v}`;
  return buf.every((x) => x === v) ? (v === A ? 'A' : 'B') : 'mixed bytes';
}

const ready = (child: ChildProcess): Promise<void> => new Promise((resolve, reject) => {
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdout!.once('data', () => resolve());
  child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${err}`)));
});

describe('writeFileAtomic under a crashing writer', () => {
  it('never exposes or leaves a partial file', async () => {
    const script = join(dir, 'writer.mts');
    writeFileSync(script, CHILD);
    const target = join(dir, 'model.safetensors');
    const seen = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, target], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        await ready(child);
        const until = Date.now() + 150 + 100 * round;
        while (Date.now() < until) {
          seen.add(classify(readFileSync(target)));
          await new Promise((r) => setImmediate(r));
        }
      } finally {
        child.kill('SIGKILL');
      }
      await new Promise((r) => child.once('exit', r));
      seen.add(classify(readFileSync(target)));
    }
    // Both versions were seen (the writer really was rewriting), and nothing else ever was.
    expect([...seen].sort()).toEqual(['A', 'B']);
  }, 30_000);
});
