import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cmudictPath } from '../../data/datasets.js';
import { BOS_ID, EOS_ID, PAD_ID, buildVocabs, encodePairs, parseCmudict, parsePairs, splitPairs, teacherBatch } from './data.js';
import { editDistance, majorityBaseline, nearestNeighbourBaseline, score } from './metrics.js';

describe('CMUdict', () => {
  const sample = ";;; a comment\nA  AH0\nA(1)  EY1\nA'S  EY1 Z\nAARDVARK  AA1 R D V AA2 R K\nADDIS-ABABA  AA1 D IH0 S\nZYWICKI  Z IH0 W IH1 K IY0\n";
  it('keeps one pronunciation per letters-only word, lower-cased, stress dropped by default', () => {
    expect(parseCmudict(sample)).toEqual([
      { source: 'a', target: ['AH'] }, { source: 'aardvark', target: ['AA', 'R', 'D', 'V', 'AA', 'R', 'K'] },
      { source: 'zywicki', target: ['Z', 'IH', 'W', 'IH', 'K', 'IY'] },
    ]);
    expect(parseCmudict(sample, { keepStress: true })[1].target).toEqual(['AA1', 'R', 'D', 'V', 'AA2', 'R', 'K']);
  });
  it('the bundled dictionary: 116k words, 39 phonemes', () => {
    const pairs = parseCmudict(readFileSync(cmudictPath(), 'utf8'));
    expect(pairs.length).toBeGreaterThan(100_000);
    expect(new Set(pairs.map((p) => p.source)).size).toBe(pairs.length);
    expect(new Set(pairs.flatMap((p) => p.target)).size).toBe(39);
  });
});

describe('pairs files', () => {
  it('reads the first two columns of a TSV, targets split on spaces, and skips empty rows', () => {
    const r = parsePairs('hello\tHH AH L OW\nworld\tW ER L D\n\t\nbad\t\n', 'f.tsv');
    expect(r.pairs).toEqual([{ source: 'hello', target: ['HH', 'AH', 'L', 'OW'] }, { source: 'world', target: ['W', 'ER', 'L', 'D'] }]);
    expect(r.skipped).toBe(2);
  });
  it('picks columns by name (a header) or by 1-based index, in CSV too', () => {
    const csv = 'id,target,word\n1,k ae t,cat\n2,d ao g,dog\n';
    expect(parsePairs(csv, 'f.csv', { sourceField: 'word', targetField: 'target' }).pairs[1]).toEqual({ source: 'dog', target: ['d', 'ao', 'g'] });
    expect(parsePairs(csv, 'f.csv', { sourceField: 3, targetField: 2, header: true }).pairs[0]).toEqual({ source: 'cat', target: ['k', 'ae', 't'] });
  });
  it('a source or target that looks like a missing-value marker, a number or a date is text (issue #14)', () => {
    const words = ['nan', 'na', 'none', 'null', 'true', '0', '3.14', '2024-01-01', '?'];
    const r = parsePairs(words.map((w) => `${w}\tNA N`).join('\n') + '\nnan\tNaN\n', 'm.tsv');
    expect(r.pairs.map((p) => p.source)).toEqual([...words, 'nan']);
    expect(r.pairs.map((p) => p.target.join(' '))).toEqual([...words.map(() => 'NA N'), 'NaN']);
    expect(r.skipped).toBe(0);
    const cmu = parseCmudict('NAN  N AE1 N\nNONE  N AH1 N\nNULL  N AH1 L\n');
    expect(cmu.map((p) => p.source)).toEqual(['nan', 'none', 'null']);
  });
  it('says what is wrong with bad files', () => {
    expect(() => parsePairs('  \n', 'e.tsv')).toThrow(/e.tsv: the file is empty/);
    expect(() => parsePairs('one\ntwo\n', 'one.tsv')).toThrow(/one.tsv: expected two columns .* got one/);
    expect(() => parsePairs('a,b\n1,2\n', 'h.csv', { sourceField: 'x' })).toThrow(/no column 'x'; the columns are 'a', 'b'/);
    expect(() => parsePairs('a,b\n', 'h.csv', { header: true })).toThrow(/no data rows under the header/);
  });
});

describe('splits and vocabularies', () => {
  const pairs = Array.from({ length: 200 }, (_, i) => ({ source: `w${i % 150}`, target: [`T${i % 7}`] }));
  it('split by source: deterministic, disjoint, every pronunciation of a word on one side', () => {
    const a = splitPairs(pairs, { valFraction: 0.1, testFraction: 0.2, seed: 3 });
    expect(splitPairs(pairs, { valFraction: 0.1, testFraction: 0.2, seed: 3 })).toEqual(a);
    expect(splitPairs(pairs, { valFraction: 0.1, testFraction: 0.2, seed: 4 })).not.toEqual(a);
    const src = (ps: { source: string }[]) => new Set(ps.map((p) => p.source));
    const [tr, va, te] = [src(a.train), src(a.val), src(a.test)];
    expect([...te].some((s) => tr.has(s) || va.has(s))).toBe(false);
    expect([...va].some((s) => tr.has(s))).toBe(false);
    expect(a.train.length + a.val.length + a.test.length).toBe(200);
    expect(te.size).toBe(30);
    expect(splitPairs(pairs, { valFraction: 0.1, testFraction: 0.2, seed: 3, limit: 50 }).test.length).toBeLessThan(20);
  });
  it('vocabularies come from the training part; unseen symbols encode as <unk>', () => {
    const { src, tgt } = buildVocabs([{ source: 'ab', target: ['X', 'Y'] }]);
    expect(src.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b']);
    const [e] = encodePairs([{ source: 'abz', target: ['Y', 'Q'] }], src, tgt);
    expect(Array.from(e.src)).toEqual([4, 5, 1]);
    expect(Array.from(e.tgt)).toEqual([tgt.id('Y'), 1, EOS_ID]);
  });
  it('teacher forcing: the decoder reads <bos> y1 … and predicts y1 … <eos>, padded', () => {
    const { input, target } = teacherBatch([Int32Array.of(7, 8, EOS_ID), Int32Array.of(9, EOS_ID)]);
    expect(Array.from(input.data)).toEqual([BOS_ID, 7, 8, BOS_ID, 9, PAD_ID]);
    expect(Array.from(target.data)).toEqual([7, 8, EOS_ID, 9, EOS_ID, PAD_ID]);
  });
});

describe('metrics and baselines', () => {
  it('edit distance, exact match and token error rate (nearest of several references)', () => {
    expect(editDistance([...'kitten'], [...'sitting'])).toBe(3);
    expect(editDistance([], ['a', 'b'])).toBe(2);
    expect(editDistance([...'abcdef'], [...'uvwxyz'], 2)).toBeGreaterThanOrEqual(2); // bounded: stops early
    const s = score([['a', 'b'], ['x']], [[['a', 'b']], [['y', 'z', 'w'], ['x', 'q']]]);
    expect(s.exact_match).toBe(0.5);
    expect(s.token_error_rate).toBeCloseTo(1 / 4); // 0 edits of 2, then 1 against the nearer, 2-token reference
  });
  it('nearest neighbour takes the closest spelling; majority the commonest target of that length', () => {
    const train = [{ source: 'cat', target: ['K', 'AE', 'T'] }, { source: 'cast', target: ['K', 'AE', 'S', 'T'] }, { source: 'dog', target: ['D', 'AO', 'G'] }, { source: 'dot', target: ['D', 'AA', 'T'] }, { source: 'dog', target: ['D', 'AO', 'G'] }];
    const nn = nearestNeighbourBaseline(train), maj = majorityBaseline(train);
    expect(nn('casts')).toEqual(['K', 'AE', 'S', 'T']);
    expect(nn('hat')).toEqual(['K', 'AE', 'T']);
    expect(maj('pig')).toEqual(['D', 'AO', 'G']);
    expect(maj('toast')).toEqual(['D', 'AO', 'G']); // no 5-letter word: the commonest overall
  });
});
