import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { sentimentFixture } from '../../data/datasets.js';
import { decodeText, parseTable } from '../../data/table.js';
import { tokenizeWords } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';

/**
 * Labelled examples for classification (and for conditional generation): texts or numeric
 * feature vectors, each with a label. Read from JSON (an array of objects), CSV or TSV, or the
 * bundled UCI Sentiment Labelled Sentences (keyword `sentiment`). Labels are any strings or
 * numbers; they become class ids in sorted order.
 */
export const SENTIMENT = 'sentiment';

/** Records as columns: the field names and one row of raw values per record. */
export interface Records { source: string; fields: string[]; rows: unknown[][]; rowName: (i: number) => string }

export interface Examples {
  source: string;
  /** 'text': one text per example; 'vector': numeric features (N, F) row-major. */
  kind: 'text' | 'vector';
  texts: string[];
  x: Float64Array;
  features: string[];
  textField: string | null;
  labelField: string;
  labels: Int32Array;
  classes: string[];
  /** What was dropped or adjusted on the way in, for the user. */
  notes: string[];
}

export interface FieldOptions { textField?: string; labelField?: string; features?: string[] }

/**
 * Cells that mean "no value": empty, null, NA, NaN, and '.' / '?' — the markers that real
 * tables use for a missing entry (Palmer penguins' sex column has '.', UCI files use '?').
 */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '.', '?']);
export const isMissing = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && MISSING.has(v.trim().toLowerCase()))
  || (typeof v === 'number' && Number.isNaN(v));

/** A JSON, CSV or TSV file as records (the format from the extension, else sniffed). */
export function readRecords(path: string): Records {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new DataError(`${path}: is a directory, expected a file`);
  const text = decodeText(new Uint8Array(readFileSync(path)), path);
  if (text.trim() === '') throw new DataError(`${path}: the file is empty`);
  const ext = extname(path).toLowerCase();
  if (ext === '.json' || (ext !== '.csv' && ext !== '.tsv' && /^\s*\[/.test(text))) return jsonRecords(text, path);
  const t = parseTable(text, path, ext === '.tsv' ? '\t' : undefined);
  return { source: path, fields: t.columns, rows: t.rows, rowName: (i) => `row ${i + 2}` };
}

export function jsonRecords(text: string, source: string): Records {
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { throw new DataError(`${source}: not valid JSON: ${(e as Error).message}`); }
  if (!Array.isArray(data)) throw new DataError(`${source}: expected a JSON array of objects, got ${data === null ? 'null' : typeof data}`);
  if (data.length === 0) throw new DataError(`${source}: the JSON array is empty`);
  const fields: string[] = [], seen = new Set<string>();
  data.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new DataError(`${source}: record ${i + 1} is not an object`);
    for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); fields.push(k); }
  });
  const rows = (data as Record<string, unknown>[]).map((r) => fields.map((f) => r[f]));
  return { source, fields, rows, rowName: (i) => `record ${i + 1}` };
}

/** The bundled sentiment sentences: Amazon, IMDb and Yelp reviews, labels 0/1 named negative/positive. */
export function sentimentRecords(): Records {
  const rows: unknown[][] = [];
  for (const site of ['amazon', 'imdb', 'yelp'] as const) {
    for (const r of JSON.parse(readFileSync(sentimentFixture(site), 'utf8')) as { text: string; class: number | null }[]) {
      rows.push([r.text, r.class === null ? null : r.class === 1 ? 'positive' : 'negative', site]);
    }
  }
  return { source: 'UCI Sentiment Labelled Sentences (Amazon, IMDb, Yelp)', fields: ['text', 'class', 'source'], rows, rowName: (i) => `record ${i + 1}` };
}

function fieldIndex(r: Records, name: string, what: string): number {
  const i = r.fields.indexOf(name);
  if (i < 0) throw new DataError(`${r.source}: no ${what} field '${name}'; the fields are ${r.fields.map((f) => `'${f}'`).join(', ')}`);
  return i;
}

/** Text and label fields: as given, else 'text' and 'class', else the first two fields. */
function pickFields(r: Records, o: FieldOptions): { text: number; label: number } {
  const firstOther = (not: number) => r.fields.findIndex((_, i) => i !== not);
  const text = o.textField !== undefined ? fieldIndex(r, o.textField, 'text')
    : r.fields.includes('text') ? r.fields.indexOf('text') : 0;
  const label = o.labelField !== undefined ? fieldIndex(r, o.labelField, 'label')
    : r.fields.includes('class') && r.fields.indexOf('class') !== text ? r.fields.indexOf('class') : firstOther(text);
  if (label < 0) throw new DataError(`${r.source}: expected a text field and a label field, got only ${r.fields.map((f) => `'${f}'`).join(', ')}`);
  if (label === text) throw new DataError(`${r.source}: the text and label fields are both '${r.fields[text]}'`);
  return { text, label };
}

/** Class ids from raw labels: numbers sort numerically, anything else as strings. */
export function indexLabels(raw: string[], source: string): { labels: Int32Array; classes: string[] } {
  const distinct = [...new Set(raw)];
  const numeric = distinct.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  const classes = distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classes.length < 2) {
    throw new DataError(classes.length === 0 ? `${source}: no labelled examples` : `${source}: expected at least two classes, got only '${classes[0]}'`);
  }
  const id = new Map(classes.map((c, i) => [c, i]));
  return { labels: Int32Array.from(raw, (v) => id.get(v)!), classes };
}

const labelText = (v: unknown): string => (typeof v === 'string' ? v.trim() : String(v));

/**
 * Labelled examples from records. Text mode (no `features`): a record with neither text nor
 * label is a blank line and skipped; an empty text or a missing label anywhere else is an error.
 * Vector mode: records with a missing feature or label are dropped and counted.
 */
export function toExamples(r: Records, o: FieldOptions = {}): Examples {
  const notes: string[] = [];
  if (o.features && o.features.length > 0) return vectorExamples(r, o.features, o.labelField, notes);
  const f = pickFields(r, o);
  const texts: string[] = [], raw: string[] = [];
  let blank = 0;
  r.rows.forEach((row, i) => {
    const t = row[f.text], l = row[f.label];
    const noText = isMissing(t) || String(t).trim() === '', noLabel = isMissing(l);
    if (noText && noLabel) { blank++; return; }
    if (noText) throw new DataError(`${r.source}: ${r.rowName(i)} has an empty text (field '${r.fields[f.text]}', label '${labelText(l)}')`);
    if (noLabel) throw new DataError(`${r.source}: ${r.rowName(i)} has no label (field '${r.fields[f.label]}')`);
    if (typeof t !== 'string') throw new DataError(`${r.source}: ${r.rowName(i)}: expected a text in field '${r.fields[f.text]}', got ${JSON.stringify(t)}`);
    texts.push(t.trim()); raw.push(labelText(l));
  });
  if (blank > 0) notes.push(`skipped ${blank} blank record${blank > 1 ? 's' : ''} (no text, no label)`);
  if (texts.length === 0) throw new DataError(`${r.source}: no examples (every record is blank)`);
  const { labels, classes } = indexLabels(raw, r.source);
  return { source: r.source, kind: 'text', texts, x: new Float64Array(0), features: [], textField: r.fields[f.text], labelField: r.fields[f.label], labels, classes, notes };
}

function vectorExamples(r: Records, features: string[], labelField: string | undefined, notes: string[]): Examples {
  const fi = features.map((n) => fieldIndex(r, n, 'feature'));
  const li = labelField !== undefined ? fieldIndex(r, labelField, 'label')
    : r.fields.includes('class') ? r.fields.indexOf('class') : r.fields.findIndex((_, i) => !fi.includes(i));
  if (li < 0) throw new DataError(`${r.source}: no label field left besides the features; pass --label-field`);
  if (fi.includes(li)) throw new DataError(`${r.source}: '${r.fields[li]}' is both a feature and the label`);
  const x: number[] = [], raw: string[] = [], missing = new Map<string, number>();
  let dropped = 0;
  r.rows.forEach((row, i) => {
    const gaps = [...fi, li].filter((j) => isMissing(row[j]));
    if (gaps.length > 0) {
      dropped++;
      for (const j of gaps) missing.set(r.fields[j], (missing.get(r.fields[j]) ?? 0) + 1);
      return;
    }
    for (const j of fi) {
      const v = typeof row[j] === 'number' ? row[j] as number : Number(String(row[j]).trim());
      if (!Number.isFinite(v)) throw new DataError(`${r.source}: ${r.rowName(i)}, field '${r.fields[j]}': expected a number, got ${JSON.stringify(row[j])}`);
      x.push(v);
    }
    raw.push(labelText(row[li]));
  });
  if (dropped > 0) {
    notes.push(`dropped ${dropped} of ${r.rows.length} rows with missing values (${[...missing].map(([k, n]) => `${n} in '${k}'`).join(', ')})`);
  }
  if (raw.length === 0) throw new DataError(`${r.source}: no complete rows (every row misses a feature or the label)`);
  const { labels, classes } = indexLabels(raw, r.source);
  return { source: r.source, kind: 'vector', texts: [], x: Float64Array.from(x), features, textField: null, labelField: r.fields[li], labels, classes, notes };
}

/** `path` may be a file or the keyword `sentiment`. */
export function loadExamples(path: string, o: FieldOptions = {}): Examples {
  return toExamples(path === SENTIMENT ? sentimentRecords() : readRecords(path), o);
}

/**
 * The examples without texts that repeat an earlier one's words (as the tokenizer reads them) and
 * label: a repeat split into the training part and the test part would be scored on a sentence the
 * model was trained on (the 3,000 UCI sentiment sentences hold 21 such repeats). Same words with
 * different labels are kept: they are real disagreement, not a copy.
 */
export function dropDuplicateTexts(ex: Examples): Examples {
  const seen = new Set<string>(), keep: number[] = [];
  ex.texts.forEach((t, i) => {
    const key = `${ex.labels[i]} ${tokenizeWords(t).join(' ')}`;
    if (!seen.has(key)) { seen.add(key); keep.push(i); }
  });
  const removed = ex.texts.length - keep.length;
  if (removed === 0) return ex;
  return {
    ...ex, texts: keep.map((i) => ex.texts[i]), labels: Int32Array.from(keep, (i) => ex.labels[i]),
    notes: [...ex.notes, `removed ${removed} duplicate text${removed > 1 ? 's' : ''} (the words and label of an earlier one) before splitting`],
  };
}

export interface Split { train: Int32Array; val: Int32Array; test: Int32Array }

/**
 * Seeded stratified split: each class is shuffled and cut into test, validation and training
 * parts of the given fractions (at least one example of each class in each part), so every part
 * has the class balance of the whole.
 */
export function stratifiedSplit(labels: Int32Array, classes: readonly string[], valFraction: number, testFraction: number, seed: number): Split {
  const rng = new Rng(seed);
  const parts = { train: [] as number[], val: [] as number[], test: [] as number[] };
  classes.forEach((name, c) => {
    const idx: number[] = [];
    labels.forEach((l, i) => { if (l === c) idx.push(i); });
    if (idx.length < 3) throw new DataError(`class '${name}' has ${idx.length} example${idx.length === 1 ? '' : 's'}; each class needs at least 3 (for training, validation and test)`);
    rng.shuffle(idx);
    const nTest = Math.max(1, Math.round(idx.length * testFraction)), nVal = Math.max(1, Math.round(idx.length * valFraction));
    parts.test.push(...idx.slice(0, nTest));
    parts.val.push(...idx.slice(nTest, nTest + nVal));
    parts.train.push(...idx.slice(nTest + nVal));
  });
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(parts.train), val: sorted(parts.val), test: sorted(parts.test) };
}
