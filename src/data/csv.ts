import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';

/**
 * One numeric column of a CSV file with a header row, parsed by csv-parse.
 * A missing column names the ones that exist; a non-numeric cell names its row.
 */
export function readCsvColumn(path: string, column: string): Float64Array {
  const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  if (rows.length === 0) throw new DataError(`${path}: expected a header and at least one row, got none`);
  if (!(column in rows[0])) throw new DataError(`${path}: no column '${column}'; columns are ${Object.keys(rows[0]).join(', ')}`);
  return Float64Array.from(rows, (r, i) => {
    const v = Number(r[column]);
    if (r[column].trim() === '' || !Number.isFinite(v)) throw new DataError(`${path}: row ${i + 2}, column '${column}': expected a number, got '${r[column]}'`);
    return v;
  });
}
