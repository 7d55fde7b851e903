/*
 * AVX-512: the GEMM micro-kernel (an 8×32 tile in 16 zmm accumulators; B rows loaded as two
 * vectors from a packed panel or in place, A broadcast from memory; a 16-wide variant for
 * narrow edge panels), B packing (16×16 in-register transposes for op(B) = Bᵀ), A packing
 * (8×8 transposes), and the pointwise kernels of pointwise.h compiled for 16 lanes.
 */
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,fma")
#include <immintrin.h>
#include "recur.h"

#define MR 8
#define NR 32

static inline __mmask16 head_mask(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

static inline __attribute__((always_inline)) void
store_row(float *r, __m512 x0, __m512 x1, __mmask16 m0, __mmask16 m1, __m512 va, float beta) {
  x0 = _mm512_mul_ps(x0, va);
  x1 = _mm512_mul_ps(x1, va);
  if (beta == 1.0f) {
    x0 = _mm512_add_ps(x0, _mm512_maskz_loadu_ps(m0, r));
    x1 = _mm512_add_ps(x1, _mm512_maskz_loadu_ps(m1, r + 16));
  } else if (beta != 0.0f) { /* beta = 0 overwrites, ignoring NaNs already in C (like the reference) */
    __m512 vb = _mm512_set1_ps(beta);
    x0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, r), x0);
    x1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, r + 16), x1);
  }
  _mm512_mask_storeu_ps(r, m0, x0);
  _mm512_mask_storeu_ps(r + 16, m1, x1);
}

#define ROW2(i) { __m512 x = _mm512_set1_ps(a[(i) * rsa]); \
  c##i##0 = _mm512_fmadd_ps(x, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(x, b1, c##i##1); }
#define ROW1(i) { c##i##0 = _mm512_fmadd_ps(_mm512_set1_ps(a[(i) * rsa]), b0, c##i##0); }

/* wide: the tile's 32 columns as two vectors; else only the first 16 (a narrow edge panel) */
static inline __attribute__((always_inline)) void
body(const int wide, idx kc, const float *a, const idx rsa, const idx csa, const float *b, const idx rsb,
     float *c, idx ldc, int mr, int nr, float alpha, float beta) {
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
         c70 = c00, c71 = c00;
  for (int i = 0; i < mr; i++) { _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0); _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0); }
  if (wide) {
#pragma GCC unroll 4
    for (idx k = 0; k < kc; k++) {
      __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
      _mm_prefetch((const char *)(b + 8 * rsb), _MM_HINT_T0);
      ROW2(0) ROW2(1) ROW2(2) ROW2(3) ROW2(4) ROW2(5) ROW2(6) ROW2(7)
      a += csa; b += rsb;
    }
  } else {
#pragma GCC unroll 4
    for (idx k = 0; k < kc; k++) {
      __m512 b0 = _mm512_loadu_ps(b);
      ROW1(0) ROW1(1) ROW1(2) ROW1(3) ROW1(4) ROW1(5) ROW1(6) ROW1(7)
      a += csa; b += rsb;
    }
  }
  __mmask16 m0 = head_mask(nr), m1 = head_mask(nr - 16);
  __m512 va = _mm512_set1_ps(alpha);
  store_row(c, c00, c01, m0, m1, va, beta);
  if (mr > 1) store_row(c + 1 * ldc, c10, c11, m0, m1, va, beta);
  if (mr > 2) store_row(c + 2 * ldc, c20, c21, m0, m1, va, beta);
  if (mr > 3) store_row(c + 3 * ldc, c30, c31, m0, m1, va, beta);
  if (mr > 4) store_row(c + 4 * ldc, c40, c41, m0, m1, va, beta);
  if (mr > 5) store_row(c + 5 * ldc, c50, c51, m0, m1, va, beta);
  if (mr > 6) store_row(c + 6 * ldc, c60, c61, m0, m1, va, beta);
  if (mr > 7) store_row(c + 7 * ldc, c70, c71, m0, m1, va, beta);
}

static void kernel(idx kc, const float *a, idx rsa, idx csa, const float *b, idx rsb, float *c, idx ldc,
                   int mr, int nr, float alpha, float beta) {
  /* specialised on how A arrives (packed, rows in place, columns in place) and B (packed or rows in place) */
  if (nr <= 16) body(0, kc, a, rsa, csa, b, rsb, c, ldc, mr, nr, alpha, beta);
  else if (rsb == NR) {
    if (rsa == 1 && csa == MR) body(1, kc, a, 1, MR, b, NR, c, ldc, mr, nr, alpha, beta);
    else if (csa == 1) body(1, kc, a, rsa, 1, b, NR, c, ldc, mr, nr, alpha, beta);
    else body(1, kc, a, 1, csa, b, NR, c, ldc, mr, nr, alpha, beta);
  } else {
    if (rsa == 1 && csa == MR) body(1, kc, a, 1, MR, b, rsb, c, ldc, mr, nr, alpha, beta);
    else if (csa == 1) body(1, kc, a, rsa, 1, b, rsb, c, ldc, mr, nr, alpha, beta);
    else body(1, kc, a, 1, csa, b, rsb, c, ldc, mr, nr, alpha, beta);
  }
}

/* r[i] (row i, 16 columns) → r[j] (column j, 16 rows) */
static inline __attribute__((always_inline)) void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#define PD(x) _mm512_castps_pd(x)
#define PS(x) _mm512_castpd_ps(x)
  for (int i = 0; i < 4; i++) { /* u[4i+q], lane L = column 4L+q of rows 4i..4i+3 */
    r[4 * i] = PS(_mm512_unpacklo_pd(PD(t[4 * i]), PD(t[4 * i + 2])));
    r[4 * i + 1] = PS(_mm512_unpackhi_pd(PD(t[4 * i]), PD(t[4 * i + 2])));
    r[4 * i + 2] = PS(_mm512_unpacklo_pd(PD(t[4 * i + 1]), PD(t[4 * i + 3])));
    r[4 * i + 3] = PS(_mm512_unpackhi_pd(PD(t[4 * i + 1]), PD(t[4 * i + 3])));
  }
  for (int q = 0; q < 4; q++) { /* 4×4 transpose of 128-bit lanes */
    __m512 v0 = _mm512_shuffle_f32x4(r[q], r[4 + q], _MM_SHUFFLE(1, 0, 1, 0));
    __m512 v1 = _mm512_shuffle_f32x4(r[q], r[4 + q], _MM_SHUFFLE(3, 2, 3, 2));
    __m512 v2 = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], _MM_SHUFFLE(1, 0, 1, 0));
    __m512 v3 = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], _MM_SHUFFLE(3, 2, 3, 2));
    t[q] = _mm512_shuffle_f32x4(v0, v2, _MM_SHUFFLE(2, 0, 2, 0));
    t[4 + q] = _mm512_shuffle_f32x4(v0, v2, _MM_SHUFFLE(3, 1, 3, 1));
    t[8 + q] = _mm512_shuffle_f32x4(v1, v3, _MM_SHUFFLE(2, 0, 2, 0));
    t[12 + q] = _mm512_shuffle_f32x4(v1, v3, _MM_SHUFFLE(3, 1, 3, 1));
  }
  for (int i = 0; i < 16; i++) r[i] = t[i];
}

static void pack_b(int tB, idx kc, idx nc, const float *B, idx ldb, float *bp) {
  if (!tB) { /* row by row, so each row of B is read front to back (rows may be pages apart) */
    for (idx k = 0; k < kc; k++) {
      const float *s = B + k * ldb;
      float *d = bp + k * NR;
      for (idx j0 = 0; j0 < nc; j0 += NR, d += kc * NR) {
        int nr = (int)(nc - j0 < NR ? nc - j0 : NR);
        _mm512_store_ps(d, _mm512_maskz_loadu_ps(head_mask(nr), s + j0));
        _mm512_store_ps(d + 16, _mm512_maskz_loadu_ps(head_mask(nr - 16), s + j0 + 16));
      }
    }
    return;
  }
  for (idx j0 = 0; j0 < nc; j0 += NR, bp += kc * NR) {
    int nr = (int)(nc - j0 < NR ? nc - j0 : NR);
    {
      for (idx k0 = 0; k0 < kc; k0 += 16) {
        int kr = (int)(kc - k0 < 16 ? kc - k0 : 16);
        __mmask16 km = head_mask(kr);
        for (int h = 0; h < 2; h++) {
          __m512 r[16];
          for (int jj = 0; jj < 16; jj++) {
            int j = h * 16 + jj;
            r[jj] = j < nr ? _mm512_maskz_loadu_ps(km, B + (j0 + j) * ldb + k0) : _mm512_setzero_ps();
          }
          transpose16(r);
          for (int kk = 0; kk < kr; kk++) _mm512_store_ps(bp + (k0 + kk) * NR + h * 16, r[kk]);
        }
      }
    }
  }
}

/* 8 rows × 8 columns in ymm registers → 8 columns × 8 rows */
static inline __attribute__((always_inline)) void transpose8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 2; i++) {
    u[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int q = 0; q < 4; q++) {
    r[q] = _mm256_permute2f128_ps(u[q], u[4 + q], 0x20);
    r[4 + q] = _mm256_permute2f128_ps(u[q], u[4 + q], 0x31);
  }
}

/* MR = 8 rows of A → ap[k·8 + i], eight columns at a time through 8×8 transposes */
static void pack_a(idx kc, const float *A, idx lda, float *ap) {
  idx k0 = 0;
  for (; k0 + 8 <= kc; k0 += 8) {
    __m256 r[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(A + i * lda + k0);
    transpose8(r);
    for (int kk = 0; kk < 8; kk++) _mm256_store_ps(ap + (k0 + kk) * 8, r[kk]);
  }
  for (; k0 < kc; k0++)
    for (int i = 0; i < 8; i++) ap[k0 * 8 + i] = A[i * lda + k0];
}

#define RECUR_SIMD 512
#include "pointwise.h"

const recur_isa recur_isa_avx512 = {
  "AVX-512", MR, NR, kernel, pack_b, pack_a, POINTWISE_TABLE
};
#endif
