import { ShapeError } from '../../errors.js';
import type { Data } from '../../tensor/tensor.js';
import type {
  Backend, GemmArgs, GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs,
  RnnForwardArgs, StepKernel, StepSpec, View,
} from '../backend.js';
import type { HostKernels } from '../host.js';
import { ReferenceStep } from '../js/step.js';
import type { NativeAddon, NativeInfo } from './addon.js';
import { NativeStep } from './step.js';

type F32 = Float32Array;

/** The array from the view's start, for the operands C takes without an offset (a new subarray only when off ≠ 0). */
const rest = (v: View<F32>): F32 => (v.off === 0 ? v.buf : v.buf.subarray(v.off));

/**
 * The native backend: C kernels (AVX-512 / AVX2 / portable C, chosen at load time) behind
 * N-API, GEMM through OpenBLAS or the addon's own micro-kernel, chosen per shape.
 * Buffers are host Float32Arrays, so fromHost/toHost cost nothing. Each kernel is a thin method
 * that spells its named arguments out positionally, as C takes them, and crosses into C
 * (≈ 0.1–0.2 µs a call, see bench/kernels/native.mjs).
 */
export class NativeBackend implements Backend<F32> {
  readonly name = 'native' as const;
  readonly dtype = 'float32' as const;
  readonly host: HostKernels;

  constructor(private readonly k: NativeAddon) {
    // the addon type-checks its arrays (Float32Array, Int32Array), so Data can pass straight through
    this.host = {
      gemm: (o) => this.gemm(o as GemmArgs<F32>),
      softmaxXent: k.softmaxXent,
      softmaxXentBackward: k.softmaxXentBackward,
      addColSums: (rows, cols, src, dst) => k.addColSums(src as F32, 0, rows, cols, dst as F32, 0),
    };
  }

  gemm(o: GemmArgs<F32>): void {
    const { A, B, C } = o;
    this.k.gemm(o.tA, o.tB, o.M, o.N, o.K, o.alpha, A.buf, A.off, o.lda, B.buf, B.off, o.ldb,
      o.beta, C.buf, C.off, o.ldc);
  }
  fill(n: number, value: number, x: View<F32>): void { this.k.fill(x.buf, x.off, n, value); }
  copy(n: number, src: View<F32>, dst: View<F32>): void { this.k.copy(src.buf, src.off, dst.buf, dst.off, n); }
  axpy(n: number, alpha: number, x: View<F32>, y: View<F32>): void {
    this.k.axpy(n, alpha, x.buf, x.off, y.buf, y.off);
  }
  broadcastRows(rows: number, cols: number, v: View<F32>, dst: View<F32>): void {
    this.k.broadcastRows(v.buf, v.off, rows, cols, dst.buf, dst.off);
  }
  addColSums(rows: number, cols: number, src: View<F32>, dst: View<F32>): void {
    this.k.addColSums(src.buf, src.off, rows, cols, dst.buf, dst.off);
  }
  transpose(rows: number, cols: number, src: View<F32>, dst: View<F32>): void {
    this.k.transpose(src.buf, src.off, rows, cols, dst.buf, dst.off);
  }
  gatherAddRows(cols: number, idx: Int32Array, table: View<F32>, dst: View<F32>): void {
    this.k.gatherAddRows(rest(table), cols, idx, dst.buf, dst.off);
  }
  scatterAddRows(cols: number, idx: Int32Array, src: View<F32>, table: View<F32>): void {
    this.k.scatterAddRows(src.buf, src.off, cols, idx, rest(table));
  }

  rnnCellForward({ relu, n, gx, gh, h }: RnnForwardArgs<F32>): void {
    this.k.rnnCellForward(relu, n, gx.buf, gx.off, rest(gh), h.buf, h.off);
  }
  rnnCellBackward({ relu, n, h, dh, dg }: RnnBackwardArgs<F32>): void {
    this.k.rnnCellBackward(relu, n, h.buf, h.off, rest(dh), dg.buf, dg.off);
  }
  lstmCellForward({ B, H, gates, gh, cPrev, c, tc, h }: LstmForwardArgs<F32>): void {
    this.k.lstmCellForward(B, H, gates.buf, gates.off, rest(gh), cPrev.buf, cPrev.off,
      c.buf, c.off, tc.buf, tc.off, h.buf, h.off);
  }
  lstmCellBackward({ B, H, gates, cPrev, tc, dh, dc, dg }: LstmBackwardArgs<F32>): void {
    this.k.lstmCellBackward(B, H, gates.buf, gates.off, cPrev.buf, cPrev.off, tc.buf, tc.off,
      rest(dh), rest(dc), dg.buf, dg.off);
  }
  gruCellForward({ B, H, gates, gh, hPrev, hn, h }: GruForwardArgs<F32>): void {
    this.k.gruCellForward(B, H, gates.buf, gates.off, rest(gh), hPrev.buf, hPrev.off, hn.buf, hn.off, h.buf, h.off);
  }
  gruCellBackward({ B, H, gates, hn, hPrev, dh, dgx, dgh, dhPrev }: GruBackwardArgs<F32>): void {
    this.k.gruCellBackward(B, H, gates.buf, gates.off, hn.buf, hn.off, hPrev.buf, hPrev.off, rest(dh),
      dgx.buf, dgx.off, dgh.buf, dgh.off, rest(dhPrev));
  }
  maskState(B: number, H: number, m: View<F32>, x: View<F32>, xPrev: View<F32>): void {
    this.k.maskState(B, H, m.buf, m.off, x.buf, x.off, xPrev.buf, xPrev.off);
  }
  maskRows(B: number, W: number, m: View<F32>, x: View<F32>): void {
    this.k.maskRows(B, W, m.buf, m.off, x.buf, x.off);
  }

  /** Read live: tests and benchmarks may switch the GEMM path (setNativeGemm). */
  get description(): string { return describe(this.k.info()); }

  alloc(n: number): Float32Array { return new Float32Array(n); }
  fromHost(host: Data): Float32Array {
    if (!(host instanceof Float32Array)) throw new ShapeError('native backend: expected float32 data, got float64 (float64 runs on cpu)');
    return host;
  }
  toHost(b: Float32Array, host: Data, off = 0): void {
    if (b !== host || off !== 0) host.set(b.subarray(off, off + host.length));
  }
  release(): void {}

  /**
   * One N-API call per step. Runtimes that allow no external ArrayBuffers (the plan's memory is
   * shared with JavaScript through one) get the reference kernel instead.
   */
  stepKernel(spec: StepSpec): StepKernel {
    try {
      return new NativeStep(this.k, spec);
    } catch (e) {
      if (e instanceof Error && e.message.includes('no external ArrayBuffers')) return new ReferenceStep('float32', spec);
      throw e;
    }
  }
}

/**
 * One line: which GEMM (own micro-kernel or OpenBLAS, how many threads), which pointwise build.
 * @example "native (own AVX-512 GEMM, 2 threads from 0.2 MFLOP, faster here than OpenBLAS 0.3.21 pthread; AVX-512 pointwise)"
 */
export function describe(i: NativeInfo): string {
  const threads = (t: number): string => (t === 1 || (t === 0 && i.cpus < 2) ? '1 thread'
    : t === 2 ? '2 threads' : `2 threads from ${i.twoThreadsFrom / 1e6} MFLOP`);
  const blas = i.blas === null ? null : `${i.blas.version} ${['sequential', 'pthread', 'OpenMP'][i.blas.parallel] ?? ''}`.trim();
  let gemm: string;
  if (i.gemm === 'openblas' && blas !== null) gemm = `${blas}, ${threads(i.threads)} (forced)`;
  else {
    gemm = `own ${i.isa} GEMM, ${threads(i.threads)}`;
    if (blas === null) gemm += `; OpenBLAS not loaded: ${i.blasError}`;
    else if (i.gemm === 'own') gemm += ` (forced; ${blas} loaded)`;
    else if (Number.isFinite(i.blasFrom)) gemm += `, ${blas} from ${i.blasFrom / 1e6} MFLOP`;
    else gemm += `, faster here than ${blas}`;
  }
  return `native (${gemm}; ${i.isa} pointwise)`;
}
