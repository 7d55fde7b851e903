import { noGrad } from '../../autograd/engine.js';
import { BOS, EOS, PAD, UNK, type Vocab } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import type { Rng } from '../../tensor/rng.js';
import type { ConditionalGenerator } from './model.js';

export interface SampleOptions { count: number; temperature: number; maxLength: number; rng: Rng }

/**
 * `count` texts of category `cat`, drawn character by character from softmax(logits / T) until
 * <eos> (or maxLength characters). All samples run as one batch; every draw comes from `rng`, so
 * the same seed gives the same texts. <pad>, <unk> and <bos> are never drawn.
 */
export function sampleTexts(model: ConditionalGenerator, vocab: Vocab, cat: number, o: SampleOptions): string[] {
  if (!(o.temperature > 0) || !Number.isFinite(o.temperature)) throw new DataError(`temperature: expected a number > 0, got ${o.temperature}`);
  if (!Number.isInteger(o.count) || o.count < 1) throw new DataError(`count: expected a positive integer, got ${o.count}`);
  const B = o.count, V = vocab.size, eos = vocab.id(EOS);
  const banned = new Set([PAD, UNK, BOS].filter((t) => vocab.has(t)).map((t) => vocab.id(t)));
  const out: number[][] = Array.from({ length: B }, () => []), done = new Array<boolean>(B).fill(false);
  model.eval();
  noGrad(() => {
    let h = model.initialState(new Int32Array(B).fill(cat)), c = null;
    let tok = new Int32Array(B).fill(vocab.id(BOS));
    const p = new Float64Array(V);
    for (let t = 0; t <= o.maxLength && done.includes(false); t++) {
      const s = model.step(tok, h, c);
      h = s.h; c = s.c;
      const z = s.logits.data;
      tok = new Int32Array(B).fill(eos);
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        let m = -Infinity;
        for (let v = 0; v < V; v++) if (!banned.has(v)) m = Math.max(m, z[b * V + v] / o.temperature);
        let sum = 0;
        for (let v = 0; v < V; v++) { p[v] = banned.has(v) ? 0 : Math.exp(z[b * V + v] / o.temperature - m); sum += p[v]; }
        let u = o.rng.uniform() * sum, v = 0;
        while (v < V - 1 && (u -= p[v]) >= 0) v++;
        while (p[v] === 0 && v > 0) v--; // rounding at the top end must not land on a banned token
        // past maxLength characters the text ends, as if <eos> had been drawn
        if (v === eos || t === o.maxLength) done[b] = true; else { out[b].push(v); tok[b] = v; }
      }
    }
  });
  return out.map((ids) => vocab.decode(ids));
}
