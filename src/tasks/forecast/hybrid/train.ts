import { DataError } from '../../../errors.js';
import type { Device } from '../../../kernels/device.js';
import { Adam } from '../../../optim/adam.js';
import { clipGradNorm } from '../../../optim/clip.js';
import { Rng } from '../../../tensor/rng.js';
import type { CellName } from '../../../layers/recurrent.js';
import { EsRnn, type WindowBatch } from './model.js';
import type { PreparedSeries, SmoothingInit } from './prepare.js';

/**
 * Training of one hybrid (one member of an ensemble) over many series at once: shared network
 * weights, per-series smoothing. Windows (series, origin) are drawn from every series' fit part;
 * each step smooths the series its windows come from, so the smoothing is trained through the
 * windows' loss. Early stopping on rolling-origin validation: the last `valSteps` origins of each
 * series' fit part are held out; then, when `refit`, the model is trained again from the same
 * start on all of it for the number of epochs validation chose.
 */
export interface MemberOptions {
  lookback: number; horizon: number; season: number;
  cell: CellName; hidden: number; layers: number; skip: boolean; trend: boolean;
  quantiles: number[];
  epochs: number; patience: number; batch: number; stepsPerEpoch: number;
  lr: number; lrSeries: number; clip: number; penalty: number;
  /** Points held out at the end of each fit part for early stopping, ≥ horizon (0: none, train `epochs`). */
  valPoints: number;
  refit: boolean;
  seed: number;
  device: Device;
}

export interface MemberReport { lookback: number; seed: number; bestEpoch: number; valLoss: number; epochs: number }

type Win = { row: number; t: number };

/** Origins t whose windows fit: t − L + 1 ≥ 0 and every target t + h < end. */
function origins(row: number, L: number, H: number, from: number, end: number): Win[] {
  const out: Win[] = [];
  for (let t = Math.max(L - 1, from); t + H < end; t++) out.push({ row, t });
  return out;
}

/** The batch of windows `ws`: the series they come from, u cut to what they need (padded by the last value). */
function batchOf(series: PreparedSeries[], ws: Win[], H: number): WindowBatch {
  const rowsUsed = [...new Set(ws.map((w) => w.row))];
  const at = new Map(rowsUsed.map((r, i) => [r, i]));
  const T = Math.max(...ws.map((w) => w.t + H + 1));
  const S = rowsUsed.length, u = new Float64Array(S * T), lengths = new Int32Array(S);
  rowsUsed.forEach((r, i) => {
    const src = series[r].u, n = Math.min(src.length, T);
    for (let t = 0; t < T; t++) u[i * T + t] = src[Math.min(t, n - 1)];
    lengths[i] = n;
  });
  return { u, S, T, rows: Int32Array.from(rowsUsed), lengths, win: ws.map((w) => ({ s: at.get(w.row)!, t: w.t })) };
}

function build(series: PreparedSeries[], o: MemberOptions, init: SmoothingInit[]): EsRnn {
  const m = Math.max(1, o.season), rng = new Rng(o.seed);
  return new EsRnn(
    { cell: o.cell, hidden: o.hidden, layers: o.layers, skip: o.skip, trend: o.trend, lookback: o.lookback,
      horizon: o.horizon, season: m, quantiles: o.quantiles, series: series.length },
    {
      alpha: init.map((i) => i.alpha), gamma: init.map((i) => i.gamma), season0: init.map((i) => i.season0),
      beta: init.map((i) => i.beta), phi: init.map((i) => i.phi),
    },
    rng, o.device);
}

/** Mean absolute error (u units) of the median forecast over held-out origins. */
function validationLoss(model: EsRnn, series: PreparedSeries[], val: Win[][], H: number): number {
  const qm = model.arch.quantiles.indexOf(0.5), Q = model.arch.quantiles.length;
  let s = 0, n = 0;
  val.forEach((ws, row) => {
    if (ws.length === 0) return;
    const u = series[row].u, f = model.forecastU(row, u, ws.map((w) => w.t));
    ws.forEach((w, k) => {
      for (let h = 1; h <= H; h++) { s += Math.abs(f[(k * H + h - 1) * Q + qm] - u[w.t + h]); n++; }
    });
  });
  return n > 0 ? s / n : NaN;
}

/** Trains for at most `epochs` over windows ending before each series' `end`; returns the best epoch. */
function fit(model: EsRnn, series: PreparedSeries[], o: MemberOptions, ends: number[], val: Win[][] | null,
  epochs: number): { bestEpoch: number; valLoss: number; epochs: number } {
  const pool = series.flatMap((_, r) => origins(r, o.lookback, o.horizon, 0, ends[r]));
  if (pool.length === 0) {
    throw new DataError(`no training window of lookback ${o.lookback} + horizon ${o.horizon} fits`);
  }
  const rng = new Rng(o.seed + 7919);
  const net = new Adam(model.networkParameters(), { lr: o.lr });
  const own = new Adam(model.seriesParameters(), { lr: o.lrSeries });
  const steps = Math.min(o.stepsPerEpoch, Math.ceil(pool.length / o.batch));
  const copy = () => ({ params: Float32Array.from(net.params.data), own: Float32Array.from(own.params.data) });
  let best = { epoch: 0, loss: Infinity, ...copy() };
  let bad = 0, e = 0;
  for (e = 1; e <= epochs; e++) {
    for (let k = 0; k < steps; k++) {
      const ws = Array.from({ length: Math.min(o.batch, pool.length) }, () => pool[rng.int(pool.length)]);
      const { loss } = model.loss(batchOf(series, ws, o.horizon), o.penalty);
      net.zeroGrad(); own.zeroGrad();
      loss.backward();
      clipGradNorm(net.params, o.clip);
      net.step(); own.step();
    }
    if (!val) continue;
    const v = validationLoss(model, series, val, o.horizon);
    if (v < best.loss - 1e-9) {
      best = { epoch: e, loss: v, ...copy() };
      bad = 0;
    } else if (++bad >= o.patience) break;
  }
  if (val) { net.params.data.set(best.params); own.params.data.set(best.own); }
  return { bestEpoch: val ? best.epoch : epochs, valLoss: best.loss, epochs: Math.min(e, epochs) };
}

/** One member: early stopping on the held-out origins, then (refit) the same start trained on everything. */
export function trainMember(series: PreparedSeries[], o: MemberOptions, init: SmoothingInit[]):
  { model: EsRnn; report: MemberReport } {
  const H = o.horizon;
  if (o.valPoints < 1) {
    const model = build(series, o, init);
    const r = fit(model, series, o, series.map((p) => p.fitEnd), null, o.epochs);
    const { bestEpoch, epochs } = r;
    return { model, report: { lookback: o.lookback, seed: o.seed, bestEpoch, valLoss: NaN, epochs } };
  }
  if (o.valPoints < H) throw new DataError(`valPoints: expected at least the horizon ${H}, got ${o.valPoints}`);
  // validation origins: from the last training point on, every one whose horizon ends inside the fit part
  const ends = series.map((p) => p.fitEnd - o.valPoints);
  const val = series.map((p, r) => origins(r, o.lookback, H, ends[r] - 1, p.fitEnd));
  let model = build(series, o, init);
  const r = fit(model, series, o, ends, val, o.epochs);
  if (o.refit) {
    model = build(series, o, init);
    fit(model, series, o, series.map((p) => p.fitEnd), null, Math.max(1, r.bestEpoch));
  }
  const { bestEpoch, valLoss, epochs } = r;
  return { model, report: { lookback: o.lookback, seed: o.seed, bestEpoch, valLoss, epochs } };
}
