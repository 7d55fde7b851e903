/** Markdown tables of the forecast evaluation (stdout). */
import type { Frequency } from './collection.js';
import type { BatchResult } from './methods.js';
import type { Plan } from './protocol.js';
import { type GroupScore, type SeriesScore, groupScore } from './scores.js';

export interface Scored { result: BatchResult; scores: Map<string, SeriesScore> }

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '–');
const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '–');
const pct = (v: number): string => (Number.isFinite(v) ? `${Math.round(100 * v)}%` : '–');
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
const header = (cells: string[]): string => `${row(cells)}\n|${cells.map(() => '---').join('|')}|`;
const bold = (s: string): string => `**${s}**`;

/** Group scores of every method over every frequency and overall. */
export interface References { naive2: Scored; snaive: Scored; ets: Scored | null }
type Table = Map<string, Map<string, GroupScore>>;

export function summarise(plans: readonly Plan[], methods: readonly Scored[], refs: References):
  { groups: string[]; table: Table } {
  const order: Frequency[] = ['monthly', 'quarterly', 'weekly', 'daily'];
  const groups = [...order.filter((f) => plans.some((p) => p.series.frequency === f)), 'all'];
  const idsOf = (g: string) => plans.filter((p) => g === 'all' || p.series.frequency === g).map((p) => p.series.id);
  const get = (s: Scored) => (id: string) => s.scores.get(id)!;
  const table = new Map(methods.map((m) => [m.result.name, new Map(groups.map((g) => [g, groupScore(idsOf(g), get(m),
    get(refs.naive2), refs.ets ? get(refs.ets) : null, get(refs.snaive))]))]));
  return { groups, table };
}

/** One table per measure: groups as rows, methods as columns, the best of each row in bold. */
function measureTable(title: string, groups: string[], names: string[], table: Table,
  pick: (g: GroupScore) => number, fmt: (v: number) => string): string {
  const lines = [`### ${title}\n`, header(['frequency', 'series', ...names])];
  for (const g of groups) {
    const vals = names.map((n) => pick(table.get(n)!.get(g)!)), best = Math.min(...vals.filter(Number.isFinite));
    const n = String(table.get(names[0])!.get(g)!.n);
    lines.push(row([g, n, ...vals.map((v) => (v === best ? bold(fmt(v)) : fmt(v)))]));
  }
  return lines.join('\n');
}

export function summaryTables(groups: string[], table: Map<string, Map<string, GroupScore>>): string {
  const names = [...table.keys()];
  return [
    measureTable('Geometric mean of MASE', groups, names, table, (g) => g.geoMase, f3),
    measureTable('Mean sMAPE (%)', groups, names, table, (g) => g.meanSmape, f2),
    measureTable('OWA (M4: from the mean sMAPE and mean MASE, relative to naive2)', groups, names, table,
      (g) => g.owa, f3),
    measureTable('Mean MASE (as M4 averages it)', groups, names, table, (g) => g.meanMase, f3),
  ].join('\n\n');
}

/** Per method over all series: relative MASE vs R's ets, shares, failures and time. */
export function methodTable(methods: readonly Scored[], table: Table, wall: Map<string, number>): string {
  const lines = [header(['method', 'geo-mean MASE / ets', 'beats R ets', 'worse than snaive', 'failed origins',
    'seconds'])];
  for (const m of methods) {
    const g = table.get(m.result.name)!.get('all')!, n = m.result.name;
    const fit = m.result.seconds.toFixed(1);
    const secs = wall.has(n) ? `${fit} fit (${wall.get(n)!.toFixed(0)} wall, shared)` : fit;
    lines.push(row([n, f3(g.relEts), pct(g.beatsEts), pct(g.worseThanSnaive), String(m.result.failures.length), secs]));
  }
  return lines.join('\n');
}

/** MASE of every method per series, the lowest in bold. */
export function seriesTable(plans: readonly Plan[], methods: readonly Scored[]): string {
  const names = methods.map((m) => m.result.name);
  const lines = [header(['series', 'freq', 'n', 'h', 'origins', ...names])];
  for (const p of plans) {
    const vals = methods.map((m) => m.scores.get(p.series.id)!.mase), best = Math.min(...vals);
    const n = String(p.series.values.length);
    lines.push(row([p.series.id, p.series.frequency, n, String(p.h), String(p.origins.length),
      ...vals.map((v) => (v === best ? bold(f3(v)) : f3(v)))]));
  }
  return lines.join('\n');
}

/** Failed origins, grouped by method and series (first error message shown). */
export function failureList(methods: readonly Scored[]): string {
  const lines: string[] = [];
  for (const m of methods) {
    const bySeries = new Map<string, { count: number; error: string }>();
    for (const f of m.result.failures) {
      const e = bySeries.get(f.id) ?? { count: 0, error: f.error };
      e.count++; bySeries.set(f.id, e);
    }
    for (const [id, e] of bySeries) {
      lines.push(`- ${m.result.name} on ${id}: ${e.count} origin(s) scored as naive (${e.error})`);
    }
  }
  return lines.length ? lines.join('\n') : '- none';
}
