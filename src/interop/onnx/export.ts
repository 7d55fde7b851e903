import { DataError } from '../../errors.js';
import { MODEL_FORMAT, MODEL_VERSION, type ParsedModel } from '../../io/model-file.js';
import { type Net, buildModule, netOf } from '../kinds.js';
import { checkState } from '../state.js';
import { type Dim, GraphBuilder } from './graph.js';
import { encodeModel } from './proto.js';

/**
 * A recur model as an ONNX model of standard operators: the recurrent stack as one ONNX
 * RNN/LSTM/GRU node per layer (both directions in one node when bidirectional), the rest from
 * Gather/OneHot/Transpose/Squeeze/Reshape/MatMul/Add/Gemm/Tanh/Slice/Concat.
 *
 * Layouts: ONNX's recurrent ops are time-major, X (T, B, D) → Y (T, dirs, B, H), Y_h (dirs, B, H),
 * with W (dirs, G·H, D), R (dirs, G·H, H), B (dirs, 2·G·H) = [Wb; Rb]. Gate blocks are reordered
 * from PyTorch's: LSTM i,f,g,o → ONNX i,o,f,c; GRU r,z,n → ONNX z,r,h with linear_before_reset = 1
 * (PyTorch applies the reset to W_hn·h + b_hn). Batch-first models transpose at the edges only.
 * Legend: B batch, T time, D input, H hidden, G gates, L layers, K = L·dirs, V vocabulary.
 */
export interface OnnxOptions {
  /** Adds inputs h0 (and c0 for LSTMs), (K, B, H), and outputs hT (cT): streaming use. Default false. */
  state?: boolean;
}

export const OPSET = 14;
/** IR 8 (ONNX 1.10+): new enough for opset 14, old enough for every current checker and runtime. */
const IR_VERSION = 8;
/** PyTorch gate blocks, in ONNX's order. */
const GATE_ORDER = { rnn: [0], lstm: [0, 3, 1, 2], gru: [1, 0, 2] } as const;
const ONNX_OP = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' } as const;
const OUTPUT_NAME: Record<string, string> = { forecaster: 'forecast', denoiser: 'clean' };

/** Row blocks of a (G·H, C) matrix, or a (G·H) vector with C = 1, in the order `order`. */
function reorderGates(src: ArrayLike<number>, H: number, C: number, order: readonly number[], out: Float32Array, at: number): void {
  order.forEach((g, k) => {
    for (let i = 0; i < H * C; i++) out[at + k * H * C + i] = src[g * H * C + i];
  });
}

/** W, R and B of layer l, both directions stacked, gates in ONNX's order. */
function layerWeights(p: ParsedModel, net: Net, l: number): { W: Float32Array; R: Float32Array; B: Float32Array; D: number } {
  const { cell, hidden: H, bidirectional } = net.rnn, dirs = bidirectional ? 2 : 1, order = GATE_ORDER[cell], G = order.length;
  const D = p.state[`rnn.weight_ih_l${l}`].shape[1];
  const W = new Float32Array(dirs * G * H * D), R = new Float32Array(dirs * G * H * H), B = new Float32Array(dirs * 2 * G * H);
  for (let dir = 0; dir < dirs; dir++) {
    const sfx = `_l${l}${dir === 1 ? '_reverse' : ''}`, t = (n: string) => p.state[`rnn.${n}${sfx}`]?.data;
    reorderGates(t('weight_ih')!, H, D, order, W, dir * G * H * D);
    reorderGates(t('weight_hh')!, H, H, order, R, dir * G * H * H);
    const bih = t('bias_ih'), bhh = t('bias_hh'); // absent when bias = False: ONNX's default is zeros
    if (bih) reorderGates(bih, H, 1, order, B, dir * 2 * G * H);
    if (bhh) reorderGates(bhh, H, 1, order, B, dir * 2 * G * H + G * H);
  }
  return { W, R, B, D };
}

/**
 * The ONNX bytes of a recur model. Inputs by kind (int64 ids, int32 lengths):
 *   char-lm     ids (T, B)                                  → logits (T, B, V)
 *   forecaster  x (B, W, I)                                 → forecast (B, O)
 *   denoiser    x (B, T, 1)                                 → clean (B, T, 1)
 *   classifier  ids (B, T), lengths (B)                     → logits (B, O)
 *   conditional-generator ids (B, T), categories (B), lengths (B) → logits (B, T, V)
 * @example writeFileSync('model.onnx', exportOnnx(parseModelFile(bytes)));
 */
export function exportOnnx(parsed: ParsedModel, opts: OnnxOptions = {}): Uint8Array {
  const net = netOf(parsed.meta);
  checkState(buildModule(parsed.meta, parsed.state), parsed.state, 'model file', net.kind);
  if (opts.state && net.init) throw new DataError('--state: a conditional-generator computes its initial state from the category');
  if (opts.state && net.lengths) throw new DataError(`--state: a ${net.kind} reads whole padded sequences, with no state to carry on`);
  const g = new GraphBuilder(), w = (name: string) => parsed.state[name];
  const { cell, hidden: H, layers: L, bidirectional } = net.rnn, dirs = bidirectional ? 2 : 1, K = L * dirs;
  const seq: Dim[] = net.batchFirst ? ['batch', 'time'] : ['time', 'batch'];
  // (B, T, …) ⇄ (T, B, …) at the edges of a batch-first model
  const swapBT = (x: string, rank: number) => (net.batchFirst ? g.op('Transpose', [x], { perm: rank === 2 ? [1, 0] : [1, 0, 2] })[0] : x);

  // input → x (T, B, D)
  let x: string;
  if (net.input.ids) {
    const ids = swapBT(g.addInput('ids', 'INT64', seq), 2);
    x = net.input.embed ? g.op('Gather', [g.floats('embed.weight', w('embed.weight').shape, w('embed.weight').data), ids])[0]
      : g.op('OneHot', [ids, g.int64s([], [net.input.vocab]), g.floats('one_hot_values', [2], [0, 1])], { axis: -1 })[0];
  } else {
    x = swapBT(g.addInput('x', 'FLOAT', [...seq, net.input.size]), 3);
  }
  const lengths = net.lengths ? g.addInput('lengths', 'INT32', ['batch']) : '';

  // initial states (K, B, H): from the category, from inputs, or omitted (zeros)
  let h0 = '', c0 = '';
  if (net.init) {
    const cats = g.addInput('categories', 'INT64', ['batch']);
    let onehot = g.op('OneHot', [cats, g.int64s([], [net.init.categories]), g.floats('one_hot_values_init', [2], [0, 1])], { axis: -1 })[0];
    if (!net.init.conditional) onehot = g.op('Mul', [onehot, g.floats('zero', [], [0])])[0]; // one learned h0 = tanh(bias)
    const lin = g.op('Gemm', [onehot, g.floats('init.weight', w('init.weight').shape, w('init.weight').data),
      g.floats('init.bias', w('init.bias').shape, w('init.bias').data)], { transB: 1 })[0];
    const h = g.op('Reshape', [g.op('Tanh', [lin])[0], g.int64s([3], [0, L, H])])[0];
    h0 = g.op('Transpose', [h], { perm: [1, 0, 2] })[0];
  } else if (opts.state) {
    h0 = g.addInput('h0', 'FLOAT', [K, 'batch', H]);
    if (cell === 'lstm') c0 = g.addInput('c0', 'FLOAT', [K, 'batch', H]);
  }
  const layerState = (s: string, l: number) => (s === '' || L === 1 ? s
    : g.op('Slice', [s, g.int64s([1], [l * dirs]), g.int64s([1], [(l + 1) * dirs]), g.int64s([1], [0])])[0]);

  // the recurrent stack, one node per layer
  const hTs: string[] = [], cTs: string[] = [];
  for (let l = 0; l < L; l++) {
    const { W, R, B, D } = layerWeights(parsed, net, l), G = GATE_ORDER[cell].length;
    const inputs = [x, g.floats(`W_l${l}`, [dirs, G * H, D], W), g.floats(`R_l${l}`, [dirs, G * H, H], R),
      g.floats(`B_l${l}`, [dirs, 2 * G * H], B), lengths, layerState(h0, l), ...(cell === 'lstm' ? [layerState(c0, l)] : [])];
    const attrs = { hidden_size: H, ...(bidirectional ? { direction: 'bidirectional' } : {}), ...(cell === 'gru' ? { linear_before_reset: 1 } : {}) };
    const [Y, Yh, Yc] = g.op(ONNX_OP[cell], inputs, attrs, cell === 'lstm' ? 3 : 2);
    hTs.push(Yh);
    if (Yc) cTs.push(Yc);
    // Y (T, dirs, B, H) → (T, B, dirs·H), the next layer's input
    x = dirs === 1 ? g.op('Squeeze', [Y, g.int64s([1], [1])])[0]
      : g.op('Reshape', [g.op('Transpose', [Y], { perm: [0, 2, 1, 3] })[0], g.int64s([3], [0, 0, -1])])[0];
  }

  // the head
  const hw = w('head.weight'), hb = w('head.bias'), O = net.head.outFeatures, name = OUTPUT_NAME[net.kind] ?? 'logits';
  if (net.head.from === 'steps') {
    const Wt = new Float32Array(hw.data.length); // (O, F) → (F, O) for MatMul
    const F = hw.shape[1];
    for (let o = 0; o < O; o++) for (let f = 0; f < F; f++) Wt[f * O + o] = hw.data[o * F + f];
    const y = g.op('MatMul', [swapBT(x, 3), g.floats('head.weight_t', [F, O], Wt)])[0];
    g.op('Add', [y, g.floats('head.bias', [O], hb.data)], {}, 1, name);
    g.addOutput(name, 'FLOAT', [...seq, O]);
  } else {
    const last = hTs[L - 1]; // (dirs, B, H) → (B, dirs·H), directions side by side as recur and PyTorch concatenate them
    const h = dirs === 1 ? g.op('Squeeze', [last, g.int64s([1], [0])])[0]
      : g.op('Reshape', [g.op('Transpose', [last], { perm: [1, 0, 2] })[0], g.int64s([2], [0, -1])])[0];
    g.op('Gemm', [h, g.floats('head.weight', hw.shape, hw.data), g.floats('head.bias', [O], hb.data)], { transB: 1 }, 1, name);
    g.addOutput(name, 'FLOAT', ['batch', O]);
  }
  if (opts.state) {
    const concat = (xs: string[], out: string) => (xs.length === 1 ? g.op('Identity', xs, {}, 1, out) : g.op('Concat', xs, { axis: 0 }, 1, out));
    concat(hTs, 'hT');
    g.addOutput('hT', 'FLOAT', [K, 'batch', H]);
    if (cell === 'lstm') { concat(cTs, 'cT'); g.addOutput('cT', 'FLOAT', [K, 'batch', H]); }
  }

  const recur = JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, ...parsed.meta });
  return encodeModel({
    ir_version: IR_VERSION, producer_name: 'recur', producer_version: '0.1.0', opset_import: [{ domain: '', version: OPSET }],
    doc_string: `recur ${net.kind} model (${cell}, ${L} × ${H}${bidirectional ? ', bidirectional' : ''})`,
    graph: g.graph(`recur_${net.kind.replace(/-/g, '_')}`, 'exported by recur'),
    metadata_props: [{ key: 'recur', value: recur }],
  });
}
