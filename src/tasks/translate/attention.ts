import { gradOf } from '../../autograd/engine.js';
import { add } from '../../autograd/elementwise.js';
import { fusedOp } from '../../autograd/fused.js';
import { ShapeError, fmtShape } from '../../errors.js';
import { Linear } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import type { Rng } from '../../tensor/rng.js';
import { type Data, type DType, Tensor, allocData } from '../../tensor/tensor.js';

/**
 * Additive attention (Bahdanau, Cho & Bengio 2015):
 *
 *   k[b, s] = W_k·m[b, s] + b_k                      (keys: once per source batch)
 *   e[b, s] = vᵀ · tanh(k[b, s] + W_q·q[b])           (only s < len[b]; padding gets weight 0)
 *   α[b, :] = softmax(e[b, :])
 *   context[b] = Σ_s α[b, s] · m[b, s]
 *
 * Legend: B batch, S source steps, E memory (encoder output) features, Q query size, A attention size.
 * Parameters: query.weight (A, Q); key.weight (A, E), key.bias (A); score.weight (1, A) = vᵀ.
 *
 * The projections are Linear layers on the tape; the rest is one fused op, `attentionForward`
 * and `attentionBackward` below, because the same expression from elementwise autograd ops
 * (`reference`, kept for the tests) allocates and visits (B, S, A) and (B, S, E) tensors several
 * times per decoder step and made attention training about ten times slower.
 */
export class AdditiveAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly score: Linear;

  constructor(readonly querySize: number, readonly memorySize: number, readonly size: number, opts: { rng?: Rng; dtype?: DType } = {}) {
    super();
    this.query = this.module('query', new Linear(querySize, size, { bias: false, ...opts }));
    this.key = this.module('key', new Linear(memorySize, size, opts));
    this.score = this.module('score', new Linear(size, 1, { bias: false, ...opts }));
  }

  /** memory (B, S, E) → keys (B, S, A). */
  keys(memory: Tensor): Tensor { return this.key.forward(memory); }

  /** q (B, Q), memory (B, S, E), keys (B, S, A), lengths (B) → context (B, E) and weights α (B, S), 0 at padding. */
  forward(q: Tensor, memory: Tensor, keys: Tensor, lengths: Int32Array): { context: Tensor; weights: Tensor } {
    return additive(this.query.forward(q), keys, this.score.weight, memory, lengths);
  }

  /** The same from elementwise autograd ops, padding masked with −∞ before the softmax. */
  reference(q: Tensor, memory: Tensor, keys: Tensor, lengths: Int32Array): { context: Tensor; weights: Tensor } {
    const [B, S, E] = memory.shape, A = this.size;
    const e = this.score.forward(add(keys, this.query.forward(q).reshape([B, 1, A])).tanh()).reshape([B, S]);
    const weights = add(e, paddingMask(lengths, S, memory.dtype)).softmax(-1);
    const context = weights.reshape([B, S, 1]).mul(memory).sum(1);
    return { context: context.reshape([B, E]), weights };
  }
}

/** Additive mask (B, S): 0 at real steps, −∞ at padding, so softmax gives padding weight 0 and no gradient. */
export function paddingMask(lengths: ArrayLike<number>, S: number, dtype: DType = 'float32'): Tensor {
  const B = lengths.length, m = allocData(dtype, B * S);
  for (let b = 0; b < B; b++) m.fill(-Infinity, b * S + lengths[b], (b + 1) * S);
  return new Tensor(m, [B, S]);
}

/** Attention sizes: B batch, S source steps, A attention units, E encoder features. */
export interface AttentionDims { B: number; S: number; A: number; E: number }

/**
 * Forward of the fused part. qp (B, A) = W_q·q, keys (B, S, A), v (A), mem (B, S, E), len (B).
 * Writes th (B, S, A) = tanh(keys + qp) (saved for backward), alpha (B, S), ctx (B, E).
 */
export function attentionForward(d: AttentionDims, qp: Data, keys: Data, v: Data, mem: Data, len: Int32Array, th: Data, alpha: Data, ctx: Data): void {
  const { B, S, A, E } = d;
  for (let b = 0; b < B; b++) {
    const n = len[b];
    let max = -Infinity;
    for (let s = 0; s < n; s++) {
      const o = (b * S + s) * A;
      let e = 0;
      for (let a = 0; a < A; a++) {
        // tanh through exp: a third faster than Math.tanh in V8, and this loop is the op's cost
        const t = 1 - 2 / (Math.exp(2 * (keys[o + a] + qp[b * A + a])) + 1);
        th[o + a] = t; e += v[a] * t;
      }
      alpha[b * S + s] = e;
      if (e > max) max = e;
    }
    let sum = 0;
    for (let s = 0; s < n; s++) { const w = Math.exp(alpha[b * S + s] - max); alpha[b * S + s] = w; sum += w; }
    for (let s = 0; s < n; s++) alpha[b * S + s] /= sum;
    for (let s = 0; s < n; s++) {
      const w = alpha[b * S + s], o = (b * S + s) * E;
      for (let j = 0; j < E; j++) ctx[b * E + j] += w * mem[o + j];
    }
  }
}

/**
 * Backward, the forward reversed; every gradient is added into (null: not needed).
 *   dα[s] = gctx·m[s] + gα[s];  dm[s] += α[s]·gctx
 *   de[s] = α[s]·(dα[s] − Σ_s' α[s']·dα[s'])            (softmax)
 *   dpre = de[s]·v ⊙ (1 − th²);  dkeys[s] += dpre;  dqp += Σ_s dpre;  dv += Σ_s de[s]·th[s]
 */
export function attentionBackward(d: AttentionDims, gctx: Data | null, galpha: Data | null, saved: { v: Data; mem: Data; len: Int32Array; th: Data; alpha: Data },
  out: { dqp: Data | null; dkeys: Data | null; dv: Data | null; dmem: Data | null }): void {
  const { B, S, A, E } = d, { v, mem, len, th, alpha } = saved;
  const de = new Float64Array(S);
  for (let b = 0; b < B; b++) {
    const n = len[b];
    let dot = 0;
    for (let s = 0; s < n; s++) {
      const o = (b * S + s) * E, w = alpha[b * S + s];
      let da = galpha ? galpha[b * S + s] : 0;
      if (gctx) {
        for (let j = 0; j < E; j++) da += gctx[b * E + j] * mem[o + j];
        if (out.dmem) for (let j = 0; j < E; j++) out.dmem[o + j] += w * gctx[b * E + j];
      }
      de[s] = da;
      dot += w * da;
    }
    for (let s = 0; s < n; s++) {
      const g = alpha[b * S + s] * (de[s] - dot), o = (b * S + s) * A;
      for (let a = 0; a < A; a++) {
        const t = th[o + a], dpre = g * v[a] * (1 - t * t);
        if (out.dkeys) out.dkeys[o + a] += dpre;
        if (out.dqp) out.dqp[b * A + a] += dpre;
        if (out.dv) out.dv[a] += g * t;
      }
    }
  }
}

/** The fused op on the tape: qp (B, A), keys (B, S, A), vWeight (1, A), memory (B, S, E). */
function additive(qp: Tensor, keys: Tensor, vWeight: Tensor, memory: Tensor, lengths: Int32Array): { context: Tensor; weights: Tensor } {
  const [B, S, E] = memory.shape, A = vWeight.shape[1];
  const ok = qp.shape[0] === B && qp.shape[1] === A && keys.shape[0] === B && keys.shape[1] === S && keys.shape[2] === A && lengths.length === B;
  if (!ok) throw new ShapeError(`attention: expected query (${B}, ${A}), keys (${B}, ${S}, ${A}) and ${B} lengths, got ${fmtShape(qp.shape)}, ${fmtShape(keys.shape)} and ${lengths.length}`);
  for (let b = 0; b < B; b++) {
    if (!(lengths[b] >= 1 && lengths[b] <= S)) throw new ShapeError(`attention: expected lengths in [1, ${S}], got ${lengths[b]} for row ${b}`);
  }
  const dt = memory.dtype, d = { B, S, A, E };
  const th = allocData(dt, B * S * A), alpha = allocData(dt, B * S), ctx = allocData(dt, B * E);
  attentionForward(d, qp.data, keys.data, vWeight.data, memory.data, lengths, th, alpha, ctx);
  const context = new Tensor(ctx, [B, E]), weights = new Tensor(alpha, [B, S]);
  fusedOp('additiveAttention', [qp, keys, vWeight, memory], [context, weights], ([gctx, galpha]) => {
    attentionBackward(d, gctx, galpha, { v: vWeight.data, mem: memory.data, len: lengths, th, alpha }, {
      dqp: qp.requiresGrad ? gradOf(qp) : null, dkeys: keys.requiresGrad ? gradOf(keys) : null,
      dv: vWeight.requiresGrad ? gradOf(vWeight) : null, dmem: memory.requiresGrad ? gradOf(memory) : null,
    });
  });
  return { context, weights };
}
