// Packed, register-blocked GEMM: C = alpha·op(A)·op(B) + beta·C, row-major, byte-address pointers.
// op(A) (M, K), op(B) (K, N). Blocks of op(B) (KC × NC) are packed into panels of NR = 8 columns,
// blocks of alpha·op(A) (MC × KC) into panels of MR = 4 rows (zero-padded at ragged edges), and a
// 4×8 micro-kernel keeps its tile in 8 f32x4 accumulators. `ws` is this thread's scratch
// (gemm_scratch_bytes()): threads split C by columns or rows, each with its own packing buffers.
// Fewer than 4 rows (M = 1: a layer or head at batch 1) skip the packing and the padded tile: each
// row of C is a matrix–vector product over B read in place (gemvRow).
import { fma, ld, splat, st } from './math';

const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;
const NC = 512;
const PACK_A = MC * KC * 4; // bytes
const PACK_B = KC * NC * 4;
const TILE = MR * NR * 4;

export function gemm_scratch_bytes(): i32 { return PACK_A + PACK_B + TILE; }

export function gemm(tA: i32, tB: i32, M: i32, N: i32, K: i32, alpha: f32, A: usize, lda: i32,
  B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  scaleC(M, N, beta, C, ldc);
  if (alpha == 0 || K <= 0) return;
  if (M < MR) {
    for (let i = 0; i < M; i++) gemvRow(tA, tB, i, N, K, alpha, A, lda, B, ldb, C + (<usize>(i * ldc) << 2), ws);
    return;
  }
  const pa = ws, pb = ws + PACK_A, tile = pb + PACK_B;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(tB, B, ldb, pc, jc, kc, nc, pb);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(tA, A, lda, ic, pc, mc, kc, alpha, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr), bp = pb + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            kernel(kc, pa + (<usize>(ir * kc) << 2), bp, C + (<usize>((ic + ir) * ldc + jc + jr) << 2), ldc,
              min(MR, mc - ir), nr, tile);
          }
        }
      }
    }
  }
}

// ---- fewer rows than a tile: matrix–vector products ------------------------------------------

/**
 * c[0, N) += alpha·op(A)[i, :]·op(B): the row alpha·op(A)[i, k] is copied contiguous into `ws` (in
 * chunks that fit its A panel), then B is read once in place: dot products of B's rows when
 * op(B) = Bᵀ (a layer's W·x), sums of B's rows scaled by a[k] otherwise.
 */
function gemvRow(tA: i32, tB: i32, i: i32, N: i32, K: i32, alpha: f32, A: usize, lda: i32,
  B: usize, ldb: i32, c: usize, ws: usize): void {
  const chunk = PACK_A >> 2, al = splat(alpha);
  for (let pc = 0; pc < K; pc += chunk) {
    const kc = min(chunk, K - pc);
    if (tA) {
      const s = A + (<usize>(pc * lda + i) << 2), step = <usize>lda << 2;
      for (let k = 0; k < kc; k++) store<f32>(ws + (<usize>k << 2), alpha * load<f32>(s + <usize>k * step));
    } else {
      const s = A + (<usize>(i * lda + pc) << 2);
      let k = 0;
      for (; k + 4 <= kc; k += 4) st(ws, k, f32x4.mul(ld(s, k, 4), al), 4);
      for (; k < kc; k++) store<f32>(ws + (<usize>k << 2), alpha * load<f32>(s + (<usize>k << 2)));
    }
    if (tB) dotRows(N, kc, ws, B + (<usize>pc << 2), ldb, c);
    else axpyRows(N, kc, ws, B + (<usize>(pc * ldb) << 2), ldb, c);
  }
}

/** c[j] += Σ_{k<K} a[k]·B[j, k] for j < N: four rows at a time, their sums transposed into one vector. */
function dotRows(N: i32, K: i32, a: usize, B: usize, ldb: i32, c: usize): void {
  const row = <usize>ldb << 2;
  let j = 0;
  for (; j + 4 <= N; j += 4) {
    const r0 = B + <usize>j * row, r1 = r0 + row, r2 = r1 + row, r3 = r2 + row;
    let s0 = splat(0), s1 = splat(0), s2 = splat(0), s3 = splat(0);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const av = ld(a, k, 4);
      s0 = fma(ld(r0, k, 4), av, s0); s1 = fma(ld(r1, k, 4), av, s1);
      s2 = fma(ld(r2, k, 4), av, s2); s3 = fma(ld(r3, k, 4), av, s3);
    }
    if (k < K) {
      const w = K - k, av = ld(a, k, w); // zero lanes past the end
      s0 = fma(ld(r0, k, w), av, s0); s1 = fma(ld(r1, k, w), av, s1);
      s2 = fma(ld(r2, k, w), av, s2); s3 = fma(ld(r3, k, w), av, s3);
    }
    // [Σs0, Σs1, Σs2, Σs3] by two rounds of pairwise sums
    const t01 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), v128.shuffle<f32>(s0, s1, 2, 6, 3, 7));
    const t23 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), v128.shuffle<f32>(s2, s3, 2, 6, 3, 7));
    const sum = f32x4.add(v128.shuffle<f32>(t01, t23, 0, 1, 4, 5), v128.shuffle<f32>(t01, t23, 2, 3, 6, 7));
    st(c, j, f32x4.add(ld(c, j, 4), sum), 4);
  }
  for (; j < N; j++) {
    const r = B + <usize>j * row;
    let s = splat(0);
    let k = 0;
    for (; k + 4 <= K; k += 4) s = fma(ld(r, k, 4), ld(a, k, 4), s);
    if (k < K) s = fma(ld(r, k, K - k), ld(a, k, K - k), s);
    const p = c + (<usize>j << 2);
    store<f32>(p, load<f32>(p) + ((f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3))));
  }
}

/**
 * c[j] += Σ_{k<K} a[k]·B[k, j] for j < N: 16 columns (a cache line of each row of B) in 4
 * accumulators over the whole sum, then 4. (8 accumulators measured 1.3–1.6× slower on 128–512
 * wide products in V8: register spills; they won only on rows a multiple of 4 KiB apart.)
 */
function axpyRows(N: i32, K: i32, a: usize, B: usize, ldb: i32, c: usize): void {
  const row = <usize>ldb << 2;
  let j = 0;
  for (; j + 16 <= N; j += 16) {
    const d = c + (<usize>j << 2);
    let a0 = v128.load(d), a1 = v128.load(d, 16), a2 = v128.load(d, 32), a3 = v128.load(d, 48);
    let b = B + (<usize>j << 2), ap = a;
    for (let k = 0; k < K; k++, b += row, ap += 4) {
      const s = v128.load32_splat(ap);
      a0 = fma(s, v128.load(b), a0); a1 = fma(s, v128.load(b, 16), a1);
      a2 = fma(s, v128.load(b, 32), a2); a3 = fma(s, v128.load(b, 48), a3);
    }
    v128.store(d, a0); v128.store(d, a1, 16); v128.store(d, a2, 32); v128.store(d, a3, 48);
  }
  for (; j < N; j += 4) {
    const w = min(4, N - j);
    let acc = ld(c, j, w), b = B + (<usize>j << 2), ap = a;
    for (let k = 0; k < K; k++, b += row, ap += 4) acc = fma(v128.load32_splat(ap), ld(b, 0, w), acc);
    st(c, j, acc, w);
  }
}

/** C *= beta, with beta = 0 writing zeros (so NaN/Inf in C do not survive), as the reference does. */
function scaleC(M: i32, N: i32, beta: f32, C: usize, ldc: i32): void {
  if (beta == 1) return;
  const b = splat(beta);
  for (let i = 0; i < M; i++) {
    const row = C + (<usize>(i * ldc) << 2);
    if (beta == 0) { memory.fill(row, 0, <usize>N << 2); continue; }
    let j = 0;
    for (; j + 4 <= N; j += 4) { const p = row + (<usize>j << 2); v128.store(p, f32x4.mul(v128.load(p), b)); }
    for (; j < N; j++) { const p = row + (<usize>j << 2); store<f32>(p, load<f32>(p) * beta); }
  }
}

/** Stores the transpose of the 4×4 block with rows r0..r3 as 4 vectors, `stride` bytes apart. */
// @ts-ignore: decorator
@inline function transposeStore(r0: v128, r1: v128, r2: v128, r3: v128, scale: v128, d: usize, stride: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(d, f32x4.mul(v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), scale));
  v128.store(d + stride, f32x4.mul(v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), scale));
  v128.store(d + 2 * stride, f32x4.mul(v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), scale));
  v128.store(d + 3 * stride, f32x4.mul(v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), scale));
}

/** Panels of alpha·op(A)[ic.., pc..] (mc × kc): for each k, 4 consecutive row values. */
function packA(tA: i32, A: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, alpha: f32, dst: usize): void {
  const al = splat(alpha), step = <usize>lda << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    let d = dst + (<usize>(ir * kc) << 2);
    if (tA) { // op(A)[i, k] = A[k, i]: the 4 values of a k are contiguous
      let s = A + (<usize>(pc * lda + ic + ir) << 2);
      if (rows == MR) {
        for (let k = 0; k < kc; k++, s += step, d += 16) v128.store(d, f32x4.mul(v128.load(s), al));
      } else {
        for (let k = 0; k < kc; k++, s += step, d += 16) {
          for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < rows ? alpha * load<f32>(s + (<usize>r << 2)) : 0);
        }
      }
    } else { // op(A)[i, k] = A[i, k]: transpose 4×4 blocks of 4 rows
      const s = A + (<usize>((ic + ir) * lda + pc) << 2);
      let k = 0;
      if (rows == MR) {
        for (; k + 4 <= kc; k += 4, d += 64) {
          const o = s + (<usize>k << 2);
          transposeStore(v128.load(o), v128.load(o + step), v128.load(o + 2 * step), v128.load(o + 3 * step), al, d, 16);
        }
      }
      for (; k < kc; k++, d += 16) {
        for (let r = 0; r < MR; r++) {
          store<f32>(d + (<usize>r << 2), r < rows ? alpha * load<f32>(s + <usize>r * step + (<usize>k << 2)) : 0);
        }
      }
    }
  }
}

/** Panels of op(B)[pc.., jc..] (kc × nc): for each k, 8 consecutive column values. */
function packB(tB: i32, B: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  const step = <usize>ldb << 2, one = splat(1);
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    let d = dst + (<usize>(jr * kc) << 2);
    if (!tB) { // op(B)[k, j] = B[k, j]: rows are already contiguous
      let s = B + (<usize>(pc * ldb + jc + jr) << 2);
      if (cols == NR) {
        for (let k = 0; k < kc; k++, s += step, d += 32) { v128.store(d, v128.load(s)); v128.store(d, v128.load(s, 16), 16); }
      } else {
        for (let k = 0; k < kc; k++, s += step, d += 32) {
          for (let c = 0; c < NR; c++) store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(s + (<usize>c << 2)) : 0);
        }
      }
    } else { // op(B)[k, j] = B[j, k]: transpose 4×4 blocks of 4 rows of B
      const s = B + (<usize>((jc + jr) * ldb + pc) << 2);
      let k = 0;
      if (cols == NR) {
        for (; k + 4 <= kc; k += 4, d += 128) {
          const o = s + (<usize>k << 2), o4 = o + 4 * step;
          transposeStore(v128.load(o), v128.load(o + step), v128.load(o + 2 * step), v128.load(o + 3 * step), one, d, 32);
          transposeStore(v128.load(o4), v128.load(o4 + step), v128.load(o4 + 2 * step), v128.load(o4 + 3 * step), one, d + 16, 32);
        }
      }
      for (; k < kc; k++, d += 32) {
        for (let c = 0; c < NR; c++) {
          store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(s + <usize>c * step + (<usize>k << 2)) : 0);
        }
      }
    }
  }
}

/** C[0..mr, 0..nr] += (A panel)·(B panel) over kc: a 4×8 tile in 8 accumulators. */
function kernel(kc: i32, pa: usize, pb: usize, C: usize, ldc: i32, mr: i32, nr: i32, tile: usize): void {
  let c00 = splat(0), c01 = splat(0), c10 = splat(0), c11 = splat(0);
  let c20 = splat(0), c21 = splat(0), c30 = splat(0), c31 = splat(0);
  for (let k = 0; k < kc; k++, pa += 16, pb += 32) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = fma(a, b0, c00); c01 = fma(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = fma(a, b0, c10); c11 = fma(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = fma(a, b0, c20); c21 = fma(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = fma(a, b0, c30); c31 = fma(a, b1, c31);
  }
  if (mr == MR && nr == NR) {
    const step = <usize>ldc << 2;
    let p = C;
    v128.store(p, f32x4.add(v128.load(p), c00)); v128.store(p, f32x4.add(v128.load(p, 16), c01), 16); p += step;
    v128.store(p, f32x4.add(v128.load(p), c10)); v128.store(p, f32x4.add(v128.load(p, 16), c11), 16); p += step;
    v128.store(p, f32x4.add(v128.load(p), c20)); v128.store(p, f32x4.add(v128.load(p, 16), c21), 16); p += step;
    v128.store(p, f32x4.add(v128.load(p), c30)); v128.store(p, f32x4.add(v128.load(p, 16), c31), 16);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80); v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let r = 0; r < mr; r++) {
    const p = C + (<usize>(r * ldc) << 2), t = tile + (<usize>(r * NR) << 2);
    for (let c = 0; c < nr; c++) store<f32>(p + (<usize>c << 2), load<f32>(p + (<usize>c << 2)) + load<f32>(t + (<usize>c << 2)));
  }
}

/** dst[j·ldd + i] = src[i·lds + j] for i < rows, j < cols, by 4×4 blocks. */
export function transpose(src: usize, rows: i32, cols: i32, lds: i32, dst: usize, ldd: i32): void {
  const ss = <usize>lds << 2, ds = <usize>ldd << 2, one = splat(1);
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const s = src + <usize>i * ss, d = dst + (<usize>i << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = s + (<usize>j << 2);
      transposeStore(v128.load(o), v128.load(o + ss), v128.load(o + 2 * ss), v128.load(o + 3 * ss), one, d + <usize>j * ds, ds);
    }
    for (; j < cols; j++) {
      for (let r = 0; r < 4; r++) store<f32>(d + <usize>j * ds + (<usize>r << 2), load<f32>(s + <usize>r * ss + (<usize>j << 2)));
    }
  }
  for (; i < rows; i++) {
    for (let j = 0; j < cols; j++) store<f32>(dst + <usize>j * ds + (<usize>i << 2), load<f32>(src + <usize>i * ss + (<usize>j << 2)));
  }
}
