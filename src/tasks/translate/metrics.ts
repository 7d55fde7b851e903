import { Rng } from '../../tensor/rng.js';
import type { Pair } from './data.js';

/**
 * Scores of sequence outputs against references, and two baselines to read them by.
 *   exact_match       share of outputs equal to their reference (word accuracy for G2P)
 *   token_error_rate  Σ edit distance / Σ reference length (phoneme error rate for G2P)
 */
export interface SequenceScore { exact_match: number; token_error_rate: number }

/** Levenshtein distance (insertions, deletions, substitutions cost 1), two rows of the DP table. */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>, bound = Infinity): number {
  const n = a.length, m = b.length;
  if (Math.abs(n - m) >= bound) return Math.abs(n - m);
  let prev = new Int32Array(m + 1), cur = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= bound) return rowMin; // the distance can only grow from here
    [prev, cur] = [cur, prev];
  }
  return prev[m];
}

/**
 * Scores outputs against their references. A source may have several references (alternate
 * pronunciations): each output is scored against the nearest one.
 */
export function score(outputs: readonly (readonly string[])[], refs: readonly (readonly (readonly string[])[])[]): SequenceScore {
  let exact = 0, dist = 0, len = 0;
  outputs.forEach((o, i) => {
    let d = Infinity, n = 0;
    for (const r of refs[i]) { const dr = editDistance(o, r); if (dr < d) { d = dr; n = r.length; } }
    if (d === 0) exact++;
    dist += d; len += n;
  });
  return { exact_match: exact / Math.max(1, outputs.length), token_error_rate: dist / Math.max(1, len) };
}

/**
 * Majority baseline: the most frequent training target among sources of the same length (the
 * most frequent overall for lengths never seen). It knows the source's length and nothing else.
 */
export function majorityBaseline(train: readonly Pair[]): (source: string) => string[] {
  const mostFrequent = (ps: readonly Pair[]) => {
    const count = new Map<string, number>();
    let best = '', bestN = 0;
    for (const p of ps) {
      const k = p.target.join(' '), c = (count.get(k) ?? 0) + 1;
      count.set(k, c);
      if (c > bestN) { best = k; bestN = c; }
    }
    return best.split(' ');
  };
  const byLen = new Map<number, Pair[]>();
  for (const p of train) {
    const n = [...p.source].length, l = byLen.get(n);
    if (l) l.push(p); else byLen.set(n, [p]);
  }
  const table = new Map([...byLen].map(([n, ps]) => [n, mostFrequent(ps)]));
  const overall = mostFrequent(train);
  return (s) => table.get([...s].length) ?? overall;
}

/**
 * Nearest-neighbour baseline: the target of the training source with the smallest spelling edit
 * distance. Training sources are visited by length, nearest first (same length, one shorter, one
 * longer, …), each length in training order, and the first of equally near ones wins; the search
 * stops once the length difference alone is no better than the best distance found.
 */
export function nearestNeighbourBaseline(train: readonly Pair[]): (source: string) => string[] {
  const byLen = new Map<number, { chars: string[]; target: string[] }[]>();
  for (const p of train) {
    const chars = [...p.source];
    const l = byLen.get(chars.length);
    if (l) l.push({ chars, target: p.target }); else byLen.set(chars.length, [{ chars, target: p.target }]);
  }
  const maxLen = Math.max(...byLen.keys());
  return (s) => {
    const q = [...s];
    let best = Infinity, bestTarget: string[] = [];
    for (let gap = 0; gap < best && gap <= Math.max(maxLen, q.length); gap++) {
      for (const len of gap === 0 ? [q.length] : [q.length - gap, q.length + gap]) {
        for (const c of byLen.get(len) ?? []) {
          const d = editDistance(q, c.chars, best);
          if (d < best) { best = d; bestTarget = c.target; }
        }
      }
    }
    return bestTarget;
  };
}

/** A seeded sample of at most n indexes of [0, N), in increasing order (all when N ≤ n). */
export function sampleIndexes(N: number, n: number, seed: number): number[] {
  if (N <= n) return Array.from({ length: N }, (_, i) => i);
  const idx = new Rng(seed).shuffle(Int32Array.from({ length: N }, (_, i) => i)) as Int32Array;
  return Array.from(idx.subarray(0, n)).sort((a, b) => a - b);
}
