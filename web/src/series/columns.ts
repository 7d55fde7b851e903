/**
 * Which columns of a dropped CSV can be forecast, and which one to offer first. The library finds
 * the date column (guessDateColumn, as the CLI does without --date); what is left may still hold a
 * clock — a numeric `time`, a row index, an id — which is no signal to forecast.
 */
import { guessDateColumn } from '../../../src/data/series.js';
import type { Table } from '../../../src/data/table.js';

const CLOCK_NAME = /^(time|date|datetime|timestamp|ts|ds|index|idx|id|row|step|t|n|year|month|day|hour|minute|second|epoch)$|_(id|date|timestamp)$/i;

export interface Columns { date: string | null; numeric: string[]; target: string | null }

/**
 * The date column, the numeric columns (at least 80% numbers among the first 50 rows), and the
 * default target: the first numeric one that is not a clock by name nor rises by the same step
 * every row (an index, regular timestamps); failing that, the first not named like a clock; else the first.
 */
export function columnsOf(table: Table): Columns {
  const date = guessDateColumn(table), head = table.rows.slice(0, 50);
  const numeric = table.columns.filter((c, j) => c !== date
    && head.filter((r) => r[j] !== '' && Number.isFinite(Number(r[j]))).length >= head.length * 0.8);
  const clockName = (c: string) => CLOCK_NAME.test(c.trim());
  const target = numeric.find((c) => !clockName(c) && !evenlyRising(table, table.columns.indexOf(c)))
    ?? numeric.find((c) => !clockName(c)) ?? numeric[0] ?? null;
  return { date, numeric, target };
}

/** True when column j rises by one same positive step from row to row (within rounding). */
function evenlyRising(t: Table, j: number): boolean {
  if (t.rows.length < 3) return false;
  const v = t.rows.map((r) => Number(r[j])), step = v[1] - v[0];
  if (!(step > 0)) return false;
  return v.every((x, i) => i === 0 || Math.abs(x - v[i - 1] - step) <= 1e-9 * Math.max(1, Math.abs(x)));
}
