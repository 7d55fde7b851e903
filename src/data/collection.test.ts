import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { type CollectionOptions, collectionFromArrays, collectionFromFiles, collectionFromText } from './collection.js';
import { loadCollection } from './collection-node.js';

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const values = (s: { values: Float64Array }) => Array.from(s.values);
const day = (k: number) => iso(Date.UTC(2012, 0, 1 + k));
const lines = (header: string, rows: string[]) => `${header}\n${rows.join('\n')}`;
const load = (text: string, o: CollectionOptions = {}) => collectionFromText(text, 'f.csv', o);

describe('long layout: rows of (id, date, value), one series per id', () => {
  const text = lines('store,date,sales,product', [
    'b,2012-01-02,20,shoes', 'a,2012-01-01,1,n/a product', 'a,2012-01-03,3,hats', 'b,2012-01-01,10,shoes',
    'a,2012-01-02,2,hats', 'b,2012-01-03,30,n/a product',
  ]);

  it('splits by id in order of first appearance, each sorted by date, with the date column found', () => {
    const c = load(text, { id: 'store' });
    expect(c.layout).toBe('long');
    expect(c.items.map((it) => it.id)).toEqual(['b', 'a']);
    const [b, a] = c.items.map((it) => it.series);
    expect(values(a)).toEqual([1, 2, 3]);
    expect(values(b)).toEqual([10, 20, 30]);
    expect(a.dates!.map(iso)).toEqual(['2012-01-01', '2012-01-02', '2012-01-03']);
    expect(a).toMatchObject({ nTargets: 1, F: 1, names: ['sales'] });
    expect(c.report.series).toBe(2);
    expect(c.report.perSeries.b).toMatchObject({ rows: 3, sorted: true });
    expect(c.report.notes[0]).toBe("long: 2 series by 'store', value 'sales', dated by 'date'");
    expect(c.report.notes).toContain("store 'b': rows were not in date order; sorted by date");
  });

  it('an id column that does not exist lists the columns', () => {
    expect(() => load(text, { id: 'shop' }))
      .toThrow(/f\.csv: no column 'shop'; the columns are 'store', 'date', 'sales', 'product'/);
    expect(() => load(text, { layout: 'long' })).toThrow(/the long layout needs the id column/);
  });

  it('an id with one point is an error naming it and its count; dropShort drops it with a note', () => {
    const short = `${text}\nc,2012-01-01,5,socks`;
    expect(() => load(short, { id: 'store' })).toThrow(/f\.csv: store 'c' has 1 point: expected at least 2 per series/);
    const c = load(short, { id: 'store', dropShort: true });
    expect(c.items.map((it) => it.id)).toEqual(['b', 'a']);
    expect(c.report.notes).toContain("store 'c' dropped: 1 point, expected at least 2");
  });

  it('a date twice within one id names the id, the date and both file rows; across ids it is fine', () => {
    const dup = lines('store,date,sales', [
      'a,2012-01-01,1', 'b,2012-01-01,5', 'a,2012-01-02,2', 'b,2012-01-02,6', 'a,2012-01-02,3',
    ]);
    expect(() => load(dup, { id: 'store' }))
      .toThrow(/^f\.csv: store 'a': the date 2012-01-02 appears twice \(rows 4 and 6\)$/);
  });

  it('a bad cell is named by its row in the file, not within its series', () => {
    const bad = lines('store,date,sales', ['a,2012-01-01,1', 'b,2012-01-01,5', 'b,2012-01-02,x', 'a,2012-01-02,2']);
    expect(() => load(bad, { id: 'store' }))
      .toThrow(/f\.csv: store 'b': row 4, column 'sales': expected a number, got 'x'/);
  });

  it('the value column is the only numeric one, or named; several is an error naming them', () => {
    const two = lines('id,date,x,y', ['a,2012-01-01,1,2', 'a,2012-01-02,3,4']);
    expect(() => load(two, { id: 'id' }))
      .toThrow(/expected one numeric value column or a named target, got 2 \('x', 'y'\)/);
    expect(values(load(two, { id: 'id', target: 'y' }).items[0].series)).toEqual([2, 4]);
  });
});

describe('missing cells: NA, NaN, nan and empty are missing values under the policy, and said', () => {
  const text = lines('id,date,y,note', [
    'a,2012-01-01,1,n/a product', 'a,2012-01-02,NaN,x', 'a,2012-01-03,3,x', 'a,2012-01-04,nan,x', 'a,2012-01-05,,x',
    'a,2012-01-06,NA,x', 'a,2012-01-07,7,x', 'b,2012-01-01,1,x', 'b,2012-01-02,2,x',
  ]);
  const said = "id 'a': missing 1 'NaN', 1 'nan', 1 empty, 1 'NA'";

  it('interpolate fills them, marks them filled, and the report names the cells as written', () => {
    const c = load(text, { id: 'id', target: 'y' });
    const a = c.items[0].series;
    expect(values(a)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(a.filled!)).toEqual([0, 1, 0, 1, 1, 1, 0]);
    expect(c.report.perSeries.a).toMatchObject({ missing: { y: 4 }, filled: 4, policy: 'interpolate' });
    expect(c.report.notes).toContain(`${said} → 4 values filled (interpolate)`);
    expect(c.report.notes.some((n) => n.startsWith("id 'b': missing"))).toBe(false);
  });

  it('drop and error follow the missing policy', () => {
    const dropped = load(text, { id: 'id', target: 'y', missing: 'drop' });
    expect(values(dropped.items[0].series)).toEqual([1, 3, 7]);
    expect(dropped.report.notes).toContain(`${said} → 4 rows dropped`);
    expect(() => load(text, { id: 'id', target: 'y', missing: 'error' }))
      .toThrow(/f\.csv: id 'a': missing values: 4 in 'y'/);
  });

  it('a text column is never read as missing: "n/a product" is no series, and an error as a value', () => {
    const wide = lines('date,sales,product', [
      '2012-01-01,1,n/a product', '2012-01-02,NA,shoes', '2012-01-03,3,n/a product',
    ]);
    const c = load(wide);
    expect(c.items.map((it) => it.id)).toEqual(['sales']);
    expect(c.report.notes).toContain("columns not read as series (not numeric): 'product'");
    expect(() => load(wide, { targets: ['product'] }))
      .toThrow(/row 2, column 'product': expected a number, got 'n\/a product'/);
  });
});

describe('wide layout: a date column and one value column per series', () => {
  const text = lines('date,north,south,label', [
    '2012-01-03,3,30,x', '2012-01-01,1,,y', '2012-01-02,2,20,z', '2012-01-04,,40,w',
  ]);

  it('every numeric column but the date is a series, each from its first to its last value', () => {
    const c = load(text);
    expect(c.layout).toBe('wide');
    expect(c.items.map((it) => it.id)).toEqual(['north', 'south']);
    const [north, south] = c.items.map((it) => it.series);
    expect(values(north)).toEqual([1, 2, 3]);
    expect(north.dates!.map(iso)).toEqual(['2012-01-01', '2012-01-02', '2012-01-03']);
    expect(values(south)).toEqual([20, 30, 40]);
    expect(south.dates!.map(iso)).toEqual(['2012-01-02', '2012-01-03', '2012-01-04']);
    expect(c.report.notes).toContain('rows were not in date order; each series was sorted by date');
    expect(c.report.notes)
      .toContain("column 'south': 1 leading or trailing missing cells left out (it starts later or ends earlier)");
  });

  it('targets chooses the series; an empty cell inside a series is filled by the policy', () => {
    const c = load(lines('date,a,b', ['2012-01-01,1,5', '2012-01-02,,6', '2012-01-03,3,7']), { targets: ['a'] });
    expect(c.items.map((it) => it.id)).toEqual(['a']);
    expect(values(c.items[0].series)).toEqual([1, 2, 3]);
  });

  it('no numeric column is an error listing the columns; a one-point column is refused by name', () => {
    const noNumbers = /at least one numeric column \(one per series\), got none; the columns are 'date', 'name'/;
    expect(() => load(lines('date,name', ['2012-01-01,a', '2012-01-02,b']))).toThrow(noNumbers);
    expect(() => load(lines('date,a,b', ['2012-01-01,1,', '2012-01-02,2,6'])))
      .toThrow(/f\.csv: column 'b' has 1 point/);
  });

  it('a long file read without id says it looks long and names the candidate id columns', () => {
    const long = lines('store,date,sales', ['a,2012-01-01,1', 'b,2012-01-01,5', 'a,2012-01-02,2']);
    expect(() => load(long))
      .toThrow(/the date 2012-01-01 appears on rows 2 and 3: .*name the id column \(one of 'store'\)/);
  });
});

describe('folder layout: one series per file', () => {
  const file = (rows: number[], header = 'date,y') => lines(header, rows.map((v, k) => `${day(k)},${v}`));

  it('the id is the file name without extension; the single numeric column, or the named target', () => {
    const c = collectionFromFiles([
      { name: 'data/alpha.csv', text: file([1, 2, 3]) }, { name: 'data/beta.csv', text: file([4, 5]) },
    ]);
    expect(c.layout).toBe('folder');
    expect(c.items.map((it) => it.id)).toEqual(['alpha', 'beta']);
    expect(values(c.items[1].series)).toEqual([4, 5]);
    const two = [{ name: 'x.csv', text: lines('date,u,v', [`${day(0)},1,2`, `${day(1)},3,4`]) }];
    expect(() => collectionFromFiles(two))
      .toThrow(/x\.csv: expected one numeric value column or a named target, got 2/);
    expect(values(collectionFromFiles(two, { target: 'v' }).items[0].series)).toEqual([2, 4]);
  });

  it('loadCollection reads a folder in name order, and a file in the long or wide layout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-collection-'));
    mkdirSync(join(dir, 'f'));
    writeFileSync(join(dir, 'f', 'b.csv'), file([4, 5, 6]));
    writeFileSync(join(dir, 'f', 'a.csv'), file([1, 2, 3]));
    writeFileSync(join(dir, 'f', 'README.txt'), 'not data');
    expect(loadCollection({ path: join(dir, 'f') }).items.map((it) => it.id)).toEqual(['a', 'b']);
    const long = join(dir, 'long.csv');
    writeFileSync(long, lines('k,date,y', ['p,2012-01-01,1', 'p,2012-01-02,2', 'q,2012-01-01,3', 'q,2012-01-02,4']));
    expect(loadCollection({ path: long }, { id: 'k' }).items.map((it) => it.id)).toEqual(['p', 'q']);
    expect(loadCollection({ text: file([1, 2]), name: 'mem.csv' }).items[0].id).toBe('y');
    expect(() => loadCollection({ path: join(dir, 'nope') })).toThrow(DataError);
    expect(() => loadCollection({ path: long }, { layout: 'folder' })).toThrow(/expects a folder, got a file/);
  });
});

describe('short and constant series load, and the report says so', () => {
  it('a constant series and one shorter than two seasons are noted with their lengths, not refused', () => {
    const c = collectionFromArrays([
      { id: 'flat', values: Array(20).fill(3), dates: Array.from({ length: 20 }, (_, k) => day(k)) },
      { id: 'short', values: [1, 2, 3, 4, 5], dates: [0, 1, 2, 3, 4].map(day) },
    ]);
    expect(c.items.map((it) => it.series.N)).toEqual([20, 5]);
    expect(c.report.notes).toContain("series 'flat': constant (all 20 values are 3)");
    expect(c.report.notes).toContain("series 'short': 5 points, shorter than two seasons (2 × 7, daily)");
    expect(c.report.notes).toContain('lengths: 5–20 points (median 20)');
  });
});

describe('collectionFromArrays', () => {
  it('with and without dates (strings or ms); NaN is missing; bad input names the series', () => {
    const c = collectionFromArrays([
      { id: 'u', values: [1, NaN, 3] },
      { id: 'd', values: [5, 6, 7], dates: [Date.UTC(2012, 0, 1), Date.UTC(2012, 1, 1), Date.UTC(2012, 2, 1)] },
    ]);
    expect(c.layout).toBe('arrays');
    expect(values(c.items[0].series)).toEqual([1, 2, 3]);
    expect(c.items[0].series.dates).toBeNull();
    expect(c.items[1].series.frequency!.label).toBe('monthly');
    expect(c.report.notes).toContain("series 'u': missing 1 'NaN' → 1 values filled (interpolate)");
    const arrays = (...items: Parameters<typeof collectionFromArrays>[0]) => () => collectionFromArrays(items);
    expect(arrays({ id: 'x', values: [1, 2], dates: [day(0)] }))
      .toThrow(/series 'x': expected 2 dates \(one per value\), got 1/);
    expect(arrays({ id: 'x', values: [1, 2] }, { id: 'x', values: [3, 4] })).toThrow(/the id appears twice/);
    expect(arrays({ id: 'x', values: [1, Infinity] })).toThrow(/series 'x': row 3, column 'value' holds 'Infinity'/);
  });
});
