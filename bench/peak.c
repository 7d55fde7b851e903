// The machine's float32 peak as a pure fused-multiply-add loop: no memory traffic, enough
// independent accumulators to cover the FMA latency on every pipe. Prints one JSON line:
//   {"isa":"avx512","threads":N,"gflops":G}
// Built and run by bench/run.ts:  cc -O2 -march=native -pthread peak.c -o peak && ./peak N
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ACC 16          // independent accumulators (latency 4 × 2 pipes, with room to spare)
#define ITERS 20000000L // per thread: ~0.5 s at ~100 GFLOP/s per core

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define ISA "avx512"
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define SUM _mm512_reduce_add_ps
#elif defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define ISA "avx2-fma"
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
static float SUM(__m256 v) { float t[8]; _mm256_storeu_ps(t, v); float s = 0; for (int i = 0; i < 8; i++) s += t[i]; return s; }
#else
#error "no FMA: the bench reports PERF-NOTES' figure instead"
#endif

static double seconds(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void *run(void *out) {
  vec acc[ACC];
  const vec a = SET1(0.999999f), b = SET1(1e-7f);
  for (int i = 0; i < ACC; i++) acc[i] = SET1((float)i);
  for (long n = 0; n < ITERS; n++) {
#pragma GCC unroll 16
    for (int i = 0; i < ACC; i++) acc[i] = FMA(acc[i], a, b);
  }
  vec s = acc[0];
  for (int i = 1; i < ACC; i++) s = ADD(s, acc[i]);
  *(float *)out = SUM(s); // keeps the loop alive
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 64) { fprintf(stderr, "peak: expected 1..64 threads, got %s\n", argv[1]); return 1; }
  pthread_t th[64];
  float sink[64];
  double best = 0;
  for (int round = 0; round < 3; round++) {
    double t0 = seconds();
    for (int t = 0; t < threads; t++) pthread_create(&th[t], NULL, run, &sink[t]);
    for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
    double g = 2.0 * LANES * ACC * (double)ITERS * threads / (seconds() - t0) / 1e9;
    if (g > best) best = g;
  }
  printf("{\"isa\":\"%s\",\"threads\":%d,\"gflops\":%.1f,\"sink\":%g}\n", ISA, threads, best, (double)sink[0]);
  return 0;
}
