import { Linear } from '../../layers/linear.js';
import { Module } from '../../layers/module.js';
import { type CellName, type RecurrentBase, makeRecurrent } from '../../layers/recurrent.js';
import type { Device } from '../../kernels/device.js';
import type { Rng } from '../../tensor/rng.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface ForecasterArch {
  cell: CellName; inputSize: number; hidden: number; layers: number; dropout: number;
  /** Steps forecast at once (direct) — 1 for a one-step model used recursively. */
  horizon: number;
  targets: number;
  /** Quantile levels for intervals; empty for point forecasts. */
  quantiles: number[];
}

/**
 * Many-to-one forecaster: the recurrent stack reads a window (B, L, I) and a linear head maps its
 * last hidden state to every horizon step, target and quantile at once (B, H·T·Q) — the direct
 * sequence-to-sequence regression. With horizon 1 it is the one-step model that recursive
 * forecasting feeds its own predictions back into.
 */
export class Forecaster extends Module {
  readonly rnn: RecurrentBase;
  readonly head: Linear;

  constructor(readonly arch: ForecasterArch, rng?: Rng, device?: Device) {
    super();
    this.rnn = this.module('rnn', makeRecurrent(arch.cell, { inputSize: arch.inputSize, hiddenSize: arch.hidden, numLayers: arch.layers, dropout: arch.dropout, rng, device }));
    this.head = this.module('head', new Linear(arch.hidden, arch.horizon * arch.targets * Math.max(1, arch.quantiles.length), { rng }));
  }

  /** (B, L, I) → (B, H·T·Q) */
  forward(x: Tensor): Tensor {
    const { hT } = this.rnn.forward(x);
    const K = hT.shape[0], B = hT.shape[1];
    return this.head.forward(hT.slice(0, K - 1, K).reshape([B, this.arch.hidden]));
  }
}
