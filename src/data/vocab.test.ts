import { describe, expect, it } from 'vitest';
import { EOS, PAD, UNK, Vocab, codePoints, tokenizeWords } from './vocab.js';

describe('vocabularies', () => {
  it('char vocab: specials first, unknowns become <unk>, round trip', () => {
    const v = Vocab.chars('hello');
    expect(v.tokens).toEqual([PAD, UNK, 'e', 'h', 'l', 'o']);
    expect(Array.from(v.encodeText('hex'))).toEqual([3, 2, 1]);
    expect(v.unknown('hex!')).toEqual(['x', '!']);
    expect(v.decode(v.encodeText('hole'))).toBe('hole');
    expect(Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON()))).tokens).toEqual(v.tokens);
  });
  it('word vocab: by frequency, min count, custom specials', () => {
    const v = Vocab.words([tokenizeWords('the cat, the dog'), tokenizeWords('The end.')], { minFreq: 1, specials: [PAD, UNK, EOS] });
    expect(v.tokens.slice(0, 4)).toEqual([PAD, UNK, EOS, 'the']);
    expect(Vocab.words([['a', 'b', 'a']], { minFreq: 2 }).tokens).toEqual([PAD, UNK, 'a']);
  });
  it('tokenizes words and punctuation, keeps contractions', () => {
    expect(tokenizeWords("Don't stop, it's GREAT!")).toEqual(["don't", 'stop', ',', "it's", 'great', '!']);
  });
  it('rejects malformed JSON', () => {
    expect(() => Vocab.fromJSON({ kind: 'x', tokens: [], specials: [] } as never)).toThrow('malformed');
  });
  it('code points are the characters Array.from gives (pairs joined, lone surrogates kept), 4 bytes each', () => {
    for (const t of ['', 'abc', 'a😀b', '\ud800x', 'x\udc00', '😀😀', '\ud83d', 'é\u0301']) {
      expect(Array.from(codePoints(t), (c) => String.fromCodePoint(c)), JSON.stringify(t)).toEqual(Array.from(t));
    }
    const v = Vocab.chars('hello 😀 world');
    expect(Array.from(v.encodeText('hello 😀?'))).toEqual(Array.from(v.encode(Array.from('hello 😀?'))));
    expect(Vocab.charsOf(codePoints('b😀a')).tokens).toEqual(Vocab.chars('b😀a').tokens);
  });
});
