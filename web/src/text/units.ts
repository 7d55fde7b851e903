import type { ProbeResult } from '../protocol.js';

/**
 * Finding interpretable units, as in Karpathy, Johnson & Fei-Fei, "Visualizing and Understanding
 * Recurrent Networks" (2015): for a few properties of the text read so far — inside a quotation,
 * how far into the line, inside a word, how far into the word — the unit whose activation
 * correlates best with it (Pearson r over the characters read). A property that does not vary in
 * the text (no quotes in it, say) is left out.
 */
export interface Finding { id: string; label: string; unit: number; r: number }

/** The properties looked for, in the order the page lists them. */
export const PROPERTIES = [
  { id: 'quote', label: 'inside quotes' },
  { id: 'line', label: 'position in the line' },
  { id: 'word', label: 'inside a word' },
  { id: 'wordpos', label: 'position in a word' },
] as const;

const LETTER = /[\p{L}\p{N}'’]/u;

function features(chars: string[]): Record<(typeof PROPERTIES)[number]['id'], Float64Array> {
  const T = chars.length;
  const quote = new Float64Array(T), line = new Float64Array(T), word = new Float64Array(T), inWord = new Float64Array(T);
  let q = 0, col = 0, w = 0;
  chars.forEach((c, t) => {
    if (c === '"') q = 1 - q;
    else if (c === '“') q = 1;
    else if (c === '”') q = 0;
    col = c === '\n' ? 0 : col + 1;
    w = LETTER.test(c) ? w + 1 : 0;
    quote[t] = q; line[t] = col; word[t] = w; inWord[t] = w > 0 ? 1 : 0;
  });
  return { quote, line, word: inWord, wordpos: word };
}

export function findUnits(p: ProbeResult): Finding[] {
  const T = p.chars.length, H = p.H, out: Finding[] = [];
  if (T < 8) return out;
  const values = features(p.chars);
  for (const f of PROPERTIES) {
    const v = values[f.id], mf = mean(v), sf = Math.sqrt(v.reduce((a, x) => a + (x - mf) ** 2, 0));
    if (sf < 1e-9) continue;
    let best = { unit: 0, r: 0 };
    for (let u = 0; u < H; u++) {
      let mu = 0;
      for (let t = 0; t < T; t++) mu += p.states[t * H + u] / T;
      let cov = 0, su = 0;
      for (let t = 0; t < T; t++) { const d = p.states[t * H + u] - mu; cov += d * (v[t] - mf); su += d * d; }
      const r = su > 1e-12 ? cov / Math.sqrt(su) / sf : 0;
      if (Math.abs(r) > Math.abs(best.r)) best = { unit: u, r };
    }
    out.push({ id: f.id, label: f.label, ...best });
  }
  return out;
}

const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
