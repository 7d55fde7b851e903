import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { type Json, JsonNum, parseJsonStrict } from './json-strict.js';

/** Strict-parser output in JSON.parse's terms: Maps to objects, JsonNums to numbers. */
function plain(v: Json): unknown {
  if (v instanceof JsonNum) return v.value;
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

const parse = (s: string): Json => parseJsonStrict(s, 'test');

describe('parseJsonStrict', () => {
  it('parses values like JSON.parse, keeping numbers as written and objects as Maps', () => {
    const text = ' {"a": [1, -0, 2.50, 1e3, -1E-2, 0.0], "b\\n\\u00e9\\ud83d\\ude00": {"c": null, "d": true, "e": false}, "": ""}\t\r\n';
    const v = parse(text);
    expect(v).toBeInstanceOf(Map);
    expect(plain(v)).toEqual(JSON.parse(text));
    const a = (v as Map<string, Json>).get('a') as JsonNum[];
    expect(a.map((n) => n.raw)).toEqual(['1', '-0', '2.50', '1e3', '-1E-2', '0.0']);
    expect([...(v as Map<string, Json>).keys()]).toEqual(['a', 'b\n\u00e9\ud83d\ude00', '']);
  });

  it('rejects duplicate keys at any depth, lone surrogates, and deep nesting', () => {
    expect(() => parse('{"a":1,"a":1}')).toThrow(new DataError('test: duplicate key "a" at character 7'));
    expect(() => parse('[{"x":{"y":1,"y":2}}]')).toThrow(/duplicate key "y" at character 13/);
    expect(parse('[{"a":1},{"a":2}]')).toHaveLength(2);
    expect(() => parse('"\\udc00"')).toThrow(/unpaired surrogate at character 0/);
    expect(() => parse('"\\ud800x"')).toThrow(/unpaired surrogate/);
    expect(parse('['.repeat(65) + ']'.repeat(65))).toHaveLength(1);
    expect(() => parse('['.repeat(66) + ']'.repeat(66))).toThrow(/nested deeper than 64 levels at character 65/);
    expect(() => parse('['.repeat(1_000_000))).toThrow(DataError);
  });

  it('accepts exactly what JSON.parse accepts, on thousands of random and mutated JSON texts', () => {
    const rng = new Rng(99);
    const atoms = ['{', '}', '[', ']', ',', ':', '"a"', '"\\u0041"', '"\\x"', '"\\"', '0', '-', '1', '.', '5', 'e', 'E',
      '+', '01', '-0', '1.', '.5', 'true', 'tru', 'null', 'false', ' ', '\n', '\u00a0', '"\u0001"', '"é"', '""'];
    const scalars = ['0', '-0', '12', '-3.5e+2', '1E-7', '0.25', 'true', 'false', 'null', '"a"', '"\\n\\"é"', '""', '"\\ud83d\\ude00"'];
    const gen = (depth: number): string => {
      const r = depth > 3 ? 2 : rng.int(4);
      const n = rng.int(4);
      if (r === 0) return `[${Array.from({ length: n }, () => gen(depth + 1)).join(', ')}]`;
      if (r === 1) return `{${Array.from({ length: n }, () => `"${'kab'[rng.int(3)]}${rng.int(4)}": ${gen(depth + 1)}`).join(',')}}`;
      return scalars[rng.int(scalars.length)];
    };
    let agreed = 0, accepted = 0, intended = 0;
    for (let k = 0; k < 10_000; k++) {
      let s = gen(0);
      for (let m = rng.int(3); m > 0; m--) {
        const at = rng.int(s.length + 1);
        s = rng.int(2) ? s.slice(0, at) + atoms[rng.int(atoms.length)] + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
      }
      let want: unknown, wantOk = true;
      try { want = JSON.parse(s); } catch { wantOk = false; }
      let got: unknown, gotOk = true, err: unknown;
      try { got = plain(parse(s)); } catch (e) { gotOk = false; err = e; }
      if (!gotOk) expect(err, s).toBeInstanceOf(DataError);
      // The intended differences: duplicate keys, and escapes making unpaired surrogates.
      if (!gotOk && wantOk && /duplicate key|unpaired surrogate/.test((err as Error).message)) { intended++; continue; }
      expect(gotOk, `${JSON.stringify(s)}: JSON.parse ${wantOk ? 'accepts' : 'rejects'} it`).toBe(wantOk);
      if (wantOk) { expect(got, s).toEqual(want); accepted++; }
      agreed++;
    }
    expect(accepted).toBeGreaterThan(3000);
    expect(intended).toBeGreaterThan(100);
    expect(agreed + intended).toBe(10_000);
  });
});
