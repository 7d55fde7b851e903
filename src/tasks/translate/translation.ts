import { Vocab, type VocabJSON } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { type ModelMeta, type ParsedModel, loadInto } from '../../io/model-file.js';
import type { Device } from '../../kernels/device.js';
import { SPECIALS, UNK_ID } from './data.js';
import { decodeSequences } from './decode.js';
import { type TranslatorArch, Translator } from './model.js';

/** What to do with input characters the model never saw: refuse, drop them, or read them as <unk>. */
export type UnknownPolicy = 'error' | 'skip' | 'unk';

export interface TranslateResult { input: string; output: string[]; logp: number; unknown: string[] }

/** A trained translator with its vocabularies: strings in, token sequences out. */
export class Translation {
  constructor(readonly model: Translator, readonly src: Vocab, readonly tgt: Vocab, readonly maxLen: number) {}

  /**
   * Source ids of `text`. A character outside the source alphabet is first tried in the other case
   * (a model trained on lower-case words reads "Hello"); what is still unknown follows `policy`.
   */
  encode(text: string, policy: UnknownPolicy = 'error'): { ids: Int32Array; unknown: string[] } {
    const ids: number[] = [], unknown: string[] = [];
    for (const ch of Array.from(text.trim())) {
      const c = [ch, ch.toLowerCase(), ch.toUpperCase()].find((v) => this.src.has(v));
      if (c !== undefined) { ids.push(this.src.id(c)); continue; }
      if (!unknown.includes(ch)) unknown.push(ch);
      if (policy === 'unk') ids.push(UNK_ID);
    }
    if (unknown.length > 0 && policy === 'error') {
      const alphabet = this.src.tokens.filter((t) => !SPECIALS.includes(t as never)).join('');
      throw new DataError(`input '${text}': ${unknown.map((c) => `'${c}'`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not in the model's source alphabet `
        + `(${alphabet.length > 60 ? `${alphabet.slice(0, 60)}…` : alphabet}); pass --unknown skip to drop, or --unknown unk to read as <unk>`);
    }
    if (ids.length === 0) throw new DataError(`input '${text}': nothing to translate${unknown.length ? ' once unknown characters are dropped' : ''}`);
    return { ids: Int32Array.from(ids), unknown };
  }

  translate(texts: readonly string[], o: { beam?: number; alpha?: number; unknown?: UnknownPolicy } = {}): TranslateResult[] {
    const enc = texts.map((t) => this.encode(t, o.unknown));
    const outs = decodeSequences(this.model, enc.map((e) => e.ids), { maxLen: this.maxLen, beam: o.beam, alpha: o.alpha });
    return outs.map((d, i) => ({ input: texts[i], output: Array.from(d.tokens, (v) => this.tgt.tokens[v]), logp: d.logp, unknown: enc[i].unknown }));
  }

  meta(extra: Record<string, unknown> = {}): ModelMeta {
    return { kind: 'translator', arch: { ...this.model.arch }, src: this.src.toJSON(), tgt: this.tgt.toJSON(), maxLen: this.maxLen, ...extra };
  }

  /** Rebuilds a translator from a parsed model file (vocabularies checked against the architecture). */
  static fromFile(parsed: ParsedModel, device?: Device): Translation {
    const m = parsed.meta as ModelMeta & { src: VocabJSON; tgt: VocabJSON; maxLen: number };
    const a = m.arch as unknown as TranslatorArch;
    const bad = (what: string) => new DataError(`model file: malformed translator metadata (${what})`);
    if (a.cell !== 'gru' && a.cell !== 'lstm') throw bad('arch.cell');
    for (const k of ['srcVocab', 'tgtVocab', 'embed', 'hidden'] as const) if (!Number.isInteger(a[k]) || a[k] < 1) throw bad(`arch.${k}`);
    if (!Number.isInteger(m.maxLen) || m.maxLen < 1) throw bad('maxLen');
    const src = Vocab.fromJSON(m.src), tgt = Vocab.fromJSON(m.tgt);
    if (src.size !== a.srcVocab || tgt.size !== a.tgtVocab) throw bad('the vocabularies do not match the architecture');
    const model = loadInto(() => new Translator({ ...a, bidirectional: !!a.bidirectional, attention: !!a.attention }, { device }), parsed);
    return new Translation(model.eval(), src, tgt, m.maxLen);
  }
}
