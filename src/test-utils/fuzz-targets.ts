import { readFileSync } from 'node:fs';
import { vegaDataset } from '../data/datasets.js';
import { buildSeries, guessDateColumn } from '../data/series.js';
import { decodeText, parseTable } from '../data/table.js';
import { Vocab } from '../data/vocab.js';

/** Valid seeds and load functions for the loaders that face user files (fuzz tests and `npm run fuzz`). */
export const csvSeed = (): Uint8Array =>
  new TextEncoder().encode(readFileSync(vegaDataset('seattle-weather.csv'), 'utf8').split('\n').slice(0, 120).join('\n'));

export const textSeed = (): Uint8Array =>
  new TextEncoder().encode('Call me Ishmael. Some years ago — never mind how long precisely — 𝄞 é\n'.repeat(20));

export function loadCsv(b: Uint8Array): unknown {
  const t = parseTable(decodeText(b, 'fuzz.csv'), 'fuzz.csv');
  const date = guessDateColumn(t);
  return buildSeries(t, { targets: [t.columns.includes('temp_max') ? 'temp_max' : t.columns[0]], features: t.columns.filter((c) => c === 'wind'), date, missing: 'interpolate' });
}

export function loadText(b: Uint8Array): unknown {
  const text = decodeText(b, 'fuzz.txt');
  const v = Vocab.chars(text);
  if (v.decode(v.encodeText(text)) !== text) throw new Error('vocabulary round trip changed the text');
  return v;
}
