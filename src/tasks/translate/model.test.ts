import { describe, expect, it } from 'vitest';
import '../../autograd/index.js';
import { noGrad } from '../../autograd/engine.js';
import { Rng } from '../../tensor/rng.js';
import { IntTensor } from '../../tensor/tensor.js';
import { crossEntropy } from '../../losses/cross-entropy.js';
import { Adam } from '../../optim/adam.js';
import { expectClose } from '../../test-utils/index.js';
import { BOS_ID, EOS_ID, PAD_ID, padBatch, teacherBatch } from './data.js';
import { beamSearch, greedyDecode } from './decode.js';
import { type TranslatorArch, Translator } from './model.js';

/** The translator's parts agree with each other: batching, fused vs stepwise decoding, greedy vs beam. */
const arch = (o: Partial<TranslatorArch> = {}): TranslatorArch =>
  ({ cell: 'gru', srcVocab: 9, tgtVocab: 8, embed: 5, hidden: 6, bidirectional: true, attention: true, ...o });

function randomSources(rng: Rng, n: number, V: number): Int32Array[] {
  return Array.from({ length: n }, () => Int32Array.from({ length: 1 + rng.int(7) }, () => 4 + rng.int(V - 4)));
}

/** A model trained briefly to reverse its source, so that outputs stop at <eos> after varying lengths. */
function model(o: Partial<TranslatorArch>, seed = 1, steps = 120): Translator {
  const m = new Translator(arch({ tgtVocab: 9, ...o }), { rng: new Rng(seed), device: 'cpu' });
  const opt = new Adam(m.parameters(), { lr: 0.03 }), rng = new Rng(seed + 100);
  for (let i = 0; i < steps; i++) {
    const srcs = randomSources(rng, 16, 9);
    const { ids, lengths } = padBatch(srcs), { input, target } = teacherBatch(srcs.map((s) => Int32Array.from([...s].reverse().concat(EOS_ID))));
    const loss = crossEntropy(m.forward(ids, lengths, input), target, { ignoreIndex: PAD_ID });
    opt.zeroGrad(); loss.backward(); opt.step();
  }
  return m;
}

const cases: Partial<TranslatorArch>[] = [
  { cell: 'gru', attention: true }, { cell: 'lstm', attention: true }, { cell: 'lstm', attention: false, bidirectional: false }, { cell: 'gru', attention: false },
];

describe('Translator', () => {
  it.each(cases)('padding does not leak: a source encodes the same alone and in a padded batch (%o)', (o) => {
    const m = model(o, 1, 0), srcs = randomSources(new Rng(2), 5, 9);
    srcs[0] = Int32Array.from([4, 5, 6, 7, 8, 4, 5, 6, 7]); // the longest, so the others are padded
    noGrad(() => {
      const { ids, lengths } = padBatch(srcs);
      const all = m.encode(ids, lengths);
      const [, S, E] = all.outputs.shape, H = m.arch.hidden;
      srcs.forEach((s, b) => {
        const one = m.encode(new IntTensor(s, [1, s.length]), [s.length]);
        expectClose(all.outputs.data.subarray(b * S * E, b * S * E + s.length * E), one.outputs.data, `outputs of source ${b}`);
        expectClose(all.state.h.data.subarray(b * H, (b + 1) * H), one.state.h.data, `initial decoder state of source ${b}`);
        for (let i = s.length * E; i < S * E; i++) expect(all.outputs.data[b * S * E + i]).toBe(0);
      });
    });
  });

  it.each(cases)('teacher forcing equals running the decoder one step at a time (%o)', (o) => {
    const m = model(o, 1, 0), rng = new Rng(3);
    const srcs = randomSources(rng, 4, 9), tgts = randomSources(rng, 4, 8).map((t) => Int32Array.from([...t, EOS_ID]));
    const { ids, lengths } = padBatch(srcs), { input } = teacherBatch(tgts);
    noGrad(() => {
      const logits = m.forward(ids, lengths, input);
      const [B, T] = input.shape, V = m.arch.tgtVocab;
      const mem = m.encode(ids, lengths);
      let state = mem.state;
      for (let t = 0; t < T; t++) {
        const r = m.step(Int32Array.from({ length: B }, (_, b) => input.data[b * T + t]), state, mem);
        state = r.state;
        const step = m.out.forward(r.features).data;
        for (let b = 0; b < B; b++) expectClose(step.subarray(b * V, (b + 1) * V), logits.data.subarray((b * T + t) * V, (b * T + t + 1) * V), `logits at b ${b}, t ${t}`);
      }
    });
  });

  it.each(cases)('beam search with width 1 is greedy decoding, token for token (%o)', (o) => {
    const m = model(o), srcs = randomSources(new Rng(4), 40, 9);
    const greedy = greedyDecode(m, srcs, { maxLen: 5 }), beam1 = beamSearch(m, srcs, { maxLen: 5, beam: 1, alpha: 0.7 });
    const lens = greedy.map((g) => g.tokens.length);
    expect(new Set(lens).size, `output lengths ${lens}`).toBeGreaterThan(2); // stopped at <eos> after various lengths …
    expect(Math.max(...lens)).toBe(5); // … or ran to maxLen
    beam1.forEach((d, i) => {
      expect(Array.from(d.tokens)).toEqual(Array.from(greedy[i].tokens));
      expect(d.logp).toBeCloseTo(greedy[i].logp, 5);
    });
  });

  it('a wide beam finds the most probable output, as exhaustive search does', () => {
    const m = model({}, 5, 30), srcs = randomSources(new Rng(6), 6, 9), maxLen = 3; // half-trained: uncertain outputs
    const found = beamSearch(m, srcs, { maxLen, beam: 500, alpha: 0 });
    noGrad(() => srcs.forEach((src, i) => {
      const mem = m.encode(new IntTensor(src, [1, src.length]), [src.length]);
      let best = { logp: -Infinity, tokens: [] as number[] };
      const search = (prefix: number[], logp: number, state: typeof mem.state) => {
        if (prefix.length === maxLen) { if (logp > best.logp) best = { logp, tokens: prefix }; return; }
        const r = m.step(Int32Array.of(prefix.length ? prefix[prefix.length - 1] : BOS_ID), state, mem);
        const logits = Array.from(m.out.forward(r.features).data);
        const allowed = logits.map((_, v) => v !== PAD_ID && v !== BOS_ID);
        const mx = Math.max(...logits.filter((_, v) => allowed[v]));
        const lse = mx + Math.log(logits.reduce((a, l, v) => a + (allowed[v] ? Math.exp(l - mx) : 0), 0));
        logits.forEach((l, v) => {
          if (!allowed[v]) return;
          if (v === EOS_ID) { if (logp + l - lse > best.logp) best = { logp: logp + l - lse, tokens: prefix }; } else search([...prefix, v], logp + l - lse, r.state);
        });
      };
      search([], 0, mem.state);
      expect(Array.from(found[i].tokens)).toEqual(best.tokens);
      expect(found[i].logp).toBeCloseTo(best.logp, 4);
    }));
  });
});
