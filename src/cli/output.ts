/**
 * CLI output conventions: human text to stderr/stdout, or with --json exactly one JSON object on
 * stdout (logs still go to stderr). Errors become one line and a non-zero exit code.
 */
export interface GlobalOptions { json?: boolean; seed?: number; device?: string }

export class Out {
  constructor(readonly json: boolean) {}
  /** Human-readable result lines (suppressed in --json mode). */
  say(line = ''): void { if (!this.json) process.stdout.write(`${line}\n`); }
  /** Progress and diagnostics: always stderr. */
  log(line: string): void { process.stderr.write(`${line}\n`); }
  /** The one JSON result in --json mode. */
  result(obj: unknown): void { if (this.json) process.stdout.write(`${JSON.stringify(obj)}\n`); }
}

export function fail(err: unknown): never {
  const msg = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  process.stderr.write(`recur: ${msg.split('\n')[0]}\n`);
  process.exit(1);
}
