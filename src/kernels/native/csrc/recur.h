/*
 * recur native kernels: shared declarations.
 *
 * Legend: B batch, H hidden, G gates, M/N/K GEMM sizes (op(A) M×K, op(B) K×N, C M×N), row-major.
 * Each instruction set (AVX-512, AVX2, generic C) provides one `recur_isa` table; addon.c picks
 * one at load time with __builtin_cpu_supports and calls through it.
 */
#ifndef RECUR_H
#define RECUR_H
#include <stddef.h>
#include <stdint.h>

typedef ptrdiff_t idx;

/* One GEMM micro-kernel family: C[mr×nr tile] = beta·C + alpha·Σ_k a(i,k)·b(k,j), with
 * a(i,k) = a[i·rsa + k·csa] (a packed panel has rsa = 1, csa = MR) and b(k,j) = b[k·rsb + j]
 * (a packed panel has rsb = NR; B read in place has rsb = ldb and nr = NR). */
typedef void (*gemm_kernel_fn)(idx kc, const float *a, idx rsa, idx csa, const float *b, idx rsb,
                               float *c, idx ldc, int mr, int nr, float alpha, float beta);
/* Packs op(B)[0:kc, 0:nc] into NR-wide panels (kc×NR each, zero-padded), op(B)(k,j) =
 * tB ? B[j·ldb + k] : B[k·ldb + j]. */
typedef void (*gemm_pack_fn)(int tB, idx kc, idx nc, const float *B, idx ldb, float *bp);
/* Packs MR full rows of A (not transposed), row stride lda, columns [0, kc), into ap[k·MR + i]. */
typedef void (*gemm_pack_a_fn)(idx kc, const float *A, idx lda, float *ap);

/* A compiled single step at batch 1 (addon.c builds it, the ISA's `step` runs it; the equations are
 * src/kernels/js/step.ts'). Weights are stored transposed with rows padded to `ldg` (`ldo`) floats
 * (a multiple of 16, zeros beyond G·H and O), biases are zeros where a layer has none. */
typedef struct step_layer {
  idx D;                  /* input size of this layer */
  const float *wih, *whh; /* W_ihᵀ (D, ldg), W_hhᵀ (H, ldg) */
  const float *bih, *bhh; /* (ldg) */
} step_layer;

typedef struct step_plan {
  int mode;               /* 0 RNN tanh, 1 RNN relu, 2 LSTM, 3 GRU */
  idx L, H, ldg, O, ldo;  /* O = 0: no head */
  const step_layer *layer;
  const float *wy, *by;   /* head W_yᵀ (H, ldo), b_y (ldo) */
  float *gx, *gh, *aux, *ybuf; /* scratch (ldg), (ldg), (H), (ldo) */
  float *x, *h, *c, *y;   /* what JavaScript sees: x (D), h (L, H), c (L, H), y (O) */
} step_plan;

typedef struct recur_isa {
  const char *name;   /* "AVX-512", "AVX2", "generic" */
  int mr, nr;         /* micro-tile */
  gemm_kernel_fn kernel;
  gemm_pack_fn pack_b;
  gemm_pack_a_fn pack_a; /* NULL: the portable loop in gemm.c */

  /* pointwise parts of the fused cells (see src/kernels/js/pointwise.ts for the equations) */
  void (*rnn_forward)(int relu, idx n, const float *gx, const float *gh, float *h);
  void (*rnn_backward)(int relu, idx n, const float *h, const float *dh, float *dg);
  void (*lstm_forward)(idx B, idx H, float *gates, const float *gh, const float *cprev,
                       float *c, float *tc, float *h);
  void (*lstm_backward)(idx B, idx H, const float *gates, const float *cprev, const float *tc,
                        const float *dh, float *dc, float *dg);
  void (*gru_forward)(idx B, idx H, float *gates, const float *gh, const float *hprev,
                      float *hn, float *h);
  void (*gru_backward)(idx B, idx H, const float *gates, const float *hn, const float *hprev,
                       const float *dh, float *dgx, float *dgh, float *dhprev);
  /* loss and dense helpers */
  void (*softmax_xent)(idx N, idx C, const float *X, const int32_t *Y, const float *w,
                       float *P, float *L);
  void (*softmax_xent_backward)(idx N, idx C, const float *P, const int32_t *Y,
                                const float *s, float *D);
  void (*axpy)(idx n, double alpha, const float *x, float *y);
  void (*add_col_sums)(idx rows, idx cols, const float *src, float *dst);
  void (*add_rows)(idx n, const float *src, float *dst); /* dst += src, one row */
  /* c (1, N) = alpha·a·op(B) + beta·c for one row a (a[k·inc]), B read in place; returns 0 when
   * it does not take the case (op(B) = Bᵀ with a strided row), which then goes to own_gemm */
  int (*gemv)(int tB, idx N, idx K, float alpha, const float *a, idx inc, const float *B, idx ldb,
              float beta, float *c);
  /* one step of a plan: token ≥ 0 a one-hot input, < 0 the dense input p->x */
  void (*step)(const step_plan *p, int token);
  /* elementwise activations, exposed for the accuracy tests */
  void (*tanh_v)(idx n, const float *x, float *y);
  void (*sigmoid_v)(idx n, const float *x, float *y);
  void (*exp_v)(idx n, const float *x, float *y);
} recur_isa;

extern const recur_isa recur_isa_avx512, recur_isa_avx2, recur_isa_generic;

/* gemm.c: the blocked driver over an ISA's micro-kernel (addon.c chooses between it and OpenBLAS). */
void own_gemm(const recur_isa *isa, int tA, int tB, idx M, idx N, idx K, float alpha,
              const float *A, idx lda, const float *B, idx ldb, float beta, float *C, idx ldc);
void scale_rows(idx M, idx N, float beta, float *C, idx ldc);
/* pool.c: the same on two threads (the caller and a helper taking chunks of C); adaptive: go
 * back to one thread for a while when the helper keeps the caller waiting */
void own_gemm_2t(int adaptive, const recur_isa *isa, int tA, int tB, idx M, idx N, idx K, float alpha,
                 const float *A, idx lda, const float *B, idx ldb, float beta, float *C, idx ldc);
extern _Atomic long pool_helper_chunks;

/* blas.c: OpenBLAS opened at run time (no -dev package, no link-time dependency). */
typedef struct blas_info {
  int loaded;
  char version[96];   /* e.g. "OpenBLAS 0.3.21" */
  char config[160];   /* openblas_get_config() */
  int parallel;       /* 0 sequential, 1 pthreads, 2 OpenMP */
  int max_threads;    /* openblas_get_num_threads() when loaded */
  char error[256];    /* why it did not load */
} blas_info;
const blas_info *blas_load(void);
void blas_sgemm(int tA, int tB, idx M, idx N, idx K, float alpha, const float *A, idx lda,
                const float *B, idx ldb, float beta, float *C, idx ldc, int threads);

#endif
