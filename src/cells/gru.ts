import { at } from '../kernels/backend.js';
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
  bind(be, w, B, H) {
    const BH = B * H, gates = at(w.gx), hPrev = at(w.hs), hn = at(w.aux), h = at(w.hs);
    const dh = at(w.dh), dgx = at(w.dgx), dgh = at(w.dgh), dhPrev = at(w.dhPrev);
    const fwd = { B, H, gates, gh: at(w.gh), hPrev, hn, h }, bwd = { B, H, gates, hn, hPrev, dh, dgx, dgh, dhPrev };
    /** Step t's slices: gates_t, dgx_t and dgh_t, h_{t−1} = hs[t], hn_t, h_t = hs[t + 1]. */
    const seek = (t: number): void => {
      gates.off = dgx.off = dgh.off = 3 * t * BH;
      hPrev.off = hn.off = t * BH;
      h.off = (t + 1) * BH;
    };
    return {
      forward(t) { seek(t); be.gruCellForward(fwd); },
      backward(t) {
        seek(t); dh.buf = w.dh; dhPrev.buf = w.dhPrev; // the loop swaps dh and dhPrev from step to step
        be.gruCellBackward(bwd);
      },
    };
  },
};
