import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { type Safetensors, decodeSafetensors, encodeSafetensors } from './safetensors.js';

/**
 * Bounded, deterministic fuzzing of decodeSafetensors: every mutated file must either decode to
 * something self-consistent or throw a DataError. Any other error (RangeError from a bad
 * allocation, TypeError from a missing field, a stack overflow) fails the test, as does slowness.
 */
const SIZE = { F32: 4, F64: 8, I32: 4, I64: 8 } as const;

const BASE = encodeSafetensors({
  'rnn.weight_ih_l0': { shape: [2, 3], data: new Float32Array([0.5, -1, 2, 3, -4.25, 1e-3]) },
  'rnn.bias_ih_l0': { shape: [2], data: new Float64Array([Math.E, -7]) },
  ids: { dtype: 'I64', shape: [3], data: new Int32Array([1, -2, 3]) },
  n: { shape: [], data: new Int32Array([9]) },
  e: { shape: [0, 4], data: new Float32Array(0) },
}, { format: 'pt', recur: '{"kind":"x"}' });
const HEADER_LEN = Number(new DataView(BASE.buffer).getBigUint64(0, true));
const HEADER = new TextDecoder().decode(BASE.subarray(8, 8 + HEADER_LEN));
const DATA = BASE.subarray(8 + HEADER_LEN);

function withHeader(header: string, data: Uint8Array = DATA): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const bytesOf = (d: ArrayBufferView): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Why a decoded file is inconsistent, or null when it is fine. */
function inconsistency(file: Uint8Array, got: Safetensors): string | null {
  const dataLen = file.length - 8 - Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  let total = 0;
  for (const [name, t] of Object.entries(got.tensors)) {
    if (!(t.dtype in SIZE)) return `${name}: dtype ${t.dtype}`;
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `${name}: shape ${t.shape}`;
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) return `${name}: ${t.data.length} values for shape ${t.shape}`;
    total += t.data.length * SIZE[t.dtype];
  }
  if (total !== dataLen) return `tensors hold ${total} bytes, data region has ${dataLen}`;
  for (const [k, v] of Object.entries(got.metadata)) if (typeof v !== 'string') return `metadata ${k}`;
  // What decoded must survive a re-encode unchanged, bit for bit (NaN payloads included).
  const again = decodeSafetensors(encodeSafetensors(got.tensors, got.metadata));
  for (const [name, t] of Object.entries(got.tensors)) {
    const u = again.tensors[name];
    if (!u || u.dtype !== t.dtype || u.shape.join() !== t.shape.join() || !sameBytes(bytesOf(u.data), bytesOf(t.data))) {
      return `${name} changed in a re-encode`;
    }
  }
  return null;
}

describe('decodeSafetensors under fuzzing', () => {
  it('turns thousands of mutated files into a consistent result or a DataError, quickly', () => {
    const rng = new Rng(20240607);
    const stats = { cases: 0, ok: 0, errors: new Map<string, number>() };
    const problems: string[] = [];

    const check = (file: Uint8Array, what: string): 'ok' | 'error' => {
      stats.cases++;
      let got: Safetensors;
      try {
        got = decodeSafetensors(file);
      } catch (e) {
        if (!(e instanceof DataError)) { problems.push(`${what}: ${(e as Error)?.name}: ${(e as Error)?.message}`); return 'error'; }
        // Group messages by their wording without numbers and names, to see how many checks fired.
        const kind = e.message.replace(/'[^']*'|"[^"]*"|\\.|\d+/g, '#').replace(/ at (character|byte) .*/, '');
        stats.errors.set(kind, (stats.errors.get(kind) ?? 0) + 1);
        return 'error';
      }
      stats.ok++;
      const bad = inconsistency(file, got);
      if (bad) problems.push(`${what}: decoded but inconsistent: ${bad}`);
      return 'ok';
    };

    const t0 = performance.now();
    expect(check(BASE, 'base')).toBe('ok');

    // Every truncation of a valid file, and every short extension, must be rejected.
    for (let n = 0; n < BASE.length; n++) {
      if (check(BASE.subarray(0, n), `truncated to ${n}`) !== 'error') problems.push(`truncated to ${n} was accepted`);
    }
    for (let n = 1; n <= 16; n++) {
      const f = new Uint8Array(BASE.length + n);
      f.set(BASE);
      if (check(f, `extended by ${n}`) !== 'error') problems.push(`extended by ${n} was accepted`);
    }

    // Header length prefix: every small value, and huge ones.
    const lens = [0n, 2n ** 32n, 2n ** 32n + BigInt(HEADER_LEN), 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    for (let n = 0; n < BASE.length + 8; n++) lens.push(BigInt(n));
    for (let k = 0; k < 200; k++) lens.push((BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32()));
    for (const len of lens) {
      const f = BASE.slice();
      new DataView(f.buffer).setBigUint64(0, len, true);
      const r = check(f, `header length ${len}`);
      if (r === 'ok' && len !== BigInt(HEADER_LEN)) problems.push(`header length ${len} was accepted`);
    }

    // Random bit flips anywhere, 1 to 3 per file.
    for (let k = 0; k < 3000; k++) {
      const f = BASE.slice();
      const flips = 1 + rng.int(3);
      for (let j = 0; j < flips; j++) f[rng.int(f.length)] ^= 1 << rng.int(8);
      check(f, `bit flips #${k}`);
    }

    // Random edits of the JSON text, re-framed with a correct length so they reach the parser.
    const tokens = ['{', '}', '[', ']', '"', ':', ',', '0', '1', '4', '-', '.', 'e', '\\', ' ', '\t', '\u00e9', '\\ud800',
      '\\u0041', '9007199254740993', '1e999', '-0', '4.0', '"F16"', '"BF16"', '"I64"', '"F64"', 'null', 'true', '[]', '{}',
      '"data_offsets":[0,0]', '"__metadata__"', '"shape"', '"dtype"', '"n"', '[[[[[[', '"\u0001"'];
    for (let k = 0; k < 4000; k++) {
      let h = HEADER;
      const edits = 1 + rng.int(3);
      for (let j = 0; j < edits; j++) {
        const a = rng.int(h.length + 1), b = Math.min(h.length, a + rng.int(12));
        const op = rng.int(5);
        if (op === 0) h = h.slice(0, a) + tokens[rng.int(tokens.length)] + h.slice(a + 1);
        else if (op === 1) h = h.slice(0, a) + h.slice(b);
        else if (op === 2) h = h.slice(0, b) + h.slice(a, b) + h.slice(b);
        else if (op === 3) h = h.replace(/\d+/g, (m) => (rng.int(6) === 0 ? String(rng.int(3) === 0 ? Number(m) + 4 : rng.int(64)) : m));
        else {
          // Slide one tensor's span, keeping its size: reaches the overlap and hole checks.
          const d = rng.int(17) - 8;
          let which = rng.int(5);
          h = h.replace(/\[(\d+),(\d+)\]/g, (m, a0: string, b0: string) => (which-- === 0 ? `[${+a0 + d},${+b0 + d}]` : m));
        }
      }
      const data = rng.int(4) === 0 ? DATA.subarray(0, rng.int(DATA.length + 1)) : DATA;
      check(withHeader(h, data), `json edit #${k}: ${JSON.stringify(h)}`);
    }

    // Pure noise.
    for (let k = 0; k < 500; k++) {
      const f = new Uint8Array(rng.int(64));
      for (let i = 0; i < f.length; i++) f[i] = rng.nextU32() & 0xff;
      if (f.length >= 8) f.set([rng.int(f.length), 0, 0, 0, 0, 0, 0, 0], 0);
      check(f, `noise #${k}`);
    }
    const ms = performance.now() - t0;

    expect(problems.slice(0, 10), `${problems.length} problems`).toEqual([]);
    expect(stats.cases).toBeGreaterThan(8000);
    // The mutations must reach deep checks, not only the first one, and some must still decode.
    expect(stats.ok, 'mutated files that still decoded').toBeGreaterThan(100);
    const kinds = [...stats.errors.keys()].join('\n');
    for (const must of ['overlap', 'holes are not allowed', 'trailing bytes', 'duplicate key', 'not valid UTF', 'does not fit in int',
      'runs past the end of the file', 'unknown dtype', 'is not supported', 'run past the data region',
      'begin after they end', 'unpaired surrogate', 'shorter than the']) {
      expect(kinds, 'checks the fuzzing reached').toContain(must);
    }
    expect(stats.errors.size, `distinct errors:\n${kinds}`).toBeGreaterThan(25);
    expect(ms, 'fuzzing time in ms').toBeLessThan(4000);
  }, 20_000);
});
