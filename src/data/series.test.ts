import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vegaDataset } from './datasets.js';
import { assertNotConstant, buildSeries, inferFrequency, parseDate, stepDate } from './series.js';
import { parseTable } from './table.js';

const day = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const csv = (rows: string[], header = 'date,y') => parseTable(`${header}\n${rows.join('\n')}`, 't.csv');

describe('dates without a zone are UTC wall-clock times, whatever the machine\'s zone', () => {
  const tz = process.env.TZ;
  beforeAll(() => { process.env.TZ = 'America/Los_Angeles'; }); // Node re-reads TZ when it is set
  afterAll(() => { if (tz === undefined) delete process.env.TZ; else process.env.TZ = tz; });

  it('reads the hour that daylight saving skips, and the one it repeats, as themselves', () => {
    expect(new Date(2010, 2, 14, 2).getHours()).toBe(3); // the zone is in force: 02:00 does not exist locally
    expect(parseDate('2010-03-14T02:00:00')).toBe(Date.UTC(2010, 2, 14, 2));
    expect(parseDate('2010-03-14 03:00')).toBe(Date.UTC(2010, 2, 14, 3));
    expect(parseDate('2010-11-07T01:00:00.250')).toBe(Date.UTC(2010, 10, 7, 1, 0, 0, 250));
    expect(parseDate('03/14/2010 02:30')).toBe(Date.UTC(2010, 2, 14, 2, 30));
    expect(parseDate('2010/03/14')).toBe(Date.UTC(2010, 2, 14));
    expect(parseDate('Mar 14 2010 02:30')).toBe(Date.UTC(2010, 2, 14, 3, 30)); // Date.parse's own forms: its local reading, as UTC
  });

  it('honours an explicit zone, and refuses dates that do not exist', () => {
    expect(parseDate('2010-03-14T02:00:00Z')).toBe(Date.UTC(2010, 2, 14, 2));
    expect(parseDate('2010-03-14T02:00:00+01:00')).toBe(Date.UTC(2010, 2, 14, 1));
    expect(parseDate('2010-02-30')).toBeNull();
    expect(parseDate('2010-13-01')).toBeNull();
    expect(parseDate('1999')).toBe(Date.UTC(1999, 0, 1));
    expect(parseDate('2020-04')).toBe(Date.UTC(2020, 3, 1));
  });

  it('a valid hourly file with daylight-saving days loads with no duplicate and no gap', () => {
    const t = parseTable(readFileSync(vegaDataset('seattle-weather-hourly-normals.csv'), 'utf8'), 'hourly.csv');
    const s = buildSeries(t, { targets: ['temperature'], date: 'date', missing: 'error' });
    expect(s.frequency!.label).toBe('hourly');
    expect(s.N).toBe(t.rows.length);
  });
});

describe('frequency and calendar steps', () => {
  it('detects the step from the median spacing', () => {
    expect(inferFrequency([0, 1, 2, 3].map((k) => k * 3_600_000)).label).toBe('hourly');
    expect(inferFrequency(['2012-01-01', '2012-01-02', '2012-01-03', '2012-01-05'].map(day)).label).toBe('daily');
    expect(inferFrequency(['2012-01-01', '2012-01-08', '2012-01-15'].map(day)).label).toBe('weekly');
    expect(inferFrequency(['2012-01-01', '2012-04-01', '2012-07-01'].map(day))).toMatchObject({ label: 'quarterly', calendarMonths: 3, monthDay: 1 });
    expect(inferFrequency(['2012-01-01', '2012-01-03', '2012-01-08'].map(day)).label).toBe('irregular');
    expect(inferFrequency([day('2012-01-01'), day('2012-01-02')]).label).toBe('irregular'); // too few dates to tell
  });

  it('month-end data steps to month ends; month-start and mid-month data keep their day', () => {
    const ends = inferFrequency(['2012-04-30', '2012-05-31', '2012-06-30'].map(day));
    expect(ends).toMatchObject({ label: 'monthly', monthDay: 'end' });
    expect([1, 2, 3, 8].map((k) => iso(stepDate(day('2012-06-30'), k, ends)))).toEqual(['2012-07-31', '2012-08-31', '2012-09-30', '2013-02-28']);
    expect(iso(stepDate(day('2012-06-30'), -4, ends))).toBe('2012-02-29');
    const starts = inferFrequency(['2012-01-01', '2012-02-01', '2012-03-01'].map(day));
    expect([1, 11].map((k) => iso(stepDate(day('2012-03-01'), k, starts)))).toEqual(['2012-04-01', '2013-02-01']);
    // the 30th, clipped in February, comes back to the 30th
    const thirtieth = inferFrequency(['2012-01-30', '2012-02-29', '2012-03-30'].map(day));
    expect([1, 2].map((k) => iso(stepDate(day('2012-02-29'), k, thirtieth)))).toEqual(['2012-03-30', '2012-04-30']);
    expect(stepDate(Date.UTC(2012, 0, 1, 6), 2, { label: 'hourly', ms: 3_600_000, calendarMonths: 0 })).toBe(Date.UTC(2012, 0, 1, 8));
  });

  it('a gap in month-end data is filled with the missing month end', () => {
    const s = buildSeries(csv(['2012-04-30,1', '2012-05-31,2', '2012-07-31,4', '2012-08-31,5']), { targets: ['y'], date: 'date' });
    expect(s.dates!.map(iso)).toEqual(['2012-04-30', '2012-05-31', '2012-06-30', '2012-07-31', '2012-08-31']);
    expect(Array.from(s.values)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('missing values and date gaps: the chosen policy, reported, and the filled cells marked', () => {
  const rows = ['2012-01-01,1', '2012-01-02,', '2012-01-03,3', '2012-01-06,9', '2012-01-07,10'];
  it('interpolate: linear between neighbours, across a cell and a date gap', () => {
    const s = buildSeries(csv(rows), { targets: ['y'], date: 'date', missing: 'interpolate' });
    expect(Array.from(s.values)).toEqual([1, 2, 3, 5, 7, 9, 10]);
    expect(Array.from(s.filled!)).toEqual([0, 1, 0, 1, 1, 0, 0]);
    expect(s.report).toMatchObject({ filled: 3, gaps: 1, insertedRows: 2, dropped: 0, policy: 'interpolate' });
    expect(s.breaks).toEqual([]);
  });

  it('ffill: the last observed value', () => {
    const s = buildSeries(csv(rows), { targets: ['y'], date: 'date', missing: 'ffill' });
    expect(Array.from(s.values)).toEqual([1, 1, 3, 3, 3, 9, 10]);
    expect(s.report.filled).toBe(3);
  });

  it('drop: rows go, and where they went is a break no window may span', () => {
    const s = buildSeries(csv(rows), { targets: ['y'], date: 'date', missing: 'drop' });
    expect(Array.from(s.values)).toEqual([1, 3, 9, 10]);
    expect(s.dates!.map(iso)).toEqual(['2012-01-01', '2012-01-03', '2012-01-06', '2012-01-07']);
    expect(s.breaks).toEqual([1, 2]);
    expect(s.report).toMatchObject({ dropped: 3, filled: 0 });
    expect(Array.from(s.filled!)).toEqual([0, 0, 0, 0]);
  });

  it('error: names what is missing', () => {
    expect(() => buildSeries(csv(rows), { targets: ['y'], date: 'date', missing: 'error' })).toThrow(/missing values: 1 in 'y', 1 date gaps \(2 rows\)/);
  });

  it('NA, NaN and nan cells of a numeric column are missing values under the policy; an infinity is an error', () => {
    const marked = ['2012-01-01,1', '2012-01-02,NaN', '2012-01-03,3', '2012-01-04,nan', '2012-01-05,NA',
      '2012-01-06,9'];
    const s = buildSeries(csv(marked), { targets: ['y'], date: 'date', missing: 'interpolate' });
    expect(Array.from(s.values)).toEqual([1, 2, 3, 5, 7, 9]);
    expect(s.report).toMatchObject({ missing: { y: 3 }, filled: 3 });
    expect(() => buildSeries(csv(marked), { targets: ['y'], date: 'date', missing: 'error' }))
      .toThrow(/missing values: 3 in 'y'/);
    expect(() => buildSeries(csv(['2012-01-01,1', '2012-01-02,-inf']), { targets: ['y'], date: 'date' }))
      .toThrow(/row 3, column 'y' holds '-inf'/);
  });

  it('a text column is never read for missing markers; only value columns are', () => {
    const t = csv(['2012-01-01,n/a product,1', '2012-01-02,shoes,2', '2012-01-03,n/a product,3'], 'date,name,y');
    expect(buildSeries(t, { targets: ['y'], date: 'date' }).report.missing).toEqual({ y: 0 });
  });

  it('groups keep their own marks and breaks, offset to their rows', () => {
    const t = csv(['a,1', 'a,', 'a,3', 'b,4', 'b,', 'b,6'], 'g,y');
    const filled = buildSeries(t, { targets: ['y'], group: 'g' });
    expect(Array.from(filled.filled!)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(buildSeries(t, { targets: ['y'], group: 'g', missing: 'drop' }).breaks).toEqual([1, 3]);
  });
});

describe('numbers written with commas are read one clear way, and say so', () => {
  const read = (cells: string[], delimiter = ',') => {
    const t = parseTable(`y\n${cells.map((c) => (delimiter === ',' ? `"${c}"` : c)).join('\n')}`, 'n.csv', delimiter);
    return buildSeries({ ...t, delimiter }, { targets: ['y'] });
  };
  it('decimal commas', () => {
    const s = read(['1,5', '2,25', '1.234,5']);
    expect(Array.from(s.values)).toEqual([1.5, 2.25, 1234.5]);
    expect(s.report.notes[0]).toMatch(/column 'y': ',' read as the decimal mark \('1,5' = 1.5\)/);
  });
  it('thousands separators', () => {
    const s = read(['1,234.5', '2,000,000', '17']);
    expect(Array.from(s.values)).toEqual([1234.5, 2e6, 17]);
    expect(s.report.notes[0]).toMatch(/thousands separator/);
  });
  it('only 1,234-like cells: the file\'s convention decides, with a note', () => {
    expect(Array.from(read(['1,234', '2,500']).values)).toEqual([1234, 2500]);
    const eu = read(['1,234', '2,500'], ';');
    expect(Array.from(eu.values)).toEqual([1.234, 2.5]);
    expect(eu.report.notes[0]).toMatch(/'1,234' read as 1.234 \(',' as the decimal mark, as in a file separated by ';'\)/);
  });
  it('both conventions in one column is an error; plain numbers get no note', () => {
    expect(() => read(['1,5', '1,234.5'])).toThrow(/writes '1,5' \(decimal comma\) and '1,234.5' \(thousands separator\)/);
    expect(read(['1.5', '2']).report.notes).toEqual([]);
  });
});

describe('constant targets', () => {
  const s = buildSeries(parseTable(`y\n${[...Array(10).fill('3.5'), '4', '5'].join('\n')}`, 'c.csv'), { targets: ['y'] });
  it('constant only in the training part says so, not that every value is the same', () => {
    expect(() => assertNotConstant(s, [[0, 8]])).toThrow(/the target 'y' is constant in its training part \(all 8 training values are 3.5, later values differ\)/);
  });
  it('constant everywhere, and varying', () => {
    const flat = buildSeries(parseTable(`y\n${Array(10).fill('2').join('\n')}`, 'f.csv'), { targets: ['y'] });
    expect(() => assertNotConstant(flat, [[0, 7]], 'smooth')).toThrow(/the target 'y' is constant \(every value is 2\): there is nothing to smooth/);
    expect(() => assertNotConstant(s, [[0, 11]])).not.toThrow();
  });
});
