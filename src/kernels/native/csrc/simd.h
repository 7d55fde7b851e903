/*
 * A thin vector layer so the pointwise kernels (pointwise.h) are written once and compiled for
 * AVX-512 (W = 16), AVX2 + FMA (W = 8) and plain C (W = 1). Define RECUR_SIMD before including.
 * vloadn/vstoren handle the last r < W elements of a row (masked, never touching memory past it).
 * vmin(a, b)/vmax(a, b) return b when either is NaN (the x86 rule), which the callers rely on.
 */
#ifndef RECUR_SIMD_H
#define RECUR_SIMD_H
#include <math.h>
#include <string.h>
#include "recur.h"

#define INL static inline __attribute__((always_inline))

#if RECUR_SIMD == 512
#include <immintrin.h>
#define W 16
typedef __m512 V;
typedef __mmask16 VM;
INL __mmask16 tail_mask(idx r) { return (__mmask16)((1u << r) - 1); }
INL V vload(const float *p) { return _mm512_loadu_ps(p); }
INL V vloadn(const float *p, idx r) { return r >= W ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(tail_mask(r), p); }
INL void vstoren(float *p, V v, idx r) { if (r >= W) _mm512_storeu_ps(p, v); else _mm512_mask_storeu_ps(p, tail_mask(r), v); }
INL V vset(float x) { return _mm512_set1_ps(x); }
INL V vadd(V a, V b) { return _mm512_add_ps(a, b); }
INL V vsub(V a, V b) { return _mm512_sub_ps(a, b); }
INL V vmul(V a, V b) { return _mm512_mul_ps(a, b); }
INL V vdiv(V a, V b) { return _mm512_div_ps(a, b); }
INL V vfma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }   /* a·b + c, one rounding */
INL V vfnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); } /* c − a·b, one rounding */
INL V vmin(V a, V b) { return _mm512_min_ps(a, b); }
INL V vmax(V a, V b) { return _mm512_max_ps(a, b); }
INL V vabs(V a) { return _mm512_abs_ps(a); }
/* |mag| with the sign of sgn */
INL V vcopysign(V mag, V sgn) {
  __m512i s = _mm512_set1_epi32((int)0x80000000u);
  return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(s, _mm512_castps_si512(mag), _mm512_castps_si512(sgn), 0xAC));
}
INL VM vlt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
INL VM vgt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
INL V vsel(VM m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); } /* m ? a : b */
INL V vround(V x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* p·2ⁿ for integral n, with IEEE overflow, underflow and subnormals */
INL V vldexp(V p, V n) { return _mm512_scalef_ps(p, n); }
INL float vhmax(V a) { return _mm512_reduce_max_ps(a); }
INL float vhsum(V a) { return _mm512_reduce_add_ps(a); }
/* Σ lanes of a (the first r valid), in double */
INL double vhsum_d(V a) {
  __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(a));
  __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
  return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}

#elif RECUR_SIMD == 256
#include <immintrin.h>
#define W 8
typedef __m256 V;
typedef __m256 VM;
INL __m256i tail_mask(idx r) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)r), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
INL V vload(const float *p) { return _mm256_loadu_ps(p); }
INL V vloadn(const float *p, idx r) { return r >= W ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, tail_mask(r)); }
INL void vstoren(float *p, V v, idx r) { if (r >= W) _mm256_storeu_ps(p, v); else _mm256_maskstore_ps(p, tail_mask(r), v); }
INL V vset(float x) { return _mm256_set1_ps(x); }
INL V vadd(V a, V b) { return _mm256_add_ps(a, b); }
INL V vsub(V a, V b) { return _mm256_sub_ps(a, b); }
INL V vmul(V a, V b) { return _mm256_mul_ps(a, b); }
INL V vdiv(V a, V b) { return _mm256_div_ps(a, b); }
INL V vfma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
INL V vfnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
INL V vmin(V a, V b) { return _mm256_min_ps(a, b); }
INL V vmax(V a, V b) { return _mm256_max_ps(a, b); }
INL V vabs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
INL V vcopysign(V mag, V sgn) {
  V s = _mm256_set1_ps(-0.0f);
  return _mm256_or_ps(_mm256_andnot_ps(s, mag), _mm256_and_ps(s, sgn));
}
INL VM vlt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
INL VM vgt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
INL V vsel(VM m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
INL V vround(V x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* p·2ⁿ for integral n in [−151, 129], as two factors so each stays a normal float */
INL V vldexp(V p, V n) {
  __m256i ni = _mm256_cvtps_epi32(n);
  __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  __m256i bias = _mm256_set1_epi32(127);
  V f1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  V f2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, f1), f2);
}
INL float vhmax(V a) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}
INL float vhsum(V a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
INL double vhsum_d(V a) {
  __m256d s = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(a)), _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)));
  __m128d t = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
  return _mm_cvtsd_f64(_mm_add_sd(t, _mm_unpackhi_pd(t, t)));
}

#else /* plain C, one lane */
#define W 1
typedef float V;
typedef int VM;
INL V vload(const float *p) { return *p; }
INL V vloadn(const float *p, idx r) { (void)r; return *p; }
INL void vstoren(float *p, V v, idx r) { (void)r; *p = v; }
INL V vset(float x) { return x; }
INL V vadd(V a, V b) { return a + b; }
INL V vsub(V a, V b) { return a - b; }
INL V vmul(V a, V b) { return a * b; }
INL V vdiv(V a, V b) { return a / b; }
INL V vfma(V a, V b, V c) { return fmaf(a, b, c); }
INL V vfnma(V a, V b, V c) { return fmaf(-a, b, c); }
INL V vmin(V a, V b) { return a < b ? a : b; }
INL V vmax(V a, V b) { return a > b ? a : b; }
INL V vabs(V a) { return fabsf(a); }
INL V vcopysign(V mag, V sgn) { return copysignf(mag, sgn); }
INL VM vlt(V a, V b) { return a < b; }
INL VM vgt(V a, V b) { return a > b; }
INL V vsel(VM m, V a, V b) { return m ? a : b; }
/* no library calls below, so that the compiler can vectorise the loops for the baseline ISA
 * (NEON on arm64): rounding by the 1.5·2²³ trick (|x| < 2²² here), 2ⁿ built from its bits */
INL V vround(V x) { return (x + 12582912.0f) - 12582912.0f; }
INL V vldexp(V p, V n) {
  int32_t i = n == n ? (int32_t)n : 0, i1 = i >> 1, i2 = i - i1; /* NaN n: p is NaN already */
  uint32_t b1 = (uint32_t)(i1 + 127) << 23, b2 = (uint32_t)(i2 + 127) << 23;
  float f1, f2;
  memcpy(&f1, &b1, 4);
  memcpy(&f2, &b2, 4);
  return p * f1 * f2;
}
INL float vhmax(V a) { return a; }
INL float vhsum(V a) { return a; }
INL double vhsum_d(V a) { return a; }
#endif

/* ---- exp, tanh, sigmoid (Cephes' single-precision polynomials, evaluated with FMA) ---------- */

/* eˣ: x = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-7 polynomial; < 1 ulp on normal results. */
INL V vexp(V x) {
  x = vmax(vset(-104.0f), vmin(vset(89.0f), x)); /* NaN passes through (see vmin/vmax) */
  V n = vround(vmul(x, vset(1.44269504088896341f)));
  V r = vfnma(n, vset(0.693359375f), x);
  r = vfnma(n, vset(-2.12194440e-4f), r);
  V p = vset(1.9875691500e-4f);
  p = vfma(p, r, vset(1.3981999507e-3f));
  p = vfma(p, r, vset(8.3334519073e-3f));
  p = vfma(p, r, vset(4.1665795894e-2f));
  p = vfma(p, r, vset(1.6666665459e-1f));
  p = vfma(p, r, vset(5.0000001201e-1f));
  p = vadd(vfma(p, vmul(r, r), r), vset(1.0f));
  return vldexp(p, n);
}

/* tanh: odd polynomial below 0.625, else 1 − 2e/(1 + e) with e = e^(−2|x|) ≤ 1 (no overflow). */
INL V vtanh(V x) {
  V a = vabs(x);
  V z = vmul(x, x);
  V p = vset(-5.70498872745e-3f);
  p = vfma(p, z, vset(2.06390887954e-2f));
  p = vfma(p, z, vset(-5.37397155531e-2f));
  p = vfma(p, z, vset(1.33314422036e-1f));
  p = vfma(p, z, vset(-3.33332819422e-1f));
  V small = vfma(vmul(p, z), x, x);
  V e = vexp(vmul(vset(-2.0f), a));
  V large = vsub(vset(1.0f), vdiv(vadd(e, e), vadd(vset(1.0f), e)));
  return vcopysign(vsel(vlt(a, vset(0.625f)), small, large), x);
}

/* σ(x) = 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below, with e = e^(−|x|) ≤ 1. */
INL V vsigmoid(V x) {
  V e = vexp(vsub(vset(0.0f), vabs(x)));
  return vdiv(vsel(vlt(x, vset(0.0f)), e, vset(1.0f)), vadd(vset(1.0f), e));
}

#endif
