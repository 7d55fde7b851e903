import type { Cell } from './cell.js';

/**
 * GRU, PyTorch's nn.GRU, gates stacked r, z, n:
 *   r = σ(W_ir·x + b_ir + W_hr·h + b_hr)     z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
 *   n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 * Because r multiplies the hidden-side n term, its gradients on the two sides differ
 * (splitHidden), and W_hn·h + b_hn is cached (aux) for the backward.
 */
export const GRU: Cell = {
  mode: 'GRU', G: 3, hasCellState: false, hasAux: true, splitHidden: true,
  forward(be, w, t, B, H) {
    const BH = B * H;
    be.gruCellForward(B, H, w.gx, t * 3 * BH, w.gh, w.hs, t * BH, w.aux, t * BH, w.hs, (t + 1) * BH);
  },
  backward(be, w, t, B, H, dh, _dc, dhPrev) {
    const BH = B * H;
    be.gruCellBackward(B, H, w.gx, t * 3 * BH, w.aux, t * BH, w.hs, t * BH, dh, w.dgx, t * 3 * BH, w.dgh, t * 3 * BH, dhPrev);
  },
};
