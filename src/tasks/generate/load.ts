import { Vocab, type VocabJSON } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { type ParsedModel, loadInto } from '../../io/model-file.js';
import type { Device } from '../../kernels/device.js';
import { Rng } from '../../tensor/rng.js';
import { ConditionalGenerator, type GeneratorArch } from './model.js';
import { sampleTexts } from './sample.js';

/** A trained generator read back from its model file (kind 'conditional-generator'). */
export interface LoadedGenerator {
  categories: string[];
  maxLength: number;
  sample(label: string, o: { count: number; temperature: number; seed: number; maxLength?: number }): string[];
}

export function generatorFromFile(parsed: ParsedModel, device: Device = 'auto'): LoadedGenerator {
  const meta = parsed.meta as unknown as { arch: GeneratorArch; vocab: VocabJSON; categories: string[]; maxLength: number };
  const bad = (what: string) => new DataError(`model file: malformed generator metadata (${what})`);
  if (!Array.isArray(meta.categories) || meta.categories.length !== meta.arch.categories) throw bad('categories');
  if (!Number.isInteger(meta.maxLength) || meta.maxLength < 1) throw bad('maxLength');
  const vocab = Vocab.fromJSON(meta.vocab);
  if (vocab.size !== meta.arch.vocab) throw bad('the vocabulary does not match the architecture');
  const model = loadInto(() => new ConditionalGenerator(meta.arch, undefined, device), parsed);
  return {
    categories: meta.categories, maxLength: meta.maxLength,
    sample(label, o) {
      const k = meta.categories.indexOf(label);
      if (k < 0) throw new DataError(`no category '${label}'; this model knows ${meta.categories.map((c) => `'${c}'`).join(', ')}`);
      return sampleTexts(model, vocab, k, { count: o.count, temperature: o.temperature, maxLength: o.maxLength ?? meta.maxLength, rng: new Rng(o.seed) });
    },
  };
}
