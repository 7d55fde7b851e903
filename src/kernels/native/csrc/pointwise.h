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

/* ---- activations alone (accuracy tests) ----------------------------------------------------------- */

static void tanh_v(idx n, const float *x, float *y) { for (idx i = 0; i < n; i += W) vstoren(y + i, vtanh(vloadn(x + i, n - i)), n - i); }
static void sigmoid_v(idx n, const float *x, float *y) { for (idx i = 0; i < n; i += W) vstoren(y + i, vsigmoid(vloadn(x + i, n - i)), n - i); }
static void exp_v(idx n, const float *x, float *y) { for (idx i = 0; i < n; i += W) vstoren(y + i, vexp(vloadn(x + i, n - i)), n - i); }

#define POINTWISE_TABLE rnn_forward, rnn_backward, lstm_forward, lstm_backward, gru_forward, \
  gru_backward, softmax_xent, softmax_xent_backward, axpy, add_col_sums, add_rows, tanh_v, sigmoid_v, exp_v
