import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { type ModelMeta, parseModelFile } from '../io/model-file.js';
import { type SafeTensorInput, decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { exportOnnx } from './onnx/export.js';
import { allCases, charLM, classifier, forecaster } from './test-utils/cases.js';
import { exportTorch, importTorch } from './torch.js';

/** importTorch's checks and messages, and exportTorch's file layout: pure TypeScript, no Python. */
const c = charLM('lstm', 2);
/** A bare state dict as PyTorch tools would write it (no recur metadata unless given). */
const stateDict = (tensors: Record<string, SafeTensorInput>, metadata?: Record<string, string>) => encodeSafetensors(tensors, metadata);
const tensorsOf = (parsed = c.parsed): Record<string, SafeTensorInput> => ({ ...parsed.state });
const importErr = (bytes: Uint8Array, template = c.parsed) => () => importTorch(bytes, { template, source: 'x.safetensors' });

describe('exportTorch', () => {
  it('writes exactly the module\'s state dict, with recur\'s metadata kept', () => {
    for (const k of allCases()) {
      const { tensors, metadata } = decodeSafetensors(exportTorch(k.parsed).safetensors);
      expect(Object.keys(tensors).sort()).toEqual(Object.keys(k.parsed.state).sort());
      expect(metadata.format).toBe('pt');
      expect(JSON.parse(metadata.recur)).toMatchObject({ format: 'recur-model', version: 1, kind: k.parsed.meta.kind });
    }
  });

  it('writes train.py for the kinds with a data file of their own: a text or a series', () => {
    for (const k of allCases()) {
      const { train } = exportTorch(k.parsed), kind = k.parsed.meta.kind;
      if (kind !== 'char-lm' && kind !== 'forecaster') {
        expect(train, kind).toBeNull();
        continue;
      }
      expect(train).toContain(`from model import ${kind === 'char-lm' ? 'CharLM' : 'Forecaster'} as Model`);
      expect(train).toContain("dist.init_process_group('nccl' if cuda else 'gloo')");
      expect(train).not.toMatch(/\$\{|\\`/); // nothing of the TypeScript template leaked into the Python
    }
  });

  it('refuses kinds without one recurrent stack and a head, saying why', () => {
    const meta = (m: Partial<ModelMeta>) => ({ ...c.parsed, meta: { ...c.parsed.meta, ...m } as ModelMeta });
    expect(() => exportTorch(meta({ kind: 'translator' }))).toThrow(/cannot move a 'translator' model.*attention/);
    expect(() => exportOnnx(meta({ kind: 'classifier', arch: { type: 'one-to-one', cell: 'rnn', hidden: 3, layers: 1 } })))
      .toThrow(/one-to-one' classifier is the seed's cell run for one step/);
  });
});

describe('importTorch', () => {
  it('reads a bare state dict given a template, and the weights arrive unchanged', () => {
    const t = tensorsOf();
    t['head.bias'] = { shape: [7], data: Float32Array.from({ length: 7 }, (_, i) => i / 8) };
    const back = parseModelFile(importTorch(stateDict(t), { template: c.parsed }));
    expect(back.meta).toEqual(c.parsed.meta);
    expect(Array.from(back.state['head.bias'].data)).toEqual(Array.from(t['head.bias'].data));
    expect(back.state['rnn.weight_hh_l1'].data).toEqual(c.parsed.state['rnn.weight_hh_l1'].data);
  });

  it('takes float64 weights (a .double() model) as float32', () => {
    const t = Object.fromEntries(Object.entries(tensorsOf()).map(([k, v]) => [k, { shape: v.shape, data: Float64Array.from(v.data) }]));
    const back = parseModelFile(importTorch(stateDict(t), { template: c.parsed }));
    expect(back.state['rnn.weight_ih_l0'].dtype).toBe('F32');
    expect(back.state['rnn.weight_ih_l0'].data).toEqual(c.parsed.state['rnn.weight_ih_l0'].data);
  });

  it('names the tensor whose shape is wrong, with the expected and the actual shape', () => {
    const t = tensorsOf();
    t['rnn.weight_ih_l0'] = { shape: [24, 6], data: new Float32Array(144) };
    expect(importErr(stateDict(t))).toThrow("x.safetensors: tensor 'rnn.weight_ih_l0': expected shape [24, 7], got [24, 6]");
    const f = forecaster('gru', 1);
    const ft = tensorsOf(f.parsed);
    ft['head.weight'] = { shape: [2, 4], data: new Float32Array(8) };
    expect(importErr(stateDict(ft), f.parsed)).toThrow("tensor 'head.weight': expected shape [2, 5], got [2, 4]");
  });

  it('names missing and unexpected tensors', () => {
    const t = tensorsOf();
    delete t['rnn.bias_hh_l1'];
    expect(importErr(stateDict(t))).toThrow("x.safetensors: missing tensor 'rnn.bias_hh_l1', which a char-lm model of this architecture has");
    const u = { ...tensorsOf(), 'rnn.weight_ih_l2': { shape: [24, 6], data: new Float32Array(144) } };
    expect(importErr(stateDict(u))).toThrow("unexpected tensor 'rnn.weight_ih_l2', which a char-lm model of this architecture does not have");
    // a state dict of another architecture: a bidirectional classifier's into a char-lm
    expect(importErr(stateDict(tensorsOf(classifier('lstm', 1, true).parsed)))).toThrow(/missing tensors 'rnn.weight_ih_l1', 'rnn.weight_hh_l1'/);
  });

  it('says what the file is when it is not a state dict', () => {
    expect(importErr(new TextEncoder().encode('{"not": "a state dict"}'))).toThrow(/x.safetensors: not a safetensors state dict \(safetensors: /);
    expect(importErr(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0]))).toThrow(/a zip archive \(torch.save's format\), not safetensors/);
    expect(importErr(stateDict({}))).toThrow('x.safetensors: holds no tensors, so it is not a state dict');
    const ints = { ...tensorsOf(), 'head.bias': { dtype: 'I64' as const, shape: [7], data: new Int32Array(7) } };
    expect(importErr(stateDict(ints))).toThrow("tensor 'head.bias' is I64; weights must be F32 or F64");
  });

  it('needs a template when the file carries no recur metadata', () => {
    expect(() => importTorch(stateDict(tensorsOf()), { source: 'x.safetensors' }))
      .toThrow('x.safetensors: carries no recur metadata, so its kind and architecture are unknown; pass --template MODEL');
  });

  it('refuses NaN weights', () => {
    const t = tensorsOf();
    t['head.bias'] = { shape: [7], data: Float32Array.from([0, 0, NaN, 0, 0, 0, 0]) };
    expect(importErr(stateDict(t))).toThrow(/x.safetensors: .*'head.bias' holds NaN at flat index 2/);
  });

  it('all errors are DataErrors', () => {
    expect(importErr(new Uint8Array(3))).toThrow(DataError);
  });
});
