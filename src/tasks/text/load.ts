import { Vocab, type VocabJSON } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { type ParsedModel, loadInto } from '../../io/model-file.js';
import { type SeedCharArch, SeedCharLM } from '../../models/seed-char-lm.js';
import { type CharLMArch, CharLM } from './model.js';
import type { CharModel } from './train.js';

export interface CharLMMeta { kind: 'char-lm'; arch: CharLMArch | SeedCharArch; vocab: VocabJSON; seq: number; abc: boolean }

/** Rebuilds a character model (fused cells, or the seed's cell) and its vocabulary from a parsed model file. */
export function charLMFromFile(parsed: ParsedModel): { model: CharModel; vocab: Vocab; meta: CharLMMeta } {
  const meta = parsed.meta as unknown as CharLMMeta, a = meta.arch;
  const seed = a?.cell === 'seed';
  if (!a || !['rnn', 'lstm', 'gru', 'seed'].includes(a.cell) || ![a.vocab, a.hidden, seed ? 1 : (a as CharLMArch).layers].every((v) => Number.isInteger(v) && v > 0)) {
    throw new DataError('model file: malformed char-lm metadata (arch)');
  }
  const vocab = Vocab.fromJSON(meta.vocab);
  if (vocab.size !== a.vocab) throw new DataError(`model file: the vocabulary has ${vocab.size} symbols, the weights expect ${a.vocab}`);
  const model = loadInto((): CharModel => (seed ? new SeedCharLM(a as SeedCharArch) : new CharLM({ ...(a as CharLMArch), dropout: 0 })), parsed);
  return { model, vocab, meta };
}
