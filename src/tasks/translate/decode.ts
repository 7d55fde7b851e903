import { noGrad } from '../../autograd/engine.js';
import { DataError } from '../../errors.js';
import { Tensor, allocData } from '../../tensor/tensor.js';
import { BOS_ID, EOS_ID, PAD_ID, padBatch } from './data.js';
import type { DecoderState, Memory, Translator } from './model.js';

/**
 * Inference: greedy decoding and beam search, both batched over many sources (all live
 * hypotheses of all sources go through the decoder as one batch per step). Outputs are token ids
 * without <bos>/<eos>. <pad> and <bos> are never emitted. Decoding stops at <eos> or `maxLen`.
 *
 * Legend: B sources in a chunk, N hypotheses in a step, K beam width, V target vocabulary.
 */
export interface DecodeOptions {
  maxLen: number;
  /** Beam width; 1 is greedy. */
  beam?: number;
  /** Length normalisation: a finished hypothesis scores log p / length^alpha (0: raw log p). */
  alpha?: number;
  /** Sources per encoder batch. */
  chunk?: number;
}

export interface Decoded { tokens: Int32Array; logp: number }

/** Greedy decoding for beam width 1 (or none), beam search otherwise. */
export function decodeSequences(model: Translator, srcs: readonly Int32Array[], o: DecodeOptions): Decoded[] {
  return (o.beam ?? 1) === 1 ? greedyDecode(model, srcs, o) : beamSearch(model, srcs, { ...o, beam: o.beam ?? 1 });
}

export function greedyDecode(model: Translator, srcs: readonly Int32Array[], o: DecodeOptions): Decoded[] {
  return byChunks(model, srcs, o.chunk, (mem, B) => greedy(model, mem, B, o.maxLen));
}

export function beamSearch(model: Translator, srcs: readonly Int32Array[], o: DecodeOptions & { beam: number }): Decoded[] {
  if (!Number.isInteger(o.beam) || o.beam < 1) throw new DataError(`beam: expected a positive integer width, got ${o.beam}`);
  // about 256 hypotheses per decoder step, as greedy decoding has
  return byChunks(model, srcs, o.chunk ?? Math.max(8, Math.floor(256 / o.beam)), (mem, B) => beam(model, mem, B, o.beam, o.maxLen, o.alpha ?? 1));
}

/** Encodes the sources a chunk at a time, in eval mode and without a tape, and decodes each chunk. */
function byChunks(model: Translator, srcs: readonly Int32Array[], chunk = 256, fn: (mem: Memory, B: number) => Decoded[]): Decoded[] {
  const out: Decoded[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let i = 0; i < srcs.length; i += chunk) {
        const part = srcs.slice(i, i + chunk);
        const { ids, lengths } = padBatch(part);
        out.push(...fn(model.encode(ids, lengths), part.length));
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return out;
}

/** Log-probabilities (N, V) of the next token, with <pad> and <bos> ruled out. */
function nextLogProbs(model: Translator, prev: Int32Array, state: DecoderState, mem: Memory): { lp: Float64Array; state: DecoderState } {
  const r = model.step(prev, state, mem);
  const logits = model.out.forward(r.features).data, N = prev.length, V = logits.length / N;
  const lp = new Float64Array(N * V);
  for (let n = 0; n < N; n++) {
    const o = n * V;
    let m = -Infinity;
    for (let v = 0; v < V; v++) if (v !== PAD_ID && v !== BOS_ID) m = Math.max(m, logits[o + v]);
    let s = 0;
    for (let v = 0; v < V; v++) if (v !== PAD_ID && v !== BOS_ID) s += Math.exp(logits[o + v] - m);
    const lse = m + Math.log(s);
    for (let v = 0; v < V; v++) lp[o + v] = v === PAD_ID || v === BOS_ID ? -Infinity : logits[o + v] - lse;
  }
  return { lp, state: r.state };
}

function greedy(model: Translator, mem: Memory, B: number, maxLen: number): Decoded[] {
  const toks: number[][] = Array.from({ length: B }, () => []), logp = new Float64Array(B), done = new Uint8Array(B);
  let prev = new Int32Array(B).fill(BOS_ID), state = mem.state, left = B;
  for (let t = 0; t < maxLen && left > 0; t++) {
    const r = nextLogProbs(model, prev, state, mem), V = r.lp.length / B;
    state = r.state;
    prev = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      let best = 0;
      for (let v = 1; v < V; v++) if (r.lp[b * V + v] > r.lp[b * V + best]) best = v;
      prev[b] = best;
      if (done[b]) continue;
      logp[b] += r.lp[b * V + best];
      if (best === EOS_ID) { done[b] = 1; left--; } else toks[b].push(best);
    }
  }
  return toks.map((t, b) => ({ tokens: Int32Array.from(t), logp: logp[b] }));
}

interface Hyp { tokens: number[]; logp: number; row: number }

/**
 * Beam search per source: from the K live hypotheses, the 2K best one-token extensions by total
 * log p; those ending in <eos> among the first K are finished, the best K others stay live. A
 * source is done when it has K finished hypotheses (or at maxLen, when its live ones count as
 * finished); the answer is the finished one with the best log p / length^alpha. With K = 1 this
 * is greedy decoding exactly.
 */
function beam(model: Translator, mem: Memory, B: number, K: number, maxLen: number, alpha: number): Decoded[] {
  const live: Hyp[][] = Array.from({ length: B }, (_, b) => [{ tokens: [], logp: 0, row: b }]);
  const finished: { tokens: number[]; logp: number; score: number }[][] = Array.from({ length: B }, () => []);
  const norm = (logp: number, len: number) => (alpha === 0 ? logp : logp / len ** alpha);
  let state = mem.state, m = mem, mSrc = Int32Array.from({ length: B }, (_, b) => b);
  for (let t = 0; t < maxLen; t++) {
    const hyps = live.flatMap((l, b) => l.map((h) => ({ h, b })));
    if (hyps.length === 0) break;
    const rows = Int32Array.from(hyps, ({ h }) => h.row);
    const srcOf = Int32Array.from(hyps, ({ b }) => b);
    const st = { h: takeRows(state.h, rows, 1), c: state.c ? takeRows(state.c, rows, 1) : null };
    // the memory rows change only when a source gains or loses hypotheses
    if (srcOf.length !== mSrc.length || srcOf.some((b, i) => b !== mSrc[i])) { m = selectMemory(mem, srcOf); mSrc = srcOf; }
    const prev = Int32Array.from(hyps, ({ h }) => (h.tokens.length ? h.tokens[h.tokens.length - 1] : BOS_ID));
    const r = nextLogProbs(model, prev, st, m), V = r.lp.length / hyps.length;
    state = r.state;
    let n = 0;
    for (let b = 0; b < B; b++) {
      const cands: { n: number; v: number; logp: number }[] = [];
      for (const h of live[b]) {
        for (let v = 0; v < V; v++) { const lp = r.lp[n * V + v]; if (lp > -Infinity) cands.push({ n, v, logp: h.logp + lp }); }
        n++;
      }
      // stable sort: ties keep the (hypothesis, token) order, as greedy's argmax keeps the lowest id
      cands.sort((x, y) => y.logp - x.logp);
      const next: Hyp[] = [];
      for (let k = 0; k < Math.min(2 * K, cands.length) && next.length < K; k++) {
        const c = cands[k], h = hyps[c.n].h;
        if (c.v === EOS_ID) {
          if (k < K) finished[b].push({ tokens: h.tokens, logp: c.logp, score: norm(c.logp, h.tokens.length + 1) });
        } else {
          next.push({ tokens: [...h.tokens, c.v], logp: c.logp, row: c.n });
        }
      }
      live[b] = finished[b].length >= K ? [] : next;
    }
  }
  return finished.map((f, b) => {
    const all = [...f, ...live[b].map((h) => ({ tokens: h.tokens, logp: h.logp, score: norm(h.logp, h.tokens.length) }))];
    const best = all.reduce((a, c) => (c.score > a.score ? c : a));
    return { tokens: Int32Array.from(best.tokens), logp: best.logp };
  });
}

/** Rows `idx` of a tensor along dimension `dim` (inference only: no gradient). */
function takeRows(t: Tensor, idx: Int32Array, dim = 0): Tensor {
  const shape = [...t.shape], outer = shape.slice(0, dim).reduce((a, b) => a * b, 1);
  const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1), n = shape[dim];
  const out = allocData(t.dtype, outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < idx.length; i++) out.set(t.data.subarray((o * n + idx[i]) * inner, (o * n + idx[i] + 1) * inner), (o * idx.length + i) * inner);
  }
  shape[dim] = idx.length;
  return new Tensor(out, shape);
}

function selectMemory(mem: Memory, src: Int32Array): Memory {
  return {
    outputs: takeRows(mem.outputs, src), lengths: Int32Array.from(src, (b) => mem.lengths[b]),
    keys: mem.keys && takeRows(mem.keys, src), state: mem.state,
  };
}
