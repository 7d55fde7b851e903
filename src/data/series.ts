import { DataError } from '../errors.js';
import { type Table, columnIndex } from './table.js';
import { type Frequency, inferFrequency, parseDate, stepDate, stepsBetween } from './dates.js';

export { type Frequency, inferFrequency, parseDate, stepDate, stepsBetween } from './dates.js';

/**
 * Numeric multivariate series from a table: target and covariate columns, an optional date
 * column, and an explicit policy for missing values and date gaps — what was found and what
 * was done is always in the report.
 *
 * Layout: values (N, F) row-major, columns = targets then covariates.
 */
export type MissingPolicy = 'error' | 'drop' | 'ffill' | 'interpolate';

export interface SeriesOptions {
  targets: string[];
  features?: string[];
  date?: string | null;
  /** What to do with empty cells and date gaps (default 'interpolate'). */
  missing?: MissingPolicy;
  /** A column that splits the rows into separate sequences (e.g. one per sensor), kept in file order. */
  group?: string | null;
}


export interface SeriesReport {
  rows: number;
  missing: Record<string, number>;
  policy: MissingPolicy;
  filled: number;
  dropped: number;
  gaps: number;
  insertedRows: number;
  sorted: boolean;
  /** How numbers were read where a column could be read two ways (decimal commas). */
  notes: string[];
}

export interface Series {
  names: string[];
  nTargets: number;
  N: number;
  F: number;
  values: Float64Array; // (N, F)
  /** ms since epoch per row, or null without a date column. */
  dates: number[] | null;
  frequency: Frequency | null;
  /** Row ranges of separate sequences (one per group, e.g. per sensor); absent for one sequence. */
  segments?: { name: string; start: number; end: number }[];
  /** (N, F): 1 where a value was filled in (a missing cell or a date gap), not observed. */
  filled?: Uint8Array;
  /** Rows that do not follow the row before them (rows were dropped between): no window may span one. */
  breaks?: number[];
  report: SeriesReport;
}

// NaN is how pandas and R write a missing number, so it reads as missing; an infinity is still an error
const MISSING = new Set(['', 'na', 'nan', 'n/a', 'null', 'none', '?', '.']);
const NOT_A_NUMBER = /^[+-]?(inf|infinity)$/i;

/** A cell that marks a missing value in a numeric column (empty, NA, NaN, null, ?, …). */
export const isMissingCell = (s: string): boolean => MISSING.has(s.toLowerCase());

/** How a column writes numbers with a comma: 1,234.5 (thousands separator) or 1,5 (decimal mark). */
type Comma = 'none' | 'thousands' | 'decimal';

/**
 * Reads how column c uses commas from all its cells, and says so in a note: a comma never silently
 * turns 1,5 into 15 or a European 1,234 (1.234) into 1234. Evidence for a decimal comma: 1,5 ·
 * 0,123 · 1.234,5; for a thousands separator: 1,234.5 · 1,234,567. A column holding only
 * cells like 1,234 is read by the file's convention: decimal comma when ';' separates the fields
 * (as European spreadsheets write it), thousands separator otherwise.
 */
function commaOf(t: Table, rows: number[], c: number): { comma: Comma; note?: string } {
  let decimal: string | undefined, thousands: string | undefined, either: string | undefined;
  for (const r of rows) {
    const v = t.rows[r][c];
    if (!v.includes(',')) continue;
    if (/^[+-]?(\d*,\d{1,2}|\d*,\d{4,}|0?,\d+|\d{1,3}(\.\d{3})+,\d*)$/.test(v)) decimal ??= v;
    else if (/^[+-]?\d{1,3}(,\d{3})+\.\d*$|^[+-]?\d{1,3}(,\d{3}){2,}$/.test(v)) thousands ??= v;
    else if (/^[+-]?\d{1,3},\d{3}$/.test(v)) either ??= v;
  }
  const name = `column '${t.columns[c]}'`;
  if (decimal && thousands) throw new DataError(`${t.source}: ${name} writes '${decimal}' (decimal comma) and '${thousands}' (thousands separator): expected one convention`);
  if (decimal) return { comma: 'decimal', note: `${name}: ',' read as the decimal mark ('${decimal}' = ${readNumber(decimal, 'decimal')})` };
  if (thousands) return { comma: 'thousands', note: `${name}: ',' read as a thousands separator ('${thousands}' = ${readNumber(thousands, 'thousands')})` };
  if (!either) return { comma: 'none' };
  const comma: Comma = t.delimiter === ';' ? 'decimal' : 'thousands';
  return { comma, note: `${name}: '${either}' read as ${readNumber(either, comma)} (',' as ${comma === 'decimal' ? 'the decimal mark, as in a file separated by \';\'' : 'a thousands separator, as in a comma-separated file'}); write plain numbers to avoid the guess` };
}

const readNumber = (s: string, comma: Comma): number =>
  Number(comma === 'decimal' && s.includes(',') ? s.replace(/\./g, '').replace(',', '.') : comma === 'thousands' ? s.replace(/,/g, '') : s);

/** A cell as a number, NaN for a missing marker; anything else non-numeric is an error naming the cell. */
function cell(t: Table, r: number, c: number, comma: Comma): number {
  const s = t.rows[r][c];
  if (isMissingCell(s)) return NaN;
  if (NOT_A_NUMBER.test(s)) {
    throw new DataError(`${t.source}: row ${r + 2}, column '${t.columns[c]}' holds '${s}'; leave a missing value empty instead`);
  }
  const v = readNumber(s, comma);
  if (!Number.isFinite(v)) throw new DataError(`${t.source}: row ${r + 2}, column '${t.columns[c]}': expected a number, got '${s}'`);
  return v;
}

export function buildSeries(t: Table, o: SeriesOptions): Series {
  if (!o.group) return buildOne(t, t.rows.map((_, i) => i), o);
  const g = columnIndex(t, o.group);
  if ([...o.targets, ...(o.features ?? []), o.date].includes(o.group)) throw new DataError(`${t.source}: '${o.group}' is the group column and cannot also be a value or date column`);
  const groups = new Map<string, number[]>();
  t.rows.forEach((r, i) => { const k = r[g]; if (!groups.has(k)) groups.set(k, []); groups.get(k)!.push(i); });
  const parts = [...groups].map(([name, rows]) => ({ name, s: buildOne(t, rows, o, `${o.group} ${name}`) }));
  const first = parts[0].s;
  let at = 0;
  const segments = parts.map(({ name, s }) => { const seg = { name, start: at, end: at + s.N }; at += s.N; return seg; });
  const sum = (f: (r: SeriesReport) => number) => parts.reduce((a, p) => a + f(p.s.report), 0);
  const missing: Record<string, number> = {};
  for (const n of first.names) missing[n] = parts.reduce((a, p) => a + p.s.report.missing[n], 0);
  return {
    names: first.names, nTargets: first.nTargets, N: at, F: first.F,
    values: Float64Array.from(parts.flatMap((p) => Array.from(p.s.values))),
    dates: first.dates ? parts.flatMap((p) => p.s.dates!) : null, frequency: first.frequency, segments,
    filled: Uint8Array.from(parts.flatMap((p) => Array.from(p.s.filled!))),
    breaks: parts.flatMap((p, k) => p.s.breaks!.map((b) => b + segments[k].start)),
    report: { rows: t.rows.length, missing, policy: first.report.policy, filled: sum((r) => r.filled), dropped: sum((r) => r.dropped),
      gaps: sum((r) => r.gaps), insertedRows: sum((r) => r.insertedRows), sorted: parts.some((p) => p.s.report.sorted),
      notes: [...new Set(parts.flatMap((p) => p.s.report.notes))] },
  };
}

/** One sequence from the given rows of the table. */
function buildOne(t: Table, rowsIn: number[], o: SeriesOptions, label?: string): Series {
  const policy = o.missing ?? 'interpolate';
  if (!['error', 'drop', 'ffill', 'interpolate'].includes(policy)) {
    throw new DataError(`missing: expected error, drop, ffill or interpolate, got '${policy}'`);
  }
  if (o.targets.length === 0) throw new DataError(`${t.source}: expected at least one target column`);
  const names = [...o.targets, ...(o.features ?? []).filter((f) => !o.targets.includes(f))];
  const cols = names.map((n) => columnIndex(t, n));
  if (o.date && names.includes(o.date)) throw new DataError(`${t.source}: '${o.date}' is the date column and cannot also be a value column`);
  const dateCol = o.date ? columnIndex(t, o.date) : -1;

  const rowsIdx = [...rowsIn];
  let dates: number[] | null = null, sorted = false;
  if (dateCol >= 0) {
    const d = t.rows.map((row, i) => {
      const ms = parseDate(row[dateCol]);
      if (ms === null) throw new DataError(`${t.source}: row ${i + 2}, column '${o.date}': expected a date, got '${row[dateCol]}'`);
      return ms;
    });
    if (d.some((v, i) => i > 0 && v < d[i - 1])) { rowsIdx.sort((a, b) => d[a] - d[b]); sorted = true; }
    rowsIdx.forEach((r, i) => {
      if (i > 0 && d[r] === d[rowsIdx[i - 1]]) throw new DataError(`${t.source}: the date ${t.rows[r][dateCol]} appears twice (rows ${rowsIdx[i - 1] + 2} and ${r + 2})`);
    });
    dates = rowsIdx.map((r) => d[r]);
  }

  const F = names.length;
  const formats = cols.map((c) => commaOf(t, rowsIdx, c));
  let values = rowsIdx.flatMap((r) => cols.map((c, j) => cell(t, r, c, formats[j].comma)));
  const missing: Record<string, number> = {};
  names.forEach((n, j) => {
    let k = 0;
    for (let i = j; i < values.length; i += F) if (Number.isNaN(values[i])) k++;
    missing[n] = k;
    if (k === rowsIdx.length) throw new DataError(`${t.source}: column '${n}'${label ? ` (${label})` : ''} has no values at all (all ${k} cells are missing)`);
  });

  // date gaps become rows of missing values, handled by the same policy
  const frequency = dates ? inferFrequency(dates) : null;
  let gaps = 0, insertedRows = 0;
  if (dates && frequency && frequency.label !== 'irregular') {
    const outV: number[] = [], outD: number[] = [];
    for (let i = 0; i < dates.length; i++) {
      if (i > 0) {
        const steps = stepsBetween(dates[i - 1], dates[i], frequency);
        // a gap far larger than the series is a typo in a date, not missing data to fill
        if (steps > Math.max(100, 2 * dates.length) || insertedRows + steps > 10 * dates.length) {
          throw new DataError(`${t.source}: the dates jump from ${new Date(dates[i - 1]).toISOString().slice(0, 10)} to ${new Date(dates[i]).toISOString().slice(0, 10)} `
            + `(${steps} ${frequency.label} steps) in a series of ${dates.length} rows; check the date column`);
        }
        if (steps > 1) {
          gaps++;
          for (let s = 1; s < steps; s++) { outD.push(stepDate(dates[i - 1], s, frequency)); for (let j = 0; j < F; j++) outV.push(NaN); insertedRows++; }
        }
      }
      outD.push(dates[i]);
      for (let j = 0; j < F; j++) outV.push(values[i * F + j]);
    }
    values = outV; dates = outD;
  }

  const nMissing = Object.values(missing).reduce((a, b) => a + b, 0) + insertedRows * F;
  if (nMissing > 0 && policy === 'error') {
    const where = Object.entries(missing).filter(([, k]) => k > 0).map(([n, k]) => `${k} in '${n}'`);
    if (gaps > 0) where.push(`${gaps} date gaps (${insertedRows} rows)`);
    throw new DataError(`${t.source}: missing values: ${where.join(', ')}; choose --missing interpolate, ffill or drop`);
  }
  let N = values.length / F, filled = 0, dropped = 0;
  const filledMask = Uint8Array.from(values, (v) => (Number.isNaN(v) ? 1 : 0));
  const breaks: number[] = [];
  if (nMissing > 0 && policy === 'drop') {
    const keep: number[] = [];
    for (let i = 0; i < N; i++) if (values.slice(i * F, (i + 1) * F).every((v) => !Number.isNaN(v))) keep.push(i);
    dropped = N - keep.length;
    keep.forEach((i, k) => { if (k > 0 && i !== keep[k - 1] + 1) breaks.push(k); });
    values = keep.flatMap((i) => values.slice(i * F, (i + 1) * F));
    if (dates) dates = keep.map((i) => dates![i]);
    N = keep.length;
    filledMask.fill(0);
  } else if (nMissing > 0) {
    for (let j = 0; j < F; j++) filled += fillColumn(values, N, F, j, policy === 'ffill');
  }
  if (N === 0) throw new DataError(`${t.source}: no rows are left after dropping the ones with missing values`);
  return {
    names, nTargets: o.targets.length, N, F, values: Float64Array.from(values), dates, frequency,
    filled: filledMask.subarray(0, N * F), breaks,
    report: { rows: rowsIdx.length, missing, policy, filled, dropped, gaps, insertedRows, sorted, notes: formats.flatMap((f) => (f.note ? [f.note] : [])) },
  };
}

/** Fills NaNs of column j in place: forward fill, or linear interpolation between neighbours (edges take the nearest value). */
function fillColumn(v: number[], N: number, F: number, j: number, ffill: boolean): number {
  let filled = 0, last = -1;
  for (let i = 0; i < N; i++) {
    if (!Number.isNaN(v[i * F + j])) {
      if (last < i - 1) {
        const a = last >= 0 ? v[last * F + j] : v[i * F + j], b = v[i * F + j];
        for (let k = last + 1; k < i; k++) {
          v[k * F + j] = ffill || last < 0 ? a : a + ((b - a) * (k - last)) / (i - last);
          filled++;
        }
      }
      last = i;
    }
  }
  for (let k = last + 1; k < N; k++) { v[k * F + j] = v[last * F + j]; filled++; }
  return filled;
}

/** The value columns of row i. */
export const rowOf = (s: Series, i: number): Float64Array => s.values.subarray(i * s.F, (i + 1) * s.F);

/** Value (i, j) was filled in (a missing cell or a date gap), not observed: it is not scored. */
export const filledAt = (s: Series, i: number, j: number): boolean => s.filled?.[i * s.F + j] === 1;

/** A column that looks like dates by name and content (for CSVs given without --date), or null. */
export function guessDateColumn(t: Table): string | null {
  for (const c of t.columns) {
    if (!/^(date|time|timestamp|datetime|ds|day|month|period|date_?time)$/i.test(c.trim())) continue;
    const j = t.columns.indexOf(c);
    if (t.rows.slice(0, 20).every((r) => parseDate(r[j]) !== null)) return c;
  }
  return null;
}

/** Column j of the series (the first target by default) as its own array. */
export function column(s: Pick<Series, 'N' | 'F' | 'values'>, j = 0): Float64Array {
  return Float64Array.from({ length: s.N }, (_, i) => s.values[i * s.F + j]);
}

/**
 * Refuses a target with no variation in its training rows (the [start, end) ranges): nothing can be
 * learned from it. Says whether the whole column is constant or only its training part.
 */
export function assertNotConstant(s: Series, train: readonly (readonly [number, number])[], task = 'forecast'): void {
  for (let j = 0; j < s.nTargets; j++) assertVaries(s.names[j], (i) => s.values[i * s.F + j], s.N, train, task, 'target');
}

/** The same check for one column read by `at(i)`, i < N; `what` names it in the message ('target', 'signal'). */
export function assertVaries(name: string, at: (i: number) => number, N: number, train: readonly (readonly [number, number])[], task: string, what: string): void {
  const rows = train.flatMap(([a, b]) => Array.from({ length: Math.max(0, b - a) }, (_, k) => a + k));
  const v0 = at(rows[0] ?? 0);
  if (rows.some((i) => at(i) !== v0)) return;
  let all = true;
  for (let i = 0; i < N && all; i++) all = at(i) === v0;
  throw new DataError(all
    ? `the ${what} '${name}' is constant (every value is ${v0}): there is nothing to ${task}`
    : `the ${what} '${name}' is constant in its training part (all ${rows.length} training values are ${v0}, later values differ): nothing can be learned from it`);
}
