import { DataError } from '../errors.js';
import { parseDate } from './dates.js';
import {
  type MissingPolicy, type Series, type SeriesReport, buildSeries, guessDateColumn, isMissingCell,
} from './series.js';
import { type Table, columnIndex, parseTable } from './table.js';

/**
 * Many univariate series for a global forecaster (one model trained over all of them), read from
 * one of three layouts:
 *
 *   long    rows of (id, date, value): one series per id, `id` names the column
 *   wide    a date column and one value column per series (every numeric column unless `targets`)
 *   folder  one file per series, its id the file name without extension (collectionFromFiles)
 *
 * Every item is built by buildSeries from its own rows with `targets: [target]`, so dates,
 * frequency, filled marks, date gaps and the missing-value policy work exactly as for one series.
 * A series of one point is an error, or dropped with a note under `dropShort`; a constant series
 * or one shorter than two seasons is not (the model decides), but the report says so.
 *
 * Portable: no file access here (loadCollection in collection-node.ts reads files and folders).
 */
export type CollectionLayout = 'long' | 'wide' | 'folder';

export interface CollectionOptions {
  /** Long layout: the column naming each row's series. */
  id?: string | null;
  /** Long and folder layouts: the value column (default: the only numeric one besides id and date). */
  target?: string | null;
  /** Wide layout: the value columns that are series (default: every numeric column but the date). */
  targets?: string[] | null;
  /** The date column; undefined: found as series.ts finds it (guessDateColumn); null: none. */
  date?: string | null;
  /** Empty, NA and NaN cells and date gaps, per series (default 'interpolate'). */
  missing?: MissingPolicy;
  /** 'auto' (default): long when `id` is given, otherwise wide. */
  layout?: 'auto' | CollectionLayout;
  /** Drop series with fewer than 2 points, with a note, instead of refusing them. */
  dropShort?: boolean;
}

export interface SeriesCollection {
  /** Each a univariate Series (nTargets 1, F 1), in file order of first appearance. */
  items: { id: string; series: Series }[];
  /** 'arrays' for collectionFromArrays. */
  layout: CollectionLayout | 'arrays';
  report: { series: number; notes: string[]; perSeries: Record<string, SeriesReport> };
}

export interface TextFile { name: string; text: string }

/** A series as built, with what the report needs: how errors and notes name it, its raw target cells. */
interface Built { id: string; label: string; series: Series; cells: string[] }

const NUMBER = /^[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)([eE][+-]?\d+)?$/;

/** The shortest calendar season per frequency, as forecast's season guess tries first. */
const SEASON: Record<string, number> = { minutely: 60, hourly: 24, daily: 7, weekly: 52, monthly: 12, quarterly: 4 };

const quoted = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');

/** A CSV text in the long or wide layout. */
export function collectionFromText(text: string, name = 'input', o: CollectionOptions = {}): SeriesCollection {
  return collectionFromTable(parseTable(text, name), o);
}

/** A parsed table in the long layout (when `id` is given or layout is 'long') or the wide layout. */
export function collectionFromTable(t: Table, o: CollectionOptions = {}): SeriesCollection {
  const layout = o.layout ?? 'auto';
  if (!['auto', 'long', 'wide', 'folder'].includes(layout)) {
    throw new DataError(`layout: expected auto, long, wide or folder, got '${layout}'`);
  }
  if (layout === 'folder') throw new DataError(`${t.source}: the folder layout reads a folder of files, got one table`);
  if (layout === 'long' || (layout === 'auto' && o.id)) return fromLong(t, o);
  if (o.id) throw new DataError(`${t.source}: an id column ('${o.id}') is for the long layout, got layout '${layout}'`);
  if (layout === 'auto') refuseLookingLong(t, dateColumn(t, o));
  return fromWide(t, o);
}

/** Rows of (id, date, value), split by id; within an id, file order (then sorted by date, as buildSeries does). */
function fromLong(t: Table, o: CollectionOptions): SeriesCollection {
  if (!o.id) {
    throw new DataError(`${t.source}: the long layout needs the id column (id); the columns are ${quoted(t.columns)}`);
  }
  const g = columnIndex(t, o.id), date = dateColumn(t, o);
  const target = o.target ?? onlyNumeric(t, [o.id, date]);
  if (target === o.id || date === o.id) {
    throw new DataError(`${t.source}: '${o.id}' is the id column and cannot also be the value or date column`);
  }
  const c = columnIndex(t, target);
  const groups = new Map<string, number[]>();
  t.rows.forEach((r, i) => { const k = r[g]; if (!groups.has(k)) groups.set(k, []); groups.get(k)!.push(i); });
  const built = [...groups].map(([id, rows]): Built => {
    const label = `${o.id} '${id}'`;
    const sub: Table = { ...t, rows: rows.map((i) => t.rows[i]) };
    const series = within(t, label, rows, () => buildSeries(sub, { targets: [target], date, missing: o.missing }));
    return { id, label, series, cells: sub.rows.map((r) => r[c]) };
  });
  const headline = `long: ${built.length} series by '${o.id}', value '${target}'${dated(date)}`;
  return assemble(t.source, 'long', built, o, [headline]);
}

/** A date column and one value column per series; each series runs from its first to its last value. */
function fromWide(t: Table, o: CollectionOptions): SeriesCollection {
  const date = dateColumn(t, o);
  const chosen = o.targets ?? (o.target ? [o.target] : null);
  const cols = chosen ?? numericColumns(t, [date]);
  if (cols.length === 0) {
    throw new DataError(`${t.source}: expected at least one numeric column (one per series), got none; `
      + `the columns are ${quoted(t.columns)}`);
  }
  const shown = `${quoted(cols.slice(0, 8))}${cols.length > 8 ? ', …' : ''}`;
  const notes = [`wide: ${cols.length} series (${shown})${dated(date)}`];
  const skipped = t.columns.filter((c) => c !== date && !cols.includes(c));
  if (!chosen && skipped.length) notes.push(`columns not read as series (not numeric): ${quoted(skipped)}`);
  const order = dateOrder(t, date);
  if (order.some((r, i) => r !== i)) notes.push('rows were not in date order; each series was sorted by date');
  const built = cols.map((name): Built => {
    const c = columnIndex(t, name), label = `column '${name}'`;
    if (name === date) throw new DataError(`${t.source}: '${name}' is the date column and cannot also be a series`);
    const rows = trimmed(t, order, c);
    const cut = order.length - rows.length;
    if (cut > 0) {
      notes.push(`${label}: ${cut} leading or trailing missing cells left out (it starts later or ends earlier)`);
    }
    const sub: Table = { ...t, rows: rows.map((i) => t.rows[i]) };
    const series = within(t, label, rows, () => buildSeries(sub, { targets: [name], date, missing: o.missing }));
    return { id: name, label, series, cells: sub.rows.map((r) => r[c]) };
  });
  return assemble(t.source, 'wide', built, o, notes);
}

/** One series per file (a folder): the id is the file name without its extension. */
export function collectionFromFiles(files: TextFile[], o: CollectionOptions = {}): SeriesCollection {
  if (files.length === 0) throw new DataError('folder: expected at least one CSV file, got none');
  const seen = new Map<string, string>();
  const built = files.map((f): Built => {
    const id = f.name.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '');
    if (seen.has(id)) {
      throw new DataError(`${f.name}: the id '${id}' is also ${seen.get(id)}'s: expected one file per series`);
    }
    seen.set(id, f.name);
    const t = parseTable(f.text, f.name), date = dateColumn(t, o);
    const target = o.target ?? onlyNumeric(t, [date]);
    const c = columnIndex(t, target);
    const series = buildSeries(t, { targets: [target], date, missing: o.missing });
    return { id, label: `'${id}' (${f.name})`, series, cells: t.rows.map((r) => r[c]) };
  });
  return assemble('folder', 'folder', built, o, [`folder: ${built.length} series, one per file`]);
}

/**
 * Series given as arrays (for library users and tests). Dates are strings as a CSV writes them or
 * numbers in ms since epoch (as Series.dates); NaN values are missing, handled by `missing`.
 */
export function collectionFromArrays(
  items: { id: string; values: number[]; dates?: (string | number)[] }[],
  o: Pick<CollectionOptions, 'missing' | 'dropShort'> = {},
): SeriesCollection {
  const seen = new Set<string>();
  const built = items.map(({ id, values, dates }): Built => {
    const label = `series '${id}'`;
    if (seen.has(id)) throw new DataError(`${label}: the id appears twice: expected one item per id`);
    seen.add(id);
    if (values.length === 0) throw new DataError(`${label}: expected values, got none`);
    if (dates && dates.length !== values.length) {
      throw new DataError(`${label}: expected ${values.length} dates (one per value), got ${dates.length}`);
    }
    const cells = values.map((v) => (v == null ? '' : String(v)));
    const dateCell = (d: string | number) =>
      (typeof d === 'number' && Number.isFinite(d) ? new Date(d).toISOString() : String(d));
    const t: Table = {
      source: label, columns: dates ? ['date', 'value'] : ['value'],
      rows: cells.map((v, i) => (dates ? [dateCell(dates[i]), v] : [v])),
    };
    const series = buildSeries(t, { targets: ['value'], date: dates ? 'date' : null, missing: o.missing });
    return { id, label, series, cells };
  });
  return assemble('arrays', 'arrays', built, o, [`arrays: ${built.length} series`]);
}

/** The date column: named, none (null), or found as series.ts finds it. */
const dateColumn = (t: Table, o: CollectionOptions): string | null =>
  (o.date === undefined ? guessDateColumn(t) : o.date);

const dated = (date: string | null): string => (date ? `, dated by '${date}'` : ', no date column');

/** A column whose cells are all numbers or missing markers, with at least one number. */
function numericColumns(t: Table, exclude: (string | null)[]): string[] {
  return t.columns.filter((name, j) => {
    if (exclude.includes(name)) return false;
    let any = false;
    for (const r of t.rows) {
      if (NUMBER.test(r[j])) any = true;
      else if (!isMissingCell(r[j])) return false;
    }
    return any;
  });
}

/**
 * The value column when none is named: the only numeric one; failing that, the only one mostly of
 * numbers, so that buildSeries names its bad cell instead of this saying there is no value column.
 */
function onlyNumeric(t: Table, exclude: (string | null)[]): string {
  const found = numericColumns(t, exclude);
  if (found.length === 1) return found[0];
  const mostly = t.columns.filter((c, j) =>
    !exclude.includes(c) && t.rows.filter((r) => NUMBER.test(r[j])).length > t.rows.length / 2);
  if (found.length === 0 && mostly.length === 1) return mostly[0];
  const got = found.length === 0 ? 'none' : `${found.length} (${quoted(found)})`;
  throw new DataError(`${t.source}: expected one numeric value column or a named target, got ${got}; `
    + `the columns are ${quoted(t.columns)}`);
}

/** A file without `id` whose dates repeat is most likely in the long layout: say so before a duplicate-date error. */
function refuseLookingLong(t: Table, date: string | null): void {
  if (!date) return;
  const j = columnIndex(t, date), first = new Map<string, number>();
  for (let i = 0; i < t.rows.length; i++) {
    const d = t.rows[i][j], k = first.get(d);
    if (k === undefined) { first.set(d, i); continue; }
    const text = t.columns.filter((c) => c !== date && !numericColumns(t, [date]).includes(c));
    throw new DataError(`${t.source}: the date ${d} appears on rows ${k + 2} and ${i + 2}: `
      + 'expected one row per date in the wide layout; for the long layout (one row per series and date) '
      + `name the id column${text.length ? ` (one of ${quoted(text)})` : ''}`);
  }
}

/** Row indices in date order (stable), or file order without a date column or when a date does not parse. */
function dateOrder(t: Table, date: string | null): number[] {
  const rows = t.rows.map((_, i) => i);
  if (!date) return rows;
  const j = columnIndex(t, date), d = t.rows.map((r) => parseDate(r[j]));
  return d.some((v) => v === null) ? rows : rows.sort((a, b) => d[a]! - d[b]!);
}

/** The rows from column c's first value to its last (all of them when it has none: buildSeries says so). */
function trimmed(t: Table, order: number[], c: number): number[] {
  const has = (i: number) => !isMissingCell(t.rows[i][c]);
  const a = order.findIndex(has), b = order.findLastIndex(has);
  return a < 0 ? order : order.slice(a, b + 1);
}

/**
 * Runs a build over a sub-table of rows `rows` of t: its errors name the series and the file's row
 * numbers (buildSeries counts rows within the sub-table it was given).
 */
function within<T>(t: Table, label: string, rows: number[], build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    const fileRow = (n: string) => String(rows[Number(n) - 2] + 2);
    const own = e.message.startsWith(`${t.source}: `) ? e.message.slice(t.source.length + 2) : e.message;
    const msg = own.replace(/\b(rows?) (\d+)(?: and (\d+))?/g,
      (_, w: string, a: string, b?: string) => `${w} ${fileRow(a)}${b ? ` and ${fileRow(b)}` : ''}`);
    throw new DataError(`${t.source}: ${label}: ${msg}`);
  }
}

/** Refuses (or, under dropShort, drops) series of fewer than 2 points, then writes the report. */
function assemble(
  source: string, layout: SeriesCollection['layout'], built: Built[], o: CollectionOptions, notes: string[],
): SeriesCollection {
  const kept = built.filter((b) => {
    if (b.series.N >= 2) return true;
    const { rows } = b.series.report;
    const of = rows !== b.series.N ? ` (of ${rows} rows, the rest dropped as missing)` : '';
    if (!o.dropShort) {
      throw new DataError(`${source}: ${b.label} has ${b.series.N} point${of}: `
        + 'expected at least 2 per series (dropShort drops such series)');
    }
    notes.push(`${b.label} dropped: ${b.series.N} point${of}, expected at least 2`);
    return false;
  });
  if (kept.length === 0) {
    throw new DataError(`${source}: no series is left after dropping those with fewer than 2 points`);
  }
  notes.push(...describe(kept));
  return {
    items: kept.map(({ id, series }) => ({ id, series })), layout,
    report: {
      series: kept.length, notes, perSeries: Object.fromEntries(kept.map((b) => [b.id, b.series.report])),
    },
  };
}

/** Lengths, frequencies, and per series: missing cells as written and what was done, short, constant, sorted. */
function describe(kept: Built[]): string[] {
  const notes: string[] = [];
  const N = kept.map((b) => b.series.N).sort((a, b) => a - b);
  notes.push(N[0] === N[N.length - 1] ? `length: ${N[0]} points each`
    : `lengths: ${N[0]}–${N[N.length - 1]} points (median ${N[Math.floor(N.length / 2)]})`);
  const freq = new Map<string, number>();
  for (const b of kept) {
    const f = b.series.frequency?.label ?? 'undated';
    freq.set(f, (freq.get(f) ?? 0) + 1);
  }
  if (freq.size > 1) notes.push(`frequencies differ: ${[...freq].map(([f, k]) => `${f} (${k} series)`).join(', ')}`);
  for (const { label, series: s, cells } of kept) {
    const r = s.report, forms = new Map<string, number>();
    for (const c of cells) {
      if (!isMissingCell(c)) continue;
      const k = c === '' ? 'empty' : `'${c}'`;
      forms.set(k, (forms.get(k) ?? 0) + 1);
    }
    if (forms.size || r.gaps) {
      const what = [...forms].map(([f, k]) => `${k} ${f}`);
      if (r.gaps) what.push(`${r.gaps} date gaps (${r.insertedRows} rows)`);
      const done = r.policy === 'drop' ? `${r.dropped} rows dropped` : `${r.filled} values filled (${r.policy})`;
      notes.push(`${label}: missing ${what.join(', ')} → ${done}`);
    }
    const season = s.frequency ? SEASON[s.frequency.label] : undefined;
    if (season && s.N < 2 * season) {
      notes.push(`${label}: ${s.N} points, shorter than two seasons (2 × ${season}, ${s.frequency!.label})`);
    }
    if (s.values.every((v) => v === s.values[0])) {
      notes.push(`${label}: constant (all ${s.N} values are ${s.values[0]})`);
    }
    if (r.sorted) notes.push(`${label}: rows were not in date order; sorted by date`);
  }
  return [...notes, ...new Set(kept.flatMap((b) => b.series.report.notes))];
}
