/*
 * AVX2 + FMA GEMM micro-kernel (6×16 tile: 12 ymm accumulators) and B packing (8×8
 * transposes for op(B) = Bᵀ), and the pointwise kernels compiled for AVX2.
 */
#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#include <immintrin.h>
#include "recur.h"

#define MR 6
#define NR 16

static inline __m256i lane_mask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline __attribute__((always_inline)) void
store_row(float *r, __m256 x0, __m256 x1, int nr, __m256 va, float beta) {
  x0 = _mm256_mul_ps(x0, va);
  x1 = _mm256_mul_ps(x1, va);
  if (nr == NR) {
    if (beta == 1.0f) { x0 = _mm256_add_ps(x0, _mm256_loadu_ps(r)); x1 = _mm256_add_ps(x1, _mm256_loadu_ps(r + 8)); }
    else if (beta != 0.0f) {
      __m256 vb = _mm256_set1_ps(beta);
      x0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(r), x0);
      x1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(r + 8), x1);
    }
    _mm256_storeu_ps(r, x0);
    _mm256_storeu_ps(r + 8, x1);
    return;
  }
  __m256i m0 = lane_mask(nr), m1 = lane_mask(nr - 8);
  if (beta == 1.0f) { x0 = _mm256_add_ps(x0, _mm256_maskload_ps(r, m0)); x1 = _mm256_add_ps(x1, _mm256_maskload_ps(r + 8, m1)); }
  else if (beta != 0.0f) {
    __m256 vb = _mm256_set1_ps(beta);
    x0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(r, m0), x0);
    x1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(r + 8, m1), x1);
  }
  _mm256_maskstore_ps(r, m0, x0);
  _mm256_maskstore_ps(r + 8, m1, x1);
}

#define ROW(i) { __m256 x = _mm256_broadcast_ss(a + (i) * rsa); \
  c##i##0 = _mm256_fmadd_ps(x, b0, c##i##0); c##i##1 = _mm256_fmadd_ps(x, b1, c##i##1); }

static inline __attribute__((always_inline)) void
body(idx kc, const float *a, const idx rsa, const idx csa, const float *bp, const idx rsb, float *c, idx ldc,
     int mr, int nr, float alpha, float beta) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
#pragma GCC unroll 4
  for (idx k = 0; k < kc; k++) {
    __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
    ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5)
    a += csa; bp += rsb;
  }
  __m256 va = _mm256_set1_ps(alpha);
  store_row(c, c00, c01, nr, va, beta);
  if (mr > 1) store_row(c + 1 * ldc, c10, c11, nr, va, beta);
  if (mr > 2) store_row(c + 2 * ldc, c20, c21, nr, va, beta);
  if (mr > 3) store_row(c + 3 * ldc, c30, c31, nr, va, beta);
  if (mr > 4) store_row(c + 4 * ldc, c40, c41, nr, va, beta);
  if (mr > 5) store_row(c + 5 * ldc, c50, c51, nr, va, beta);
}

static void kernel(idx kc, const float *a, idx rsa, idx csa, const float *b, idx rsb, float *c, idx ldc,
                   int mr, int nr, float alpha, float beta) {
  if (rsa == 1 && csa == MR) body(kc, a, 1, MR, b, rsb, c, ldc, mr, nr, alpha, beta);
  else if (csa == 1) body(kc, a, rsa, 1, b, rsb, c, ldc, mr, nr, alpha, beta);
  else body(kc, a, 1, csa, b, rsb, c, ldc, mr, nr, alpha, beta);
}

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

static void pack_b(int tB, idx kc, idx nc, const float *B, idx ldb, float *bp) {
  for (idx j0 = 0; j0 < nc; j0 += NR, bp += kc * NR) {
    int nr = (int)(nc - j0 < NR ? nc - j0 : NR);
    if (!tB) {
      __m256i m0 = lane_mask(nr), m1 = lane_mask(nr - 8);
      const float *s = B + j0;
      for (idx k = 0; k < kc; k++, s += ldb) {
        _mm256_store_ps(bp + k * NR, _mm256_maskload_ps(s, m0));
        _mm256_store_ps(bp + k * NR + 8, _mm256_maskload_ps(s + 8, m1));
      }
    } else {
      for (idx k0 = 0; k0 < kc; k0 += 8) {
        int kr = (int)(kc - k0 < 8 ? kc - k0 : 8);
        __m256i km = lane_mask(kr);
        for (int h = 0; h < 2; h++) {
          __m256 r[8];
          for (int jj = 0; jj < 8; jj++) {
            int j = h * 8 + jj;
            r[jj] = j < nr ? _mm256_maskload_ps(B + (j0 + j) * ldb + k0, km) : _mm256_setzero_ps();
          }
          transpose8(r);
          for (int kk = 0; kk < kr; kk++) _mm256_store_ps(bp + (k0 + kk) * NR + h * 8, r[kk]);
        }
      }
    }
  }
}

#define RECUR_SIMD 256
#include "pointwise.h"

const recur_isa recur_isa_avx2 = {
  "AVX2", MR, NR, kernel, pack_b, NULL, POINTWISE_TABLE
};
#endif
