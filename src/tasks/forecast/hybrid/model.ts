import '../../../autograd/methods.js';
import { noGrad } from '../../../autograd/engine.js';
import type { Device } from '../../../kernels/device.js';
import { Linear } from '../../../layers/linear.js';
import { Module } from '../../../layers/module.js';
import { type CellName, type RecurrentBase, makeRecurrent } from '../../../layers/recurrent.js';
import { pinballLoss } from '../../../losses/pinball.js';
import type { Rng } from '../../../tensor/rng.js';
import { IntTensor, Tensor } from '../../../tensor/tensor.js';
import { seasonIndex, smooth, smoothValues } from './smoothing.js';

/**
 * ES-RNN as a recur module: per-series exponential smoothing (smoothing.ts) divides each window
 * by its level and deseasonalises it; a shared recurrent stack reads the normalised window and a
 * linear head predicts the next H normalised values (and quantiles), which are re-seasonalised
 * and re-levelled. Trained end to end: the loss reaches the smoothing coefficients too.
 *
 * Legend: N series the model knows, S series in a batch, B windows, L lookback, H horizon,
 * Q quantiles (1 for a point forecast: the median), m season length, T time steps.
 */
export interface HybridArch {
  cell: CellName; hidden: number; layers: number;
  lookback: number; horizon: number; season: number;
  /** Quantile levels trained by pinball loss; [0.5] for point forecasts. */
  quantiles: number[];
  series: number;
  /** A linear map from the window straight to the output beside the network (an AR term it corrects). */
  skip?: boolean;
  /** A per-series damped trend in the smoothing (Holt's), projected into the forecast's base. */
  trend?: boolean;
}

/** A batch of windows: u (S, T) of the series in it, and for each window its row and origin. */
export interface WindowBatch {
  u: Float64Array; S: number; T: number;
  /** Row of each series in the model's per-series parameters (S). */
  rows: Int32Array;
  /** Observed length of each series in the batch (S); u is padded past it. */
  lengths: Int32Array;
  /** For each window: its series (index into the batch) and origin (last input index). */
  win: { s: number; t: number }[];
}

export class EsRnn extends Module {
  alpha: Tensor; //  (N, 1)
  gamma: Tensor | null; //  (N, 1)
  season0: Tensor | null; // (N, m)
  beta: Tensor | null; //  (N, 1)
  phi: Tensor | null; //  (N, 1)
  readonly rnn: RecurrentBase;
  readonly head: Linear;
  readonly skip: Linear | null;

  constructor(readonly arch: HybridArch,
    init: { alpha: number[]; gamma: number[]; season0: number[][]; beta?: number[]; phi?: number[] }, rng: Rng,
    device?: Device) {
    super();
    const { series: N, season: m } = arch;
    this.alpha = this.param('alpha', new Tensor(Float32Array.from(init.alpha), [N, 1]));
    this.gamma = m > 1 ? this.param('gamma', new Tensor(Float32Array.from(init.gamma), [N, 1])) : null;
    this.season0 = m > 1 ? this.param('season0', new Tensor(Float32Array.from(init.season0.flat()), [N, m])) : null;
    // β starts small (σ(−3) ≈ 0.05) and φ near 0.97: a slowly learnt, strongly damped trend
    const raw = (v: number[] | undefined, d: number) => (v ? Float32Array.from(v) : new Float32Array(N).fill(d));
    this.beta = arch.trend ? this.param('beta', new Tensor(raw(init.beta, -3), [N, 1])) : null;
    this.phi = arch.trend ? this.param('phi', new Tensor(raw(init.phi, 2), [N, 1])) : null;
    this.rnn = this.module('rnn', makeRecurrent(arch.cell, {
      inputSize: 1, hiddenSize: arch.hidden, numLayers: arch.layers, dropout: 0, rng, device,
    }));
    this.head = this.module('head', new Linear(arch.hidden, arch.horizon * arch.quantiles.length, { rng }));
    const out = arch.horizon * arch.quantiles.length;
    this.skip = arch.skip ? this.module('skip', new Linear(arch.lookback, out, { rng })) : null;
    // the network starts (nearly) silent, so the first forecasts are the smoothing's own
    for (const lin of [this.head, this.skip]) {
      if (lin) for (const t of lin.parameters()) t.data.forEach((v, i, d) => { d[i] = v * 0.01; });
    }
  }

  /** Per-series parameters: the network's shared weights are the rest. */
  seriesParameters(): Tensor[] {
    return [this.alpha, this.gamma, this.season0, this.beta, this.phi].filter((t): t is Tensor => t !== null);
  }
  networkParameters(): Tensor[] {
    return [...this.rnn.parameters(), ...this.head.parameters(), ...(this.skip?.parameters() ?? [])];
  }

  /** Normalised windows (B, L, 1) → normalised forecasts (B, H, Q). */
  forward(x: Tensor): Tensor {
    const { hT } = this.rnn.forward(x);
    const K = hT.shape[0], B = hT.shape[1];
    const top = hT.slice(0, K - 1, K).reshape([B, this.arch.hidden]);
    let out = this.head.forward(top);
    if (this.skip) out = out.add(this.skip.forward(x.reshape([B, this.arch.lookback])));
    return out.reshape([B, this.arch.horizon, this.arch.quantiles.length]);
  }

  /**
   * Pinball loss of the normalised forecasts against the normalised targets (both carry gradient
   * into the smoothing), plus λ · the level's wiggliness: mean (l_{t+1} − 2 l_t + l_{t−1})².
   */
  loss(b: WindowBatch, penalty: number): { loss: Tensor; fit: number } {
    const { L, H, m } = this.dims();
    const rows = new IntTensor(b.rows, [b.S]);
    const rowsOf = (t: Tensor | null, k: number) => (t ? t.gather(rows).reshape([b.S, k]) : null);
    const sm = smooth(b.u, b.S, b.T, m, {
      alpha: rowsOf(this.alpha, 1)!, gamma: rowsOf(this.gamma, 1), season0: rowsOf(this.season0, m),
      beta: rowsOf(this.beta, 1), phi: rowsOf(this.phi, 1),
    }, 'float32', H);
    const B = b.win.length, Tm = b.T + m;
    const lvlIds = new Int32Array(B), xIds = new Int32Array(B * L), yIds = new Int32Array(B * H);
    const xu = new Float32Array(B * L), yu = new Float32Array(B * H);
    b.win.forEach(({ s, t }, k) => {
      lvlIds[k] = s * b.T + t;
      for (let i = 0; i < L; i++) {
        xu[k * L + i] = b.u[s * b.T + t - L + 1 + i];
        xIds[k * L + i] = s * Tm + t - L + 1 + i;
      }
      for (let h = 1; h <= H; h++) {
        yu[k * H + h - 1] = b.u[s * b.T + t + h];
        yIds[k * H + h - 1] = s * Tm + seasonIndex(t, h, m);
      }
    });
    const level = sm.level.reshape([b.S * b.T, 1]).gather(new IntTensor(lvlIds, [B, 1])); // (B, 1, 1)
    let x = new Tensor(xu, [B, L, 1]).sub(level), y = new Tensor(yu, [B, H, 1]).sub(level);
    if (sm.trend && sm.damp) { // y − (φ + … + φ^h) b_t
      const bt = sm.trend.reshape([b.S * b.T, 1]).gather(new IntTensor(lvlIds, [B, 1]));
      const d = sm.damp.gather(new IntTensor(Int32Array.from(b.win, (w) => w.s), [B])).reshape([B, H, 1]);
      y = y.sub(d.mul(bt));
    }
    if (sm.season) {
      const seas = sm.season.reshape([b.S * Tm, 1]);
      x = x.sub(seas.gather(new IntTensor(xIds, [B, L])));
      y = y.sub(seas.gather(new IntTensor(yIds, [B, H])));
    }
    const err = this.forward(x).sub(y); // (B, H, Q): forecast − target
    const fit = pinballLoss(err, new Tensor(new Float32Array(B * H), [B, H]), this.arch.quantiles);
    const loss = penalty > 0 ? fit.add(wiggliness(sm.level, b.lengths).mul(penalty)) : fit;
    return { loss, fit: fit.item() };
  }

  private dims() { return { L: this.arch.lookback, H: this.arch.horizon, m: Math.max(1, this.arch.season) }; }

  /**
   * Forecasts in u units for origins `ts` of series `row` (u its observed values, at least up to
   * the last origin): (origins, H, Q). No tape; the smoothing runs once over the whole series.
   */
  forecastU(row: number, u: ArrayLike<number>, ts: readonly number[]): Float64Array {
    const { L, H, m } = this.dims(), Q = this.arch.quantiles.length;
    const n = Math.max(...ts) + 1;
    const sm = smoothValues(u, n, m, this.alpha.data[row], this.gamma?.data[row] ?? 0,
      this.season0 ? this.season0.data.subarray(row * m, (row + 1) * m) : [],
      this.beta && this.phi ? { beta: this.beta.data[row], phi: this.phi.data[row] } : undefined);
    const s = (k: number) => (sm.season ? sm.season[k] : 0);
    const B = ts.length, x = new Float32Array(B * L);
    ts.forEach((t, k) => {
      for (let i = 0; i < L; i++) x[k * L + i] = u[t - L + 1 + i] - s(t - L + 1 + i) - sm.level[t];
    });
    const wasTraining = this.training;
    this.eval();
    const out = noGrad(() => this.forward(new Tensor(x, [B, L, 1]))).data;
    if (wasTraining) this.train();
    const res = new Float64Array(B * H * Q);
    ts.forEach((t, k) => {
      let dsum = 0, pw = 1;
      for (let h = 1; h <= H; h++) {
        pw *= sm.phi; dsum += pw;
        const base = sm.level[t] + (sm.trend ? dsum * sm.trend[t] : 0) + s(seasonIndex(t, h, m));
        for (let q = 0; q < Q; q++) res[(k * H + h - 1) * Q + q] = out[(k * H + h - 1) * Q + q] + base;
      }
    });
    return res;
  }
}

/** mean over observed steps of (l_{t+1} − 2 l_t + l_{t−1})²: a level that wiggles is penalised. */
function wiggliness(level: Tensor, lengths: Int32Array): Tensor {
  const [S, T] = level.shape;
  if (T < 3) return level.sum().mul(0);
  const d2 = level.slice(1, 2, T).sub(level.slice(1, 1, T - 1).mul(2)).add(level.slice(1, 0, T - 2));
  const mask = new Float32Array(S * (T - 2));
  let n = 0;
  for (let i = 0; i < S; i++) for (let t = 0; t + 2 < lengths[i]; t++) { mask[i * (T - 2) + t] = 1; n++; }
  return d2.mul(d2).mul(new Tensor(mask, [S, T - 2])).sum().mul(1 / Math.max(1, n));
}
