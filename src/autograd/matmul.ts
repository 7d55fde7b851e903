import { ShapeError, fmtShape } from '../errors.js';
import { at } from '../kernels/backend.js';
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
  const av = at(a.data), bv = at(b.data);
  hostGemm({ tA, tB, M, N, K, alpha: 1, beta: 0, A: av, lda, B: bv, ldb, C: at(out), ldc: N });
  const shape = tA ? [M, N] : [...a.shape.slice(0, -2), aRows, N];
  const y = new Tensor(out, shape);
  return record(y, [a, b], 'matmul', () => {
    const dC = at(y.grad!);
    // dA: (M, K) = dC (M, N) · op(B)ᵀ; stored transposed when A was: dAᵀ (K, M) = op(B) · dCᵀ
    if (a.requiresGrad) {
      const dA = at(gradOf(a));
      if (!tA) {
        hostGemm({ tA: false, tB: !tB, M, N: K, K: N, alpha: 1, beta: 1, A: dC, lda: N, B: bv, ldb, C: dA, ldc: lda });
      } else {
        hostGemm({ tA: tB, tB: true, M: K, N: M, K: N, alpha: 1, beta: 1,
          A: bv, lda: ldb, B: dC, ldb: N, C: dA, ldc: lda });
      }
    }
    // dB: (K, N) = op(A)ᵀ · dC; stored transposed when B was: dBᵀ (N, K) = dCᵀ · op(A)
    if (b.requiresGrad) {
      const dB = at(gradOf(b));
      if (!tB) {
        hostGemm({ tA: !tA, tB: false, M: K, N, K: M, alpha: 1, beta: 1, A: av, lda, B: dC, ldb: N, C: dB, ldc: ldb });
      } else {
        hostGemm({ tA: true, tB: tA, M: N, N: K, K: M, alpha: 1, beta: 1,
          A: dC, lda: N, B: av, ldb: lda, C: dB, ldc: ldb });
      }
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
  const X = at(x.data), W = at(weight.data);
  hostGemm({ tA: false, tB: true, M, N: outF, K: inF, alpha: 1, beta: bias ? 1 : 0,
    A: X, lda: inF, B: W, ldb: inF, C: at(out), ldc: outF });
  const y = new Tensor(out, [...x.shape.slice(0, -1), outF]);
  const parents = bias ? [x, weight, bias] : [x, weight];
  return record(y, parents, 'linear', () => {
    const g = y.grad!, dY = at(g);
    if (x.requiresGrad) { // dx += dY·W
      const dX = at(gradOf(x));
      hostGemm({ tA: false, tB: false, M, N: inF, K: outF, alpha: 1, beta: 1,
        A: dY, lda: outF, B: W, ldb: inF, C: dX, ldc: inF });
    }
    if (weight.requiresGrad) { // dW += dYᵀ·x
      const dW = at(gradOf(weight));
      hostGemm({ tA: true, tB: false, M: outF, N: inF, K: M, alpha: 1, beta: 1,
        A: dY, lda: outF, B: X, ldb: inF, C: dW, ldc: inF });
    }
    if (bias?.requiresGrad) hostKernels(g).addColSums(M, outF, g, gradOf(bias));
  });
}
