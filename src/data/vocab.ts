import { DataError } from '../errors.js';

/**
 * Vocabularies of characters or words, built from training text only and saved with the model.
 * Special tokens come first (by default <pad> = 0, <unk> = 1); anything not in the vocabulary
 * encodes as <unk>, and `unknown()` says which symbols those were.
 */
export const PAD = '<pad>', UNK = '<unk>', BOS = '<bos>', EOS = '<eos>';
export type VocabKind = 'char' | 'word';
export interface VocabJSON { kind: VocabKind; tokens: string[]; specials: string[] }

/** A vocabulary: token ↔ id, specials first, built by `Vocab.chars` or `Vocab.words` (see above). */
export class Vocab {
  private readonly index: Map<string, number>;
  constructor(readonly kind: VocabKind, readonly tokens: readonly string[], readonly specials: readonly string[]) {
    this.index = new Map(tokens.map((t, i) => [t, i]));
    if (this.index.size !== tokens.length) throw new DataError('vocabulary: a token is listed twice');
  }

  /** Every distinct character of the text, in code-point order, after the specials. */
  static chars(text: string, specials: readonly string[] = [PAD, UNK]): Vocab {
    return Vocab.charsOf(codePoints(text), specials);
  }

  /** Vocab.chars over code points (see codePoints): no string per character, for texts of any size. */
  static charsOf(cps: Int32Array, specials: readonly string[] = [PAD, UNK]): Vocab {
    const seen = new Set<number>();
    for (let i = 0; i < cps.length; i++) seen.add(cps[i]);
    const chars = [...seen].map((c) => String.fromCodePoint(c)).filter((c) => !specials.includes(c)).sort();
    return new Vocab('char', [...specials, ...chars], specials);
  }

  /** Words seen at least minFreq times (most frequent first, at most maxSize of them). */
  static words(docs: readonly string[][], opts: { minFreq?: number; maxSize?: number; specials?: readonly string[] } = {}): Vocab {
    const specials = opts.specials ?? [PAD, UNK];
    const freq = new Map<string, number>();
    for (const d of docs) for (const w of d) freq.set(w, (freq.get(w) ?? 0) + 1);
    const words = [...freq].filter(([w, n]) => n >= (opts.minFreq ?? 1) && !specials.includes(w))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, opts.maxSize ?? Infinity).map(([w]) => w);
    return new Vocab('word', [...specials, ...words], specials);
  }

  static fromJSON(j: VocabJSON): Vocab {
    if (!j || (j.kind !== 'char' && j.kind !== 'word') || !Array.isArray(j.tokens) || !Array.isArray(j.specials)
      || j.tokens.some((t) => typeof t !== 'string')) throw new DataError('vocabulary: malformed in the model file');
    return new Vocab(j.kind, j.tokens, j.specials);
  }
  toJSON(): VocabJSON { return { kind: this.kind, tokens: [...this.tokens], specials: [...this.specials] }; }

  get size(): number { return this.tokens.length; }
  has(t: string): boolean { return this.index.has(t); }
  id(t: string): number {
    const i = this.index.get(t);
    if (i !== undefined) return i;
    const u = this.index.get(UNK);
    if (u === undefined) throw new DataError(`vocabulary: '${t}' is not in it and it has no ${UNK}`);
    return u;
  }
  /** Token ids; unknown tokens become <unk>. */
  encode(tokens: Iterable<string>): Int32Array { return Int32Array.from(tokens, (t) => this.id(t)); }
  /** Characters (char vocab) or pre-split words. */
  encodeText(text: string): Int32Array { return this.kind === 'char' ? this.encodeCodePoints(codePoints(text)) : this.encode(tokenizeWords(text)); }

  /** Ids of characters given as code points, written over `cps` itself when `inPlace`. */
  encodeCodePoints(cps: Int32Array, inPlace = false): Int32Array {
    const out = inPlace ? cps : new Int32Array(cps.length), ids = new Map<number, number>();
    for (let i = 0; i < cps.length; i++) {
      let id = ids.get(cps[i]);
      if (id === undefined) { id = this.id(String.fromCodePoint(cps[i])); ids.set(cps[i], id); }
      out[i] = id;
    }
    return out;
  }
  decode(ids: ArrayLike<number>, sep = this.kind === 'char' ? '' : ' '): string {
    return Array.from(ids, (i) => this.tokens[i] ?? UNK).join(sep);
  }
  /** The distinct symbols of `tokens` that are not in the vocabulary. */
  unknown(tokens: Iterable<string>): string[] { return [...new Set([...tokens].filter((t) => !this.index.has(t)))]; }
}

/**
 * The text's characters as code points, 4 bytes each: `Array.from(text)` would make one string per
 * character (about 80 bytes each in V8: 2.7 GB for a 31 MB text).
 */
export function codePoints(text: string): Int32Array {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) if (text.codePointAt(i)! > 0xffff) i++; // a surrogate pair is one character
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < text.length; i++, k++) {
    const c = text.codePointAt(i)!;
    out[k] = c;
    if (c > 0xffff) i++;
  }
  return out;
}

/** Lower-cased words and punctuation marks, e.g. "Great, value!" → ["great", ",", "value", "!"]. */
export function tokenizeWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?|[^\s\p{L}\p{N}]/gu) ?? [];
}
