import { ShapeError, fmtShape } from '../errors.js';
import { hostGemm, hostKernels } from '../kernels/host.js';
import { Tensor, allocData } from '../tensor/tensor.js';
import { gradOf, record } from './engine.js';

export interface MatmulOptions { transA?: boolean; transB?: boolean }

/**
 * C = op(A)·op(B) with op(X) = Xᵀ when asked, without materialising the transpose.
 * A may carry leading batch dims, (…, M, K)·(K, N) → (…, M, N), as `x·Wᵀ` over a batch does.
 * Backward: dA = dC·op(B)ᵀ, dB = op(A)ᵀ·dC, written as GEMMs with the right transpose flags.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const tA = opts.transA ?? false, tB = opts.transB ?? false;
  if (a.dtype !== b.dtype) throw new ShapeError(`matmul: expected operands of one dtype, got ${a.dtype} and ${b.dtype}`);
  if (a.ndim < 2 || b.ndim !== 2 || (tA && a.ndim !== 2)) {
    throw new ShapeError(`matmul: expected A (…, M, K) [or (K, M) with transA] and B 2-D, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const aRows = a.shape[a.ndim - 2], aCols = a.shape[a.ndim - 1];
  const lead = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const M = tA ? aCols : aRows * lead, K = tA ? aRows : aCols;
  const Kb = tB ? b.shape[1] : b.shape[0], N = tB ? b.shape[0] : b.shape[1];
  if (K !== Kb) {
    throw new ShapeError(`matmul: inner sizes differ: op(A) ${fmtShape(a.shape)}${tA ? 'ᵀ' : ''} has K = ${K}, `
      + `op(B) ${fmtShape(b.shape)}${tB ? 'ᵀ' : ''} has K = ${Kb}`);
  }
  const lda = a.shape[a.ndim - 1], ldb = b.shape[1];
  const out = allocData(a.dtype, M * N);
  hostGemm(tA, tB, M, N, K, 1, a.data, 0, lda, b.data, 0, ldb, 0, out, 0, N);
  const shape = tA ? [M, N] : [...a.shape.slice(0, -2), aRows, N];
  const y = new Tensor(out, shape);
  return record(y, [a, b], 'matmul', () => {
    const g = y.grad!;
    // dA: (M, K) = dC (M, N) · op(B)ᵀ; stored transposed when A was: dAᵀ (K, M) = op(B) · dCᵀ
    if (a.requiresGrad) {
      if (!tA) hostGemm(false, !tB, M, K, N, 1, g, 0, N, b.data, 0, ldb, 1, gradOf(a), 0, lda);
      else hostGemm(tB, true, K, M, N, 1, b.data, 0, ldb, g, 0, N, 1, gradOf(a), 0, lda);
    }
    // dB: (K, N) = op(A)ᵀ · dC; stored transposed when B was: dBᵀ (N, K) = dCᵀ · op(A)
    if (b.requiresGrad) {
      if (!tB) hostGemm(!tA, false, K, N, M, 1, a.data, 0, lda, g, 0, N, 1, gradOf(b), 0, ldb);
      else hostGemm(true, tA, N, K, M, 1, g, 0, N, a.data, 0, lda, 1, gradOf(b), 0, ldb);
    }
  });
}

/**
 * y = x·Wᵀ + b, PyTorch's `F.linear`: x (…, in), W (out, in), b (out) → y (…, out).
 * One op with its own backward (two GEMMs and a column sum) rather than matmul + broadcast add:
 * it carries every output projection of every model.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`linear: expected a 2-D weight (out, in), got ${fmtShape(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: expected input (…, ${inF}) for weight ${fmtShape(weight.shape)}, got ${fmtShape(x.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: expected bias of shape [${outF}], got ${fmtShape(bias.shape)}`);
  }
  if (x.dtype !== weight.dtype || (bias && bias.dtype !== weight.dtype)) {
    throw new ShapeError(`linear: expected one dtype, got input ${x.dtype}, weight ${weight.dtype}${bias ? `, bias ${bias.dtype}` : ''}`);
  }
  const M = x.size / inF, out = allocData(x.dtype, M * outF);
  if (bias) for (let i = 0; i < M; i++) out.set(bias.data, i * outF);
  hostGemm(false, true, M, outF, inF, 1, x.data, 0, inF, weight.data, 0, inF, bias ? 1 : 0, out, 0, outF);
  const y = new Tensor(out, [...x.shape.slice(0, -1), outF]);
  const parents = bias ? [x, weight, bias] : [x, weight];
  return record(y, parents, 'linear', () => {
    const g = y.grad!;
    if (x.requiresGrad) hostGemm(false, false, M, inF, outF, 1, g, 0, outF, weight.data, 0, inF, 1, gradOf(x), 0, inF);
    if (weight.requiresGrad) hostGemm(true, false, outF, inF, M, 1, g, 0, outF, x.data, 0, inF, 1, gradOf(weight), 0, inF);
    if (bias?.requiresGrad) hostKernels(g).addColSums(M, outF, g, gradOf(bias));
  });
}
