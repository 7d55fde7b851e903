import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vegaDataset } from '../../data/datasets.js';
import { dropDuplicateTexts, jsonRecords, loadExamples, readRecords, stratifiedSplit, toExamples } from './data.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-classify-data-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const json = (rows: unknown[]) => jsonRecords(JSON.stringify(rows), 'test.json');

describe('labelled examples', () => {
  it('reads JSON, CSV and TSV with the default fields (text/class, else the first two)', () => {
    const a = loadExamples(file('a.json', JSON.stringify([{ text: 'good', class: 1 }, { text: 'bad', class: 0 }])));
    expect([a.kind, a.texts, Array.from(a.labels), a.classes]).toEqual(['text', ['good', 'bad'], [1, 0], ['0', '1']]);
    const b = loadExamples(file('b.csv', 'review,stars\n"nice, really",5\nmeh,2\n'));
    expect([b.textField, b.labelField, b.texts, b.classes]).toEqual(['review', 'stars', ['nice, really', 'meh'], ['2', '5']]);
    const c = loadExamples(file('c.tsv', 'id\tsentence\tmood\n1\thappy, glad\tpos\n2\tsad\tneg\n'), { textField: 'sentence', labelField: 'mood' });
    expect([c.texts, c.classes, Array.from(c.labels)]).toEqual([['happy, glad', 'sad'], ['neg', 'pos'], [1, 0]]);
  });

  it('orders numeric labels numerically and any other labels as strings', () => {
    expect(toExamples(json([{ text: 'a', class: 10 }, { text: 'b', class: 9 }, { text: 'c', class: 100 }])).classes).toEqual(['9', '10', '100']);
    expect(toExamples(json([{ text: 'a', class: 'b' }, { text: 'b', class: 'a' }, { text: 'c', class: true }])).classes).toEqual(['a', 'b', 'true']);
  });

  it('skips blank records and says so; the bundled sentiment data has one per site', () => {
    const e = toExamples(json([{ text: 'x', class: 1 }, { text: '', class: null }, { text: 'y', class: 0 }]));
    expect(e.texts).toEqual(['x', 'y']);
    expect(e.notes).toEqual(['skipped 1 blank record (no text, no label)']);
    const s = loadExamples('sentiment');
    expect([s.labels.length, s.classes]).toEqual([3000, ['negative', 'positive']]);
    expect(s.notes[0]).toMatch(/skipped 3 blank records/);
  });

  it('drops texts that repeat an earlier one\'s words and label: 21 of the UCI sentences', () => {
    const all = loadExamples('sentiment'), s = dropDuplicateTexts(all);
    expect(s.labels.length).toBe(2979);
    expect(s.notes[s.notes.length - 1]).toBe('removed 21 duplicate texts (the words and label of an earlier one) before splitting');
    expect(new Set(s.texts.map((t, i) => `${s.labels[i]} ${t.toLowerCase()}`)).size).toBe(2979);
    expect(s.texts).toContain('Works great!.'); // the first copy stays
    expect(dropDuplicateTexts(s)).toBe(s);
  });

  it('rejects bad input with messages that say what is wrong', () => {
    expect(() => toExamples(json([{ text: 'a', class: 'x' }, { text: 'b', class: 'x' }]))).toThrow("expected at least two classes, got only 'x'");
    expect(() => toExamples(json([{ text: 'a', class: 1 }, { text: ' ', class: 0 }]))).toThrow("record 2 has an empty text (field 'text', label '0')");
    expect(() => toExamples(json([{ text: 'a', class: 1 }, { text: 'b' }]))).toThrow("expected at least two classes, got only '1'");
    expect(() => toExamples(json([{ body: 'a', y: 1 }]), { textField: 'text' })).toThrow("no text field 'text'; the fields are 'body', 'y'");
    expect(() => toExamples(json([{ body: 'a', y: 1 }]), { labelField: 'label' })).toThrow("no label field 'label'; the fields are 'body', 'y'");
    expect(() => toExamples(json([{ text: 'only a text' }]))).toThrow("expected a text field and a label field, got only 'text'");
    expect(() => readRecords(file('empty.json', ''))).toThrow('the file is empty');
    expect(() => readRecords(file('empty.csv', '\n'))).toThrow('the file is empty');
    expect(() => readRecords(file('obj.json', '{"text": "a"}'))).toThrow('expected a JSON array of objects, got object');
    expect(() => readRecords(file('broken.json', '[{"text": '))).toThrow('not valid JSON');
  });

  it('feature vectors: numeric columns, incomplete rows dropped and counted (penguins)', () => {
    const e = loadExamples(vegaDataset('penguins.json'), { features: ['Beak Length (mm)', 'Body Mass (g)'], labelField: 'Sex' });
    expect(e.kind).toBe('vector');
    expect(e.classes).toEqual(['FEMALE', 'MALE']);
    expect(e.labels.length).toBe(333); // 344 penguins, 11 without a recorded sex (2 of them without measurements)
    expect(e.x.length).toBe(333 * 2);
    expect(e.notes[0]).toBe("dropped 11 of 344 rows with missing values (2 in 'Beak Length (mm)', 2 in 'Body Mass (g)', 11 in 'Sex')");
    expect(() => toExamples(json([{ a: 'x', class: 1 }, { a: 2, class: 0 }]), { features: ['a'] })).toThrow("record 1, field 'a': expected a number, got \"x\"");
    expect(() => toExamples(json([{ a: 1, class: 1 }]), { features: ['a', 'b'] })).toThrow("no feature field 'b'; the fields are 'a', 'class'");
  });

  it('splits each class in proportion, without overlap, the same for the same seed', () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) => (i % 5 === 0 ? 1 : 0)); // 20% class 1
    const s = stratifiedSplit(labels, ['a', 'b'], 0.15, 0.15, 7);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([700, 150, 150]);
    for (const part of [s.train, s.val, s.test]) expect(part.filter((i) => labels[i] === 1).length / part.length).toBeCloseTo(0.2, 5);
    expect(new Set([...s.train, ...s.val, ...s.test]).size).toBe(1000);
    expect(stratifiedSplit(labels, ['a', 'b'], 0.15, 0.15, 7)).toEqual(s);
    expect(Array.from(stratifiedSplit(labels, ['a', 'b'], 0.15, 0.15, 8).test)).not.toEqual(Array.from(s.test));
    expect(() => stratifiedSplit(Int32Array.of(0, 0, 0, 1, 1), ['a', 'b'], 0.15, 0.15, 0)).toThrow("class 'b' has 2 examples; each class needs at least 3");
  });
});
