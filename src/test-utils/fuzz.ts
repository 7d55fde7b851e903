import { DataError, ShapeError } from '../errors.js';
import { Rng } from '../tensor/rng.js';

/**
 * Mutation fuzzing of the loaders: take a valid input, damage it in many small ways, and require
 * that every case either loads or is rejected with recur's DataError/ShapeError — never a crash
 * (TypeError, RangeError), never a hang. Used by the bounded tests and by `npm run fuzz`.
 */
export interface FuzzReport { cases: number; loaded: number; rejected: number; slowestMs: number }

const mutations: ((b: Uint8Array, r: Rng) => Uint8Array)[] = [
  (b, r) => b.subarray(0, r.int(b.length + 1)), // truncate
  (b, r) => { const c = b.slice(); for (let k = 0; k < 1 + r.int(4); k++) c[r.int(c.length)] ^= 1 << r.int(8); return c; }, // bit flips
  (b, r) => { const c = b.slice(); c[r.int(c.length)] = r.int(256); return c; }, // random byte
  (b, r) => { const i = r.int(b.length); return concat(b.subarray(0, i), b.subarray(i + 1 + r.int(20))); }, // delete a run
  (b, r) => { const i = r.int(b.length), j = r.int(b.length); return concat(b.subarray(0, i), b.subarray(j, j + r.int(40)), b.subarray(i)); }, // duplicate a run
  (b, r) => { const i = r.int(b.length); return concat(b.subarray(0, i), bytes(r.int(2) ? '"' : ','), b.subarray(i)); }, // stray quote/comma
  (b, r) => { const i = r.int(b.length); const t = ['NaN', 'Infinity', '-inf', '', '\0', '\r\n', '\uFEFF', '𝄞', '1e999', '-', '"a""b"'][r.int(11)]; return concat(b.subarray(0, i), bytes(t), b.subarray(i)); }, // nasty tokens
  (b, r) => { const c = b.slice(); for (let k = 0; k < c.length; k++) if (r.uniform() < 0.01) c[k] = r.int(256); return c; }, // noise
];

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Runs `load` on `cases` mutations of `seed`; throws on the first unexpected error, naming the case. */
export function fuzz(seedInput: Uint8Array, load: (b: Uint8Array) => unknown, cases: number, seed = 1): FuzzReport {
  const r = new Rng(seed), rep: FuzzReport = { cases: 0, loaded: 0, rejected: 0, slowestMs: 0 };
  for (let k = 0; k < cases; k++) {
    let b = seedInput;
    for (let m = 0, n = 1 + r.int(3); m < n; m++) b = mutations[r.int(mutations.length)](b, r);
    const t0 = performance.now();
    try {
      load(b);
      rep.loaded++;
    } catch (e) {
      if (!(e instanceof DataError || e instanceof ShapeError)) {
        throw new Error(`fuzz case ${k} (seed ${seed}): ${(e as Error)?.name}: ${(e as Error)?.message} — input ${JSON.stringify(new TextDecoder().decode(b).slice(0, 200))}`);
      }
      rep.rejected++;
    }
    rep.slowestMs = Math.max(rep.slowestMs, performance.now() - t0);
    rep.cases++;
  }
  return rep;
}
