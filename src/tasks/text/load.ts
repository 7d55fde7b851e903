import { Vocab, type VocabJSON } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { type ParsedModel, loadInto } from '../../io/model-file.js';
import { type CharLMArch, CharLM } from './model.js';

export interface CharLMMeta { kind: 'char-lm'; arch: CharLMArch; vocab: VocabJSON; seq: number; abc: boolean }

/** Rebuilds a character model and its vocabulary from a parsed model file. */
export function charLMFromFile(parsed: ParsedModel): { model: CharLM; vocab: Vocab; meta: CharLMMeta } {
  const meta = parsed.meta as unknown as CharLMMeta, a = meta.arch;
  if (!a || !['rnn', 'lstm', 'gru'].includes(a.cell) || ![a.vocab, a.hidden, a.layers].every((v) => Number.isInteger(v) && v > 0)) {
    throw new DataError('model file: malformed char-lm metadata (arch)');
  }
  const vocab = Vocab.fromJSON(meta.vocab);
  if (vocab.size !== a.vocab) throw new DataError(`model file: the vocabulary has ${vocab.size} symbols, the weights expect ${a.vocab}`);
  return { model: loadInto(new CharLM({ ...a, dropout: 0 }), parsed), vocab, meta };
}
