import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { noGrad } from '../../autograd/engine.js';
import type { CharLM } from '../../tasks/text/model.js';
import { IntTensor, Tensor } from '../../tensor/tensor.js';
import { expectClose, maxDiff } from '../../test-utils/index.js';
import { buildModule } from '../kinds.js';
import { type Case, type Input, allCases, charLM, recurOutput } from '../test-utils/cases.js';
import { OPSET, exportOnnx } from './export.js';
import { decodeModel } from './proto.js';

/**
 * ONNX exports run in ONNX Runtime (onnxruntime-web's WebAssembly build, in Node) and give
 * recur's outputs within 1e-5: every kind, RNN/LSTM/GRU, one and two layers, bidirectional where
 * the kind is. The graph's structure (ops, gate attributes, opset) is read back with the schema.
 */
beforeAll(() => { ort.env.wasm.numThreads = 1; });

function feeds(inputs: Input[], names: readonly string[]): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const i of inputs.filter((x) => names.includes(x.name))) {
    out[i.name] = i.name === 'lengths' ? new ort.Tensor('int32', Int32Array.from(i.data), i.shape) // ONNX's sequence_lens is int32
      : i.dtype === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(i.data, (v) => BigInt(v)), i.shape)
        : new ort.Tensor('float32', Float32Array.from(i.data), i.shape);
  }
  return out;
}

async function run(bytes: Uint8Array, inputs: Input[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const r = await session.run(feeds(inputs, session.inputNames));
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

type Node = { op_type: string; attribute?: { name: string; i?: number; s?: number[] }[] };
const nodesOf = (bytes: Uint8Array) => (decodeModel(bytes).graph as { node: Node[] }).node;
const attr = (n: Node, name: string) => n.attribute?.find((a) => a.name === name);

describe.each(allCases().map((c) => [c.name, c] as [string, Case]))('ONNX Runtime parity: %s', (_name, c) => {
  it('gives recur\'s outputs within 1e-5', async () => {
    const bytes = exportOnnx(c.parsed);
    const got = Object.values(await run(bytes, c.inputs))[0];
    const want = recurOutput(c.parsed, c.inputs);
    expectClose(got, want, `${c.name}: ONNX Runtime vs recur`);
    expect(maxDiff(got, want).max).toBeLessThan(1e-5);
  });
});

describe('ONNX graph', () => {
  it('uses one standard recurrent node per layer, with ONNX\'s gate conventions, at opset ≥ 14', () => {
    const c = allCases().find((x) => x.name.startsWith('denoiser gru ×2'))!;
    const bytes = exportOnnx(c.parsed), m = decodeModel(bytes), nodes = nodesOf(bytes);
    expect((m.opset_import as { version: number }[])[0].version).toBe(OPSET);
    expect(OPSET).toBeGreaterThanOrEqual(14);
    const grus = nodes.filter((n) => n.op_type === 'GRU');
    expect(grus).toHaveLength(2);
    for (const n of grus) {
      expect(attr(n, 'linear_before_reset')?.i).toBe(1);
      expect(new TextDecoder().decode(Uint8Array.from(attr(n, 'direction')!.s!))).toBe('bidirectional');
    }
    expect(nodesOf(exportOnnx(charLM('lstm', 2).parsed)).filter((n) => n.op_type === 'LSTM')).toHaveLength(2);
    expect(nodesOf(exportOnnx(charLM('rnn', 2).parsed)).map((n) => n.op_type)).toEqual(['OneHot', 'RNN', 'Squeeze', 'RNN', 'Squeeze', 'MatMul', 'Add']);
  });

  it('with --state: h0/c0 in, hT/cT out, equal to recur continuing from a given state', async () => {
    const c = charLM('lstm', 2), ids = c.inputs[0], K = 2, B = ids.shape[1], H = 6;
    const h0 = Array.from({ length: K * B * H }, (_, i) => Math.sin(i)), c0 = Array.from({ length: K * B * H }, (_, i) => Math.cos(3 * i));
    const got = await run(exportOnnx(c.parsed, { state: true }), [ids,
      { name: 'h0', dtype: 'float32', shape: [K, B, H], data: h0 }, { name: 'c0', dtype: 'float32', shape: [K, B, H], data: c0 }]);
    const m = buildModule(c.parsed.meta).loadStateDict(c.parsed.state).eval() as CharLM;
    const want = noGrad(() => m.forward(new IntTensor(Int32Array.from(ids.data), ids.shape),
      new Tensor(Float32Array.from(h0), [K, B, H]), new Tensor(Float32Array.from(c0), [K, B, H])));
    expectClose(got.logits, want.logits.data, 'logits');
    expectClose(got.hT, want.hT.data, 'hT');
    expectClose(got.cT, want.cT!.data, 'cT');
  });

  it('refuses models it cannot express, saying why', () => {
    expect(() => exportOnnx(allCases().find((x) => x.name.startsWith('classifier'))!.parsed, { state: true }))
      .toThrow(/classifier reads whole padded sequences/);
  });
});
