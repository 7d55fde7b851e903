import { readFileSync } from 'node:fs';
import { firstNamesPath } from '../../data/datasets.js';
import { BOS, EOS, PAD, UNK, Vocab } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';
import { type FieldOptions, loadExamples } from '../classify/data.js';

/**
 * Short texts with a category each (first names with their sex, by default), the data of
 * conditional generation. Read like classification data (JSON, CSV, TSV; text and label fields),
 * or the bundled English first-name lists (keyword `names`).
 */
export const NAMES = 'names';

export interface LabelledTexts { source: string; texts: string[]; labels: Int32Array; categories: string[]; textField: string; labelField: string; notes: string[] }

/** The female and male first-name lists; a name on both lists is kept on both (it is both). */
export function bundledNames(): LabelledTexts {
  const notes: string[] = [];
  const lists = (['female', 'male'] as const).map((sex) => {
    const lines = readFileSync(firstNamesPath(sex), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const names = [...new Set(lines)];
    const n = lines.length - names.length;
    if (n > 0) notes.push(`dropped ${n} repeated line${n > 1 ? 's' : ''} of the ${sex} list`);
    return names;
  });
  const female = new Set(lists[0]), both = lists[1].filter((n) => female.has(n)).length;
  notes.push(`${both} names are on both lists; they are kept on both, as female and as male`);
  return {
    source: 'English first names (female, male)', texts: [...lists[0], ...lists[1]],
    labels: Int32Array.from([...lists[0].map(() => 0), ...lists[1].map(() => 1)]), categories: ['female', 'male'],
    textField: 'name', labelField: 'sex', notes,
  };
}

export function loadLabelledTexts(path: string, o: FieldOptions = {}): LabelledTexts {
  if (path === NAMES) return bundledNames();
  const ex = loadExamples(path, { textField: o.textField, labelField: o.labelField });
  return { source: ex.source, texts: ex.texts, labels: ex.labels, categories: ex.classes, textField: ex.textField!, labelField: ex.labelField, notes: ex.notes };
}

/**
 * Validation texts drawn by distinct text, so a name on both lists is held out for both
 * categories together: its spelling is never learned under one label and scored under the other.
 */
export function splitByText(texts: readonly string[], valFraction: number, seed: number): { train: Int32Array; val: Int32Array } {
  const distinct = [...new Set(texts)];
  new Rng(seed).shuffle(distinct);
  const nVal = Math.max(1, Math.round(distinct.length * valFraction));
  if (distinct.length - nVal < 1) throw new DataError(`expected at least two distinct texts to hold some out for validation, got ${distinct.length}`);
  const held = new Set(distinct.slice(0, nVal));
  const train: number[] = [], val: number[] = [];
  texts.forEach((t, i) => (held.has(t) ? val : train).push(i));
  return { train: Int32Array.from(train), val: Int32Array.from(val) };
}

/** Characters of the training texts, with <pad> = 0, <unk>, <bos> and <eos>. */
export const charVocab = (texts: readonly string[]): Vocab => Vocab.chars(texts.join(''), [PAD, UNK, BOS, EOS]);

/** Teacher forcing: input <bos> c1 … cn, target c1 … cn <eos> (both n + 1 long). */
export function encodePairs(vocab: Vocab, texts: readonly string[]): { inputs: Int32Array[]; targets: Int32Array[] } {
  const bos = vocab.id(BOS), eos = vocab.id(EOS);
  const inputs: Int32Array[] = [], targets: Int32Array[] = [];
  for (const t of texts) {
    const ids = vocab.encodeText(t);
    inputs.push(Int32Array.of(bos, ...ids));
    targets.push(Int32Array.of(...ids, eos));
  }
  return { inputs, targets };
}
