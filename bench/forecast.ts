/**
 * `npm run bench:forecast`: the forecasting side's speed, recur beside R's forecast package on the
 * same series and the same machine (stated in the output):
 *   1. the hybrid with its default ensemble, trained and forecasting on one 144-point monthly
 *      series (wineind's first 144 months, R's forecast package);
 *   2. one global hybrid over every monthly series of the eval collection (eval/forecast);
 *   3. recur's ETS (automatic selection by AICc) against R's ets() on each monthly and quarterly
 *      series of the collection: best of 3 fits each, after a warm-up; both pick their model,
 *      and the forecasts' agreement is checked before anything is timed.
 * Usage: npx tsx bench/forecast.ts [--reps 3] [--out BENCHMARKS-forecast.md]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getBackend } from '../src/node.js';
import { trainHybrid } from '../src/tasks/forecast/hybrid/index.js';
import { autoEts } from '../src/tasks/forecast/stats/index.js';
import { type SeriesRecord, loadCollection } from '../eval/forecast/collection.js';
import { ensureRPackages } from '../eval/forecast/r-packages.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '3' }, out: { type: 'string' } } });
const lines: string[] = [];
const say = (line: string) => { console.log(line); lines.push(line); };
const reps = Number(args.reps);
const seconds = (f: () => void) => { const t0 = performance.now(); f(); return (performance.now() - t0) / 1000; };
const best = (f: () => void) => { f(); return Math.min(...Array.from({ length: reps }, () => seconds(f))); };

ensureRPackages();
const all = loadCollection(join(ROOT, 'runs', 'eval-forecast'));
const monthly = all.filter((s) => s.frequency === 'monthly');
say(`# Forecasting speed\n\nmachine: ${cpus()[0].model}, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}; `
  + `recur device ${getBackend('auto').description}\n`);

// 1. one 144-point monthly series, the default ensemble
const wine = all.find((s) => s.id === 'wineind')!, y144 = wine.values.slice(0, 144);
let members = 0;
const one = seconds(() => {
  const f = trainHybrid([{ id: 'wineind', values: y144 }], { horizon: 12, season: 12 });
  members = f.members.length;
  f.forecast('wineind', y144, [143]);
});
say(`hybrid, one 144-point monthly series (wineind), default ensemble of ${members}: ${one.toFixed(1)} s `
  + 'to train and forecast 12 months\n');

// 2. a global model over the collection's monthly series
const cut = (s: SeriesRecord) => s.values.slice(0, s.values.length - Math.max(13, Math.round(0.15 * s.values.length)));
const global = seconds(() => {
  const f = trainHybrid(monthly.map((s) => ({ id: s.id, values: cut(s) })), { horizon: 12, season: 12 });
  members = f.members.length;
});
const points = monthly.reduce((a, s) => a + cut(s).length, 0);
say(`hybrid, one global model over the ${monthly.length} monthly series (${points} points), `
  + `${members} members: ${global.toFixed(1)} s\n`);

// 3. recur's ETS against R's ets(), same series, both selecting their model
const sel = all.filter((s) => s.frequency === 'monthly' || s.frequency === 'quarterly');
const dir = mkdtempSync(join(tmpdir(), 'recur-bench-ets-'));
writeFileSync(join(dir, 'in.json'), JSON.stringify(sel.map((s) => ({ id: s.id, m: s.m, h: 4, values: s.values }))));
execFileSync('Rscript', ['--vanilla', join(ROOT, 'bench/forecast/ets-time.R'), join(dir, 'in.json'), join(dir, 'out.json'),
  String(reps)], { stdio: ['ignore', 'inherit', 'inherit'] });
const r = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { id: string; model: string; seconds: number; mean: number[] }[];
say('| series | n | recur ETS | R ets() | recur s | R s | R ÷ recur | max forecast difference |\n|---|---|---|---|---|---|---|---|');
let sumRecur = 0, sumR = 0;
for (const s of sel) {
  const ro = r.find((x) => x.id === s.id)!, fit = autoEts(s.values, s.m), fc = fit.forecast(4);
  const diff = Math.max(...ro.mean.map((v, i) => Math.abs(v - fc[i]) / Math.max(1e-12, Math.abs(v))));
  const t = best(() => autoEts(s.values, s.m));
  sumRecur += t; sumR += ro.seconds;
  say(`| ${s.id} | ${s.values.length} | ${fit.name} | ${ro.model} | ${t.toFixed(3)} | ${ro.seconds.toFixed(3)} | `
    + `${(ro.seconds / t).toFixed(1)}× | ${diff.toExponential(1)} |`);
}
say(`\nall ${sel.length} series: recur ${sumRecur.toFixed(2)} s, R ${sumR.toFixed(2)} s (${(sumR / sumRecur).toFixed(1)}× recur's speed)`);
if (args.out) writeFileSync(args.out, `${lines.join('\n')}\n`);
