import { parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';

/**
 * A parsed delimited text file: a header and string cells, nothing interpreted yet.
 * Parsing is csv-parse's (quoted fields, embedded delimiters and newlines, BOM); the checks
 * here turn its failures and ours into one-line DataErrors that say where.
 */
export interface Table {
  source: string; columns: string[]; rows: string[][];
  /** The field separator (read from the header when not given): ';' hints at decimal commas. */
  delimiter?: string;
}

export function parseTable(text: string, source = 'input', delimiter?: string): Table {
  if (text.trim() === '') throw new DataError(`${source}: the file is empty`);
  const delim = delimiter ?? sniffDelimiter(text);
  let records: string[][];
  try {
    records = parse(text, { delimiter: delim, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (e) {
    throw new DataError(`${source}: not valid CSV: ${(e as Error).message.split('\n')[0]}`);
  }
  const [header, ...rows] = records;
  if (!header || header.every((h) => h === '')) throw new DataError(`${source}: expected a header row, got none`);
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '') throw new DataError(`${source}: column ${i + 1} of the header has no name`);
    if (seen.has(h)) throw new DataError(`${source}: the header names column '${h}' twice`);
    seen.add(h);
  });
  if (rows.length === 0) throw new DataError(`${source}: the header has no data rows under it`);
  rows.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new DataError(`${source}: row ${i + 2} has ${r.length} fields, expected ${header.length} (as in the header)`);
    }
  });
  return { source, columns: header, rows, delimiter: delim };
}

/** Comma unless the header line has more tabs or semicolons. */
function sniffDelimiter(text: string): string {
  const line = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  const count = (c: string) => line.split(c).length - 1;
  const best = [',', '\t', ';'].map((c) => [c, count(c)] as const).sort((a, b) => b[1] - a[1])[0];
  return best[1] > 0 ? best[0] : ',';
}

/** Index of a column, or a DataError listing the ones that exist. */
export function columnIndex(t: Table, name: string): number {
  const i = t.columns.indexOf(name);
  if (i < 0) throw new DataError(`${t.source}: no column '${name}'; the columns are ${t.columns.map((c) => `'${c}'`).join(', ')}`);
  return i;
}

/** Rejects bytes that are not text (NUL bytes or invalid UTF-8). */
export function decodeText(bytes: Uint8Array, source: string): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.includes('\0')) throw new Error('NUL byte');
    return text;
  } catch {
    throw new DataError(`${source}: not a UTF-8 text file (binary data?)`);
  }
}
