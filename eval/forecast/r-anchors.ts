/**
 * The live anchors: R's forecast::ets() and forecast::auto.arima() (defaults), refitted at every
 * origin by one Rscript process for the whole collection (anchors.R), started in the background
 * so it runs beside the JavaScript methods. R receives each series only up to its last origin.
 * A fit that fails (or gives a non-finite forecast) is recorded and scored as naive, flagged.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchResult } from './methods.js';
import type { Plan } from './protocol.js';
import { ensureRPackages } from './r-packages.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** One R method on one series (jsonlite writes a one-origin list as a plain string). */
interface RMethodOut {
  forecasts: (number[] | null)[]; models: string | string[]; errors: string | string[]; seconds: number;
}
interface ROut { id: string; ets: RMethodOut; arima: RMethodOut }

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** Forecasts of one R method per series, failed fits replaced by naive and listed. */
function toBatch(name: string, plans: readonly Plan[], rows: Map<string, ROut>,
  pick: (r: ROut) => RMethodOut): BatchResult {
  const res: BatchResult = { name, forecasts: new Map(), failures: [], seconds: 0, models: new Map() };
  for (const p of plans) {
    const r = rows.get(p.series.id);
    if (!r) throw new Error(`R anchors: no result for ${p.series.id}`);
    const o = pick(r), errors = list(o.errors), y = p.series.values;
    res.seconds += o.seconds;
    res.models!.set(p.series.id, list(o.models));
    res.forecasts.set(p.series.id, p.origins.map((t, i) => {
      const f = o.forecasts[i];
      if (f && f.length === p.h) return Float64Array.from(f);
      res.failures.push({ id: p.series.id, origin: t, error: errors[i] || 'no forecast' });
      return new Float64Array(p.h).fill(y[t]);
    }));
  }
  return res;
}

/**
 * Runs anchors.R on the plans; resolves to the ets and auto.arima results. With `reuse`, a result
 * cached in cacheDir for exactly the same input is read instead (the default is a live run).
 */
export async function runRAnchors(plans: readonly Plan[], cacheDir: string, reuse = false):
  Promise<{ ets: BatchResult; arima: BatchResult; wall: number; cached: boolean }> {
  ensureRPackages();
  mkdirSync(cacheDir, { recursive: true });
  const tasks = plans.map((p) => ({
    id: p.series.id, m: p.series.m, h: p.h, origins: p.origins, y: p.series.values.slice(0, p.origins.at(-1)! + 1),
  }));
  const input = JSON.stringify(tasks), key = createHash('sha256').update(input).digest('hex').slice(0, 16);
  const inFile = join(cacheDir, `r-anchors-${key}.in.json`), outFile = join(cacheDir, `r-anchors-${key}.out.json`);
  const t0 = performance.now(), cached = reuse && existsSync(outFile);
  if (!cached) {
    writeFileSync(inFile, input);
    await new Promise<void>((resolve, reject) => {
      const argv = ['--vanilla', join(HERE, 'anchors.R'), inFile, outFile];
      const child = spawn('Rscript', argv, { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      const failed = (code: number | null) => new Error(`Rscript anchors.R failed (exit ${code})`);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(failed(code))));
    });
  }
  const rows = new Map((JSON.parse(readFileSync(outFile, 'utf8')) as ROut[]).map((r) => [r.id, r]));
  return {
    ets: toBatch('R ets', plans, rows, (r) => r.ets), arima: toBatch('R auto.arima', plans, rows, (r) => r.arima),
    wall: (performance.now() - t0) / 1000, cached,
  };
}
