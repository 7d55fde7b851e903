import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../test-utils/index.js';

/** Runs the CLI from source (tsx) in a child process, as a user would run it. Test helper. */
export function runCli(args: string[], opts: { cwd?: string; timeout?: number } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: opts.cwd ?? ROOT, encoding: 'utf8', timeout: opts.timeout ?? 120_000, env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
