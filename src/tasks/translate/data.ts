import { parse } from 'csv-parse/sync';
import { BOS, EOS, PAD, UNK, Vocab } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';
import { IntTensor } from '../../tensor/tensor.js';

/**
 * Data of sequence-to-sequence tasks: pairs of a source string (read as characters) and a target
 * sequence of tokens (space-separated), e.g. grapheme-to-phoneme `hello → HH AH L OW`.
 */
export interface Pair { source: string; target: string[] }

/** The special tokens, in this order, so <pad> is 0 in both vocabularies. */
export const SPECIALS = [PAD, UNK, BOS, EOS] as const;
export const PAD_ID = 0, UNK_ID = 1, BOS_ID = 2, EOS_ID = 3;

/**
 * CMUdict's `WORD  PH1 PH2 …` lines. Alternate pronunciations (`WORD(1)`) and words with anything
 * but letters (`A.`, `AARON'S`, `ADDIS-ABABA`) are skipped, so each word has one pronunciation and
 * the input alphabet is a–z. Words are lower-cased; stress digits (AH0, EY1) are dropped unless
 * `keepStress`, which turns 39 phonemes into 69 symbols and makes the task harder.
 */
export function parseCmudict(text: string, opts: { keepStress?: boolean } = {}): Pair[] {
  const pairs: Pair[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(';;;')) continue; // comments of the upstream file
    const m = /^([A-Za-z]+)\s+(\S.*)$/.exec(line.trim());
    if (!m) continue;
    const phones = m[2].trim().split(/\s+/);
    pairs.push({ source: m[1].toLowerCase(), target: opts.keepStress ? phones : phones.map((p) => p.replace(/[0-9]+$/, '')) });
  }
  if (pairs.length === 0) throw new DataError('cmudict: no `WORD  PHONEMES` lines found');
  return pairs;
}

/** A column by 1-based index (a number) or by header name. */
export type Field = number | string;

export interface PairsOptions {
  sourceField?: Field;
  targetField?: Field;
  /** The first row names the columns; implied when a field is given by name. */
  header?: boolean;
}

/**
 * Source/target pairs from a TSV or CSV file (tab when the first line has a tab, else comma), the
 * first two columns by default. Rows with an empty source or target are skipped and counted.
 */
export function parsePairs(text: string, source: string, o: PairsOptions = {}): { pairs: Pair[]; skipped: number } {
  if (text.trim() === '') throw new DataError(`${source}: the file is empty`);
  const first = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  const delimiter = first.includes('\t') ? '\t' : ',';
  let rows: string[][];
  try {
    rows = parse(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, trim: true }) as string[][];
  } catch (e) {
    throw new DataError(`${source}: not valid ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${(e as Error).message.split('\n')[0]}`);
  }
  const sf = o.sourceField ?? 1, tf = o.targetField ?? 2;
  const header = o.header || typeof sf === 'string' || typeof tf === 'string';
  const names = header ? rows.shift() ?? [] : [];
  const col = (f: Field, what: string): number => {
    if (typeof f === 'number') {
      if (!Number.isInteger(f) || f < 1) throw new DataError(`${what} column: expected a 1-based index, got ${f}`);
      return f - 1;
    }
    const i = names.indexOf(f);
    if (i < 0) throw new DataError(`${source}: no column '${f}'; the columns are ${names.map((n) => `'${n}'`).join(', ')}`);
    return i;
  };
  const si = col(sf, 'source'), ti = col(tf, 'target');
  if (rows.length === 0) throw new DataError(`${source}: no data rows${header ? ' under the header' : ''}`);
  const width = Math.max(...rows.map((r) => r.length));
  if (width < 2) {
    throw new DataError(`${source}: expected two columns (source and target, separated by a tab or a comma), got one`);
  }
  const need = Math.max(si, ti) + 1;
  if (width < need) throw new DataError(`${source}: expected at least ${need} columns for the chosen fields, got ${width}`);
  let skipped = 0;
  const pairs: Pair[] = [];
  for (const r of rows) {
    const s = r[si] ?? '', t = (r[ti] ?? '').split(/\s+/).filter((x) => x !== '');
    if (s === '' || t.length === 0) { skipped++; continue; }
    pairs.push({ source: s, target: t });
  }
  if (pairs.length === 0) throw new DataError(`${source}: every row has an empty source or target`);
  return { pairs, skipped };
}

export interface PairSplits { train: Pair[]; val: Pair[]; test: Pair[] }

/**
 * A seeded shuffle of the distinct sources, cut into train / validation / test. Splitting by source
 * (not by row) keeps every pronunciation of a word on one side, so the test set holds only unseen
 * words. `limit` keeps that many sources in all (a seeded sample).
 */
export function splitPairs(pairs: readonly Pair[], o: { valFraction: number; testFraction: number; seed: number; limit?: number | null }): PairSplits {
  const bySource = new Map<string, Pair[]>();
  for (const p of pairs) { const l = bySource.get(p.source); if (l) l.push(p); else bySource.set(p.source, [p]); }
  const keys = new Rng(o.seed).shuffle([...bySource.keys()]) as string[];
  const n = Math.min(keys.length, o.limit ?? Infinity);
  const nTest = Math.round(n * o.testFraction), nVal = Math.round(n * o.valFraction);
  if (n - nTest - nVal < 1 || nTest < 1 || nVal < 1) {
    throw new DataError(`${n} distinct source(s): too few to split into training, validation and test words (need at least 3)`);
  }
  const take = (a: number, b: number) => keys.slice(a, b).flatMap((k) => bySource.get(k)!);
  return { test: take(0, nTest), val: take(nTest, nTest + nVal), train: take(nTest + nVal, n) };
}

/** Character vocabulary of the sources and token vocabulary of the targets, from training pairs only. */
export function buildVocabs(train: readonly Pair[]): { src: Vocab; tgt: Vocab } {
  return {
    src: Vocab.chars(train.map((p) => p.source).join(''), SPECIALS),
    tgt: Vocab.words(train.map((p) => p.target), { specials: SPECIALS }),
  };
}

/** A pair as ids: the source's characters, and the target tokens followed by <eos>. */
export interface Example { src: Int32Array; tgt: Int32Array }

export function encodePairs(pairs: readonly Pair[], src: Vocab, tgt: Vocab): Example[] {
  return pairs.map((p) => ({ src: src.encode(Array.from(p.source)), tgt: Int32Array.from([...tgt.encode(p.target), EOS_ID]) }));
}

/** Sequences padded with <pad> into (B, T), batch first, with their lengths. */
export function padBatch(seqs: readonly Int32Array[], prefix: number | null = null): { ids: IntTensor; lengths: Int32Array } {
  const off = prefix === null ? 0 : 1;
  const T = Math.max(...seqs.map((s) => s.length)) + off, B = seqs.length;
  const ids = new Int32Array(B * T).fill(PAD_ID);
  seqs.forEach((s, b) => { if (prefix !== null) ids[b * T] = prefix; ids.set(s, b * T + off); });
  return { ids: new IntTensor(ids, [B, T]), lengths: Int32Array.from(seqs, (s) => s.length + off) };
}

/**
 * The decoder's teacher-forced input and target for a batch of targets (each ending in <eos>):
 * input <bos> y1 … yn, target y1 … yn <eos>, both padded with <pad> (which the loss ignores).
 */
export function teacherBatch(tgts: readonly Int32Array[]): { input: IntTensor; target: IntTensor } {
  const T = Math.max(...tgts.map((t) => t.length)), B = tgts.length;
  const inp = new Int32Array(B * T).fill(PAD_ID), out = new Int32Array(B * T).fill(PAD_ID);
  tgts.forEach((t, b) => {
    inp[b * T] = BOS_ID;
    inp.set(t.subarray(0, t.length - 1), b * T + 1);
    out.set(t, b * T);
  });
  return { input: new IntTensor(inp, [B, T]), target: new IntTensor(out, [B, T]) };
}
