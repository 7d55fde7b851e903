import { describe, expect, it } from 'vitest';
import { DataError, ShapeError } from '../errors.js';
import { type DecodeOptions, type SafeData, decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** A file from a raw header text and data bytes; `len` overrides the header length prefix. */
function rawFile(header: string, data: ArrayLike<number> = [], len?: bigint): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, len ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const f32 = (...v: number[]): number[] => [...new Uint8Array(new Float32Array(v).buffer)];
const entry = (dtype: string, shape: unknown, offsets: unknown): string =>
  JSON.stringify({ dtype, shape, data_offsets: offsets });

function rejects(bytes: Uint8Array, re: RegExp, opts?: DecodeOptions): void {
  let err: unknown;
  try { decodeSafetensors(bytes, opts); } catch (e) { err = e; }
  expect(err, `expected a DataError matching ${re}`).toBeInstanceOf(DataError);
  expect((err as Error).message).toMatch(re);
  expect((err as Error).message).toMatch(/^safetensors: /);
}

describe('safetensors round trip', () => {
  it('keeps dtypes, shapes, values and metadata', () => {
    const src: Record<string, { shape: number[]; data: SafeData; dtype?: 'I64' }> = {
      'rnn.weight_ih_l0': { shape: [2, 3], data: new Float32Array([1.5, -2, 3e-8, Infinity, -0, 7]) },
      'rnn.bias': { shape: [3], data: new Float64Array([Math.PI, -1e300, 5e-324]) },
      ids: { shape: [2, 2], data: new Int32Array([0, -1, 2147483647, -2147483648]) },
      long: { dtype: 'I64', shape: [3], data: new Int32Array([-5, 0, 2147483647]) },
      scalar: { shape: [], data: new Float32Array([42]) },
      empty: { shape: [0], data: new Float32Array(0) },
      empty2: { shape: [2, 0, 3], data: new Float64Array(0) },
      'ünïcødé ✓': { shape: [1], data: new Float32Array([1]) },
    };
    const meta = { format: 'pt', note: 'héllo "quoted" \n line', '': 'empty key' };
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(src, meta));
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(src).sort());
    for (const [name, t] of Object.entries(src)) {
      const got = tensors[name];
      expect(got.dtype, name).toBe(t.dtype ?? { Float32Array: 'F32', Float64Array: 'F64', Int32Array: 'I32' }[t.data.constructor.name]);
      expect(got.shape, name).toEqual(t.shape);
      expect(got.data.constructor, name).toBe(t.data.constructor);
      expect(Array.from(got.data), name).toEqual(Array.from(t.data));
    }
    expect(Object.is(tensors['rnn.weight_ih_l0'].data[4], -0)).toBe(true);
    expect({ ...metadata }).toEqual(meta);
  });

  it('keeps NaN, reads views with an offset, and handles no tensors at all', () => {
    const backing = new Float32Array([9, NaN, 2, 9]);
    const { tensors } = decodeSafetensors(encodeSafetensors({ x: { shape: [2], data: backing.subarray(1, 3) } }));
    expect(Number.isNaN(tensors.x.data[0])).toBe(true);
    expect(tensors.x.data[1]).toBe(2);
    const none = decodeSafetensors(encodeSafetensors({}));
    expect(Object.keys(none.tensors)).toEqual([]);
    expect(Object.keys(none.metadata)).toEqual([]);
  });

  it('treats names like __proto__ and constructor as plain tensor names', () => {
    const file = rawFile(`{"__proto__":${entry('F32', [1], [0, 4])},"constructor":${entry('F32', [1], [4, 8])}}`, f32(1, 2));
    const { tensors } = decodeSafetensors(file);
    expect(Object.keys(tensors)).toEqual(['__proto__', 'constructor']);
    expect(tensors.__proto__.data[0]).toBe(1);
    expect(tensors['constructor' as string].data[0]).toBe(2);
    expect(Object.getPrototypeOf(tensors)).toBe(null);
    expect('toString' in tensors).toBe(false);
    // and back out: the re-encoded file holds both names
    const again = decodeSafetensors(encodeSafetensors(tensors));
    expect(Object.keys(again.tensors).sort()).toEqual(['__proto__', 'constructor']);
  });

  it('copies values out of unaligned offsets into aligned arrays', () => {
    // Header of 13 bytes puts the data at file byte 21, and a subarray at odd byteOffset shifts it again.
    const header = `{"x":${entry('F64', [2], [0, 16])}}`.padEnd(13 + 40, ' ');
    const inner = rawFile(header, [...new Uint8Array(new Float64Array([1.25, -3]).buffer)]);
    const shifted = new Uint8Array(inner.length + 3);
    shifted.set(inner, 3);
    const { tensors } = decodeSafetensors(shifted.subarray(3));
    expect(tensors.x.data).toBeInstanceOf(Float64Array);
    expect(Array.from(tensors.x.data)).toEqual([1.25, -3]);
    expect(tensors.x.data.byteOffset).toBe(0);
  });

  it('reads I64 values that fit in int32 and rejects the others by index', () => {
    const bytes = (vals: bigint[]): number[] => [...new Uint8Array(new BigInt64Array(vals).buffer)];
    const ok = decodeSafetensors(rawFile(`{"i":${entry('I64', [3], [0, 24])}}`, bytes([-1n, 2147483647n, -2147483648n])));
    expect(ok.tensors.i.data).toBeInstanceOf(Int32Array);
    expect(Array.from(ok.tensors.i.data)).toEqual([-1, 2147483647, -2147483648]);
    rejects(rawFile(`{"i":${entry('I64', [2], [0, 16])}}`, bytes([0n, 2147483648n])),
      /tensor 'i': I64 value 2147483648 at flat index 1 does not fit in int32/);
    rejects(rawFile(`{"i":${entry('I64', [1], [0, 8])}}`, bytes([-(2n ** 40n)])), /I64 value -1099511627776 at flat index 0/);
  });
});

describe('safetensors layout', () => {
  it('writes the spec byte for byte: u64 length, padded JSON, sorted data with no gaps', () => {
    const file = encodeSafetensors({
      b: { shape: [2], data: new Float32Array([1, 2]) },
      c: { shape: [1], data: new Int32Array([-1]) },
      a: { shape: [], data: new Float64Array([3]) },
      d: { dtype: 'I64', shape: [1], data: new Int32Array([-2]) },
    }, { k: 'v' });
    const json = '{"__metadata__":{"k":"v"},'
      + '"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},'
      + '"d":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},'
      + '"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},'
      + '"c":{"dtype":"I32","shape":[1],"data_offsets":[24,28]}}';
    const n = Math.ceil(json.length / 8) * 8;
    expect(n % 8).toBe(0);
    const prefix = [n & 0xff, n >> 8, 0, 0, 0, 0, 0, 0];
    const data = [
      0, 0, 0, 0, 0, 0, 0x08, 0x40, // 3.0 as f64
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // -2 as i64
      0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, // 1.0, 2.0 as f32
      0xff, 0xff, 0xff, 0xff, // -1 as i32
    ];
    const expected = [...prefix, ...new TextEncoder().encode(json.padEnd(n, ' ')), ...data];
    expect(Array.from(file)).toEqual(expected);
  });

  it('accepts any tensor order in the header and headers not padded to 8', () => {
    const file = rawFile(`{"y":${entry('F32', [1], [4, 8])}, "x":${entry('F32', [1], [0, 4])}}\t\n `, f32(5, 6));
    const { tensors } = decodeSafetensors(file);
    expect(tensors.x.data[0]).toBe(5);
    expect(tensors.y.data[0]).toBe(6);
  });
});

describe('safetensors rejects malformed files with a DataError saying what and where', () => {
  const one = (e: string, data: number[] = f32(1)): Uint8Array => rawFile(`{"w":${e}}`, data);

  it('rejects bad prefixes and header lengths before allocating anything', () => {
    rejects(new Uint8Array(0), /file is 0 bytes, shorter than the 8-byte header length/);
    rejects(new Uint8Array(7), /file is 7 bytes/);
    rejects(rawFile('{}', [], 1000n), /header length 1000 \(bytes 0\.\.8\) runs past the end of the file: only 2 bytes follow/);
    rejects(rawFile('{}', [], 2n ** 53n), /header length 9007199254740992 .*runs past the end/);
    rejects(rawFile('{}', [], 2n ** 64n - 1n), /header length 18446744073709551615 /);
    rejects(rawFile('{}', [], 3n), /runs past the end of the file: only 2 bytes follow/);
    rejects(rawFile(`{"w":${entry('F32', [1], [0, 4])}}`, f32(1)), /header length 54 exceeds the limit of 16 bytes \(maxHeaderBytes\)/, { maxHeaderBytes: 16 });
    rejects(rawFile(''), /header is empty/);
  });

  it('rejects headers that are not UTF-8 JSON objects', () => {
    rejects(rawFile(' {}'), /header must start with '\{' at byte 8, got byte 0x20/);
    rejects(rawFile('\uFEFF{}'), /must start with '\{' at byte 8, got byte 0xef/);
    const bad = rawFile('{"ab":1}');
    bad[8 + 3] = 0xff;
    rejects(bad, /header is not valid UTF-8 \(at byte 11\)/);
    const overlong = rawFile('{"ab":1}');
    overlong.set([0xc0, 0xaf], 8 + 2);
    rejects(overlong, /not valid UTF-8 \(at byte 10\)/);
    rejects(rawFile('{"w": }'), /^safetensors: header \(bytes 8\.\.15\): expected a value, got "}" at character 6$/);
    rejects(rawFile('{} x'), /unexpected "x" after the JSON value at character 3/);
    rejects(rawFile('{"w'), /unterminated string at character 1/);
    rejects(rawFile('{"a\tb":1}'), /unescaped control character U\+0009/);
    rejects(rawFile('{"a\\qb":1}'), /bad escape \\q/);
    rejects(rawFile('{"\\ud800":1}'), /unpaired surrogate/);
    rejects(rawFile('{"w" 1}'), /expected ':', got "1"/);
    rejects(rawFile('{"__metadata__":' + '['.repeat(100) + ']'.repeat(100) + '}'), /nested deeper than 64 levels/);
  });

  it('detects duplicate keys, which JSON.parse would silently collapse', () => {
    const e = entry('F32', [1], [0, 4]);
    rejects(rawFile(`{"w":${e},"w":${e}}`, f32(1)), /duplicate key "w" at character \d+/);
    rejects(rawFile(`{"__metadata__":{"a":"1","a":"2"}}`), /duplicate key "a"/);
    rejects(rawFile(`{"__metadata__":{},"__metadata__":{}}`), /duplicate key "__metadata__"/);
    rejects(one('{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}'), /duplicate key "dtype"/);
  });

  it('requires __metadata__ to map strings to strings', () => {
    rejects(rawFile('{"__metadata__":"x"}'), /__metadata__ must be an object of strings, got "x"/);
    rejects(rawFile('{"__metadata__":null}'), /__metadata__ must be an object of strings, got null/);
    rejects(rawFile('{"__metadata__":{"k":1}}'), /__metadata__ must map strings to strings; 'k' holds 1/);
    rejects(rawFile('{"__metadata__":{"k":{"a":"b"}}}'), /'k' holds an object/);
  });

  it('checks each tensor entry: keys, dtype', () => {
    rejects(one('3'), /tensor 'w': expected an object with dtype, shape and data_offsets, got 3/);
    rejects(one('{"dtype":"F32","data_offsets":[0,4]}'), /tensor 'w': missing 'shape'/);
    rejects(one('{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}'), /tensor 'w': unexpected key 'extra'/);
    rejects(one(entry('Q7', [1], [0, 4])), /tensor 'w': unknown dtype 'Q7'/);
    rejects(one(entry('constructor', [1], [0, 4])), /unknown dtype 'constructor'/);
    rejects(one(entry('f32', [1], [0, 4])), /unknown dtype 'f32'/);
    rejects(one(entry('F16', [2], [0, 4])), /tensor 'w': dtype F16 is not supported \(recur reads F32, F64, I32, I64\)/);
    rejects(one(entry('BF16', [2], [0, 4])), /dtype BF16 is not supported/);
    rejects(one('{"dtype":4,"shape":[1],"data_offsets":[0,4]}'), /tensor 'w': dtype must be a string, got 4/);
  });

  it('checks shapes: non-negative safe integer literals, no overflow', () => {
    rejects(one(entry('F32', '1', [0, 4])), /tensor 'w': shape must be an array of non-negative integers, got "1"/);
    rejects(one(entry('F32', [1, -1], [0, 4])), /got -1 at shape\[1\]/);
    rejects(one('{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}'), /got 1\.0 at shape\[0\]/);
    rejects(one('{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}'), /got 1e0 at shape\[0\]/);
    rejects(one('{"dtype":"F32","shape":[-0],"data_offsets":[0,4]}'), /got -0 at shape\[0\]/);
    rejects(one(entry('F32', [null], [0, 4])), /got null at shape\[0\]/);
    rejects(one('{"dtype":"F32","shape":[9007199254740992],"data_offsets":[0,4]}'), /got 9007199254740992 at shape\[0\]/);
    rejects(one(entry('F32', [4294967296, 4294967296, 0], [0, 0]), []), /shape \[4294967296, 4294967296, 0\] has more than 2\^53 elements/);
    rejects(one(entry('F64', [2 ** 51], [0, 8])), /tensor 'w': F64 shape \[2251799813685248\] needs more than 2\^53 bytes/);
  });

  it('checks data_offsets: two integers, ordered, inside the data region, the right size', () => {
    rejects(one(entry('F32', [1], 4)), /tensor 'w': data_offsets must be \[begin, end\], got 4/);
    rejects(one(entry('F32', [1], [0, 4, 8])), /data_offsets must be \[begin, end\], got an array of 3/);
    rejects(one(entry('F32', [1], [-4, 0])), /data_offsets must be non-negative integers, got -4 at data_offsets\[0\]/);
    rejects(one('{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}'), /got 4\.0 at data_offsets\[1\]/);
    rejects(one(entry('F32', [0], [4, 0])), /tensor 'w': data_offsets \[4, 0\] begin after they end/);
    rejects(one(entry('F32', [2], [0, 8])), /tensor 'w': data_offsets \[0, 8\] run past the data region, which holds 4 bytes/);
    rejects(one('{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551616]}'), /got 18446744073709551616 at data_offsets\[1\]/);
    rejects(one(entry('F32', [2], [0, 4])), /tensor 'w': F32 shape \[2\] needs 8 bytes, but data_offsets \[0, 4\] span 4/);
    rejects(one(entry('I64', [1], [0, 4])), /I64 shape \[1\] needs 8 bytes, but data_offsets \[0, 4\] span 4/);
  });

  it('requires the tensors to tile the data region: no overlap, holes or trailing bytes', () => {
    const two = (a: [number, number], b: [number, number], data: number[]): Uint8Array =>
      rawFile(`{"a":${entry('F32', [(a[1] - a[0]) / 4], a)},"b":${entry('F32', [(b[1] - b[0]) / 4], b)}}`, data);
    rejects(two([0, 8], [4, 12], f32(1, 2, 3)), /tensors 'a' \[0, 8\] and 'b' \[4, 12\] overlap/);
    rejects(two([0, 8], [0, 8], f32(1, 2)), /tensors '[ab]' \[0, 8\] and '[ab]' \[0, 8\] overlap/);
    rejects(two([0, 8], [4, 4], f32(1, 2)), /tensors 'a' \[0, 8\] and 'b' \[4, 4\] overlap/);
    rejects(two([0, 4], [8, 12], f32(1, 2, 3)), /data region bytes \[4, 8\) belong to no tensor \(holes are not allowed\)/);
    rejects(two([4, 8], [8, 12], f32(1, 2, 3)), /data region bytes \[0, 4\) belong to no tensor/);
    rejects(two([0, 4], [4, 8], f32(1, 2, 3)), /data region bytes \[8, 12\) after the last tensor belong to no tensor/);
    rejects(rawFile('{}', [1]), /data region bytes \[0, 1\) after the last tensor/);
    // Empty tensors at a boundary are fine, even several at the same offset.
    const ok = two([0, 4], [4, 4], f32(1));
    expect(decodeSafetensors(ok).tensors.b.shape).toEqual([0]);
  });

  it('names odd tensor names safely in messages', () => {
    rejects(rawFile(`{"a\\nb":${entry('Q7', [1], [0, 4])}}`, f32(1)), /tensor 'a\\nb': unknown dtype/);
    const long = 'x'.repeat(10_000);
    let msg = '';
    try { decodeSafetensors(rawFile(`{"${long}":3}`)); } catch (e) { msg = (e as Error).message; }
    expect(msg).toMatch(/tensor 'x{57}…': expected an object/);
    expect(msg.length).toBeLessThan(200);
  });
});

describe('encodeSafetensors checks its input', () => {
  it('rejects mismatched shapes, dtypes, reserved names and non-string metadata', () => {
    expect(() => encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } }))
      .toThrow(new ShapeError("encodeSafetensors: tensor 'w': shape [2, 2] needs 4 values, got 3"));
    expect(() => encodeSafetensors({ w: { shape: [-1], data: new Float32Array(0) } })).toThrow(/expected non-negative integer dims, got \[-1\]/);
    expect(() => encodeSafetensors({ w: { dtype: 'F64', shape: [1], data: new Float32Array(1) } }))
      .toThrow(new DataError("encodeSafetensors: tensor 'w' has dtype F64 but its data is a Float32Array"));
    expect(() => encodeSafetensors({ w: { dtype: 'I64', shape: [1], data: new Float64Array(1) } })).toThrow(/has dtype I64 but its data is a Float64Array/);
    expect(() => encodeSafetensors({ __metadata__: { shape: [0], data: new Float32Array(0) } })).toThrow(/'__metadata__' is reserved/);
    expect(() => encodeSafetensors({ '\ud800': { shape: [0], data: new Float32Array(0) } })).toThrow(/unpaired surrogate/);
    expect(() => encodeSafetensors({}, { k: 1 as unknown as string })).toThrow(new DataError("encodeSafetensors: metadata 'k' must be a string, got number"));
  });
});
