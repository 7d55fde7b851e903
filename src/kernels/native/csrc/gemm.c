/*
 * The GEMM driver over an ISA's micro-kernel (GotoBLAS/BLIS blocking; the choice between it and
 * OpenBLAS is made per call in addon.c). Shapes: op(A) (M, K), op(B) (K, N), C (M, N), row-major.
 *
 *   for pc in K by KC:                 (beta applies to the first K block only)
 *     for jc in N by NC:  pack op(B)[pc, jc] into NR-wide panels (kept in L2)
 *       for ir in M by MR:  A's MR×KC micro-panel (read in place, or packed at edges)
 *         for jr in NC by NR:  micro-kernel → C[ir:ir+MR, jc+jr:jc+jr+NR]
 *
 * A is read in place (broadcasts from MR rows) and so is op(B) = B (full NR-wide panels),
 * unless their rows are a multiple of 4 KiB apart; op(B) = Bᵀ and edge panels are packed.
 * On the 2-core AVX-512 machine this reaches 95–110 GFLOP/s single-threaded on the recurrent
 * shapes, against a measured FMA peak of ≈ 117 (bench.mjs).
 */
#include <stdlib.h>
#include <string.h>
#include "recur.h"

enum { KC = 256, NC = 512 };

static __thread float *bbuf;
static __thread size_t bcap;

static float *b_buffer(size_t n) {
  if (n > bcap) {
    free(bbuf);
    bbuf = aligned_alloc(64, (n * sizeof(float) + 63) & ~(size_t)63);
    bcap = bbuf ? n : 0;
  }
  return bbuf;
}

void scale_rows(idx M, idx N, float beta, float *C, idx ldc) {
  if (beta == 1.0f) return;
  for (idx i = 0; i < M; i++) {
    float *c = C + i * ldc;
    if (beta == 0.0f) memset(c, 0, (size_t)N * sizeof(float));
    else for (idx j = 0; j < N; j++) c[j] *= beta;
  }
}

/* a(i, k) for the A micro-panel at row i0, column p0, zero-padded to MR rows: ap[k·MR + i] */
static void pack_a(const recur_isa *isa, int tA, idx mr, idx kc, const float *A, idx lda, idx i0, idx p0, float *ap) {
  const int MR = isa->mr;
  if (!tA && mr == MR && isa->pack_a) { isa->pack_a(kc, A + i0 * lda + p0, lda, ap); return; }
  for (idx k = 0; k < kc; k++) {
    float *d = ap + k * MR;
    if (tA) {
      const float *s = A + (p0 + k) * lda + i0;
      for (idx i = 0; i < mr; i++) d[i] = s[i];
    } else {
      for (idx i = 0; i < mr; i++) d[i] = A[(i0 + i) * lda + p0 + k];
    }
    for (idx i = mr; i < MR; i++) d[i] = 0.0f;
  }
}

static __thread float *abuf;
static __thread size_t acap;

static float *a_buffer(size_t n) {
  if (n > acap) {
    free(abuf);
    abuf = aligned_alloc(64, (n * sizeof(float) + 63) & ~(size_t)63);
    acap = abuf ? n : 0;
  }
  return abuf;
}

/* the slow, obviously right loop, for when a buffer cannot be had */
static void plain_gemm(int tA, int tB, idx M, idx N, idx K, float alpha, const float *A, idx lda,
                       const float *B, idx ldb, float beta, float *C, idx ldc) {
  scale_rows(M, N, beta, C, ldc);
  for (idx i = 0; i < M; i++) for (idx k = 0; k < K; k++) {
    float a = alpha * (tA ? A[k * lda + i] : A[i * lda + k]);
    for (idx j = 0; j < N; j++) C[i * ldc + j] += a * (tB ? B[j * ldb + k] : B[k * ldb + j]);
  }
}

void own_gemm(const recur_isa *isa, int tA, int tB, idx M, idx N, idx K, float alpha,
              const float *A, idx lda, const float *B, idx ldb, float beta, float *C, idx ldc) {
  const int MR = isa->mr, NR = isa->nr;
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) { scale_rows(M, N, beta, C, ldc); return; }
  /* rows 4 KiB apart share L1 sets and sit on different pages (no prefetch across pages):
   * reading them in place thrashes, so such operands are packed (A either way round) */
  const int pack_all = (lda * (idx)sizeof(float)) % 4096 == 0;
  const int direct_b = !tB && (ldb * (idx)sizeof(float)) % 4096 != 0;
  const idx npan = (M + MR - 1) / MR, ncmax = N < NC ? N : NC;
  float *bp = b_buffer((size_t)KC * (size_t)((ncmax + NR - 1) / NR * NR));
  float *ap = a_buffer((size_t)MR * KC * (size_t)(pack_all ? npan : 1));
  if (!bp || !ap) { plain_gemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); return; }
  for (idx pc = 0; pc < K; pc += KC) {
    idx kc = K - pc < KC ? K - pc : KC;
    float b = pc == 0 ? beta : 1.0f;
    if (pack_all)
      for (idx p = 0; p < npan; p++) pack_a(isa, tA, M - p * MR < MR ? M - p * MR : MR, kc, A, lda, p * MR, pc, ap + p * MR * kc);
    for (idx jc = 0; jc < N; jc += NC) {
      idx nc = N - jc < NC ? N - jc : NC;
      const float *bsrc = tB ? B + jc * ldb + pc : B + pc * ldb + jc;
      idx nfull = direct_b ? nc / NR * NR : 0; /* full panels read in place; the rest packed */
      if (nfull < nc) isa->pack_b(tB, kc, nc - nfull, tB ? bsrc + nfull * ldb : bsrc + nfull, ldb, bp);
      for (idx ir = 0; ir < M; ir += MR) {
        idx mr = M - ir < MR ? M - ir : MR;
        const float *a; idx rsa, csa;
        if (pack_all) { a = ap + ir * kc; rsa = 1; csa = MR; }
        else if (mr < MR) { a = ap; rsa = 1; csa = MR; pack_a(isa, tA, mr, kc, A, lda, ir, pc, ap); } /* zero rows below */
        else if (tA) { a = A + pc * lda + ir; rsa = 1; csa = lda; }
        else { a = A + ir * lda + pc; rsa = lda; csa = 1; }
        float *c = C + ir * ldc + jc;
        for (idx jr = 0; jr < nc; jr += NR) {
          int nr = (int)(nc - jr < NR ? nc - jr : NR);
          if (jr < nfull) isa->kernel(kc, a, rsa, csa, bsrc + jr, ldb, c + jr, ldc, (int)mr, nr, alpha, b);
          else isa->kernel(kc, a, rsa, csa, bp + (jr - nfull) * kc, NR, c + jr, ldc, (int)mr, nr, alpha, b);
        }
      }
    }
  }
}
