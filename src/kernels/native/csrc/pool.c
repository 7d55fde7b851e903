/*
 * The own GEMM on two threads: the calling thread and one helper split C into chunks (column
 * blocks, or row blocks for tall narrow products) and take them by an atomic counter. Whoever
 * is free takes the next chunk, so when the helper is late (asleep, or its core busy with other
 * work) the caller simply does more of them: a call never waits for a thread that has not
 * started, only for a chunk the helper is already computing.
 *
 * The helper spins for a while after each job (a time step's next GEMM comes within
 * microseconds), then sleeps on a condition variable. One job at a time per process: a second
 * thread calling meanwhile (a worker_threads user) runs on one thread. When the machine is
 * oversubscribed the helper can be preempted in the middle of a chunk; if the caller ends up
 * waiting for it longer than half its own share, calls stay on one thread for a while: 2 ms,
 * doubling while it keeps happening (up to 128 ms), back to 2 ms after a job without a wait.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include "recur.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define relax() _mm_pause()
#else
#define relax() ((void)0)
#endif

enum { CHUNKS = 4 };
#define SPIN_NS 2e5 /* the helper's spin before it sleeps */

static struct {
  const recur_isa *isa;
  int tA, tB, by_rows;
  idx M, N, K, step; /* chunk c covers rows or columns [c·step, (c+1)·step) */
  float alpha, beta;
  const float *A, *B;
  float *C;
  idx lda, ldb, ldc;
  atomic_int next, done;
} job;

static atomic_uint seq;          /* bumped for every job */
static atomic_int sleeping;
static atomic_flag busy = ATOMIC_FLAG_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started; /* 1 running, −1 could not start */
static double backoff_until, backoff_ns = 2e6;
atomic_long pool_helper_chunks; /* chunks the helper computed (tests check it takes part) */

static void run_chunk(int c) {
  idx lo = c * job.step, n;
  if (job.by_rows) {
    n = job.M - lo < job.step ? job.M - lo : job.step;
    if (n > 0)
      own_gemm(job.isa, job.tA, job.tB, n, job.N, job.K, job.alpha,
               job.tA ? job.A + lo : job.A + lo * job.lda, job.lda, job.B, job.ldb, job.beta, job.C + lo * job.ldc, job.ldc);
  } else {
    n = job.N - lo < job.step ? job.N - lo : job.step;
    if (n > 0)
      own_gemm(job.isa, job.tA, job.tB, job.M, n, job.K, job.alpha, job.A, job.lda,
               job.tB ? job.B + lo * job.ldb : job.B + lo, job.ldb, job.beta, job.C + lo, job.ldc);
  }
}

static void take_chunks(int helper) {
  int c;
  while ((c = atomic_fetch_add(&job.next, 1)) < CHUNKS) {
    run_chunk(c);
    if (helper) atomic_fetch_add(&pool_helper_chunks, 1);
    atomic_fetch_add(&job.done, 1);
  }
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static void *helper(void *arg) {
  (void)arg;
  unsigned last = atomic_load(&seq);
  for (;;) {
    double t0 = now_ns();
    for (int i = 0; atomic_load(&seq) == last; i++) {
      relax();
      if ((i & 255) == 255 && now_ns() - t0 > SPIN_NS) {
        pthread_mutex_lock(&mu);
        atomic_store(&sleeping, 1);
        while (atomic_load(&seq) == last) pthread_cond_wait(&cv, &mu);
        atomic_store(&sleeping, 0);
        pthread_mutex_unlock(&mu);
      }
    }
    last = atomic_load(&seq);
    take_chunks(1);
  }
  return NULL;
}

/* C = alpha·op(A)·op(B) + beta·C with the own kernel on two threads (one when that cannot be
 * had, or, if adaptive, while backing off) */
void own_gemm_2t(int adaptive, const recur_isa *isa, int tA, int tB, idx M, idx N, idx K, float alpha,
                 const float *A, idx lda, const float *B, idx ldb, float beta, float *C, idx ldc) {
  if (atomic_flag_test_and_set(&busy)) { /* another thread's job is running */
    own_gemm(isa, tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (started == 0) {
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    started = pthread_create(&th, &at, helper, NULL) == 0 ? 1 : -1;
    pthread_attr_destroy(&at);
  }
  double t0 = now_ns();
  if (started < 0 || (adaptive && t0 < backoff_until)) {
    atomic_flag_clear(&busy);
    own_gemm(isa, tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  /* Split the longer side: every chunk reads (and may pack) all of the operand along the other,
   * op(A) for column chunks, op(B) for row chunks. Whole micro-panels or micro-tiles per chunk. */
  int rows_ok = M >= CHUNKS * isa->mr, cols_ok = N >= CHUNKS * isa->nr;
  int by_rows = rows_ok && (M > N || !cols_ok);
  idx len = by_rows ? M : N, unit = by_rows ? isa->mr : isa->nr;
  idx step = (len + CHUNKS - 1) / CHUNKS;
  step = (step + unit - 1) / unit * unit;
  job.isa = isa; job.tA = tA; job.tB = tB; job.by_rows = by_rows; job.step = step;
  job.M = M; job.N = N; job.K = K; job.alpha = alpha; job.beta = beta;
  job.A = A; job.B = B; job.C = C; job.lda = lda; job.ldb = ldb; job.ldc = ldc;
  /* done first: a helper still looping over the last job can claim a chunk as soon as next is 0 */
  atomic_store(&job.done, 0);
  atomic_store(&job.next, 0);
  atomic_fetch_add(&seq, 1); /* wakes the helper (sequentially consistent, like its loads) */
  if (atomic_load(&sleeping)) { pthread_mutex_lock(&mu); pthread_cond_signal(&cv); pthread_mutex_unlock(&mu); }
  take_chunks(0);
  double t1 = now_ns();
  for (int i = 1; atomic_load(&job.done) < CHUNKS; i++) { /* only chunks the helper is computing */
    relax();
    if (i % 4096 == 0) sched_yield(); /* it may be waiting for this very core */
  }
  double t2 = now_ns();
  if (t2 - t1 > 0.5 * (t1 - t0) + 2e4) {
    backoff_until = t2 + backoff_ns;
    backoff_ns = backoff_ns < 1.28e8 ? 2 * backoff_ns : backoff_ns;
  } else {
    backoff_ns = 2e6;
  }
  atomic_flag_clear(&busy);
}
