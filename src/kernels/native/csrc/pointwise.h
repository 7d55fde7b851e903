/*
 * The pointwise kernels, written once over simd.h and compiled per instruction set (the file
 * that includes this defines RECUR_SIMD). Each forward sits next to its backward, as in
 * src/kernels/js/pointwise.ts, whose equations and buffer layouts they follow exactly:
 * gate blocks stacked along the row (LSTM i, f, g, o; GRU r, z, n), row b of a (B, G·H) buffer
 * is [gate0 | gate1 | …]. Loops run over j in chunks of W lanes; r = H − j is what is left.
 */
#include "simd.h"

/* ---- vanilla RNN: h = act(gx + gh) ---------------------------------------------------------- */

static void rnn_forward(int relu, idx n, const float *gx, const float *gh, float *h) {
  for (idx i = 0; i < n; i += W) {
    idx r = n - i;
    V a = vadd(vloadn(gx + i, r), vloadn(gh + i, r));
    vstoren(h + i, relu ? vmax(a, vset(0.0f)) : vtanh(a), r); /* vmax(NaN, 0) = 0, like a > 0 ? a : 0 */
  }
}

static void rnn_backward(int relu, idx n, const float *h, const float *dh, float *dg) {
  for (idx i = 0; i < n; i += W) {
    idx r = n - i;
    V y = vloadn(h + i, r), d = vloadn(dh + i, r);
    V g = relu ? vsel(vgt(y, vset(0.0f)), d, vset(0.0f)) : vmul(d, vfnma(y, y, vset(1.0f)));
    vstoren(dg + i, g, r);
  }
}

/* ---- LSTM: c = f⊙cPrev + i⊙g, h = o⊙tanh(c) ------------------------------------------------- */

static void lstm_forward(idx B, idx H, float *gates, const float *gh, const float *cprev,
                         float *c, float *tc, float *h) {
  for (idx b = 0; b < B; b++) {
    float *g = gates + b * 4 * H;
    const float *q = gh + b * 4 * H;
    idx s = b * H;
    for (idx j = 0; j < H; j += W) {
      idx r = H - j;
      V ig = vsigmoid(vadd(vloadn(g + j, r), vloadn(q + j, r)));
      V fg = vsigmoid(vadd(vloadn(g + H + j, r), vloadn(q + H + j, r)));
      V gg = vtanh(vadd(vloadn(g + 2 * H + j, r), vloadn(q + 2 * H + j, r)));
      V og = vsigmoid(vadd(vloadn(g + 3 * H + j, r), vloadn(q + 3 * H + j, r)));
      vstoren(g + j, ig, r); vstoren(g + H + j, fg, r); vstoren(g + 2 * H + j, gg, r); vstoren(g + 3 * H + j, og, r);
      V cv = vfma(fg, vloadn(cprev + s + j, r), vmul(ig, gg));
      V t = vtanh(cv);
      vstoren(c + s + j, cv, r); vstoren(tc + s + j, t, r); vstoren(h + s + j, vmul(og, t), r);
    }
  }
}

static void lstm_backward(idx B, idx H, const float *gates, const float *cprev, const float *tc,
                          const float *dh, float *dc, float *dg) {
  const V one = vset(1.0f);
  for (idx b = 0; b < B; b++) {
    const float *g = gates + b * 4 * H;
    float *d = dg + b * 4 * H;
    idx s = b * H;
    for (idx j = 0; j < H; j += W) {
      idx r = H - j;
      V ig = vloadn(g + j, r), fg = vloadn(g + H + j, r), gg = vloadn(g + 2 * H + j, r), og = vloadn(g + 3 * H + j, r);
      V t = vloadn(tc + s + j, r), dhv = vloadn(dh + s + j, r);
      V dcv = vfma(vmul(dhv, og), vfnma(t, t, one), vloadn(dc + s + j, r));
      vstoren(d + j, vmul(vmul(vmul(dcv, gg), ig), vsub(one, ig)), r);
      vstoren(d + H + j, vmul(vmul(vmul(dcv, vloadn(cprev + s + j, r)), fg), vsub(one, fg)), r);
      vstoren(d + 2 * H + j, vmul(vmul(dcv, ig), vfnma(gg, gg, one)), r);
      vstoren(d + 3 * H + j, vmul(vmul(vmul(dhv, t), og), vsub(one, og)), r);
      vstoren(dc + s + j, vmul(dcv, fg), r);
    }
  }
}

/* ---- GRU: n = tanh(gx_n + r⊙hn), hn = W_hn·hPrev + b_hn, h = (1−z)⊙n + z⊙hPrev ------------------ */

static void gru_forward(idx B, idx H, float *gates, const float *gh, const float *hprev,
                        float *hn, float *h) {
  const V one = vset(1.0f);
  for (idx b = 0; b < B; b++) {
    float *g = gates + b * 3 * H;
    const float *q = gh + b * 3 * H;
    idx s = b * H;
    for (idx j = 0; j < H; j += W) {
      idx r = H - j;
      V rg = vsigmoid(vadd(vloadn(g + j, r), vloadn(q + j, r)));
      V zg = vsigmoid(vadd(vloadn(g + H + j, r), vloadn(q + H + j, r)));
      V hnv = vloadn(q + 2 * H + j, r);
      V ng = vtanh(vfma(rg, hnv, vloadn(g + 2 * H + j, r)));
      vstoren(g + j, rg, r); vstoren(g + H + j, zg, r); vstoren(g + 2 * H + j, ng, r);
      vstoren(hn + s + j, hnv, r);
      vstoren(h + s + j, vfma(vsub(one, zg), ng, vmul(zg, vloadn(hprev + s + j, r))), r);
    }
  }
}

static void gru_backward(idx B, idx H, const float *gates, const float *hn, const float *hprev,
                         const float *dh, float *dgx, float *dgh, float *dhprev) {
  const V one = vset(1.0f);
  for (idx b = 0; b < B; b++) {
    const float *g = gates + b * 3 * H;
    float *x = dgx + b * 3 * H, *y = dgh + b * 3 * H;
    idx s = b * H;
    for (idx j = 0; j < H; j += W) {
      idx r = H - j;
      V rg = vloadn(g + j, r), zg = vloadn(g + H + j, r), ng = vloadn(g + 2 * H + j, r);
      V dhv = vloadn(dh + s + j, r);
      V dn = vmul(vmul(dhv, vsub(one, zg)), vfnma(ng, ng, one));
      V dz = vmul(vmul(vmul(dhv, vsub(vloadn(hprev + s + j, r), ng)), zg), vsub(one, zg));
      V dr = vmul(vmul(vmul(dn, vloadn(hn + s + j, r)), rg), vsub(one, rg));
      vstoren(x + j, dr, r); vstoren(x + H + j, dz, r); vstoren(x + 2 * H + j, dn, r);
      vstoren(y + j, dr, r); vstoren(y + H + j, dz, r); vstoren(y + 2 * H + j, vmul(dn, rg), r);
      vstoren(dhprev + s + j, vmul(dhv, zg), r);
    }
  }
}

/* ---- softmax cross-entropy (host kernel) --------------------------------------------------------- */

/* Row-wise softmax and weighted cross-entropy. The sum and the loss are in double, as in the
 * reference; a NaN or ±Inf logit makes the row NaN there and here (through the sum, the
 * error term of an infinite difference being NaN). */
static void softmax_xent(idx N, idx C, const float *X, const int32_t *Y, const float *w, float *P, float *L) {
  for (idx i = 0; i < N; i++) {
    const float *x = X + i * C;
    float *p = P + i * C;
    idx k = 0;
    V vm = vset(-INFINITY);
    for (; k + W <= C; k += W) vm = vmax(vload(x + k), vm);
    float m = vhmax(vm);
    for (; k < C; k++) if (x[k] > m) m = x[k];
    double s = 0;
    for (k = 0; k < C; k += W) {
      idx r = C - k;
      /* x − m rounds in float (by up to 2e−6 at |x − m| ≈ 30); its error term (TwoSum) puts
       * e^(x − m) back within an ulp of the reference, which subtracts in double */
      V a = vloadn(x + k, r), b = vset(-m), d = vadd(a, b), bv = vsub(d, a);
      V err = vadd(vsub(a, vsub(d, bv)), vsub(b, bv));
      V e = vexp(d);
      e = vfma(e, err, e);
      vstoren(p + k, e, r);
      if (r >= W) s += vhsum_d(e);
      else for (idx t = 0; t < r; t++) s += p[k + t];
    }
    const V inv = vset((float)(1.0 / s));
    for (k = 0; k < C; k += W) { idx r = C - k; vstoren(p + k, vmul(vloadn(p + k, r), inv), r); }
    int32_t y = Y[i];
    if (w[i] == 0.0f) L[i] = 0.0f;
    else L[i] = (y >= 0 && y < C) ? (float)((double)w[i] * ((double)m + log(s) - (double)x[y])) : NAN;
  }
}

static void softmax_xent_backward(idx N, idx C, const float *P, const int32_t *Y, const float *s, float *D) {
  for (idx i = 0; i < N; i++) {
    float si = s[i];
    if (si == 0.0f) continue;
    const float *p = P + i * C;
    float *d = D + i * C;
    for (idx k = 0; k < C; k += W) { idx r = C - k; vstoren(d + k, vfma(vset(si), vloadn(p + k, r), vloadn(d + k, r)), r); }
    if (Y[i] >= 0 && Y[i] < C) d[Y[i]] -= si;
  }
}

/* ---- dense helpers: plain loops the compiler vectorises for this instruction set ---------------- */

/* y += alpha·x in double, operation for operation what the reference does with JS numbers
 * (bit-identical: the build turns off FMA contraction) */
static void axpy(idx n, double alpha, const float *x, float *y) {
  for (idx i = 0; i < n; i++) y[i] = (float)((double)y[i] + alpha * (double)x[i]);
}

static void add_col_sums(idx rows, idx cols, const float *src, float *dst) {
  for (idx i = 0; i < rows; i++) {
    const float *s = src + i * cols;
    for (idx j = 0; j < cols; j++) dst[j] += s[j];
  }
}

static void add_rows(idx n, const float *src, float *dst) {
  for (idx j = 0; j < n; j++) dst[j] += src[j];
}

/* ---- matrix–vector products (GEMM with one row of C) --------------------------------------------- */

/* c[j] = alpha·Σ_k a[k·inc]·op(B)[k, j] + beta·c[j] (beta = 0 overwrites): op(B) = B sums B's rows
 * scaled by a[k] with 4 vectors of columns in registers; op(B) = Bᵀ takes dot products of B's rows
 * (a contiguous only). No packing: at one row the packed micro-kernel would idle most of its tile. */
static int gemv(int tB, idx N, idx K, float alpha, const float *a, idx inc, const float *B, idx ldb, float beta, float *c) {
  if (tB && inc != 1) return 0;
  const V va = vset(alpha), vb = vset(beta);
#define FINISH(p, acc, r) vstoren(p, beta == 0.0f ? vmul(va, acc) : vfma(vb, vloadn(p, r), vmul(va, acc)), r)
  if (!tB) {
    idx j = 0;
    for (; j + 4 * W <= N; j += 4 * W) {
      V a0 = vset(0.0f), a1 = a0, a2 = a0, a3 = a0;
      const float *b = B + j;
      for (idx k = 0; k < K; k++, b += ldb) {
        V s = vset(a[k * inc]);
        a0 = vfma(s, vload(b), a0); a1 = vfma(s, vload(b + W), a1);
        a2 = vfma(s, vload(b + 2 * W), a2); a3 = vfma(s, vload(b + 3 * W), a3);
      }
      FINISH(c + j, a0, W); FINISH(c + j + W, a1, W); FINISH(c + j + 2 * W, a2, W); FINISH(c + j + 3 * W, a3, W);
    }
    for (; j < N; j += W) {
      idx r = N - j;
      V a0 = vset(0.0f);
      const float *b = B + j;
      for (idx k = 0; k < K; k++, b += ldb) a0 = vfma(vset(a[k * inc]), vloadn(b, r), a0);
      FINISH(c + j, a0, r);
    }
    return 1;
  }
#undef FINISH
  for (idx j = 0; j < N; j++) {
    const float *b = B + j * ldb;
    V s0 = vset(0.0f), s1 = s0;
    idx k = 0;
    for (; k + 2 * W <= K; k += 2 * W) { s0 = vfma(vload(b + k), vload(a + k), s0); s1 = vfma(vload(b + k + W), vload(a + k + W), s1); }
    for (; k < K; k += W) s0 = vfma(vloadn(b + k, K - k), vloadn(a + k, K - k), s0);
    float v = alpha * vhsum(vadd(s0, s1));
    c[j] = beta == 0.0f ? v : beta * c[j] + v;
  }
  return 1;
}

/* ---- one step at batch 1 (a plan from addon.c; the reference is src/kernels/js/step.ts) ----------- */

/* out[0, n) = b + Σ_{k<K} x[k]·Wt[k, 0:n), Wt (K, ld), n a multiple of W: blocks of 8 vectors of
 * columns stay in registers over the whole sum (8 independent FMA chains hide the FMA latency);
 * narrower blocks (4 vectors, then 1: small layers and heads) split the sum over k into 2 (4)
 * chains instead, so that they are not one long chain of dependent FMAs. */
static void matvec_t(idx K, idx n, const float *x, const float *Wt, idx ld, const float *b, float *out) {
  idx j = 0;
  for (; j + 8 * W <= n; j += 8 * W) {
    V a0 = vload(b + j), a1 = vload(b + j + W), a2 = vload(b + j + 2 * W), a3 = vload(b + j + 3 * W);
    V a4 = vload(b + j + 4 * W), a5 = vload(b + j + 5 * W), a6 = vload(b + j + 6 * W), a7 = vload(b + j + 7 * W);
    const float *w = Wt + j;
    for (idx k = 0; k < K; k++, w += ld) {
      V s = vset(x[k]);
      a0 = vfma(s, vload(w), a0); a1 = vfma(s, vload(w + W), a1); a2 = vfma(s, vload(w + 2 * W), a2); a3 = vfma(s, vload(w + 3 * W), a3);
      a4 = vfma(s, vload(w + 4 * W), a4); a5 = vfma(s, vload(w + 5 * W), a5); a6 = vfma(s, vload(w + 6 * W), a6); a7 = vfma(s, vload(w + 7 * W), a7);
    }
    vstoren(out + j, a0, W); vstoren(out + j + W, a1, W); vstoren(out + j + 2 * W, a2, W); vstoren(out + j + 3 * W, a3, W);
    vstoren(out + j + 4 * W, a4, W); vstoren(out + j + 5 * W, a5, W); vstoren(out + j + 6 * W, a6, W); vstoren(out + j + 7 * W, a7, W);
  }
  for (; j + 4 * W <= n; j += 4 * W) { /* even k into a*, odd k into c* */
    V a0 = vload(b + j), a1 = vload(b + j + W), a2 = vload(b + j + 2 * W), a3 = vload(b + j + 3 * W);
    V c0 = vset(0.0f), c1 = c0, c2 = c0, c3 = c0;
    const float *w = Wt + j;
    idx k = 0;
    for (; k + 2 <= K; k += 2, w += 2 * ld) {
      V s = vset(x[k]), t = vset(x[k + 1]);
      const float *v = w + ld;
      a0 = vfma(s, vload(w), a0); a1 = vfma(s, vload(w + W), a1); a2 = vfma(s, vload(w + 2 * W), a2); a3 = vfma(s, vload(w + 3 * W), a3);
      c0 = vfma(t, vload(v), c0); c1 = vfma(t, vload(v + W), c1); c2 = vfma(t, vload(v + 2 * W), c2); c3 = vfma(t, vload(v + 3 * W), c3);
    }
    if (k < K) {
      V s = vset(x[k]);
      a0 = vfma(s, vload(w), a0); a1 = vfma(s, vload(w + W), a1); a2 = vfma(s, vload(w + 2 * W), a2); a3 = vfma(s, vload(w + 3 * W), a3);
    }
    vstoren(out + j, vadd(a0, c0), W); vstoren(out + j + W, vadd(a1, c1), W);
    vstoren(out + j + 2 * W, vadd(a2, c2), W); vstoren(out + j + 3 * W, vadd(a3, c3), W);
  }
  for (; j < n; j += W) { /* k mod 4 into four chains */
    V a0 = vload(b + j), a1 = vset(0.0f), a2 = a1, a3 = a1;
    const float *w = Wt + j;
    idx k = 0;
    for (; k + 4 <= K; k += 4, w += 4 * ld) {
      a0 = vfma(vset(x[k]), vload(w), a0); a1 = vfma(vset(x[k + 1]), vload(w + ld), a1);
      a2 = vfma(vset(x[k + 2]), vload(w + 2 * ld), a2); a3 = vfma(vset(x[k + 3]), vload(w + 3 * ld), a3);
    }
    for (; k < K; k++, w += ld) a0 = vfma(vset(x[k]), vload(w), a0);
    vstoren(out + j, vadd(vadd(a0, a1), vadd(a2, a3)), W);
  }
}

static void step(const step_plan *p, int token) {
  const idx H = p->H, ldg = p->ldg;
  for (idx l = 0; l < p->L; l++) {
    const step_layer *w = &p->layer[l];
    float *h = p->h + l * H, *c = p->c + l * H;
    if (l == 0 && token >= 0) {
      const float *row = w->wih + (idx)token * ldg;
      for (idx j = 0; j < ldg; j += W) vstoren(p->gx + j, vadd(vload(w->bih + j), vload(row + j)), W);
    } else {
      matvec_t(w->D, ldg, l == 0 ? p->x : h - H, w->wih, ldg, w->bih, p->gx);
    }
    matvec_t(H, ldg, h, w->whh, ldg, w->bhh, p->gh);
    /* in place: each kernel reads h[j] (c[j]) before it writes it */
    if (p->mode == 2) lstm_forward(1, H, p->gx, p->gh, c, c, p->aux, h);
    else if (p->mode == 3) gru_forward(1, H, p->gx, p->gh, h, p->aux, h);
    else rnn_forward(p->mode == 1, H, p->gx, p->gh, h);
  }
  if (p->O > 0) {
    matvec_t(H, p->ldo, p->h + (p->L - 1) * H, p->wy, p->ldo, p->by, p->ybuf);
    memcpy(p->y, p->ybuf, (size_t)p->O * sizeof(float));
  }
}

/* ---- activations alone (accuracy tests) ----------------------------------------------------------- */

static void tanh_v(idx n, const float *x, float *y) { for (idx i = 0; i < n; i += W) vstoren(y + i, vtanh(vloadn(x + i, n - i)), n - i); }
static void sigmoid_v(idx n, const float *x, float *y) { for (idx i = 0; i < n; i += W) vstoren(y + i, vsigmoid(vloadn(x + i, n - i)), n - i); }
static void exp_v(idx n, const float *x, float *y) { for (idx i = 0; i < n; i += W) vstoren(y + i, vexp(vloadn(x + i, n - i)), n - i); }

#define POINTWISE_TABLE rnn_forward, rnn_backward, lstm_forward, lstm_backward, gru_forward, \
  gru_backward, softmax_xent, softmax_xent_backward, axpy, add_col_sums, add_rows, gemv, step, tanh_v, sigmoid_v, exp_v
