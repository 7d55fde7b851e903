import { ShapeError } from '../../errors.js';
import type { Data } from '../../tensor/tensor.js';
import type { Backend, StepKernel, StepSpec } from '../backend.js';
import type { HostKernels } from '../host.js';
import { ReferenceStep } from '../js/step.js';
import type { NativeAddon, NativeInfo } from './addon.js';
import { NativeStep } from './step.js';

/**
 * The native backend: C kernels (AVX-512 / AVX2 / portable C, chosen at load time) behind
 * N-API, GEMM through OpenBLAS or the addon's own micro-kernel, chosen per shape.
 * Buffers are host Float32Arrays, so fromHost/toHost cost nothing, and the kernels are the
 * addon's functions themselves, installed as methods: a call crosses into C with no
 * JavaScript wrapper in between (≈ 0.1–0.2 µs, see bench/kernels/native.mjs).
 */
export class NativeBackend implements Backend<Float32Array> {
  readonly name = 'native' as const;
  readonly dtype = 'float32' as const;
  readonly host: HostKernels;

  readonly gemm: NativeAddon['gemm'];
  readonly fill: NativeAddon['fill'];
  readonly copy: NativeAddon['copy'];
  readonly axpy: NativeAddon['axpy'];
  readonly broadcastRows: NativeAddon['broadcastRows'];
  readonly addColSums: NativeAddon['addColSums'];
  readonly transpose: NativeAddon['transpose'];
  readonly gatherAddRows: NativeAddon['gatherAddRows'];
  readonly scatterAddRows: NativeAddon['scatterAddRows'];
  readonly rnnCellForward: NativeAddon['rnnCellForward'];
  readonly rnnCellBackward: NativeAddon['rnnCellBackward'];
  readonly lstmCellForward: NativeAddon['lstmCellForward'];
  readonly lstmCellBackward: NativeAddon['lstmCellBackward'];
  readonly gruCellForward: NativeAddon['gruCellForward'];
  readonly gruCellBackward: NativeAddon['gruCellBackward'];
  readonly maskState: NativeAddon['maskState'];
  readonly maskRows: NativeAddon['maskRows'];

  constructor(private readonly k: NativeAddon) {
    this.gemm = k.gemm; this.fill = k.fill; this.copy = k.copy; this.axpy = k.axpy;
    this.broadcastRows = k.broadcastRows; this.addColSums = k.addColSums; this.transpose = k.transpose;
    this.gatherAddRows = k.gatherAddRows; this.scatterAddRows = k.scatterAddRows;
    this.rnnCellForward = k.rnnCellForward; this.rnnCellBackward = k.rnnCellBackward;
    this.lstmCellForward = k.lstmCellForward; this.lstmCellBackward = k.lstmCellBackward;
    this.gruCellForward = k.gruCellForward; this.gruCellBackward = k.gruCellBackward;
    this.maskState = k.maskState; this.maskRows = k.maskRows;
    // the addon type-checks its arrays (Float32Array, Int32Array), so Data can pass straight through
    this.host = {
      gemm: k.gemm as HostKernels['gemm'],
      softmaxXent: k.softmaxXent,
      softmaxXentBackward: k.softmaxXentBackward,
      addColSums: (rows, cols, src, dst) => k.addColSums(src as Float32Array, 0, rows, cols, dst as Float32Array, 0),
    };
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
