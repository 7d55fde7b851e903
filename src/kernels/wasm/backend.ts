import type { Data } from '../../tensor/tensor.js';
import type {
  Backend, GemmArgs, GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs,
  RnnForwardArgs, StepKernel, StepSpec, View,
} from '../backend.js';
import type { HostKernels } from '../host.js';
import { Heap } from './heap.js';
import { wasmHostKernels } from './host.js';
import {
  type KernelName, type Kernels, type Variant, bestVariant, canShareMemory, compileKernels, compileKernelsAsync, importBuiltins, instantiate,
} from './loader.js';
import { WasmStep } from './step.js';
import { Team, workerUnavailableReason } from './team.js';

/**
 * The WebAssembly SIMD backend: kernels written in AssemblyScript (assembly/), compiled for
 * SIMD128 or relaxed SIMD, on one linear memory shared with a worker thread.
 *
 * A buffer (`Buf`) is a byte offset into that memory (heap.ts); kernels take byte addresses,
 * `buf + 4·offset`. Large GEMMs are split by columns (or rows) and large pointwise kernels by rows
 * between this thread and the worker (team.ts); everything else runs here.
 * Legend: B batch, H hidden, G gates, M/N/K GEMM sizes.
 */
export interface WasmOptions {
  /** 'relaxed' (fused multiply-add) where the engine takes it, else 'simd'. */
  variant?: Variant;
  /** 2 (this thread and a worker) where shared memory and workers exist, else 1. */
  threads?: 1 | 2;
  /** Initial memory in 64 KiB pages (it grows on demand). */
  initialPages?: number;
  /** Growth limit in 64 KiB pages (shared memories reserve it up front). */
  maximumPages?: number;
}

/**
 * When the second thread pays, measured with bench/kernels/wasm-thresholds.ts on the 2-core AVX-512 machine of
 * PERF-NOTES (idle): a hand-over costs ~0.3–0.5 µs plus the worker's cache misses on data this
 * thread just wrote. GEMM 32×64·(64×64)ᵀ (262 kflop) 0.9–1.7× from run to run, 590 kflop 1.6×,
 * 1 Mflop 1.8×; tanh step at 1 K elements 1.6×; LSTM step at 2 K gate elements 1.35–1.7×; axpy at
 * 16 K elements 1.0×, at 64 K 1.4–1.8×. The RNN-128 training step was fastest (or tied) with
 * these values. Mutable: tests set them to 0 (and adaptive off) to run every kernel on both threads.
 */
export const wasmTuning = {
  /** 2·M·N·K from which a GEMM is split (S1, one RNN-128 step, is 1 MFLOP: 23 µs on one thread). */
  gemmMinFlops: 1 << 19,
  /** Gate elements (G·B·H) from which a cell's forward step (and the softmax) is split: exp-heavy, 1–2.5 ns each. */
  cellMinElems: 1 << 11,
  /** Elements from which the memory-bound kernels (backward steps, axpy, copies, sums, gathers) are split. */
  pointwiseMinElems: 1 << 16,
  /** Stand down to one thread for a while when the worker loses its core (see team.ts); tests turn it off. */
  adaptive: true,
};

/** What createAsync makes ahead of the constructor. */
interface Prepared { variant: Variant; heap: Heap; module: WebAssembly.Module; kernels: Kernels }

const KERNELS: readonly KernelName[] = [
  'gemm', 'transpose', 'rnn_forward', 'rnn_backward', 'lstm_forward', 'lstm_backward', 'gru_forward', 'gru_backward',
  'axpy', 'broadcast_rows', 'add_col_sums', 'gather_add_rows', 'scatter_add_rows', 'softmax_rows',
];

/** The byte address where a view starts (a buffer is a byte offset into linear memory, `off` counts floats). */
const ptr = (v: View<number>): number => v.buf + 4 * v.off;

const cleanup = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Team>((t) => t.dispose()) : null;

export class WasmBackend implements Backend<number> {
  readonly name = 'wasm' as const;
  readonly dtype = 'float32' as const;
  readonly manualMemory = true;
  readonly description: string;
  readonly variant: Variant;
  readonly threads: number;
  readonly heap: Heap;
  readonly host: HostKernels;
  /** The kernels on this thread. */
  readonly k: Kernels;
  private readonly team: Team | null;
  /** GEMM packing scratch of this thread and of the worker. */
  private readonly ws0: number;
  private readonly ws1: number;
  /** Scratch for index arrays (gather/scatter), grown on demand. */
  private idx = 0;
  private idxBytes = 0;

  /**
   * Synchronous: fine in Node and in workers. A browser main thread, which may not compile or
   * instantiate a large module synchronously, uses `await WasmBackend.createAsync()`.
   */
  constructor(opts: WasmOptions = {}, prepared?: Prepared) {
    this.variant = prepared?.variant ?? opts.variant ?? bestVariant();
    const want = opts.threads ?? 2;
    const shared = prepared?.heap.shared ?? (want > 1 && canShareMemory() && workerUnavailableReason() === null);
    this.heap = prepared?.heap ?? new Heap({ shared, initialPages: opts.initialPages, maximumPages: opts.maximumPages });
    const module = prepared?.module ?? compileKernels(this.variant, shared);
    this.k = prepared?.kernels ?? instantiate(module, this.heap.memory);
    const scratch = this.k.gemm_scratch_bytes();
    this.ws0 = this.heap.alloc(scratch);
    this.ws1 = shared ? this.heap.alloc(scratch) : 0;
    this.team = shared ? new Team(module, this.heap.memory, this.k as unknown as Record<string, (...a: number[]) => void>, KERNELS) : null;
    if (this.team) cleanup?.register(this, this.team, this);
    this.threads = shared ? 2 : 1;
    const isa = this.variant === 'relaxed' ? 'SIMD128 + relaxed FMA' : 'SIMD128';
    this.description = `wasm (AssemblyScript kernels, ${isa}, ${this.threads} thread${this.threads > 1 ? 's' : ''}`
      + `${want > 1 && !shared ? `: ${workerUnavailableReason() ?? 'no shared memory'}` : ''})`;
    this.host = wasmHostKernels(this);
  }

  /** Compiles and instantiates asynchronously (what browser main threads must do). */
  static async createAsync(opts: WasmOptions = {}): Promise<WasmBackend> {
    await importBuiltins();
    const variant = opts.variant ?? bestVariant();
    const shared = (opts.threads ?? 2) > 1 && canShareMemory() && workerUnavailableReason() === null;
    const module = await compileKernelsAsync(variant, shared);
    const heap = new Heap({ shared, initialPages: opts.initialPages, maximumPages: opts.maximumPages });
    const inst = await WebAssembly.instantiate(module, { env: { memory: heap.memory } });
    return new WasmBackend(opts, { variant, heap, module, kernels: inst.exports as unknown as Kernels });
  }

  /** Resolves once the worker thread takes jobs (until then everything runs on this thread). */
  async whenReady(): Promise<boolean> { return this.team ? this.team.whenReady() : false; }
  get workerReady(): boolean { return this.team?.ready ?? false; }
  /** Hand-overs to the worker: posted, taken back (worker not started in time), stand-downs (it cost more than it saved). */
  get teamStats(): Team['stats'] {
    const s = this.team?.stats ?? { posted: 0, takenBack: 0, standDowns: 0, why: { credit: 0, misses: 0, cores: 0 } };
    return { ...s, why: { ...s.why } };
  }
  /** Kernel halves the worker thread has run so far. */
  get workerJobs(): number { return this.team?.workerJobs ?? 0; }

  /** Stops the worker thread; the backend keeps working on this thread. */
  dispose(): void {
    if (!this.team) return;
    cleanup?.unregister(this);
    this.team.dispose();
  }

  // ---- memory -------------------------------------------------------------------------------------

  alloc(n: number): number {
    const b = this.heap.alloc(n * 4);
    this.heap.f32.fill(0, b >>> 2, (b >>> 2) + n);
    return b;
  }
  fromHost(host: Data): number {
    const b = this.heap.alloc(host.length * 4);
    this.heap.f32.set(host, b >>> 2);
    return b;
  }
  toHost(b: number, host: Data, off = 0): void {
    const s = (b >>> 2) + off;
    host.set(this.heap.f32.subarray(s, s + host.length));
  }
  release(b: number): void { this.heap.release(b); }

  /** A scratch copy of `idx` in linear memory (valid until the next call). */
  private indices(idx: Int32Array): number {
    const bytes = Math.max(4, idx.length * 4);
    if (bytes > this.idxBytes) {
      if (this.idx !== 0) this.heap.release(this.idx);
      this.idxBytes = Math.max(bytes, this.idxBytes * 2);
      this.idx = this.heap.alloc(this.idxBytes);
    }
    this.heap.i32.set(idx, this.idx >>> 2);
    return this.idx;
  }

  /** Two threads for this call? */
  private par(work: number, min: number): boolean {
    return this.team !== null && work >= min && (wasmTuning.adaptive ? this.team.available : this.team.ready);
  }

  /** Runs an exp-heavy, row-separable kernel over rows [0, rows) of `width` elements, on both threads when large. */
  runRows(name: KernelName, rows: number, width: number, args: (r0: number, r1: number) => number[]): void {
    if (rows > 1 && this.par(rows * width, wasmTuning.cellMinElems)) {
      const r1 = rows >> 1;
      this.team!.run2(name, args(0, r1), args(r1, rows));
    } else (this.k[name] as (...a: number[]) => void)(...args(0, rows));
  }

  // ---- dense --------------------------------------------------------------------------------------

  gemm(o: GemmArgs<number>): void {
    const { tA, tB, M, N, K, alpha, beta, lda, ldb, ldc } = o, a = ptr(o.A), b = ptr(o.B), c = ptr(o.C);
    if (this.par(2 * M * N * K, wasmTuning.gemmMinFlops)) {
      // split the dimension whose other operand is cheaper to pack twice: columns re-pack A (M·K), rows re-pack B (K·N)
      if (N >= 16 && (M <= N || M < 8)) {
        const g = N >= 64 ? 16 : 8, n1 = Math.max(g, Math.round(N / 2 / g) * g); // on cache-line boundaries where it costs little balance
        this.team!.run2('gemm', [+tA, +tB, M, n1, K, alpha, a, lda, b, ldb, beta, c, ldc, this.ws0],
          [+tA, +tB, M, N - n1, K, alpha, a, lda, tB ? b + 4 * n1 * ldb : b + 4 * n1, ldb, beta, c + 4 * n1, ldc, this.ws1]);
        return;
      }
      if (M >= 8) {
        const m1 = Math.ceil(M / 8) * 4;
        this.team!.run2('gemm', [+tA, +tB, m1, N, K, alpha, a, lda, b, ldb, beta, c, ldc, this.ws0],
          [+tA, +tB, M - m1, N, K, alpha, tA ? a + 4 * m1 : a + 4 * m1 * lda, lda, b, ldb, beta, c + 4 * m1 * ldc, ldc, this.ws1]);
        return;
      }
    }
    this.k.gemm(tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, this.ws0);
  }

  fill(n: number, value: number, x: View<number>): void {
    const s = (x.buf >>> 2) + x.off;
    this.heap.f32.fill(value, s, s + n);
  }
  copy(n: number, src: View<number>, dst: View<number>): void {
    const s = (src.buf >>> 2) + src.off;
    this.heap.f32.copyWithin((dst.buf >>> 2) + dst.off, s, s + n);
  }
  axpy(n: number, alpha: number, x: View<number>, y: View<number>): void {
    const xp = ptr(x), yp = ptr(y);
    if (n >= 8 && this.par(n, wasmTuning.pointwiseMinElems)) {
      const n1 = Math.ceil(n / 8) * 4;
      this.team!.run2('axpy', [n1, alpha, xp, yp], [n - n1, alpha, xp + 4 * n1, yp + 4 * n1]);
    } else this.k.axpy(n, alpha, xp, yp);
  }
  broadcastRows(rows: number, cols: number, v: View<number>, dst: View<number>): void {
    const vp = ptr(v), d = ptr(dst);
    if (this.par(rows * cols, wasmTuning.pointwiseMinElems) && rows > 1) {
      const r1 = rows >> 1;
      this.team!.run2('broadcast_rows', [vp, r1, cols, d], [vp, rows - r1, cols, d + 4 * r1 * cols]);
    } else this.k.broadcast_rows(vp, rows, cols, d);
  }
  addColSums(rows: number, cols: number, src: View<number>, dst: View<number>): void {
    const s = ptr(src), d = ptr(dst);
    if (this.par(rows * cols, wasmTuning.pointwiseMinElems) && cols >= 8) {
      const c1 = Math.ceil(cols / 8) * 4; // columns: each thread sums its own, in the reference's row order
      this.team!.run2('add_col_sums', [s, rows, c1, cols, d], [s + 4 * c1, rows, cols - c1, cols, d + 4 * c1]);
    } else this.k.add_col_sums(s, rows, cols, cols, d);
  }
  transpose(rows: number, cols: number, src: View<number>, dst: View<number>): void {
    const s = ptr(src), d = ptr(dst);
    if (this.par(rows * cols, wasmTuning.pointwiseMinElems) && rows >= 8) {
      const r1 = Math.ceil(rows / 8) * 4;
      this.team!.run2('transpose', [s, r1, cols, cols, d, rows], [s + 4 * r1 * cols, rows - r1, cols, cols, d + 4 * r1, rows]);
    } else this.k.transpose(s, rows, cols, cols, d, rows);
  }
  gatherAddRows(cols: number, idx: Int32Array, table: View<number>, dst: View<number>): void {
    const n = idx.length, ip = this.indices(idx), t = ptr(table), d = ptr(dst);
    if (this.par(n * cols, wasmTuning.pointwiseMinElems) && n > 1) {
      const n1 = n >> 1; // by rows of dst: each row has its own index
      this.team!.run2('gather_add_rows', [t, cols, ip, n1, d, cols],
        [t, cols, ip + 4 * n1, n - n1, d + 4 * n1 * cols, cols]);
    } else this.k.gather_add_rows(t, cols, ip, n, d, cols);
  }
  scatterAddRows(cols: number, idx: Int32Array, src: View<number>, table: View<number>): void {
    const n = idx.length, ip = this.indices(idx), s = ptr(src), t = ptr(table);
    if (this.par(n * cols, wasmTuning.pointwiseMinElems) && cols >= 8) {
      const c1 = Math.ceil(cols / 8) * 4; // by columns: rows may share an index, columns never collide
      this.team!.run2('scatter_add_rows', [s, c1, cols, ip, n, t], [s + 4 * c1, cols - c1, cols, ip, n, t + 4 * c1]);
    } else this.k.scatter_add_rows(s, cols, cols, ip, n, t);
  }

  // ---- pointwise parts of the fused cells -----------------------------------------------------------

  rnnCellForward(o: RnnForwardArgs<number>): void {
    const { relu, n } = o, x = ptr(o.gx), q = ptr(o.gh), y = ptr(o.h);
    if (n >= 8 && this.par(n, relu ? wasmTuning.pointwiseMinElems : wasmTuning.cellMinElems)) {
      const n1 = Math.ceil(n / 8) * 4;
      this.team!.run2('rnn_forward', [+relu, n1, x, q, y], [+relu, n - n1, x + 4 * n1, q + 4 * n1, y + 4 * n1]);
    } else this.k.rnn_forward(relu, n, x, q, y);
  }
  rnnCellBackward(o: RnnBackwardArgs<number>): void {
    const { relu, n } = o, y = ptr(o.h), e = ptr(o.dh), d = ptr(o.dg);
    if (n >= 8 && this.par(n, wasmTuning.pointwiseMinElems)) { // a multiply per element: memory-bound
      const n1 = Math.ceil(n / 8) * 4;
      this.team!.run2('rnn_backward', [+relu, n1, y, e, d], [+relu, n - n1, y + 4 * n1, e + 4 * n1, d + 4 * n1]);
    } else this.k.rnn_backward(relu, n, y, e, d);
  }
  lstmCellForward(o: LstmForwardArgs<number>): void {
    const { B, H } = o, g = ptr(o.gates), q = ptr(o.gh), cp = ptr(o.cPrev), c = ptr(o.c), t = ptr(o.tc), h = ptr(o.h);
    if (this.par(4 * B * H, wasmTuning.cellMinElems) && B > 1) {
      const b1 = B >> 1, G = 16 * b1 * H, S = 4 * b1 * H; // byte offsets of row b1 in (B, 4H) and (B, H)
      this.team!.run2('lstm_forward', [b1, H, g, q, cp, c, t, h],
        [B - b1, H, g + G, q + G, cp + S, c + S, t + S, h + S]);
    } else this.k.lstm_forward(B, H, g, q, cp, c, t, h);
  }
  lstmCellBackward(o: LstmBackwardArgs<number>): void {
    const { B, H } = o, g = ptr(o.gates), cp = ptr(o.cPrev), t = ptr(o.tc);
    const e = ptr(o.dh), dc = ptr(o.dc), d = ptr(o.dg);
    if (this.par(4 * B * H, wasmTuning.pointwiseMinElems) && B > 1) {
      const b1 = B >> 1, G = 16 * b1 * H, S = 4 * b1 * H;
      this.team!.run2('lstm_backward', [b1, H, g, cp, t, e, dc, d],
        [B - b1, H, g + G, cp + S, t + S, e + S, dc + S, d + G]);
    } else this.k.lstm_backward(B, H, g, cp, t, e, dc, d);
  }
  gruCellForward(o: GruForwardArgs<number>): void {
    const { B, H } = o, g = ptr(o.gates), q = ptr(o.gh), hp = ptr(o.hPrev), n = ptr(o.hn), h = ptr(o.h);
    if (this.par(3 * B * H, wasmTuning.cellMinElems) && B > 1) {
      const b1 = B >> 1, G = 12 * b1 * H, S = 4 * b1 * H;
      this.team!.run2('gru_forward', [b1, H, g, q, hp, n, h], [B - b1, H, g + G, q + G, hp + S, n + S, h + S]);
    } else this.k.gru_forward(B, H, g, q, hp, n, h);
  }
  gruCellBackward(o: GruBackwardArgs<number>): void {
    const { B, H } = o, g = ptr(o.gates), n = ptr(o.hn), hp = ptr(o.hPrev), e = ptr(o.dh);
    const dx = ptr(o.dgx), dy = ptr(o.dgh), dp = ptr(o.dhPrev);
    if (this.par(3 * B * H, wasmTuning.pointwiseMinElems) && B > 1) {
      const b1 = B >> 1, G = 12 * b1 * H, S = 4 * b1 * H;
      this.team!.run2('gru_backward', [b1, H, g, n, hp, e, dx, dy, dp],
        [B - b1, H, g + G, n + S, hp + S, e + S, dx + G, dy + G, dp + S]);
    } else this.k.gru_backward(B, H, g, n, hp, e, dx, dy, dp);
  }
  maskState(B: number, H: number, m: View<number>, x: View<number>, xPrev: View<number>): void {
    this.k.mask_state(B, H, ptr(m), ptr(x), ptr(xPrev));
  }
  maskRows(B: number, W: number, m: View<number>, x: View<number>): void {
    this.k.mask_rows(B, W, ptr(m), ptr(x));
  }

  // ---- one step at batch 1 ---------------------------------------------------------------------------

  /** One call into wasm per step, on this thread (a step is far below what a hand-over costs). */
  stepKernel(spec: StepSpec): StepKernel { return new WasmStep(this, spec); }
}
