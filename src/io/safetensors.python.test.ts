import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON } from '../test-utils/index.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/**
 * Cross-checks against an independent reader and writer: a few lines of Python following the
 * spec with json + numpy (the safetensors package is not installed, and a hand-written one is a
 * stricter check of the spec than the library would be anyway).
 */
const dir = mkdtempSync(join(tmpdir(), 'recur-st-py-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = (code: string, ...args: string[]): string =>
  execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const READER = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n].decode('utf-8'))
data = raw[8 + n:]
kinds = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4', 'I64': '<i8'}
out = {'n': n, 'meta': header.pop('__metadata__', {}), 'tensors': {}}
spans = []
for name, info in header.items():
    b, e = info['data_offsets']
    arr = np.frombuffer(data[b:e], dtype=kinds[info['dtype']]).reshape(info['shape'])
    out['tensors'][name] = {'dtype': info['dtype'], 'shape': list(arr.shape), 'values': arr.ravel().tolist()}
    spans.append((b, e))
spans.sort()
out['tiled'] = all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1)) and spans[0][0] == 0 and spans[-1][1] == len(data)
print(json.dumps(out))
`;

const WRITER = `
import json, struct, sys
import numpy as np
rng = np.random.default_rng(7)
tensors = {
  'lstm.weight_hh_l0': rng.standard_normal((8, 2)).astype('<f4'),
  'lstm.bias_hh_l0': rng.standard_normal(8).astype('<f8'),
  'vocab.ids': np.array([[0, -3], [2147483647, -2147483648]], dtype='<i8'),
  'count': np.array(5, dtype='<i4'),
  'nothing': np.zeros((0, 3), dtype='<f4'),
}
header, chunks, off = {'__metadata__': {'source': 'numpy', 'k\u00e9y': 'v\u00e0l'}}, [], 0
for name, arr in tensors.items():  # insertion order, not the reference writer's
    b = arr.tobytes()
    header[name] = {'dtype': {'f4': 'F32', 'f8': 'F64', 'i8': 'I64', 'i4': 'I32'}[arr.dtype.str[1:]],
                    'shape': list(arr.shape), 'data_offsets': [off, off + len(b)]}
    chunks.append(b)
    off += len(b)
h = json.dumps(header).encode('utf-8')
h += b' ' * (-len(h) % 8)
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(chunks))
print(json.dumps({name: arr.ravel().tolist() for name, arr in tensors.items()}))
`;

describe('safetensors against a Python reader and writer', () => {
  it('writes files that Python reads back with the same values', () => {
    const path = join(dir, 'from-ts.safetensors');
    const w = new Float32Array([0.1, -2.5, 3.25, 1e-30, -0, 65504]);
    const b = new Float64Array([Math.PI, -1e-300]);
    writeFileSync(path, encodeSafetensors({
      'rnn.weight_ih_l0': { shape: [3, 2], data: w },
      'rnn.bias_ih_l0': { shape: [2], data: b },
      targets: { dtype: 'I64', shape: [2, 2], data: new Int32Array([1, -1, 2147483647, -2147483648]) },
      lens: { shape: [3], data: new Int32Array([4, 0, -7]) },
      h0: { shape: [], data: new Float32Array([0.5]) },
      empty: { shape: [2, 0], data: new Float32Array(0) },
    }, { format: 'pt', note: 'ünïcødé' }));
    const got = JSON.parse(python(READER, path)) as {
      n: number; meta: Record<string, string>; tiled: boolean;
      tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
    };
    expect(got.n % 8).toBe(0);
    expect(got.tiled).toBe(true);
    expect(got.meta).toEqual({ format: 'pt', note: 'ünïcødé' });
    expect(got.tensors['rnn.weight_ih_l0']).toEqual({ dtype: 'F32', shape: [3, 2], values: Array.from(w) });
    expect(got.tensors['rnn.bias_ih_l0']).toEqual({ dtype: 'F64', shape: [2], values: Array.from(b) });
    expect(got.tensors.targets).toEqual({ dtype: 'I64', shape: [2, 2], values: [1, -1, 2147483647, -2147483648] });
    expect(got.tensors.lens).toEqual({ dtype: 'I32', shape: [3], values: [4, 0, -7] });
    expect(got.tensors.h0).toEqual({ dtype: 'F32', shape: [], values: [0.5] });
    expect(got.tensors.empty).toEqual({ dtype: 'F32', shape: [2, 0], values: [] });
  });

  it('reads files that Python writes by hand from the spec', () => {
    const path = join(dir, 'from-py.safetensors');
    const expected = JSON.parse(python(WRITER, path)) as Record<string, number[]>;
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(path)));
    expect({ ...metadata }).toEqual({ source: 'numpy', 'kéy': 'vàl' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
    expect(tensors['lstm.weight_hh_l0'].shape).toEqual([8, 2]);
    expect(tensors['lstm.weight_hh_l0'].data).toBeInstanceOf(Float32Array);
    expect(tensors['lstm.bias_hh_l0'].data).toBeInstanceOf(Float64Array);
    expect(tensors['vocab.ids'].dtype).toBe('I64');
    expect(tensors['vocab.ids'].data).toBeInstanceOf(Int32Array);
    expect(tensors.count.shape).toEqual([]);
    expect(tensors.nothing.shape).toEqual([0, 3]);
    // Python's floats are the exact float32/float64 values, so equality is exact.
    for (const [name, values] of Object.entries(expected)) expect(Array.from(tensors[name].data), name).toEqual(values);
  });
});
