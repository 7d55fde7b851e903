import { gradOf, record } from '../autograd/engine.js';
import { ShapeError, assert } from '../errors.js';
import { type Rng, defaultRng } from '../tensor/rng.js';
import { type DType, IntTensor, Tensor, allocData } from '../tensor/tensor.js';
import { Module } from './module.js';

export interface EmbeddingOptions { paddingIdx?: number | null; dtype?: DType; rng?: Rng }

/**
 * A lookup table, PyTorch's nn.Embedding: ids (…) → vectors (…, E). weight (V, E) ~ N(0, 1).
 * The row at `paddingIdx` starts at zero and receives no gradient; a negative paddingIdx counts
 * from the end (−1 is V − 1), as in torch.
 */
export class Embedding extends Module {
  weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    assert(Number.isInteger(numEmbeddings) && numEmbeddings > 0 && Number.isInteger(embeddingDim) && embeddingDim > 0,
      () => `Embedding: expected positive integer sizes, got (${numEmbeddings}, ${embeddingDim})`);
    const rng = opts.rng ?? defaultRng();
    const w = allocData(opts.dtype ?? 'float32', numEmbeddings * embeddingDim);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal();
    const given = opts.paddingIdx ?? null;
    assert(given === null || (Number.isInteger(given) && given >= -numEmbeddings && given < numEmbeddings),
      () => `Embedding: expected paddingIdx in [${-numEmbeddings}, ${numEmbeddings}), got ${given}`);
    const p = given !== null && given < 0 ? numEmbeddings + given : given;
    if (p !== null) w.fill(0, p * embeddingDim, (p + 1) * embeddingDim);
    this.paddingIdx = p;
    this.weight = this.param('weight', new Tensor(w, [numEmbeddings, embeddingDim]));
  }

  forward(ids: IntTensor): Tensor {
    if (!(ids instanceof IntTensor)) throw new ShapeError(`Embedding: expected an IntTensor of ids (ints([…])), got ${(ids as object)?.constructor?.name ?? typeof ids}`);
    const V = this.numEmbeddings, E = this.embeddingDim, I = ids.data, W = this.weight.data;
    for (let i = 0; i < I.length; i++) {
      if (I[i] < 0 || I[i] >= V) throw new ShapeError(`Embedding: expected ids in [0, ${V}), got ${I[i]} at position ${i}`);
    }
    const out = allocData(this.weight.dtype, I.length * E);
    for (let i = 0; i < I.length; i++) out.set(W.subarray(I[i] * E, (I[i] + 1) * E), i * E);
    const y = new Tensor(out, [...ids.shape, E]);
    const w = this.weight, pad = this.paddingIdx;
    return record(y, [w], 'embedding', () => {
      const g = y.grad!, gw = gradOf(w);
      for (let i = 0; i < I.length; i++) {
        if (I[i] === pad) continue;
        const r = I[i] * E, s = i * E;
        for (let j = 0; j < E; j++) gw[r + j] += g[s + j];
      }
    });
  }
}
