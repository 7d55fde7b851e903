/*
 * Portable C kernels (any CPU; the compiler vectorises what it can for the baseline ISA):
 * a 4×16 GEMM micro-kernel over plain arrays, scalar B packing, one-lane pointwise kernels.
 */
#include "recur.h"

#define MR 4
#define NR 16

static void kernel(idx kc, const float *a, idx rsa, idx csa, const float *bp, idx rsb, float *c, idx ldc,
                   int mr, int nr, float alpha, float beta) {
  float acc[MR][NR] = {{0}};
  for (idx k = 0; k < kc; k++, a += csa, bp += rsb)
    for (int i = 0; i < MR; i++) {
      float x = a[i * rsa];
      for (int j = 0; j < NR; j++) acc[i][j] += x * bp[j];
    }
  for (int i = 0; i < mr; i++) {
    float *r = c + i * ldc;
    for (int j = 0; j < nr; j++) {
      float v = alpha * acc[i][j];
      r[j] = beta == 0.0f ? v : beta == 1.0f ? r[j] + v : beta * r[j] + v;
    }
  }
}

static void pack_b(int tB, idx kc, idx nc, const float *B, idx ldb, float *bp) {
  for (idx j0 = 0; j0 < nc; j0 += NR, bp += kc * NR) {
    idx nr = nc - j0 < NR ? nc - j0 : NR;
    for (idx k = 0; k < kc; k++)
      for (idx j = 0; j < NR; j++)
        bp[k * NR + j] = j >= nr ? 0.0f : tB ? B[(j0 + j) * ldb + k] : B[k * ldb + j0 + j];
  }
}

#define RECUR_SIMD 1
#include "pointwise.h"

const recur_isa recur_isa_generic = {
  "generic", MR, NR, kernel, pack_b, NULL, POINTWISE_TABLE
};
