import { DataError } from '../errors.js';

/**
 * A strict JSON parser for headers of untrusted files. Pure (runs in browsers).
 *
 * Why not `JSON.parse`: it silently keeps the last of two equal keys, so a file could hold two
 * entries for one tensor name and different readers would disagree about which one counts. Here
 * a duplicate key anywhere is an error. Objects come back as `Map`s (no prototype to pollute, key
 * order kept) and numbers as their source text (`JsonNum`), so a caller can tell `4` from `4.0`
 * or `4e0` and check integers beyond 2^53 exactly. Nesting is capped, so a hostile `[[[[…` fails
 * with a DataError instead of overflowing the stack.
 */
export type Json = null | boolean | string | JsonNum | Json[] | Map<string, Json>;

/** A JSON number, kept as written. */
export class JsonNum {
  constructor(readonly raw: string) {}
  get value(): number { return Number(this.raw); }
}

export const MAX_JSON_DEPTH = 64;

const HEX4 = /^[0-9a-fA-F]{4}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Char codes that may follow a backslash, besides `u`: " \\ / b f n r t. */
const SIMPLE_ESCAPE = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));

/**
 * Parses `text` as one JSON value (surrounding JSON whitespace allowed). Errors are DataErrors
 * starting with `what` and naming the character position.
 */
export function parseJsonStrict(text: string, what: string): Json {
  let i = 0;
  function fail(msg: string, at = i): never {
    throw new DataError(`${what}: ${msg} at character ${at}`);
  }
  const show = (at: number): string => (at < text.length ? JSON.stringify(text[at]) : 'the end');
  const ws = (): void => {
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = text.charCodeAt(++i));
  };

  /** A string token; escapes are checked here, then decoded by the native JSON.parse (much faster). */
  const str = (): string => {
    const start = i++; // opening quote
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          if (!HEX4.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
        } else if (SIMPLE_ESCAPE.has(e)) {
          i += 2;
        } else {
          fail(`bad escape \\${text[i + 1] ?? ''}`);
        }
        escaped = true;
        continue;
      }
      if (Number.isNaN(c)) fail('unterminated string', start);
      if (c < 0x20) fail(`unescaped control character U+${c.toString(16).padStart(4, '0')} in a string`);
      i++;
    }
    i++;
    const out = escaped ? JSON.parse(text.slice(start, i)) as string : text.slice(start + 1, i - 1);
    // No UTF-8 form, so a name holding one would not survive a re-save.
    if (LONE_SURROGATE.test(out)) fail('string holds an unpaired surrogate', start);
    return out;
  };

  /** Advances past a run of digits; returns how many there were. */
  const digits = (): number => {
    const from = i;
    for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i));
    return i - from;
  };

  /** -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?, scanned by hand: a sticky regex was the parser's hot spot. */
  const num = (): JsonNum => {
    const start = i;
    if (text.charCodeAt(i) === 0x2d) i++; // -
    if (text.charCodeAt(i) === 0x30) i++; // a leading 0 stands alone
    else if (digits() === 0) fail(`expected a value, got ${show(start)}`, start);
    if (text.charCodeAt(i) === 0x2e) { i++; if (digits() === 0) fail('expected digits after \'.\''); }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      const s = text.charCodeAt(++i);
      if (s === 0x2b || s === 0x2d) i++;
      if (digits() === 0) fail('expected digits in the exponent');
    }
    return new JsonNum(text.slice(start, i));
  };

  const value = (depth: number): Json => {
    if (depth > MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new Map<string, Json>();
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a string key, got ${show(i)}`);
        const keyAt = i;
        const key = str();
        if (obj.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
        ws();
        if (text[i] !== ':') fail(`expected ':', got ${show(i)}`);
        i++;
        obj.set(key, value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail(`expected ',' or '}', got ${show(i)}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: Json[] = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail(`expected ',' or ']', got ${show(i)}`);
      }
    }
    if (c === '"') return str();
    if (c === 't' && text.startsWith('true', i)) { i += 4; return true; }
    if (c === 'f' && text.startsWith('false', i)) { i += 5; return false; }
    if (c === 'n' && text.startsWith('null', i)) { i += 4; return null; }
    return num();
  };

  const v = value(0);
  ws();
  if (i < text.length) fail(`unexpected ${show(i)} after the JSON value`);
  return v;
}

/** True when `s` holds a UTF-16 surrogate without its pair (such a string has no UTF-8 form). */
export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

/** A short phrase for error messages: "a string", "an object", "-1". */
export function describeJson(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v.length <= 40 ? JSON.stringify(v) : 'a string';
  if (v instanceof JsonNum) return v.raw.length <= 24 ? v.raw : 'a long number';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return 'an object';
}
