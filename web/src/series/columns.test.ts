import { describe, expect, it } from 'vitest';
import { parseTable } from '../../../src/data/table.js';
import { columnsOf } from './columns.js';

/** The column a dropped CSV forecasts by default: a signal, not the clock beside it. */
const csv = (head: string, row: (i: number) => (number | string)[]) =>
  parseTable([head, ...Array.from({ length: 60 }, (_, i) => row(i).join(','))].join('\n'), 'test.csv');

describe('columnsOf', () => {
  it('passes over a numeric time column, an index and ids', () => {
    expect(columnsOf(csv('time,value,other', (i) => [i, Math.sin(i), i % 7])).target).toBe('value');
    expect(columnsOf(csv('row,reading', (i) => [i + 1, Math.cos(i)])).target).toBe('reading');
    expect(columnsOf(csv('sensor_id,reading', (i) => [(i * 7) % 13, Math.cos(i)])).target).toBe('reading');
    // unnamed but rising by the same step every row: a clock too
    expect(columnsOf(csv('seconds,load', (i) => [1000 + 60 * i, Math.sin(i)])).target).toBe('load');
  });

  it('leaves the date column to the library and out of the numeric ones', () => {
    const c = columnsOf(csv('date,temp', (i) => [`2020-01-${String((i % 28) + 1).padStart(2, '0')}`, Math.cos(i)]));
    expect(c).toEqual({ date: 'date', numeric: ['temp'], target: 'temp' });
  });

  it('keeps a rising signal when nothing else is left, and the first column when all are clocks', () => {
    expect(columnsOf(csv('step,count', (i) => [i, 3 * i])).target).toBe('count');
    expect(columnsOf(csv('t,index', (i) => [i, i])).target).toBe('t');
    expect(columnsOf(csv('name,city', () => ['a', 'b'])).target).toBeNull();
  });
});
