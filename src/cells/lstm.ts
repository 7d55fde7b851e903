import type { Cell } from './cell.js';

/**
 * LSTM, PyTorch's nn.LSTM, gates stacked i, f, g, o:
 *   i = σ(W_ii·x + b_ii + W_hi·h + b_hi)     f = σ(W_if·x + b_if + W_hf·h + b_hf)
 *   g = tanh(W_ig·x + b_ig + W_hg·h + b_hg)  o = σ(W_io·x + b_io + W_ho·h + b_ho)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g                h_t = o ⊙ tanh(c_t)
 * The step caches the four activations (in gx), c_t (cs) and tanh(c_t) (aux).
 */
export const LSTM: Cell = {
  mode: 'LSTM', G: 4, hasCellState: true, hasAux: true, splitHidden: false,
  forward(be, w, t, B, H) {
    const BH = B * H;
    be.lstmCellForward(B, H, w.gx, t * 4 * BH, w.gh, w.cs, t * BH, w.cs, (t + 1) * BH, w.aux, t * BH, w.hs, (t + 1) * BH);
  },
  backward(be, w, t, B, H, dh, dc, dhPrev) {
    const BH = B * H;
    be.lstmCellBackward(B, H, w.gx, t * 4 * BH, w.cs, t * BH, w.aux, t * BH, dh, dc, w.dgx, t * 4 * BH);
    be.fill(dhPrev, 0, BH, 0);
  },
};
