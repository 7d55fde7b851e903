import type { Cell } from './cell.js';

/**
 * Elman RNN, PyTorch's nn.RNN: h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), act = tanh or relu.
 * One gate; the backward needs only h_t (act′ from the output: 1 − h² for tanh, [h > 0] for relu).
 */
function rnnCell(relu: boolean): Cell {
  return {
    mode: relu ? 'RNN_RELU' : 'RNN_TANH', G: 1, hasCellState: false, hasAux: false, splitHidden: false,
    forward(be, w, t, B, H) {
      const BH = B * H;
      be.rnnCellForward(relu, BH, w.gx, t * BH, w.gh, w.hs, (t + 1) * BH);
    },
    backward(be, w, t, B, H, dh, _dc, dhPrev) {
      const BH = B * H;
      be.rnnCellBackward(relu, BH, w.hs, (t + 1) * BH, dh, w.dgx, t * BH);
      be.fill(dhPrev, 0, BH, 0);
    },
  };
}

export const RNN_TANH: Cell = rnnCell(false);
export const RNN_RELU: Cell = rnnCell(true);
