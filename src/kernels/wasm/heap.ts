/**
 * The wasm backend's linear memory and its allocator, kept on the JS side so the kernels stay
 * allocation-free (and so several threads can run them on one memory).
 *
 * A buffer handle is a byte offset into the memory: never 0, a multiple of ALIGN (64, a cache
 * line, so f32x4 loads are aligned and two buffers never share a line). Free blocks are kept
 * sorted by offset and coalesced with their neighbours on release; allocation is first-fit.
 * When nothing fits, the memory grows (by at least half its size, so growth is amortised);
 * offsets stay valid across growth, only the typed-array views are renewed.
 */
export const ALIGN = 64;
const PAGE = 65536;
/** Bytes below this are never handed out: handle 0 stays "no buffer". */
const BASE = 1024;

export interface HeapOptions {
  /** A shared memory (SharedArrayBuffer) that worker threads can instantiate the kernels on. */
  shared: boolean;
  /** Initial size in 64 KiB pages. */
  initialPages?: number;
  /** Growth limit in pages (a shared memory must declare one). */
  maximumPages?: number;
}

interface Block { off: number; size: number }

export class Heap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly maximumPages: number;
  f32!: Float32Array;
  i32!: Int32Array;
  f64!: Float64Array;
  /** Free blocks, sorted by offset, never adjacent (adjacent ones are merged). */
  private free: Block[] = [];
  /** Size of every live block by its offset. */
  private live = new Map<number, number>();

  constructor(opts: HeapOptions) {
    const initial = opts.initialPages ?? 256;
    this.shared = opts.shared;
    // A shared memory reserves its maximum up front; engines that cannot reserve 4 GiB get less.
    let max = opts.maximumPages ?? 65536, memory: WebAssembly.Memory | null = null;
    for (;;) {
      try { memory = new WebAssembly.Memory({ initial, maximum: max, shared: opts.shared }); break; }
      catch (e) { if (max <= initial * 2) throw e; max >>= 1; }
    }
    this.memory = memory;
    this.maximumPages = max;
    this.free.push({ off: BASE, size: this.byteLength - BASE });
    this.refresh();
  }

  get byteLength(): number { return this.memory.buffer.byteLength; }
  /** Bytes in live blocks. */
  get usedBytes(): number { let s = 0; for (const v of this.live.values()) s += v; return s; }
  get liveBlocks(): number { return this.live.size; }
  /** A copy of the free list, for tests. */
  freeBlocks(): Block[] { return this.free.map((b) => ({ ...b })); }

  /** A block of at least `bytes` bytes (contents undefined). */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) i = this.grow(size);
    const b = this.free[i], off = b.off;
    if (b.size === size) this.free.splice(i, 1);
    else { b.off += size; b.size -= size; }
    this.live.set(off, size);
    return off;
  }

  release(off: number): void {
    const size = this.live.get(off);
    if (size === undefined) throw new Error(`wasm heap: release of ${off}, which is not a live block`);
    this.live.delete(off);
    // insertion point by binary search, then merge with the neighbours that touch it
    let lo = 0, hi = this.free.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.free[mid].off < off) lo = mid + 1; else hi = mid; }
    const prev = this.free[lo - 1], next = this.free[lo];
    if (prev && prev.off + prev.size === off) {
      prev.size += size;
      if (next && prev.off + prev.size === next.off) { prev.size += next.size; this.free.splice(lo, 1); }
    } else if (next && off + size === next.off) {
      next.off = off; next.size += size;
    } else {
      this.free.splice(lo, 0, { off, size });
    }
  }

  /** Grows the memory so that a free block of `size` bytes exists at its end; returns its index. */
  private grow(size: number): number {
    const end = this.byteLength;
    const last = this.free[this.free.length - 1];
    const tail = last && last.off + last.size === end ? last.size : 0;
    const need = Math.ceil((size - tail) / PAGE);
    const pages = Math.max(need, Math.ceil(end / PAGE / 2));
    const have = end / PAGE;
    const add = Math.min(pages, this.maximumPages - have);
    if (add < need) {
      throw new RangeError(`wasm heap: out of memory: ${size} bytes requested, ${this.usedBytes} in use of at most ${this.maximumPages * PAGE}`);
    }
    this.memory.grow(add);
    this.refresh();
    if (tail > 0) last.size += add * PAGE;
    else this.free.push({ off: end, size: add * PAGE });
    return this.free.length - 1;
  }

  /** New views after growth (the old ones keep their length, or are detached when not shared). */
  private refresh(): void {
    const buf = this.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
  }
}
