import { at } from '../kernels/backend.js';
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
  bind(be, w, B, H) {
    const BH = B * H, gates = at(w.gx), cPrev = at(w.cs), c = at(w.cs), tc = at(w.aux), h = at(w.hs);
    const dh = at(w.dh), dc = at(w.dc), dg = at(w.dgx), dhPrev = at(w.dhPrev);
    const fwd = { B, H, gates, gh: at(w.gh), cPrev, c, tc, h }, bwd = { B, H, gates, cPrev, tc, dh, dc, dg };
    /** Step t's slices: gates_t and dg_t, c_{t−1} = cs[t], c_t = cs[t + 1], tanh c_t, h_t = hs[t + 1]. */
    const seek = (t: number): void => {
      gates.off = dg.off = 4 * t * BH;
      cPrev.off = tc.off = t * BH;
      c.off = h.off = (t + 1) * BH;
    };
    return {
      forward(t) { seek(t); be.lstmCellForward(fwd); },
      backward(t) {
        seek(t); dh.buf = w.dh; dhPrev.buf = w.dhPrev; // the loop swaps dh and dhPrev from step to step
        be.lstmCellBackward(bwd);
        be.fill(BH, 0, dhPrev); // h_{t−1} reaches h_t only through W_hh (and c_{t−1} through dc)
      },
    };
  },
};
