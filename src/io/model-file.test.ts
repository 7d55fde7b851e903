import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, ShapeError } from '../errors.js';
import { Module } from '../layers/module.js';
import { Rng } from '../tensor/rng.js';
import { randn } from '../tensor/init.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { PYTHON } from '../test-utils/index.js';
import { type ModelMeta, loadInto, parseModelFile, serializeModel } from './model-file.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** Parameters named and shaped like torch.nn.LSTM(D, H): gates stacked by rows, (4H, D) and (4H, H). */
class LstmWeights extends Module {
  weight_ih_l0: Tensor; // (4H, D)
  weight_hh_l0: Tensor; // (4H, H)
  bias_ih_l0: Tensor; // (4H)
  bias_hh_l0: Tensor; // (4H)
  constructor(D: number, H: number, rng: Rng, dtype: DType) {
    super();
    this.weight_ih_l0 = this.param('weight_ih_l0', randn([4 * H, D], { rng, dtype }));
    this.weight_hh_l0 = this.param('weight_hh_l0', randn([4 * H, H], { rng, dtype }));
    this.bias_ih_l0 = this.param('bias_ih_l0', randn([4 * H], { rng, dtype }));
    this.bias_hh_l0 = this.param('bias_hh_l0', randn([4 * H], { rng, dtype }));
  }
}

class Net extends Module {
  rnn: LstmWeights;
  steps: Tensor; // a buffer, saved but not trained
  constructor(D = 3, H = 2, seed = 1, dtype: DType = 'float32') {
    super();
    const rng = new Rng(seed);
    this.rnn = this.module('rnn', new LstmWeights(D, H, rng, dtype));
    this.steps = this.buffer('steps', randn([], { rng, dtype }));
  }
}

const META: ModelMeta = { kind: 'char-lm', arch: { cell: 'lstm', D: 3, H: 2 }, vocab: ['a', 'b', '\n'], scaler: { mean: 0.5, std: 2 } };
const recurMeta = (bytes: Uint8Array): unknown => JSON.parse(decodeSafetensors(bytes).metadata.recur);
const fileWith = (recur: unknown): Uint8Array =>
  encodeSafetensors({ w: { shape: [1], data: new Float32Array(1) } }, { recur: typeof recur === 'string' ? recur : JSON.stringify(recur) });

function dataError(fn: () => unknown, message: string | RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(DataError);
  if (typeof message === 'string') expect((err as Error).message).toBe(message);
  else expect((err as Error).message).toMatch(message);
}

describe('model files', () => {
  it('round-trip a module\'s weights, buffers and metadata into another instance, in place', () => {
    const a = new Net(3, 2, 1), b = new Net(3, 2, 99);
    const bytes = serializeModel(a, META);
    const parsed = parseModelFile(bytes, 'char-lm');
    expect(parsed.meta).toEqual(META);
    const before = b.rnn.weight_ih_l0, buf = before.data;
    expect(loadInto(() => b, parsed)).toBe(b);
    for (const [name, t] of Object.entries(a.stateDict())) {
      expect(Array.from(b.stateDict()[name].data), name).toEqual(Array.from(t.data));
    }
    expect(b.rnn.weight_ih_l0).toBe(before);
    expect(b.rnn.weight_ih_l0.data).toBe(buf);
  });

  it('stores PyTorch state-dict names, F32 or F64 by the module\'s dtype, and its own metadata', () => {
    const f32 = decodeSafetensors(serializeModel(new Net(), META));
    expect(Object.keys(f32.tensors).sort()).toEqual(['rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0', 'steps']);
    expect(Object.values(f32.tensors).map((t) => t.dtype)).toEqual(Array(5).fill('F32'));
    expect(Object.keys(f32.metadata).sort()).toEqual(['format', 'recur']);
    expect(f32.metadata.format).toBe('pt');
    expect(JSON.parse(f32.metadata.recur)).toEqual({ format: 'recur-model', version: 1, ...META });

    const n64 = new Net(3, 2, 5, 'float64');
    const f64 = decodeSafetensors(serializeModel(n64, META));
    expect(Object.values(f64.tensors).map((t) => t.dtype)).toEqual(Array(5).fill('F64'));
    const back = loadInto(() => new Net(3, 2, 6, 'float64'), parseModelFile(serializeModel(n64, META)));
    expect(Array.from(back.rnn.weight_hh_l0.data)).toEqual(Array.from(n64.rnn.weight_hh_l0.data));
  });

  it('refuses files of another kind, naming both', () => {
    const bytes = serializeModel(new Net(), { ...META, kind: 'forecaster' });
    dataError(() => parseModelFile(bytes, 'char-lm'), "model file: expected a 'char-lm' model, got a 'forecaster' model");
    expect(parseModelFile(bytes).meta.kind).toBe('forecaster');
  });

  it('refuses safetensors files that are not recur models, or of another version', () => {
    dataError(() => parseModelFile(encodeSafetensors({})), "model file: not a recur model (no 'recur' key in the safetensors metadata)");
    dataError(() => parseModelFile(fileWith('{kind: 1}')), /^model file: the 'recur' metadata is not valid JSON: expected a string key, got "k" at character 1$/);
    dataError(() => parseModelFile(fileWith('{"format":"recur-model","format":"x"}')), /not valid JSON: duplicate key "format"/);
    dataError(() => parseModelFile(fileWith([1])), /not a recur model \(the 'recur' metadata lacks format: 'recur-model'\)/);
    dataError(() => parseModelFile(fileWith({ format: 'other', version: 1 })), /lacks format: 'recur-model'/);
    const ok = { format: 'recur-model', version: 1, kind: 'char-lm', arch: {} };
    expect(parseModelFile(fileWith(ok)).meta).toEqual({ kind: 'char-lm', arch: {} });
    dataError(() => parseModelFile(fileWith({ ...ok, version: 2 })), 'model file: expected format version 1, got 2 (written by a newer recur)');
    dataError(() => parseModelFile(fileWith({ ...ok, version: '1' })), 'model file: expected format version 1, got "1"');
    dataError(() => parseModelFile(fileWith({ ...ok, version: undefined })), 'model file: expected format version 1, got undefined');
    dataError(() => parseModelFile(fileWith({ ...ok, kind: '' })), 'model file: expected \'kind\' to be a non-empty string, got ""');
    dataError(() => parseModelFile(fileWith({ ...ok, kind: 3 })), /expected 'kind' to be a non-empty string, got 3/);
    dataError(() => parseModelFile(fileWith({ ...ok, arch: [1] })), 'model file: expected \'arch\' to be an object, got [1]');
    dataError(() => parseModelFile(fileWith({ ...ok, arch: null })), /expected 'arch' to be an object, got null/);
    const ints = encodeSafetensors({ ids: { shape: [1], data: new Int32Array(1) } }, { recur: JSON.stringify(ok) });
    dataError(() => parseModelFile(ints), "model file: tensor 'ids' is I32; model weights must be F32 or F64");
    dataError(() => parseModelFile(new Uint8Array(3)), /^safetensors: file is 3 bytes/);
  });

  it('refuses weights that do not fit the architecture, naming the tensor', () => {
    const parsed = parseModelFile(serializeModel(new Net(3, 2), META));
    expect(() => loadInto(() => new Net(3, 4), parsed)).toThrow(new ShapeError("loadStateDict: 'rnn.weight_ih_l0' expected shape [16, 3], got [8, 3]"));
    expect(() => loadInto(() => new Net(5, 2), parsed)).toThrow(/'rnn\.weight_ih_l0' expected shape \[8, 5\], got \[8, 3\]/);
    const fewer = { meta: parsed.meta, state: { ...parsed.state } };
    delete fewer.state['rnn.bias_hh_l0'];
    fewer.state.extra = parsed.state.steps;
    dataError(() => loadInto(() => new Net(3, 2), fewer), "loadStateDict: names differ from Net's; missing: rnn.bias_hh_l0; unexpected: extra");
  });

  it('refuses to save what could not be loaded back', () => {
    const net = new Net();
    net.rnn.bias_hh_l0.data[2] = NaN;
    dataError(() => serializeModel(net, META), "serializeModel: 'rnn.bias_hh_l0': expected finite values, got NaN at flat index 2");
    const good = new Net();
    dataError(() => serializeModel(good, { ...META, kind: '' }), 'serializeModel: expected meta.kind to be a non-empty string, got ""');
    dataError(() => serializeModel(good, { ...META, arch: [] as unknown as Record<string, unknown> }), 'serializeModel: expected meta.arch to be an object');
    dataError(() => serializeModel(good, { ...META, version: 3 }), 'serializeModel: meta.version is written by recur itself; remove it');
    dataError(() => serializeModel(good, { ...META, scaler: { std: Infinity } }), "serializeModel: meta holds Infinity at key 'std'; JSON cannot store it");
    dataError(() => serializeModel(good, { ...META, big: 1n }), /serializeModel: meta is not JSON-serialisable: .*BigInt/);
    expect(recurMeta(serializeModel(good, META))).toMatchObject({ format: 'recur-model', version: 1 });
  });

  it('loads into torch.nn.LSTM with strict names and shapes, giving the same weights', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-model-py-'));
    try {
      const net = new Net(3, 2, 7);
      const path = join(dir, 'net.safetensors');
      writeFileSync(path, serializeModel(net, META));
      const script = `
import json, struct, sys
import numpy as np, torch
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
meta = header.pop('__metadata__')
state = {k: torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], '<f4').reshape(v['shape']).copy())
         for k, v in header.items()}
arch = json.loads(meta['recur'])['arch']
lstm = torch.nn.LSTM(arch['D'], arch['H'])
lstm.load_state_dict({k[len('rnn.'):]: v for k, v in state.items() if k.startswith('rnn.')}, strict=True)
print(json.dumps({k: v.detach().flatten().tolist() for k, v in lstm.state_dict().items()}))
`;
      const out = JSON.parse(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8' })) as Record<string, number[]>;
      expect(Object.keys(out).sort()).toEqual(['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']);
      for (const [name, values] of Object.entries(out)) {
        expect(values, name).toEqual(Array.from(net.stateDict()[`rnn.${name}`].data));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
