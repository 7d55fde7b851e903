/*
 * N-API glue: every Backend kernel as a function taking exactly the TypeScript method's
 * arguments (typed arrays, element offsets, sizes), so the backend can install these functions
 * as its methods with no JavaScript in between. Each call reads its arguments positionally
 * (no property lookups, no allocation), checks that every range it touches lies inside its
 * array (a bad offset throws a RangeError instead of corrupting memory), and runs the kernel of
 * the instruction set chosen at load time.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <sched.h>
#include <unistd.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recur.h"

/* ---- instruction set and GEMM policy ------------------------------------------------------- */

static const recur_isa *isa = &recur_isa_generic;

static const recur_isa *isa_named(const char *name) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  int has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  int has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (strcmp(name, "avx512") == 0) return has512 ? &recur_isa_avx512 : NULL;
  if (strcmp(name, "avx2") == 0) return has2 ? &recur_isa_avx2 : NULL;
  if (strcmp(name, "auto") == 0) return has512 ? &recur_isa_avx512 : has2 ? &recur_isa_avx2 : &recur_isa_generic;
#else
  if (strcmp(name, "auto") == 0) return &recur_isa_generic;
#endif
  if (strcmp(name, "generic") == 0) return &recur_isa_generic;
  return NULL;
}

enum { MODE_AUTO = 0, MODE_OWN = 1, MODE_BLAS = 2 };
static int gemm_mode = MODE_AUTO;
static int gemm_threads = 0; /* 0: chosen per shape */

/* The per-shape choice, from bench.mjs on the 2-core AVX-512 machine. The own kernel was on par
 * with OpenBLAS 0.3.21 or faster on every measured shape: on one thread within 6 % where OpenBLAS led,
 * up to 30 % ahead elsewhere (A·Bᵀ, the recurrent forward), on two threads by 4–65 %; and its
 * chunks go to whichever thread is free, while OpenBLAS waits for its second thread (3–25
 * GFLOP/s instead of 150 when the other core was busy). So auto takes the own kernel, on two
 * threads from two_threads_from flops (they gained from 0.26 MFLOP, lost at 0.07) when this
 * process may use two CPUs; OpenBLAS stays selectable (RECUR_NATIVE_GEMM=openblas,
 * setNativeGemm) and takes over from blas_from flops if that is set. */
static double two_threads_from = 2e5; /* flops */
static double blas_from = INFINITY;   /* flops */
static int cpus = 1;                  /* CPUs this process may run on */

static int count_cpus(void) {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

enum { OWN1, OWN2, BLAS1, BLAS2 };

static int gemm_plan(int tA, int tB, idx M, idx N, idx K, idx lda, idx ldb, idx ldc) {
  double flops = 2.0 * (double)M * (double)N * (double)K;
  int t = gemm_threads ? gemm_threads : flops >= two_threads_from && cpus > 1 ? 2 : 1;
  int want = gemm_mode == MODE_BLAS || (gemm_mode == MODE_AUTO && flops >= blas_from);
  const blas_info *b = want ? blas_load() : NULL; /* not even opened unless wanted */
  int blas = b && b->loaded
    /* cblas insists on leading dimensions ≥ the stored width, even for one row */
    && lda >= (tA ? M : K) && ldb >= (tB ? K : N) && ldc >= N && lda >= 1 && ldb >= 1 && ldc >= 1
    && M <= 0x7fffffff && N <= 0x7fffffff && K <= 0x7fffffff;
  if (blas) return t > 1 && b->max_threads > 1 ? BLAS2 : BLAS1;
  return t > 1 ? OWN2 : OWN1;
}

static void gemm_run(int tA, int tB, idx M, idx N, idx K, float alpha, const float *A, idx lda,
                     const float *B, idx ldb, float beta, float *C, idx ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) { scale_rows(M, N, beta, C, ldc); return; }
  /* one row (a layer or a head at batch 1): a matrix–vector product, unless OpenBLAS is forced */
  if (M == 1 && gemm_mode != MODE_BLAS && isa->gemv(tB, N, K, alpha, A, tA ? lda : 1, B, ldb, beta, C)) return;
  int plan = gemm_plan(tA, tB, M, N, K, lda, ldb, ldc);
  if (plan == BLAS1 || plan == BLAS2) blas_sgemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, plan == BLAS2 ? 2 : 1);
  else if (plan == OWN2) own_gemm_2t(gemm_threads == 0, isa, tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  else own_gemm(isa, tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* ---- argument reading ------------------------------------------------------------------------ */

typedef struct { napi_env env; napi_value argv[16]; const char *fn; int ok; } args;

/* throws (the first failure of a call only): a TypeError, or a RangeError when range is set */
static void fail(args *a, int range, const char *fmt, ...) {
  if (!a->ok) return;
  a->ok = 0;
  char msg[256];
  int n = snprintf(msg, sizeof msg, "native %s: ", a->fn);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
  va_end(ap);
  if (range) napi_throw_range_error(a->env, "ERR_OUT_OF_RANGE", msg);
  else napi_throw_type_error(a->env, "ERR_INVALID_ARG_TYPE", msg);
}

static int read_args(args *a, napi_env env, napi_callback_info info, const char *fn, size_t n) {
  size_t argc = n;
  a->env = env; a->fn = fn; a->ok = 1;
  if (napi_get_cb_info(env, info, &argc, a->argv, NULL, NULL) != napi_ok || argc < n)
    fail(a, 0, "expected %d arguments, got %d", (int)n, (int)argc);
  return a->ok;
}

static inline float *f32(args *a, int i, size_t *len) {
  napi_typedarray_type t; void *d = NULL;
  if (napi_get_typedarray_info(a->env, a->argv[i], &t, len, &d, NULL, NULL) != napi_ok || t != napi_float32_array) {
    fail(a, 0, "argument %d must be a Float32Array", i + 1);
    *len = 0;
    return NULL;
  }
  return d;
}

static inline int32_t *i32arr(args *a, int i, size_t *len) {
  napi_typedarray_type t; void *d = NULL;
  if (napi_get_typedarray_info(a->env, a->argv[i], &t, len, &d, NULL, NULL) != napi_ok || t != napi_int32_array) {
    fail(a, 0, "argument %d must be an Int32Array", i + 1);
    *len = 0;
    return NULL;
  }
  return d;
}

static inline idx i32(args *a, int i) {
  int32_t v = 0;
  if (napi_get_value_int32(a->env, a->argv[i], &v) != napi_ok) fail(a, 0, "argument %d must be a number", i + 1);
  return v;
}

static inline double f64(args *a, int i) {
  double v = 0;
  if (napi_get_value_double(a->env, a->argv[i], &v) != napi_ok) fail(a, 0, "argument %d must be a number", i + 1);
  return v;
}

static inline int boolean(args *a, int i) {
  bool v = false;
  if (napi_get_value_bool(a->env, a->argv[i], &v) != napi_ok) fail(a, 0, "argument %d must be a boolean", i + 1);
  return v;
}

/* the array of argument i must hold elements [off, off + n) */
static inline void span(args *a, int i, size_t len, idx off, idx n) {
  if (n > 0 && (off < 0 || (size_t)off > len || (size_t)n > len - (size_t)off))
    fail(a, 1, "argument %d needs elements [%lld, %lld) but has %zu", i + 1, (long long)off, (long long)(off + n), len);
}

static inline void nonneg(args *a, idx v, int i) {
  if (v < 0) fail(a, 1, "argument %d must be ≥ 0, got %lld", i + 1, (long long)v);
}

#define FN(name) static napi_value name(napi_env env, napi_callback_info info)
#define ARGS(js, n) args a; if (!read_args(&a, env, info, js, n)) return NULL
#define CHECK() if (!a.ok) return NULL

/* ---- dense ------------------------------------------------------------------------------------ */

FN(gemm_js) {
  ARGS("gemm", 16);
  int tA = boolean(&a, 0), tB = boolean(&a, 1);
  idx M = i32(&a, 2), N = i32(&a, 3), K = i32(&a, 4);
  double alpha = f64(&a, 5);
  size_t la, lb, lc;
  float *A = f32(&a, 6, &la); idx aOff = i32(&a, 7), lda = i32(&a, 8);
  float *B = f32(&a, 9, &lb); idx bOff = i32(&a, 10), ldb = i32(&a, 11);
  double beta = f64(&a, 12);
  float *C = f32(&a, 13, &lc); idx cOff = i32(&a, 14), ldc = i32(&a, 15);
  nonneg(&a, M, 2); nonneg(&a, N, 3); nonneg(&a, K, 4); nonneg(&a, lda, 8); nonneg(&a, ldb, 11); nonneg(&a, ldc, 15);
  CHECK();
  if (M == 0 || N == 0) return NULL;
  span(&a, 13, lc, cOff, (M - 1) * ldc + N);
  if (K > 0 && alpha != 0) {
    span(&a, 6, la, aOff, tA ? (K - 1) * lda + M : (M - 1) * lda + K);
    span(&a, 9, lb, bOff, tB ? (N - 1) * ldb + K : (K - 1) * ldb + N);
  }
  CHECK();
  gemm_run(tA, tB, M, N, K, (float)alpha, A + aOff, lda, B + bOff, ldb, (float)beta, C + cOff, ldc);
  return NULL;
}

FN(fill_js) {
  ARGS("fill", 4);
  size_t lx; float *x = f32(&a, 0, &lx); idx off = i32(&a, 1), n = i32(&a, 2); float v = (float)f64(&a, 3);
  span(&a, 0, lx, off, n); CHECK();
  if (v == 0.0f && !signbit(v)) memset(x + off, 0, (size_t)(n > 0 ? n : 0) * sizeof(float));
  else for (idx i = 0; i < n; i++) x[off + i] = v;
  return NULL;
}

FN(copy_js) {
  ARGS("copy", 5);
  size_t ls, ld; float *s = f32(&a, 0, &ls); idx so = i32(&a, 1); float *d = f32(&a, 2, &ld); idx dOff = i32(&a, 3), n = i32(&a, 4);
  span(&a, 0, ls, so, n); span(&a, 2, ld, dOff, n); CHECK();
  if (n > 0) memmove(d + dOff, s + so, (size_t)n * sizeof(float));
  return NULL;
}

FN(axpy_js) {
  ARGS("axpy", 6);
  idx n = i32(&a, 0); double alpha = f64(&a, 1);
  size_t lx, ly; float *x = f32(&a, 2, &lx); idx xo = i32(&a, 3); float *y = f32(&a, 4, &ly); idx yo = i32(&a, 5);
  span(&a, 2, lx, xo, n); span(&a, 4, ly, yo, n); CHECK();
  if (n > 0) isa->axpy(n, alpha, x + xo, y + yo);
  return NULL;
}

FN(broadcast_rows_js) {
  ARGS("broadcastRows", 6);
  size_t lv, ld; float *v = f32(&a, 0, &lv); idx vo = i32(&a, 1), rows = i32(&a, 2), cols = i32(&a, 3);
  float *d = f32(&a, 4, &ld); idx dOff = i32(&a, 5);
  nonneg(&a, rows, 2); nonneg(&a, cols, 3);
  span(&a, 0, lv, vo, rows > 0 ? cols : 0); span(&a, 4, ld, dOff, rows * cols); CHECK();
  for (idx i = 0; i < rows; i++) memmove(d + dOff + i * cols, v + vo, (size_t)cols * sizeof(float));
  return NULL;
}

FN(add_col_sums_js) {
  ARGS("addColSums", 6);
  size_t ls, ld; float *s = f32(&a, 0, &ls); idx so = i32(&a, 1), rows = i32(&a, 2), cols = i32(&a, 3);
  float *d = f32(&a, 4, &ld); idx dOff = i32(&a, 5);
  nonneg(&a, rows, 2); nonneg(&a, cols, 3);
  span(&a, 0, ls, so, rows * cols); span(&a, 4, ld, dOff, rows > 0 ? cols : 0); CHECK();
  isa->add_col_sums(rows, cols, s + so, d + dOff);
  return NULL;
}

FN(transpose_js) {
  ARGS("transpose", 6);
  size_t ls, ld; float *s = f32(&a, 0, &ls); idx so = i32(&a, 1), rows = i32(&a, 2), cols = i32(&a, 3);
  float *d = f32(&a, 4, &ld); idx dOff = i32(&a, 5);
  nonneg(&a, rows, 2); nonneg(&a, cols, 3);
  span(&a, 0, ls, so, rows * cols); span(&a, 4, ld, dOff, rows * cols); CHECK();
  s += so; d += dOff;
  enum { T = 32 }; /* tiles keep both sides in cache */
  for (idx i0 = 0; i0 < rows; i0 += T)
    for (idx j0 = 0; j0 < cols; j0 += T) {
      idx i1 = i0 + T < rows ? i0 + T : rows, j1 = j0 + T < cols ? j0 + T : cols;
      for (idx j = j0; j < j1; j++)
        for (idx i = i0; i < i1; i++) d[j * rows + i] = s[i * cols + j];
    }
  return NULL;
}

/* every id must name a row of the table (the reference would read undefined; here it would be memory) */
static void check_ids(args *a, int i, const int32_t *ids, size_t n, size_t rows) {
  for (size_t k = 0; k < n; k++)
    if (ids[k] < 0 || (size_t)ids[k] >= rows) {
      fail(a, 1, "argument %d: id %d at position %zu is not a row of the table (%zu rows)", i + 1, (int)ids[k], k, rows);
      return;
    }
}

FN(gather_add_rows_js) {
  ARGS("gatherAddRows", 5);
  size_t lt, li, ld; float *t = f32(&a, 0, &lt); idx cols = i32(&a, 1); int32_t *ids = i32arr(&a, 2, &li);
  float *d = f32(&a, 3, &ld); idx dOff = i32(&a, 4);
  nonneg(&a, cols, 1); CHECK();
  if (cols == 0) return NULL;
  span(&a, 3, ld, dOff, (idx)li * cols); check_ids(&a, 2, ids, li, lt / (size_t)cols); CHECK();
  for (size_t i = 0; i < li; i++) isa->add_rows(cols, t + (idx)ids[i] * cols, d + dOff + (idx)i * cols);
  return NULL;
}

FN(scatter_add_rows_js) {
  ARGS("scatterAddRows", 5);
  size_t ls, li, lt; float *s = f32(&a, 0, &ls); idx so = i32(&a, 1), cols = i32(&a, 2);
  int32_t *ids = i32arr(&a, 3, &li); float *t = f32(&a, 4, &lt);
  nonneg(&a, cols, 2); CHECK();
  if (cols == 0) return NULL;
  span(&a, 0, ls, so, (idx)li * cols); check_ids(&a, 3, ids, li, lt / (size_t)cols); CHECK();
  for (size_t i = 0; i < li; i++) isa->add_rows(cols, s + so + (idx)i * cols, t + (idx)ids[i] * cols);
  return NULL;
}

/* ---- pointwise parts of the fused cells ----------------------------------------------------------- */

FN(rnn_forward_js) {
  ARGS("rnnCellForward", 7);
  int relu = boolean(&a, 0); idx n = i32(&a, 1);
  size_t l1, l2, l3; float *gx = f32(&a, 2, &l1); idx gxo = i32(&a, 3); float *gh = f32(&a, 4, &l2);
  float *h = f32(&a, 5, &l3); idx ho = i32(&a, 6);
  span(&a, 2, l1, gxo, n); span(&a, 4, l2, 0, n); span(&a, 5, l3, ho, n); CHECK();
  if (n > 0) isa->rnn_forward(relu, n, gx + gxo, gh, h + ho);
  return NULL;
}

FN(rnn_backward_js) {
  ARGS("rnnCellBackward", 7);
  int relu = boolean(&a, 0); idx n = i32(&a, 1);
  size_t l1, l2, l3; float *h = f32(&a, 2, &l1); idx ho = i32(&a, 3); float *dh = f32(&a, 4, &l2);
  float *dg = f32(&a, 5, &l3); idx dgo = i32(&a, 6);
  span(&a, 2, l1, ho, n); span(&a, 4, l2, 0, n); span(&a, 5, l3, dgo, n); CHECK();
  if (n > 0) isa->rnn_backward(relu, n, h + ho, dh, dg + dgo);
  return NULL;
}

FN(lstm_forward_js) {
  ARGS("lstmCellForward", 13);
  idx B = i32(&a, 0), H = i32(&a, 1);
  size_t l[6];
  float *g = f32(&a, 2, &l[0]); idx go = i32(&a, 3); float *gh = f32(&a, 4, &l[1]);
  float *cp = f32(&a, 5, &l[2]); idx cpo = i32(&a, 6); float *c = f32(&a, 7, &l[3]); idx co = i32(&a, 8);
  float *tc = f32(&a, 9, &l[4]); idx tco = i32(&a, 10); float *h = f32(&a, 11, &l[5]); idx ho = i32(&a, 12);
  nonneg(&a, B, 0); nonneg(&a, H, 1);
  idx BH = B * H;
  span(&a, 2, l[0], go, 4 * BH); span(&a, 4, l[1], 0, 4 * BH); span(&a, 5, l[2], cpo, BH);
  span(&a, 7, l[3], co, BH); span(&a, 9, l[4], tco, BH); span(&a, 11, l[5], ho, BH); CHECK();
  if (BH > 0) isa->lstm_forward(B, H, g + go, gh, cp + cpo, c + co, tc + tco, h + ho);
  return NULL;
}

FN(lstm_backward_js) {
  ARGS("lstmCellBackward", 12);
  idx B = i32(&a, 0), H = i32(&a, 1);
  size_t l[6];
  float *g = f32(&a, 2, &l[0]); idx go = i32(&a, 3); float *cp = f32(&a, 4, &l[1]); idx cpo = i32(&a, 5);
  float *tc = f32(&a, 6, &l[2]); idx tco = i32(&a, 7); float *dh = f32(&a, 8, &l[3]); float *dc = f32(&a, 9, &l[4]);
  float *dg = f32(&a, 10, &l[5]); idx dgo = i32(&a, 11);
  nonneg(&a, B, 0); nonneg(&a, H, 1);
  idx BH = B * H;
  span(&a, 2, l[0], go, 4 * BH); span(&a, 4, l[1], cpo, BH); span(&a, 6, l[2], tco, BH);
  span(&a, 8, l[3], 0, BH); span(&a, 9, l[4], 0, BH); span(&a, 10, l[5], dgo, 4 * BH); CHECK();
  if (BH > 0) isa->lstm_backward(B, H, g + go, cp + cpo, tc + tco, dh, dc, dg + dgo);
  return NULL;
}

FN(gru_forward_js) {
  ARGS("gruCellForward", 11);
  idx B = i32(&a, 0), H = i32(&a, 1);
  size_t l[5];
  float *g = f32(&a, 2, &l[0]); idx go = i32(&a, 3); float *gh = f32(&a, 4, &l[1]);
  float *hp = f32(&a, 5, &l[2]); idx hpo = i32(&a, 6); float *hn = f32(&a, 7, &l[3]); idx hno = i32(&a, 8);
  float *h = f32(&a, 9, &l[4]); idx ho = i32(&a, 10);
  nonneg(&a, B, 0); nonneg(&a, H, 1);
  idx BH = B * H;
  span(&a, 2, l[0], go, 3 * BH); span(&a, 4, l[1], 0, 3 * BH); span(&a, 5, l[2], hpo, BH);
  span(&a, 7, l[3], hno, BH); span(&a, 9, l[4], ho, BH); CHECK();
  if (BH > 0) isa->gru_forward(B, H, g + go, gh, hp + hpo, hn + hno, h + ho);
  return NULL;
}

FN(gru_backward_js) {
  ARGS("gruCellBackward", 14);
  idx B = i32(&a, 0), H = i32(&a, 1);
  size_t l[7];
  float *g = f32(&a, 2, &l[0]); idx go = i32(&a, 3); float *hn = f32(&a, 4, &l[1]); idx hno = i32(&a, 5);
  float *hp = f32(&a, 6, &l[2]); idx hpo = i32(&a, 7); float *dh = f32(&a, 8, &l[3]);
  float *dgx = f32(&a, 9, &l[4]); idx dgxo = i32(&a, 10); float *dgh = f32(&a, 11, &l[5]); idx dgho = i32(&a, 12);
  float *dhp = f32(&a, 13, &l[6]);
  nonneg(&a, B, 0); nonneg(&a, H, 1);
  idx BH = B * H;
  span(&a, 2, l[0], go, 3 * BH); span(&a, 4, l[1], hno, BH); span(&a, 6, l[2], hpo, BH); span(&a, 8, l[3], 0, BH);
  span(&a, 9, l[4], dgxo, 3 * BH); span(&a, 11, l[5], dgho, 3 * BH); span(&a, 13, l[6], 0, BH); CHECK();
  if (BH > 0) isa->gru_backward(B, H, g + go, hn + hno, hp + hpo, dh, dgx + dgxo, dgh + dgho, dhp);
  return NULL;
}

FN(mask_state_js) {
  ARGS("maskState", 8);
  idx B = i32(&a, 0), H = i32(&a, 1);
  size_t lm, lx, lp; float *m = f32(&a, 2, &lm); idx mo = i32(&a, 3); float *x = f32(&a, 4, &lx); idx xo = i32(&a, 5);
  float *xp = f32(&a, 6, &lp); idx xpo = i32(&a, 7);
  nonneg(&a, B, 0); nonneg(&a, H, 1);
  span(&a, 2, lm, mo, B); span(&a, 4, lx, xo, B * H); span(&a, 6, lp, xpo, B * H); CHECK();
  for (idx b = 0; b < B; b++)
    if (m[mo + b] == 0.0f) memmove(x + xo + b * H, xp + xpo + b * H, (size_t)H * sizeof(float));
  return NULL;
}

FN(mask_rows_js) {
  ARGS("maskRows", 6);
  idx B = i32(&a, 0), Wd = i32(&a, 1);
  size_t lm, lx; float *m = f32(&a, 2, &lm); idx mo = i32(&a, 3); float *x = f32(&a, 4, &lx); idx xo = i32(&a, 5);
  nonneg(&a, B, 0); nonneg(&a, Wd, 1);
  span(&a, 2, lm, mo, B); span(&a, 4, lx, xo, B * Wd); CHECK();
  for (idx b = 0; b < B; b++)
    if (m[mo + b] == 0.0f) memset(x + xo + b * Wd, 0, (size_t)Wd * sizeof(float));
  return NULL;
}

/* ---- one step at batch 1 ------------------------------------------------------------------------------ */

/* A plan and everything it points to, in one block: the header, the layer table, the transposed
 * weights, the scratch, and the io region [x (D) | h (L·H) | c (L·H) | y (O)] that JavaScript sees
 * as an external ArrayBuffer. The block is freed when both the step function and that buffer
 * have been collected (so neither can outlive the memory, and detaching the buffer is harmless). */
typedef struct plan_block {
  step_plan p;
  void (*run)(const step_plan *, int);
  idx D;    /* one-hot tokens must be below it */
  int refs;
} plan_block;

static void plan_release(plan_block *b) {
  if (--b->refs == 0) free(b);
}
/* the step function's finalizer gets the block as its data; the io buffer's gets its own memory
 * (inside the block) as data and the block as the hint. Both run on the JavaScript thread. */
static void step_fn_finalize(napi_env env, void *data, void *hint) { (void)env; (void)hint; plan_release(data); }
static void io_finalize(napi_env env, void *data, void *hint) { (void)env; (void)data; plan_release(hint); }

static napi_value step_js(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; void *data = NULL; int32_t token = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  plan_block *b = data;
  if (argc >= 1 && napi_get_value_int32(env, argv[0], &token) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "native step: the token must be a number");
    return NULL;
  }
  if (token >= b->D) {
    char msg[128];
    snprintf(msg, sizeof msg, "native step: token %d is not a row of the one-hot input (%lld rows)", (int)token, (long long)b->D);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return NULL;
  }
  b->run(&b->p, token);
  return NULL;
}

/* a Float32Array argument, or NULL (len 0) for null/undefined when allowed */
static const float *f32_or_null(args *a, napi_value v, int i, size_t *len, int nullable) {
  napi_valuetype t;
  napi_typeof(a->env, v, &t);
  *len = 0;
  if (nullable && (t == napi_null || t == napi_undefined)) return NULL;
  napi_typedarray_type tt; void *d = NULL;
  if (napi_get_typedarray_info(a->env, v, &tt, len, &d, NULL, NULL) != napi_ok || tt != napi_float32_array) {
    fail(a, 0, "argument %d must be a Float32Array%s", i + 1, nullable ? " or null" : "");
    *len = 0;
    return NULL;
  }
  return d;
}

#define UP16(n) (((n) + 15) / 16 * 16)

/* stepPlan(mode 0 tanh | 1 relu | 2 LSTM | 3 GRU, H, layers: [wih, whh, bih | null, bhh | null] per layer,
 *          headWeight | null, headBias | null) → step(token), with step.io the io ArrayBuffer */
FN(step_plan_js) {
  ARGS("stepPlan", 5);
  idx mode = i32(&a, 0), H = i32(&a, 1);
  CHECK();
  if (mode < 0 || mode > 3) fail(&a, 1, "argument 1: expected a mode 0–3, got %lld", (long long)mode);
  if (H < 1) fail(&a, 1, "argument 2: expected a hidden size ≥ 1, got %lld", (long long)H);
  bool isArray = false;
  uint32_t n = 0;
  napi_is_array(env, a.argv[2], &isArray);
  if (!isArray) fail(&a, 0, "argument 3 must be an array of weights");
  else napi_get_array_length(env, a.argv[2], &n);
  if (a.ok && (n == 0 || n % 4 != 0)) fail(&a, 1, "argument 3: expected 4 arrays per layer, got %u", n);
  CHECK();
  const idx G = mode == 2 ? 4 : mode == 3 ? 3 : 1, GH = G * H, L = n / 4, ldg = UP16(GH);
  const float *w[4 * 64];
  size_t len[4 * 64];
  if (L > 64) { fail(&a, 1, "argument 3: at most 64 layers, got %lld", (long long)L); return NULL; }
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_get_element(env, a.argv[2], i, &v);
    w[i] = f32_or_null(&a, v, 2, &len[i], i % 4 >= 2);
  }
  size_t lwy, lby;
  const float *wy = f32_or_null(&a, a.argv[3], 3, &lwy, 1), *by = f32_or_null(&a, a.argv[4], 4, &lby, 1);
  CHECK();
  const idx D = (idx)len[0] / GH, O = (idx)lwy / H, ldo = UP16(O);
  if (D < 1 || (size_t)(D * GH) != len[0]) fail(&a, 1, "weight_ih_l0 has %zu elements, expected %lld·D", len[0], (long long)GH);
  for (idx l = 0; l < L && a.ok; l++) {
    idx Dl = l == 0 ? D : H;
    if (len[4 * l] != (size_t)(GH * Dl)) fail(&a, 1, "weight_ih_l%lld: expected %lld elements, got %zu", (long long)l, (long long)(GH * Dl), len[4 * l]);
    if (len[4 * l + 1] != (size_t)(GH * H)) fail(&a, 1, "weight_hh_l%lld: expected %lld elements, got %zu", (long long)l, (long long)(GH * H), len[4 * l + 1]);
    if (w[4 * l + 2] && len[4 * l + 2] != (size_t)GH) fail(&a, 1, "bias_ih_l%lld: expected %lld elements, got %zu", (long long)l, (long long)GH, len[4 * l + 2]);
    if (w[4 * l + 3] && len[4 * l + 3] != (size_t)GH) fail(&a, 1, "bias_hh_l%lld: expected %lld elements, got %zu", (long long)l, (long long)GH, len[4 * l + 3]);
  }
  if (wy && (size_t)(O * H) != lwy) fail(&a, 1, "head weight has %zu elements, expected O·%lld", lwy, (long long)H);
  if (by && (!wy || lby != (size_t)O)) fail(&a, 1, "head bias: expected %lld elements, got %zu", (long long)O, lby);
  CHECK();

  /* sizes in floats, every part 64-byte aligned */
  size_t head = UP16((sizeof(plan_block) + sizeof(step_layer) * (size_t)L + 3) / 4), total = head;
  for (idx l = 0; l < L; l++) total += (size_t)((l == 0 ? D : H) + H + 2) * (size_t)ldg;
  total += (size_t)(H + 1) * (size_t)ldo + 2 * (size_t)ldg + UP16(H) + (size_t)ldo;
  size_t io = total, nio = (size_t)(D + 2 * L * H + O);
  total += UP16(nio);
  plan_block *b = aligned_alloc(64, total * sizeof(float));
  if (!b) { napi_throw_error(env, NULL, "native stepPlan: out of memory"); return NULL; }
  memset(b, 0, total * sizeof(float));
  float *f = (float *)b;
  step_layer *layer = (step_layer *)(b + 1);
  size_t at = head;
  float *part;
#define TAKE(nf) (part = f + at, at += (nf), part)
  /* W (rows, cols) → Wt (cols, ld) */
#define PUT_T(dst, src, rows, cols, ld) for (idx i_ = 0; i_ < (rows); i_++) for (idx k_ = 0; k_ < (cols); k_++) (dst)[k_ * (ld) + i_] = (src)[i_ * (cols) + k_]
  for (idx l = 0; l < L; l++) {
    idx Dl = l == 0 ? D : H;
    float *wih = TAKE((size_t)(Dl * ldg)), *whh = TAKE((size_t)(H * ldg)), *bih = TAKE((size_t)ldg), *bhh = TAKE((size_t)ldg);
    PUT_T(wih, w[4 * l], GH, Dl, ldg);
    PUT_T(whh, w[4 * l + 1], GH, H, ldg);
    if (w[4 * l + 2]) memcpy(bih, w[4 * l + 2], (size_t)GH * sizeof(float));
    if (w[4 * l + 3]) memcpy(bhh, w[4 * l + 3], (size_t)GH * sizeof(float));
    layer[l] = (step_layer){ Dl, wih, whh, bih, bhh };
  }
  float *wyt = TAKE((size_t)(H * ldo)), *byp = TAKE((size_t)ldo);
  if (wy) PUT_T(wyt, wy, O, H, ldo);
  if (by) memcpy(byp, by, (size_t)O * sizeof(float));
#undef PUT_T
  step_plan *p = &b->p;
  p->mode = (int)mode; p->L = L; p->H = H; p->ldg = ldg; p->O = wy ? O : 0; p->ldo = ldo;
  p->layer = layer; p->wy = wyt; p->by = byp;
  p->gx = TAKE((size_t)ldg); p->gh = TAKE((size_t)ldg); p->aux = TAKE(UP16(H)); p->ybuf = TAKE((size_t)ldo);
  p->x = f + io; p->h = p->x + D; p->c = p->h + L * H; p->y = p->c + L * H;
#undef TAKE
  b->run = isa->step; b->D = D; b->refs = 0;

  napi_value buf, fn;
  if (napi_create_external_arraybuffer(env, p->x, nio * sizeof(float), io_finalize, b, &buf) != napi_ok) {
    free(b);
    napi_throw_error(env, NULL, "native stepPlan: this runtime allows no external ArrayBuffers");
    return NULL;
  }
  b->refs++;
  napi_create_function(env, "step", NAPI_AUTO_LENGTH, step_js, b, &fn);
  napi_add_finalizer(env, fn, b, step_fn_finalize, NULL, NULL);
  b->refs++;
  napi_set_named_property(env, fn, "io", buf);
  return fn;
}

/* ---- host kernels: losses ------------------------------------------------------------------------- */

FN(softmax_xent_js) {
  ARGS("softmaxXent", 7);
  idx N = i32(&a, 0), C = i32(&a, 1);
  size_t l[5];
  float *X = f32(&a, 2, &l[0]); int32_t *Y = i32arr(&a, 3, &l[1]); float *w = f32(&a, 4, &l[2]);
  float *P = f32(&a, 5, &l[3]); float *L = f32(&a, 6, &l[4]);
  nonneg(&a, N, 0); nonneg(&a, C, 1);
  span(&a, 2, l[0], 0, N * C); span(&a, 3, l[1], 0, N); span(&a, 4, l[2], 0, N); span(&a, 5, l[3], 0, N * C);
  span(&a, 6, l[4], 0, N); CHECK();
  if (N > 0 && C > 0) isa->softmax_xent(N, C, X, Y, w, P, L);
  return NULL;
}

FN(softmax_xent_backward_js) {
  ARGS("softmaxXentBackward", 6);
  idx N = i32(&a, 0), C = i32(&a, 1);
  size_t l[4];
  float *P = f32(&a, 2, &l[0]); int32_t *Y = i32arr(&a, 3, &l[1]); float *s = f32(&a, 4, &l[2]); float *D = f32(&a, 5, &l[3]);
  nonneg(&a, N, 0); nonneg(&a, C, 1);
  span(&a, 2, l[0], 0, N * C); span(&a, 3, l[1], 0, N); span(&a, 4, l[2], 0, N); span(&a, 5, l[3], 0, N * C); CHECK();
  if (N > 0 && C > 0) isa->softmax_xent_backward(N, C, P, Y, s, D);
  return NULL;
}

/* ---- configuration, introspection, tests --------------------------------------------------------- */

static napi_value str(napi_env env, const char *s) { napi_value v; napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v); return v; }
static napi_value num(napi_env env, double x) { napi_value v; napi_create_double(env, x, &v); return v; }
static void put(napi_env env, napi_value o, const char *k, napi_value v) { napi_set_named_property(env, o, k, v); }

/* { isa, blas: { version, config, parallel, maxThreads } | null, blasError, gemm, threads } */
FN(info_js) {
  (void)info;
  const blas_info *b = blas_load();
  napi_value o, bo, nul;
  napi_create_object(env, &o);
  napi_get_null(env, &nul);
  put(env, o, "isa", str(env, isa->name));
  if (b->loaded) {
    napi_create_object(env, &bo);
    put(env, bo, "version", str(env, b->version));
    put(env, bo, "config", str(env, b->config));
    put(env, bo, "parallel", num(env, b->parallel));
    put(env, bo, "maxThreads", num(env, b->max_threads));
    put(env, o, "blas", bo);
    put(env, o, "blasError", nul);
  } else {
    put(env, o, "blas", nul);
    put(env, o, "blasError", str(env, b->error));
  }
  put(env, o, "gemm", str(env, gemm_mode == MODE_OWN ? "own" : gemm_mode == MODE_BLAS ? "openblas" : "auto"));
  put(env, o, "threads", num(env, gemm_threads));
  put(env, o, "twoThreadsFrom", num(env, two_threads_from));
  put(env, o, "blasFrom", num(env, blas_from));
  put(env, o, "cpus", num(env, cpus));
  put(env, o, "helperChunks", num(env, (double)pool_helper_chunks));
  return o;
}

/* setGemm(mode: 0 auto | 1 own | 2 openblas, threads: 0 per shape | 1 | 2[, twoThreadsFrom, blasFrom]) */
FN(set_gemm_js) {
  size_t argc = 4; napi_value argv[4]; int32_t m = 0, t = 0; double x;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1) napi_get_value_int32(env, argv[0], &m);
  if (argc >= 2) napi_get_value_int32(env, argv[1], &t);
  if (argc >= 3 && napi_get_value_double(env, argv[2], &x) == napi_ok) two_threads_from = x;
  if (argc >= 4 && napi_get_value_double(env, argv[3], &x) == napi_ok) blas_from = x;
  gemm_mode = m >= 0 && m <= 2 ? m : MODE_AUTO;
  gemm_threads = t >= 0 && t <= 2 ? t : 0;
  return NULL;
}

/* setIsa('auto' | 'avx512' | 'avx2' | 'generic') → the name in use; throws if the CPU lacks it */
FN(set_isa_js) {
  size_t argc = 1; napi_value argv[1]; char name[32] = "auto"; size_t n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1) napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n);
  const recur_isa *k = isa_named(name);
  if (!k) { napi_throw_error(env, NULL, "native setIsa: this CPU (or build) has no such instruction set"); return NULL; }
  isa = k;
  return str(env, isa->name);
}

/* plan(tA, tB, M, N, K) → 'own/1' | 'own/2' | 'openblas/1' | 'openblas/2' (tight leading dimensions) */
FN(plan_js) {
  ARGS("plan", 5);
  int tA = boolean(&a, 0), tB = boolean(&a, 1); idx M = i32(&a, 2), N = i32(&a, 3), K = i32(&a, 4);
  CHECK();
  static const char *names[] = { "own/1", "own/2", "openblas/1", "openblas/2" };
  return str(env, names[gemm_plan(tA, tB, M, N, K, tA ? M : K, tB ? K : N, N)]);
}

/* activation(kind: 0 tanh | 1 sigmoid | 2 exp, x, y): y = f(x) elementwise */
FN(activation_js) {
  ARGS("activation", 3);
  idx kind = i32(&a, 0); size_t lx, ly; float *x = f32(&a, 1, &lx), *y = f32(&a, 2, &ly);
  span(&a, 2, ly, 0, (idx)lx); CHECK();
  (kind == 0 ? isa->tanh_v : kind == 1 ? isa->sigmoid_v : isa->exp_v)((idx)lx, x, y);
  return NULL;
}

FN(nop_js) { (void)env; (void)info; return NULL; }

NAPI_MODULE_INIT() {
  cpus = count_cpus();
  const char *want = getenv("RECUR_NATIVE_ISA");
  const recur_isa *k = isa_named(want && *want ? want : "auto");
  isa = k ? k : isa_named("auto");
  const char *g = getenv("RECUR_NATIVE_GEMM"); /* own | openblas | auto */
  if (g && strcmp(g, "own") == 0) gemm_mode = MODE_OWN;
  if (g && strcmp(g, "openblas") == 0) gemm_mode = MODE_BLAS;
  const char *t = getenv("RECUR_NATIVE_THREADS");
  if (t && (*t == '1' || *t == '2')) gemm_threads = *t - '0';
  static const struct { const char *name; napi_callback fn; } fns[] = {
    { "gemm", gemm_js }, { "fill", fill_js }, { "copy", copy_js }, { "axpy", axpy_js },
    { "broadcastRows", broadcast_rows_js }, { "addColSums", add_col_sums_js }, { "transpose", transpose_js },
    { "gatherAddRows", gather_add_rows_js }, { "scatterAddRows", scatter_add_rows_js },
    { "rnnCellForward", rnn_forward_js }, { "rnnCellBackward", rnn_backward_js },
    { "lstmCellForward", lstm_forward_js }, { "lstmCellBackward", lstm_backward_js },
    { "gruCellForward", gru_forward_js }, { "gruCellBackward", gru_backward_js },
    { "maskState", mask_state_js }, { "maskRows", mask_rows_js },
    { "stepPlan", step_plan_js },
    { "softmaxXent", softmax_xent_js }, { "softmaxXentBackward", softmax_xent_backward_js },
    { "info", info_js }, { "setGemm", set_gemm_js }, { "setIsa", set_isa_js }, { "plan", plan_js },
    { "activation", activation_js }, { "nop", nop_js },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
