import { DataError, ShapeError, assert } from '../errors.js';
import { type Json, JsonNum, describeJson, hasLoneSurrogate, parseJsonStrict } from './json-strict.js';

/**
 * safetensors (https://github.com/huggingface/safetensors), written and read over plain bytes.
 * Pure: no Node APIs, so the browser playground opens the same files as the CLI.
 *
 *   [u64 little-endian N] [N bytes of UTF-8 JSON, space-padded] [data region]
 *   JSON = {"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}, …}
 *
 * Offsets count from the start of the data region; values are little-endian and row-major; the
 * tensors must cover the data region exactly: no overlaps, no holes, no trailing bytes (the spec's
 * rule against polyglot files).
 *
 * Integers: I64 tensors are read into Int32Array and a value outside int32 is an error, because
 * recur keeps token ids, targets and lengths as Int32 (`IntTensor`); PyTorch writes such indices as
 * I64. Writing `dtype: 'I64'` from an Int32Array sign-extends each value.
 */
export type SafeDType = 'F32' | 'F64' | 'I32' | 'I64';
export type SafeData = Float32Array | Float64Array | Int32Array;

export interface SafeTensor { dtype: SafeDType; shape: number[]; data: SafeData }
/** A tensor to write; `dtype` defaults to the data's own type (F32, F64, I32). */
export interface SafeTensorInput { dtype?: SafeDType; shape: readonly number[]; data: SafeData }
export interface Safetensors { tensors: Record<string, SafeTensor>; metadata: Record<string, string> }
export interface DecodeOptions { maxHeaderBytes?: number }

/** The reference implementation's cap on the JSON header, so a file cannot make a reader parse gigabytes. */
export const MAX_HEADER_BYTES = 100_000_000;

const SIZE: Record<SafeDType, number> = { F64: 8, I64: 8, F32: 4, I32: 4 };
/** dtypes the spec names that recur recognises but does not read. */
const UNSUPPORTED = new Set(['F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4',
  'C64', 'BOOL', 'U8', 'I8', 'U16', 'I16', 'U32', 'U64']);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function fail(msg: string): never { throw new DataError(`safetensors: ${msg}`); }
/** A tensor name for a message: escaped and cut short, since a hostile name can be anything. */
const q = (name: string): string =>
  `'${JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}…` : name).slice(1, -1)}'`;
const showShape = (s: readonly number[]): string =>
  `[${s.length > 8 ? `${s.slice(0, 8).join(', ')}, … (${s.length} dims)` : s.join(', ')}]`;

const ARRAY_OF = { F32: Float32Array, F64: Float64Array, I32: Int32Array, I64: Int32Array } as const;

function dtypeOfData(d: SafeData): SafeDType {
  return d instanceof Float64Array ? 'F64' : d instanceof Int32Array ? 'I32' : 'F32';
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file. Tensors are laid out
 * like the reference writer does: largest element size first, then by name, with no gaps, so
 * every tensor starts at a multiple of its element size and readers can map it without copying.
 * The header is padded with spaces to a multiple of 8 bytes.
 */
export function encodeSafetensors(tensors: Record<string, SafeTensorInput>, metadata?: Record<string, string>): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => {
    assert(name !== '__metadata__', () => 'encodeSafetensors: \'__metadata__\' is reserved, not a tensor name', DataError);
    assert(!hasLoneSurrogate(name), () => `encodeSafetensors: tensor name ${q(name)} holds an unpaired surrogate`, DataError);
    const dtype = t.dtype ?? dtypeOfData(t.data);
    assert(Object.hasOwn(ARRAY_OF, dtype) && t.data instanceof ARRAY_OF[dtype],
      () => `encodeSafetensors: tensor ${q(name)} has dtype ${dtype} but its data is a ${t.data.constructor.name}`, DataError);
    let n = 1;
    for (const d of t.shape) {
      assert(Number.isSafeInteger(d) && d >= 0,
        () => `encodeSafetensors: tensor ${q(name)}: expected non-negative integer dims, got ${showShape(t.shape)}`);
      n *= d;
    }
    assert(n === t.data.length,
      () => `encodeSafetensors: tensor ${q(name)}: shape ${showShape(t.shape)} needs ${n} values, got ${t.data.length}`, ShapeError);
    return { name, dtype, shape: t.shape, data: t.data };
  });
  entries.sort((a, b) => SIZE[b.dtype] - SIZE[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const fields: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort();
    for (const k of keys) {
      const v: unknown = metadata[k];
      assert(typeof v === 'string', () => `encodeSafetensors: metadata '${k}' must be a string, got ${typeof v}`, DataError);
      assert(!hasLoneSurrogate(k) && !hasLoneSurrogate(v),
        () => `encodeSafetensors: metadata '${k}' holds an unpaired surrogate`, DataError);
    }
    fields.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  const begins: number[] = [];
  let end = 0;
  for (const e of entries) {
    begins.push(end);
    end += e.data.length * SIZE[e.dtype];
    const offsets = `[${begins[begins.length - 1]},${end}]`;
    fields.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(',')}],"data_offsets":${offsets}}`);
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + end);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  entries.forEach((e, k) => writeData(dv, 8 + n + begins[k], e.dtype, e.data));
  return out;
}

function writeData(dv: DataView, at: number, dtype: SafeDType, data: SafeData): void {
  if (LITTLE_ENDIAN_HOST && dtype !== 'I64') {
    new Uint8Array(dv.buffer).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (dtype === 'F32') dv.setFloat32(at + 4 * i, v, true);
    else if (dtype === 'F64') dv.setFloat64(at + 8 * i, v, true);
    else if (dtype === 'I32') dv.setInt32(at + 4 * i, v, true);
    else { dv.setInt32(at + 8 * i, v, true); dv.setInt32(at + 8 * i + 4, v < 0 ? -1 : 0, true); }
  }
}

interface Entry { name: string; dtype: SafeDType; shape: number[]; begin: number; end: number }

/**
 * Decodes and validates a safetensors file. Every problem is a DataError naming what is wrong
 * and where: the prefix, the header (UTF-8, JSON, duplicate keys, schema), each tensor's dtype,
 * shape and offsets, and the layout of the data region. Sizes the file claims are checked
 * against its real length before anything is allocated from them. Values are copied into
 * fresh typed arrays (offsets in a file need not be aligned for a view); NaN and infinities
 * pass through, since the format does not forbid them.
 */
export function decodeSafetensors(bytes: Uint8Array, opts: DecodeOptions = {}): Safetensors {
  const cap = opts.maxHeaderBytes ?? MAX_HEADER_BYTES;
  assert(Number.isSafeInteger(cap) && cap >= 0,
    () => `decodeSafetensors: maxHeaderBytes must be a non-negative integer, got ${cap}`, DataError);
  assert(bytes instanceof Uint8Array, () => 'decodeSafetensors: expected a Uint8Array', DataError);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length at its start`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = dv.getBigUint64(0, true);
  if (claimed > BigInt(bytes.length - 8)) {
    fail(`header length ${claimed} (bytes 0..8) runs past the end of the file: only ${bytes.length - 8} bytes follow`);
  }
  if (claimed > BigInt(cap)) fail(`header length ${claimed} exceeds the limit of ${cap} bytes (maxHeaderBytes)`);
  const headerLen = Number(claimed);
  const dataStart = 8 + headerLen, dataLen = bytes.length - dataStart;

  const head = bytes.subarray(8, dataStart);
  if (headerLen === 0) fail('header is empty (length 0 at bytes 0..8)');
  if (head[0] !== 0x7b) fail(`header must start with '{' at byte 8, got byte 0x${head[0].toString(16).padStart(2, '0')}`);
  const root = parseJsonStrict(decodeUtf8(head), `safetensors: header (bytes 8..${dataStart})`);
  if (!(root instanceof Map)) fail('header must be a JSON object');

  const metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const [name, v] of root) {
    if (name !== '__metadata__') { entries.push(tensorEntry(name, v, dataLen)); continue; }
    if (!(v instanceof Map)) fail(`__metadata__ must be an object of strings, got ${describeJson(v)}`);
    for (const [k, s] of v) {
      if (typeof s !== 'string') fail(`__metadata__ must map strings to strings; ${q(k)} holds ${describeJson(s)}`);
      metadata[k] = s;
    }
  }

  // Walk the tensors in data order; each must start exactly where the previous one ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  entries.forEach((e, k) => {
    const p = entries[k - 1];
    if (e.begin < cursor) fail(`tensors ${q(p.name)} [${p.begin}, ${p.end}] and ${q(e.name)} [${e.begin}, ${e.end}] overlap`);
    if (e.begin > cursor) fail(`data region bytes [${cursor}, ${e.begin}) belong to no tensor (holes are not allowed)`);
    cursor = e.end;
  });
  if (cursor < dataLen) {
    fail(`data region bytes [${cursor}, ${dataLen}) after the last tensor belong to no tensor (trailing bytes are not allowed)`);
  }

  const tensors: Record<string, SafeTensor> = Object.create(null);
  for (const e of entries) {
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: readData(bytes, dataStart + e.begin, e) };
  }
  return { tensors, metadata };
}

/** A non-negative integer literal up to 2^53 − 1, or null (rejects 4.0, 4e0, -0, 2^53). */
function uint(v: Json): number | null {
  if (!(v instanceof JsonNum) || !/^(?:0|[1-9][0-9]*)$/.test(v.raw)) return null;
  const n = v.value;
  return n <= MAX_SAFE ? n : null;
}

function tensorEntry(name: string, v: Json, dataLen: number): Entry {
  const t = `tensor ${q(name)}`;
  if (!(v instanceof Map)) fail(`${t}: expected an object with dtype, shape and data_offsets, got ${describeJson(v)}`);
  for (const k of v.keys()) {
    if (k !== 'dtype' && k !== 'shape' && k !== 'data_offsets') fail(`${t}: unexpected key ${q(k)}`);
  }
  for (const k of ['dtype', 'shape', 'data_offsets']) if (!v.has(k)) fail(`${t}: missing '${k}'`);

  const dt = v.get('dtype')!;
  if (typeof dt !== 'string') fail(`${t}: dtype must be a string, got ${describeJson(dt)}`);
  if (UNSUPPORTED.has(dt)) fail(`${t}: dtype ${dt} is not supported (recur reads F32, F64, I32, I64)`);
  if (!Object.hasOwn(SIZE, dt)) fail(`${t}: unknown dtype ${q(dt)}`);
  const dtype = dt as SafeDType;

  const sh = v.get('shape')!;
  if (!Array.isArray(sh)) fail(`${t}: shape must be an array of non-negative integers, got ${describeJson(sh)}`);
  const shape = sh.map((d, k) => uint(d)
    ?? fail(`${t}: shape must be an array of non-negative integers, got ${describeJson(d)} at shape[${k}]`));
  // Like the reference, a running product past 2^53 is an error even if a later dim is 0.
  let numel = 1;
  for (const d of shape) {
    numel *= d;
    if (numel > MAX_SAFE) fail(`${t}: shape ${showShape(shape)} has more than 2^53 elements`);
  }
  const nbytes = numel * SIZE[dtype];
  if (nbytes > MAX_SAFE) fail(`${t}: ${dtype} shape ${showShape(shape)} needs more than 2^53 bytes`);

  const off = v.get('data_offsets')!;
  if (!Array.isArray(off) || off.length !== 2) fail(`${t}: data_offsets must be [begin, end], got ${describeJson(off)}`);
  const [begin, end] = off.map((x, k) => uint(x)
    ?? fail(`${t}: data_offsets must be non-negative integers, got ${describeJson(x)} at data_offsets[${k}]`));
  if (begin > end) fail(`${t}: data_offsets [${begin}, ${end}] begin after they end`);
  if (end > dataLen) fail(`${t}: data_offsets [${begin}, ${end}] run past the data region, which holds ${dataLen} bytes`);
  if (end - begin !== nbytes) {
    fail(`${t}: ${dtype} shape ${showShape(shape)} needs ${nbytes} bytes, `
      + `but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype, shape, begin, end };
}

function readData(bytes: Uint8Array, at: number, e: Entry): SafeData {
  const n = (e.end - e.begin) / SIZE[e.dtype];
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, e.end - e.begin);
  if (e.dtype === 'I64') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const lo = dv.getInt32(8 * i, true), hi = dv.getInt32(8 * i + 4, true);
      if (hi !== lo >> 31) {
        const v = dv.getBigInt64(8 * i, true);
        fail(`tensor ${q(e.name)}: I64 value ${v} at flat index ${i} does not fit in int32 (recur keeps integers as Int32Array)`);
      }
      out[i] = lo;
    }
    return out;
  }
  const out = e.dtype === 'F32' ? new Float32Array(n) : e.dtype === 'F64' ? new Float64Array(n) : new Int32Array(n);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + out.byteLength));
  } else {
    const get = e.dtype === 'F32' ? (i: number) => dv.getFloat32(4 * i, true)
      : e.dtype === 'F64' ? (i: number) => dv.getFloat64(8 * i, true) : (i: number) => dv.getInt32(4 * i, true);
    for (let i = 0; i < n; i++) out[i] = get(i);
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(b: Uint8Array): string {
  try {
    return UTF8.decode(b);
  } catch {
    const at = firstBadUtf8(b);
    return fail(`header is not valid UTF-8${at >= 0 ? ` (at byte ${8 + at})` : ''}`);
  }
}

/** Index of the first byte that does not start a well-formed UTF-8 sequence, or −1. Only for messages. */
function firstBadUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      if ((b[i + k] & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (b[i + k] & 0x3f);
    }
    if (cp < [0, 0x80, 0x800, 0x10000][n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}
