import type { Backend } from '../kernels/backend.js';

/**
 * What distinguishes RNN, LSTM and GRU inside the shared time loop: the gate count and the
 * pointwise step. Everything else (projections, recurrence GEMMs, masking, weight gradients)
 * is one code path in recurrent.ts.
 *
 * Workspace layout the steps read and write (B batch, H hidden, G gates, row-major):
 *   gx  (T, B, G·H)   input-side pre-activations; the forward step overwrites them with the gates
 *   gh  (B, G·H)      hidden-side pre-activations of the current step, W_hh·h + b_hh
 *   hs  (T+1, B, H)   hidden states, hs[0] = h0
 *   cs  (T+1, B, H)   LSTM cell states, cs[0] = c0
 *   aux (T, B, H)     LSTM tanh(c_t); GRU W_hn·h + b_hn (what the backward needs besides the gates)
 *   dgx, dgh (T, B, G·H)  pre-activation gradients, input side and hidden side (the same buffer unless splitHidden)
 *   dh, dc (B, H)     gradients reaching h_t and c_t (dc is carried back in place)
 *   dhPrev (B, H)     the direct part of the gradient reaching h_{t−1}; the loop swaps it with dh after each step
 */
export interface StepBuffers<Buf> {
  gx: Buf; gh: Buf; hs: Buf; cs: Buf; aux: Buf; dgx: Buf; dgh: Buf; dh: Buf; dc: Buf; dhPrev: Buf;
}

/**
 * A cell's step kernels bound to one workspace. Their arguments are made once, as structs of views
 * named after the equations; step t only moves the views (llm.c's `l_ln1 = acts.ln1 + l·B·T·C`).
 */
export interface CellSteps {
  /** Step t forward: from gx_t, gh, hs[t] (cs[t]) to the gates, hs[t+1] (cs[t+1]) and aux_t. */
  forward(t: number): void;
  /**
   * Step t backward: from dh (and dc, updated in place to dc_{t−1}) to dgx_t, dgh_t and the
   * direct part of dh_{t−1} written into dhPrev (the W_hh part is added by the loop).
   */
  backward(t: number): void;
}

export interface Cell {
  /** PyTorch's mode name: RNN_TANH, RNN_RELU, LSTM, GRU. */
  readonly mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  /** Gates stacked in the weights: 1, 4 or 3. */
  readonly G: number;
  /** A cell state travels beside h (LSTM). */
  readonly hasCellState: boolean;
  /** The step keeps an (T, B, H) auxiliary cache. */
  readonly hasAux: boolean;
  /** The hidden-side gradient differs from the input-side one (GRU's r ⊙ (W_hn·h + b_hn)). */
  readonly splitHidden: boolean;
  /** The step kernels on workspace w at batch B and hidden size H. */
  bind<Buf>(be: Backend<Buf>, w: StepBuffers<Buf>, B: number, H: number): CellSteps;
}
