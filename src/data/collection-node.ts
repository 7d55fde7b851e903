import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import {
  type CollectionOptions, type SeriesCollection, collectionFromFiles, collectionFromText,
} from './collection.js';
import { decodeText } from './table.js';

/**
 * A collection of series from a CSV file (long or wide layout), a folder of CSV files (one series
 * per .csv or .tsv file, read in name order), or a text already in memory. Node only: the
 * portable builders are in collection.ts.
 */
export function loadCollection(
  source: { path: string } | { text: string; name?: string }, o: CollectionOptions = {},
): SeriesCollection {
  if ('text' in source) return collectionFromText(source.text, source.name ?? 'input', o);
  const { path } = source;
  if (!existsSync(path)) throw new DataError(`${path}: expected a CSV file or a folder of them, got no such path`);
  const read = (p: string) => decodeText(new Uint8Array(readFileSync(p)), p);
  if (!statSync(path).isDirectory()) {
    if (o.layout === 'folder') throw new DataError(`${path}: the folder layout expects a folder, got a file`);
    return collectionFromText(read(path), path, o);
  }
  if (o.layout && o.layout !== 'auto' && o.layout !== 'folder') {
    throw new DataError(`${path}: the ${o.layout} layout expects one CSV file, got a folder`);
  }
  const names = readdirSync(path).filter((f) => /\.(csv|tsv)$/i.test(f) && !f.startsWith('.')).sort();
  if (names.length === 0) throw new DataError(`${path}: expected .csv or .tsv files in the folder, got none`);
  return collectionFromFiles(names.map((f) => ({ name: join(path, f), text: read(join(path, f)) })), o);
}
