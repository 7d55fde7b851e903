/**
 * R for the forecast evaluation: the Debian packages it needs (installed when missing, as root;
 * otherwise the command is printed and the eval stops, like scripts/install-test-deps.sh) and the
 * export of R-package series to JSON, cached under runs/eval-forecast/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Debian package → a file that proves it is installed. */
const DEBIAN: Record<string, string> = {
  'r-base-core': '/usr/bin/Rscript',
  'r-cran-forecast': '/usr/lib/R/site-library/forecast/DESCRIPTION',
  'r-cran-aer': '/usr/lib/R/site-library/AER/DESCRIPTION',
  'r-cran-tseries': '/usr/lib/R/site-library/tseries/DESCRIPTION',
  'r-cran-jsonlite': '/usr/lib/R/site-library/jsonlite/DESCRIPTION',
};

export function ensureRPackages(): void {
  const missing = Object.entries(DEBIAN).filter(([, probe]) => !existsSync(probe)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`eval:forecast needs Debian packages that are not installed: ${missing.join(' ')}; `
      + `install them with: sudo apt-get update && sudo ${cmd}`);
  }
  console.error(`installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 2, 2], env });
  const argv = ['install', '-y', '-qq', '--no-install-recommends', ...missing];
  execFileSync('apt-get', argv, { stdio: ['ignore', 2, 2], env });
}

/** Runs an R script of this folder with arguments; its stderr passes through. */
export function rscript(script: string, args: string[]): void {
  const argv = ['--vanilla', join(HERE, script), ...args];
  const r = spawnSync('Rscript', argv, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`Rscript ${script} failed (exit ${r.status ?? r.signal})`);
}

interface Exported { id: string; values: (number | null)[]; start: number; frequency: number; na: number }

/** Exports the series (once: the JSON in cacheDir is reused while the list of series is the same). */
export function exportRSeries(specs: readonly { id: string; pkg: string; name: string; column?: string }[],
  cacheDir: string): Map<string, Exported> {
  mkdirSync(cacheDir, { recursive: true });
  const specFile = join(cacheDir, 'r-series-specs.json'), out = join(cacheDir, 'r-series.json');
  const specJson = JSON.stringify(specs.map(({ id, pkg, name, column }) => ({ id, pkg, name, column })));
  const fresh = existsSync(out) && existsSync(specFile) && readFileSync(specFile, 'utf8') === specJson;
  if (!fresh) {
    ensureRPackages();
    writeFileSync(specFile, specJson);
    rscript('export-series.R', [specFile, out]);
  }
  const rows = JSON.parse(readFileSync(out, 'utf8')) as Exported[];
  return new Map(rows.map((r) => [r.id, r]));
}
