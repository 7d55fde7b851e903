import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { sentimentFixture } from '../../data/datasets.js';
import { isMissingCell } from '../../data/series.js';
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
 * A label or numeric cell with no value: null, NaN, or a marker that real tables write for a missing entry (empty,
 * NA, NaN, null, None, '.', '?': Palmer penguins' sex column has '.', UCI files use '?'), the list numeric series use.
 * Never asked of a text: "Nan", "Na" and "None" are first names (the bundled female list holds "Nan").
 */
export const isMissing = (v: unknown): boolean => v === null || v === undefined
  || (typeof v === 'string' && isMissingCell(v.trim())) || (typeof v === 'number' && Number.isNaN(v));

/** A text with nothing in it: no value at all (JSON null, an absent field) or only white space. */
const isEmptyText = (v: unknown): boolean =>
  v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** How a missing cell was written, so a note can say what was taken for missing (a real class named "None" shows). */
function missingAs(v: unknown): string {
  if (v === undefined || v === null) return v === null ? 'null' : 'absent';
  if (typeof v !== 'string') return 'NaN';
  return v.trim() === '' ? 'empty' : `'${v.trim()}'`;
}

/** Counts of equal strings in order of first appearance: "2 empty, 1 'NA'". */
function tally(kinds: readonly string[]): string {
  const n = new Map<string, number>();
  for (const k of kinds) n.set(k, (n.get(k) ?? 0) + 1);
  return [...n].map(([k, c]) => `${c} ${k}`).join(', ');
}

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

/** A text cell as text; a JSON number or true/false is read as it is written (a name "0" or "True" a converter typed). */
function textOf(v: unknown, where: () => string): string {
  if (typeof v === 'string') return v.trim();
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return String(v);
  throw new DataError(`${where()}: expected a text, got ${JSON.stringify(v)}`);
}

/** "row 14, row 20, row 31, …": where the first few left-out records are, so they can be found and fixed. */
const firstFew = (r: Records, idx: readonly number[]): string =>
  idx.slice(0, 3).map((i) => r.rowName(i)).join(', ') + (idx.length > 3 ? ', …' : '');

/**
 * Labelled examples from records. Text mode (no `features`): a text is whatever its field holds — "Nan", "NA",
 * "None", "null", "True", "0", "3.14", "2024-01-01" are all texts; only a text with nothing in it is empty. A record
 * with neither text nor label is a blank line, skipped; a record whose label is missing (empty, NA, NaN, null, …)
 * is left out; the notes count both. An empty text beside a label is an error that names the record.
 * Vector mode: records with a missing feature or label are dropped and counted.
 */
export function toExamples(r: Records, o: FieldOptions = {}): Examples {
  const notes: string[] = [];
  if (o.features && o.features.length > 0) return vectorExamples(r, o.features, o.labelField, notes);
  const f = pickFields(r, o), textField = r.fields[f.text], labelField = r.fields[f.label];
  const texts: string[] = [], raw: string[] = [], unlabelled: number[] = [];
  let blank = 0, typed = 0;
  r.rows.forEach((row, i) => {
    const t = row[f.text], l = row[f.label];
    const noText = isEmptyText(t), noLabel = isMissing(l);
    if (noText && noLabel) { blank++; return; }
    if (noText) {
      const at = `${r.source}: ${r.rowName(i)}`;
      throw new DataError(`${at} has an empty text (field '${textField}', label '${labelText(l)}')`);
    }
    if (noLabel) { unlabelled.push(i); return; }
    if (typeof t !== 'string') typed++;
    texts.push(textOf(t, () => `${r.source}: ${r.rowName(i)}, field '${textField}'`));
    raw.push(labelText(l));
  });
  const how = tally(unlabelled.map((i) => missingAs(r.rows[i][f.label])));
  if (texts.length === 0) {
    throw new DataError(unlabelled.length === 0 ? `${r.source}: no examples (every record is blank)`
      : `${r.source}: no labelled examples: every record with a text has a missing label in field '${labelField}' `
        + `(${how})`);
  }
  if (typed === texts.length) {
    throw new DataError(`${r.source}: expected texts in field '${textField}', got only numbers or true/false `
      + `(e.g. ${texts[0]}); write them as strings to read them as texts, or choose the text field`);
  }
  if (blank > 0) notes.push(`skipped ${blank} blank record${blank > 1 ? 's' : ''} (no text, no label)`);
  if (unlabelled.length > 0) {
    notes.push(`left out ${unlabelled.length} of ${r.rows.length} records with a missing label `
      + `in field '${labelField}' (${how}; ${firstFew(r, unlabelled)})`);
  }
  if (typed > 0) notes.push(`read ${typed} JSON number(s) or true/false in field '${textField}' as text`);
  const { labels, classes } = indexLabels(raw, r.source);
  const x = new Float64Array(0);
  return { source: r.source, kind: 'text', texts, x, features: [], textField, labelField, labels, classes, notes };
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
