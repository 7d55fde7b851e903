import { describe, expect, it } from 'vitest';
import { Rng } from '../../tensor/rng.js';
import { WasmBackend } from './backend.js';
import { ALIGN, Heap } from './heap.js';

describe('wasm heap allocator', () => {
  it('hands out aligned, non-zero, non-overlapping blocks', () => {
    const h = new Heap({ shared: false, initialPages: 1 });
    const blocks = [1, 3, 17, 64, 65, 129, 4096].map((n) => [h.alloc(n), n] as const);
    for (const [off] of blocks) { expect(off).toBeGreaterThan(0); expect(off % ALIGN).toBe(0); }
    const sorted = [...blocks].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i][0]).toBeGreaterThanOrEqual(sorted[i - 1][0] + sorted[i - 1][1]);
  });

  it('coalesces freed neighbours back into one block and reuses freed space first', () => {
    const h = new Heap({ shared: false, initialPages: 1 });
    const before = h.freeBlocks();
    const a = h.alloc(100), b = h.alloc(200), c = h.alloc(300);
    h.release(b);
    expect(h.alloc(150)).toBe(b); // first fit: the hole left by b
    h.release(b); h.release(a); h.release(c);
    expect(h.freeBlocks()).toEqual(before);
    expect(h.liveBlocks).toBe(0);
  });

  it('grows the memory on demand; offsets and contents survive growth', () => {
    const h = new Heap({ shared: true, initialPages: 1, maximumPages: 1024 });
    const a = h.alloc(1000 * 4);
    for (let i = 0; i < 1000; i++) h.f32[(a >>> 2) + i] = i;
    const size0 = h.byteLength;
    const big = h.alloc(3 * 65536 * 4); // needs growth
    expect(h.byteLength).toBeGreaterThan(size0);
    h.f32.fill(7, big >>> 2, (big >>> 2) + 3 * 65536);
    for (let i = 0; i < 1000; i++) expect(h.f32[(a >>> 2) + i]).toBe(i);
    expect(h.f32[(big >>> 2) + 3 * 65536 - 1]).toBe(7);
  });

  it('survives a random alloc/release workload without overlaps or leaks', () => {
    const h = new Heap({ shared: false, initialPages: 1 });
    const rng = new Rng(1), live = new Map<number, number>();
    const initialFree = h.freeBlocks();
    for (let step = 0; step < 1500; step++) {
      if (live.size > 0 && rng.uniform() < 0.45) {
        const keys = [...live.keys()], k = keys[rng.int(keys.length)];
        h.release(k); live.delete(k);
      } else {
        const n = 1 + rng.int(rng.uniform() < 0.1 ? 200_000 : 2000), off = h.alloc(n);
        for (const [o, m] of live) expect(off + n <= o || o + m <= off, `block ${off}+${n} overlaps ${o}+${m}`).toBe(true);
        live.set(off, n);
      }
    }
    for (const k of live.keys()) h.release(k);
    const free = h.freeBlocks();
    expect(free.length).toBe(1); // all coalesced again
    expect(free[0].off).toBe(initialFree[0].off);
    expect(free[0].off + free[0].size).toBe(h.byteLength);
  });

  it('says what went wrong: double release, out of memory', () => {
    const h = new Heap({ shared: false, initialPages: 1, maximumPages: 4 });
    const a = h.alloc(10);
    h.release(a);
    expect(() => h.release(a)).toThrow(/not a live block/);
    expect(() => h.alloc(5 * 65536)).toThrow(/out of memory/);
  });

  it('backend buffers: alloc is zeroed (also when reusing memory), fromHost/toHost round-trip with offsets', () => {
    const be = new WasmBackend({ threads: 1, initialPages: 1 });
    const a = be.fromHost(Float32Array.from([1, 2, 3, 4, 5]));
    be.release(a);
    const z = be.alloc(5);
    expect(z).toBe(a);
    const out = new Float32Array(5);
    be.toHost(z, out);
    expect([...out]).toEqual([0, 0, 0, 0, 0]);
    const b = be.fromHost(Float64Array.from([0.5, 1.5, 2.5]));
    const part = new Float64Array(2);
    be.toHost(b, part, 1);
    expect([...part]).toEqual([1.5, 2.5]);
  });
});
