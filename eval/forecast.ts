/**
 * `npm run eval:forecast`: a rolling-origin evaluation of forecasters on 47 real series (monthly,
 * quarterly, weekly, daily; eval/forecast/collection.ts), M4's scores (MASE, sMAPE, OWA against
 * naive2), with R's forecast::ets() and auto.arima() refitted live at every origin as the anchor.
 * The protocol is in eval/forecast/protocol.ts, the scores in eval/forecast/scores.ts.
 *
 * Usage: npx tsx eval/forecast.ts [--only id,id]
 *        [--methods naive,snaive,naive2,ets,arima,recur-ets,recur-theta,rnn,hybrid] [--max-origins 12]
 *        [--seed 0] [--epochs 30] [--quick] [--json FILE] [--reuse-r]
 * --quick: eight series (two per frequency), at most 3 origins, 5 epochs — a smoke run.
 * --reuse-r: read R's forecasts cached for exactly the same input under runs/eval-forecast/ (default: live).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type SeriesRecord, loadCollection } from './forecast/collection.js';
import {
  type BatchResult, type Method, naive, naive2, recurEts, recurTheta, rnnMethod, runMethod, seasonalNaive,
} from './forecast/methods.js';
import { type Plan, planOf } from './forecast/protocol.js';
import { hybridMethods } from './forecast/hybrid-method.js';
import { runRAnchors } from './forecast/r-anchors.js';
import { type Scored, failureList, methodTable, seriesTable, summarise, summaryTables } from './forecast/report.js';
import { scoreSeries } from './forecast/scores.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'runs', 'eval-forecast');
const ALL = ['naive', 'snaive', 'naive2', 'ets', 'arima', 'recur-ets', 'recur-theta', 'rnn', 'hybrid-net', 'hybrid'];

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' }, methods: { type: 'string', default: ALL.join(',') },
    'max-origins': { type: 'string', default: '12' }, seed: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '30' }, quick: { type: 'boolean', default: false },
    json: { type: 'string' }, 'reuse-r': { type: 'boolean', default: false },
  },
});
const wanted = new Set(args.methods.split(','));
for (const m of wanted) {
  if (!ALL.includes(m)) throw new Error(`--methods: unknown method '${m}', expected some of ${ALL.join(',')}`);
}

/** The series to run: --only ids, or with --quick the first two of each frequency. */
function select(all: SeriesRecord[]): SeriesRecord[] {
  if (args.only) {
    const ids = args.only.split(','), unknown = ids.filter((id) => !all.some((s) => s.id === id));
    if (unknown.length) {
      throw new Error(`--only: unknown series ${unknown.join(', ')}; known: ${all.map((s) => s.id).join(', ')}`);
    }
    return all.filter((s) => ids.includes(s.id));
  }
  if (!args.quick) return all;
  return all.filter((s, i) => all.findIndex((o) => o.frequency === s.frequency) + 2 > i);
}

/** The JavaScript methods wanted, in table order; optional ones that are missing are announced. */
async function localMethods(): Promise<{ methods: Method[]; notes: string[] }> {
  const epochs = args.quick ? 5 : Number(args.epochs), seed = Number(args.seed);
  const { hybrid, net } = hybridMethods({ seed });
  const pool: [string, Method][] = [
    ['naive', naive], ['snaive', seasonalNaive], ['naive2', naive2],
    ['recur-ets', recurEts], ['recur-theta', recurTheta], ['rnn', rnnMethod({ epochs, hidden: 32, seed })],
    ['hybrid', hybrid], ['hybrid-net', net],
  ];
  // naive, snaive and naive2 are the references of the scores, so they always run
  const keep = (key: string) => wanted.has(key) || key === 'naive' || key === 'snaive' || key === 'naive2';
  const notes = keep('hybrid') && keep('hybrid-net')
    ? ['hybrid net: the members trained for hybrid, forecasting alone (its seconds exclude the training)'] : [];
  return { methods: pool.filter(([key]) => keep(key)).map(([, m]) => m), notes };
}

function scored(result: BatchResult, plans: readonly Plan[]): Scored {
  const scores = new Map(plans.map((p) => [p.series.id,
    scoreSeries(p.series.values, p.origins, result.forecasts.get(p.series.id)!, p.h, p.series.m)]));
  return { result, scores };
}

/** 'R AER::USMacroG[, "gdp"]' → 'R AER'; every other source is a vega-datasets file. */
const sourceName = (s: SeriesRecord): string => (s.source.startsWith('R ') ? s.source.split('::')[0] : 'vega-datasets');

function collectionLines(plans: readonly Plan[]): string {
  const byFreq = new Map<string, Plan[]>();
  for (const p of plans) byFreq.set(p.series.frequency, [...(byFreq.get(p.series.frequency) ?? []), p]);
  const lines = [...byFreq].map(([f, ps]) => `- ${f}: ${ps.length} series, m = ${ps[0].series.m}, `
    + `h = ${[...new Set(ps.map((p) => p.h))].join('/')}, ${ps.reduce((a, p) => a + p.origins.length, 0)} origins, `
    + `sources: ${[...new Set(ps.map((p) => sourceName(p.series)))].join(', ')}`);
  return lines.join('\n');
}

function writeJson(file: string, plans: readonly Plan[], results: readonly Scored[]): void {
  const series = plans.map((p) => ({
    id: p.series.id, source: p.series.source, frequency: p.series.frequency, m: p.series.m, n: p.series.values.length,
    h: p.h, testStart: p.testStart, origins: p.origins,
    methods: Object.fromEntries(results.map((r) => [r.result.name, {
      ...r.scores.get(p.series.id), forecasts: r.result.forecasts.get(p.series.id)!.map((f) => Array.from(f)),
      failures: r.result.failures.filter((f) => f.id === p.series.id), models: r.result.models?.get(p.series.id),
    }])),
  }));
  writeFileSync(file, JSON.stringify({ args, series }, null, 1));
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const collection = select(loadCollection(CACHE));
  const maxOrigins = args.quick ? Math.min(3, Number(args['max-origins'])) : Number(args['max-origins']);
  const plans = collection.map((s) => planOf(s, maxOrigins));
  const wantR = wanted.has('ets') || wanted.has('arima');
  // R starts first and runs in the background beside the JavaScript methods
  const r = wantR ? runRAnchors(plans, CACHE, args['reuse-r']) : null;
  r?.catch(() => {}); // awaited below; keeps an early R failure from being reported as unhandled
  const { methods, notes } = await localMethods();
  const results: BatchResult[] = [];
  for (const m of methods) {
    console.error(`running ${m.name} on ${plans.length} series`);
    results.push(await runMethod(m, plans));
  }
  const wall = new Map<string, number>();
  let etsRes: BatchResult | null = null;
  if (r) {
    const { ets, arima, wall: w, cached } = await r;
    etsRes = ets;
    for (const [key, res] of [['ets', ets], ['arima', arima]] as const) {
      if (wanted.has(key)) { results.splice(3 + results.length - methods.length, 0, res); wall.set(res.name, w); }
    }
    if (cached) notes.push('R anchors: read from the cache (--reuse-r), not run live');
  }
  const all = results.map((res) => scored(res, plans));
  const ref = (name: string) => all.find((s) => s.result.name === name)!;
  const ets = etsRes ? ref('R ets') ?? scored(etsRes, plans) : null;
  const refs = { naive2: ref('naive2'), snaive: ref('snaive'), ets };
  const { groups, table } = summarise(plans, all, refs);
  const minutes = (performance.now() - t0) / 60000;
  console.log(`## Rolling-origin forecast evaluation: ${plans.length} real series\n\n${collectionLines(plans)}\n`);
  console.log(`Notes:\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  console.log(`${summaryTables(groups, table)}\n\n### Per method, all series\n\n${methodTable(all, table, wall)}\n`);
  console.log(`### Failed origins\n\n${failureList(all)}\n`);
  console.log(`### MASE per series (lowest in bold)\n\n${seriesTable(plans, all)}\n`);
  console.log(`Total time ${minutes.toFixed(1)} min.`);
  if (args.json) writeJson(args.json, plans, all);
}

await main();
