import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledNames, loadLabelledTexts } from '../generate/data.js';
import { jsonRecords, loadExamples, toExamples } from './data.js';

/**
 * Issue #14: a text is never a missing value. `recur classify train` refused a TSV of first names because the name
 * "Nan" was read as the missing-value marker NaN. Markers (empty, NA, NaN, None, null, '.', '?') apply to labels and
 * numeric features only, and what they leave out is said in a note.
 */
const dir = mkdtempSync(join(tmpdir(), 'recur-classify-missing-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const json = (rows: unknown[]) => jsonRecords(JSON.stringify(rows), 'test.json');

// names that are also missing-value markers, booleans, numbers or dates somewhere
const LOOKALIKES = ['Nan', 'Na', 'NA', 'None', 'Null', 'null', 'NaN', 'N/A', 'True', 'False', '0', '3.14', '2024-01-01',
  '.', '?'];
const sexOf = (i: number) => (i % 2 === 0 ? 'female' : 'male');

describe('texts are never missing values', () => {
  it.each([['tsv', '\t'], ['csv', ',']])('a %s of names like markers, numbers, dates loads every row', (ext, sep) => {
    const body = LOOKALIKES.map((n, i) => `${n}${sep}${sexOf(i)}`).join('\n');
    const ex = loadExamples(file(`names.${ext}`, `name${sep}sex\n${body}\n`));
    expect(ex.texts).toEqual(LOOKALIKES);
    expect(ex.labels.length).toBe(LOOKALIKES.length);
    expect([ex.textField, ex.labelField, ex.classes, ex.notes]).toEqual(['name', 'sex', ['female', 'male'], []]);
  });

  it('JSON: string texts as written; numbers and true/false read as text, with a note', () => {
    const typed = [{ name: 0, sex: 'male' }, { name: true, sex: 'female' }];
    const ex = toExamples(json([...LOOKALIKES.map((name, i) => ({ name, sex: sexOf(i) })), ...typed]));
    expect(ex.texts).toEqual([...LOOKALIKES, '0', 'true']);
    expect(ex.notes).toEqual(["read 2 JSON number(s) or true/false in field 'name' as text"]);
    expect(() => toExamples(json([{ id: 1, class: 'a' }, { id: 2, class: 'b' }]))).toThrow(
      "test.json: expected texts in field 'id', got only numbers or true/false (e.g. 1)");
    expect(() => toExamples(json([{ text: 'a', class: 'x' }, { text: ['b'], class: 'y' }]))).toThrow(
      "test.json: record 2, field 'text': expected a text, got [\"b\"]");
  });

  it('a text with nothing in it is still an error that names the row and the field', () => {
    expect(() => loadExamples(file('gap.tsv', 'name\tsex\nNan\tfemale\n  \tmale\nBo\tmale\n'))).toThrow(
      "gap.tsv: row 3 has an empty text (field 'name', label 'male')");
    expect(() => toExamples(json([{ text: 'a', class: 1 }, { text: null, class: 0 }]))).toThrow(
      "record 2 has an empty text (field 'text', label '0')");
  });
});

describe('missing labels leave their rows out, with a note', () => {
  it('TSV: NA, empty, NaN and "." labels are left out, counted by how they were written, and located', () => {
    const tsv = 'name\tsex\nNan\tfemale\nNone\tNA\nBo\tmale\nNull\t\nAnn\tfemale\nTrue\tNaN\nEd\tmale\nJo\t.\n';
    const ex = loadExamples(file('labels.tsv', tsv));
    expect(ex.texts).toEqual(['Nan', 'Bo', 'Ann', 'Ed']);
    expect(ex.classes).toEqual(['female', 'male']);
    expect(ex.notes).toEqual(["left out 4 of 8 records with a missing label in field 'sex' "
      + "(1 'NA', 1 empty, 1 'NaN', 1 '.'; row 3, row 5, row 7, …)"]);
  });

  it('JSON: null, absent and "None" labels are left out; a blank record is skipped as before', () => {
    const ex = toExamples(json([
      { text: 'Nan', class: 'f' }, { text: 'Na', class: null }, { text: 'Bo', class: 'm' }, { text: 'Null' },
      { text: '', class: null }, { text: 'Ann', class: 'None' }, { text: 'Ed', class: 'f' }, { text: 'Jo', class: 'm' },
    ]));
    expect(ex.texts).toEqual(['Nan', 'Bo', 'Ed', 'Jo']);
    expect(ex.notes).toEqual(['skipped 1 blank record (no text, no label)',
      "left out 3 of 8 records with a missing label in field 'class' "
      + "(1 null, 1 absent, 1 'None'; record 2, record 4, record 6)"]);
  });

  it('a file where no text has a label is refused, saying why', () => {
    expect(() => loadExamples(file('none.csv', 'text,class\nhello,NA\nworld,\n'))).toThrow(
      "none.csv: no labelled examples: every record with a text has a missing label in field 'class' "
      + "(1 'NA', 1 empty)");
  });

  it('numeric features read NA/NaN/empty as missing and drop the row with a note', () => {
    const csv = file('vec.csv', 'a,b,y\n1,2,x\nNA,3,y\n4,,x\n5,6,NaN\n7,8,y\n9,10,x\n');
    const ex = loadExamples(csv, { features: ['a', 'b'], labelField: 'y' });
    expect(Array.from(ex.x)).toEqual([1, 2, 7, 8, 9, 10]);
    expect(ex.notes).toEqual(["dropped 3 of 6 rows with missing values (1 in 'a', 1 in 'b', 1 in 'y')"]);
  });
});

describe('the bundled first names keep "Nan"', () => {
  it('the female list holds Nan, and a TSV of both lists loads every name (it refused the file at Nan before)', () => {
    const names = bundledNames();
    const nan = names.texts.indexOf('Nan');
    expect(nan).toBeGreaterThanOrEqual(0);
    expect(names.categories[names.labels[nan]]).toBe('female');
    const rows = names.texts.map((t, i) => `${t}\t${names.categories[names.labels[i]]}`);
    const d = loadLabelledTexts(file('first-names.tsv', `name\tsex\n${rows.join('\n')}\n`));
    expect(d.texts).toEqual(names.texts);
    expect(Array.from(d.labels)).toEqual(Array.from(names.labels));
    expect(d.notes).toEqual([]);
  });
});
