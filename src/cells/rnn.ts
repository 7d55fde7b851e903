import { at } from '../kernels/backend.js';
import type { Cell } from './cell.js';

/**
 * Elman RNN, PyTorch's nn.RNN: h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), act = tanh or relu.
 * One gate; the backward needs only h_t (act′ from the output: 1 − h² for tanh, [h > 0] for relu).
 */
function rnnCell(relu: boolean): Cell {
  return {
    mode: relu ? 'RNN_RELU' : 'RNN_TANH', G: 1, hasCellState: false, hasAux: false, splitHidden: false,
    bind(be, w, B, H) {
      const n = B * H, gx = at(w.gx), h = at(w.hs), dh = at(w.dh), dg = at(w.dgx), dhPrev = at(w.dhPrev);
      const fwd = { relu, n, gx, gh: at(w.gh), h }, bwd = { relu, n, h, dh, dg };
      /** Step t's slices: gx_t and dg_t, h_t = hs[t + 1]. */
      const seek = (t: number): void => { gx.off = dg.off = t * n; h.off = (t + 1) * n; };
      return {
        forward(t) { seek(t); be.rnnCellForward(fwd); },
        backward(t) {
          seek(t); dh.buf = w.dh; dhPrev.buf = w.dhPrev; // the loop swaps dh and dhPrev from step to step
          be.rnnCellBackward(bwd);
          be.fill(n, 0, dhPrev); // h_{t−1} reaches h_t only through W_hh
        },
      };
    },
  };
}

export const RNN_TANH: Cell = rnnCell(false);
export const RNN_RELU: Cell = rnnCell(true);
