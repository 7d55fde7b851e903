// Vectorised f32x4 math shared by the kernels: fused multiply-add (relaxed build), exp, sigmoid, tanh.
// Accuracy target: a few ulp (≈ 3e-7 relative), so results match the float64-then-rounded
// reference to ~1e-6 relative. Polynomials are Cephes' (expf, tanhf).

/** a·b + c: one fused instruction in the relaxed-SIMD build, multiply then add in the plain one. */
// @ts-ignore: decorator
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline export function splat(x: f32): v128 { return f32x4.splat(x); }

/**
 * e^x for x ≤ 0 (all callers pass −|x| or x − max): x = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-7
 * polynomial, 2^n through the exponent bits. Below −87.33 (where e^x < 2^−126) the result is 0.
 * n = round(x·log2 e) comes from adding 1.5·2^23, which leaves n in the low mantissa bits: that
 * avoids f32x4.nearest and the float-to-int conversion (a long sequence on x86).
 */
// @ts-ignore: decorator
@inline export function expNeg(x: v128): v128 {
  const lo = splat(-87.33654475), magic = splat(12582912); // 1.5·2^23
  const under = f32x4.lt(x, lo);
  x = v128.bitselect(lo, x, under);
  const t = f32x4.add(f32x4.mul(x, splat(1.44269504088896341)), magic);
  const n = f32x4.sub(t, magic);
  // Cody–Waite: ln2 = 0.693359375 − 2.12194440e−4, the first part exact in 9 bits
  let r = f32x4.sub(x, f32x4.mul(n, splat(0.693359375)));
  r = f32x4.add(r, f32x4.mul(n, splat(2.12194440e-4)));
  const z = f32x4.mul(r, r);
  let p = fma(splat(1.9875691500e-4), r, splat(1.3981999507e-3));
  p = fma(p, r, splat(8.3334519073e-3));
  p = fma(p, r, splat(4.1665795894e-2));
  p = fma(p, r, splat(1.6666665459e-1));
  p = fma(p, r, splat(5.0000001201e-1));
  p = f32x4.add(fma(p, z, r), splat(1));
  // bits(t) = bits(1.5·2^23) + n, and bits(1.5·2^23) << 23 vanishes mod 2^32: 2^n = (bits(t) + 127) << 23
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(p, scale), under);
}

/** σ(x) = 1/(1 + e^−x), from e = e^−|x| so that both tails keep their relative accuracy. */
// @ts-ignore: decorator
@inline export function sigmoid(x: v128): v128 {
  const e = expNeg(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(splat(1), f32x4.add(splat(1), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, splat(0)));
}

/** tanh: an odd polynomial below |x| = 0.625 (no cancellation near 0), (1 − e)/(1 + e), e = e^−2|x|, above. */
// @ts-ignore: decorator
@inline export function tanh(x: v128): v128 {
  const a = f32x4.abs(x);
  const e = expNeg(f32x4.mul(a, splat(-2)));
  const big = f32x4.div(f32x4.sub(splat(1), e), f32x4.add(splat(1), e));
  const z = f32x4.mul(x, x);
  let p = fma(splat(-5.70498872745e-3), z, splat(2.06390887954e-2));
  p = fma(p, z, splat(-5.37397155531e-2));
  p = fma(p, z, splat(1.33314422036e-1));
  p = fma(p, z, splat(-3.33332819422e-1));
  const small = fma(f32x4.mul(p, z), x, x);
  // copy the sign of x onto the large branch
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(a, splat(0.625)));
}

/** max(x, 0) */
// @ts-ignore: decorator
@inline export function relu(x: v128): v128 { return f32x4.max(x, splat(0)); }

// ---- lane-count-aware loads and stores: w = 4 for full vectors, 1–3 for a row's tail -----------

// @ts-ignore: decorator
@inline export function ld(p: usize, i: i32, w: i32): v128 {
  const q = p + (<usize>i << 2);
  if (w == 4) return v128.load(q);
  let v = splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(q));
  if (w > 1) v = f32x4.replace_lane(v, 1, load<f32>(q, 4));
  if (w > 2) v = f32x4.replace_lane(v, 2, load<f32>(q, 8));
  return v;
}

// @ts-ignore: decorator
@inline export function st(p: usize, i: i32, v: v128, w: i32): void {
  const q = p + (<usize>i << 2);
  if (w == 4) { v128.store(q, v); return; }
  store<f32>(q, f32x4.extract_lane(v, 0));
  if (w > 1) store<f32>(q, f32x4.extract_lane(v, 1), 4);
  if (w > 2) store<f32>(q, f32x4.extract_lane(v, 2), 8);
}
