/*
 * OpenBLAS, opened with dlopen at first use. The prototypes are declared here, so neither the
 * -dev package nor a link-time dependency is needed: Debian's libopenblas0-pthread is enough.
 * RECUR_OPENBLAS=/path/to/libopenblas.so overrides the library; RECUR_OPENBLAS=0 disables it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recur.h"

enum { RowMajor = 101, NoTrans = 111, Trans = 112 };
typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int);
typedef int (*get_int_fn)(void);
typedef char *(*get_str_fn)(void);

static blas_info info;
static int tried;
static sgemm_fn sgemm;
static set_threads_fn set_threads;
static int current_threads = -1;

const blas_info *blas_load(void) {
  if (tried) return &info;
  tried = 1;
  const char *env = getenv("RECUR_OPENBLAS");
  if (env && strcmp(env, "0") == 0) {
    snprintf(info.error, sizeof info.error, "disabled by RECUR_OPENBLAS=0");
    return &info;
  }
  const char *names[] = { env && *env ? env : "libopenblas.so.0",
                          "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                          "libopenblas.so", "libopenblas.dylib", NULL };
  void *h = NULL;
  for (int i = 0; names[i] && !h; i++) {
    h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h && i == 0) snprintf(info.error, sizeof info.error, "%s", dlerror());
  }
  if (!h) return &info;
  sgemm = (sgemm_fn)dlsym(h, "cblas_sgemm");
  set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
  get_int_fn get_threads = (get_int_fn)dlsym(h, "openblas_get_num_threads");
  get_int_fn get_parallel = (get_int_fn)dlsym(h, "openblas_get_parallel");
  get_str_fn get_config = (get_str_fn)dlsym(h, "openblas_get_config");
  if (!sgemm || !set_threads || !get_threads) {
    snprintf(info.error, sizeof info.error, "the library has no cblas_sgemm/openblas_set_num_threads");
    sgemm = NULL;
    return &info;
  }
  info.loaded = 1;
  info.max_threads = get_threads();
  info.parallel = get_parallel ? get_parallel() : -1;
  if (get_config) snprintf(info.config, sizeof info.config, "%s", get_config());
  /* the config string starts "OpenBLAS 0.3.21 ..." */
  const char *c = info.config;
  if (strncmp(c, "OpenBLAS ", 9) == 0) {
    const char *end = strchr(c + 9, ' ');
    int len = end ? (int)(end - c) : (int)strlen(c);
    snprintf(info.version, sizeof info.version, "%.*s", len, c);
  } else {
    snprintf(info.version, sizeof info.version, "OpenBLAS");
  }
  return &info;
}

void blas_sgemm(int tA, int tB, idx M, idx N, idx K, float alpha, const float *A, idx lda,
                const float *B, idx ldb, float beta, float *C, idx ldc, int threads) {
  /* openblas_set_num_threads takes a lock: only call it when the count changes */
  if (threads != current_threads) { set_threads(threads); current_threads = threads; }
  sgemm(RowMajor, tA ? Trans : NoTrans, tB ? Trans : NoTrans, (int)M, (int)N, (int)K, alpha,
        A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}
