import { DataError, ShapeError } from '../errors.js';
import { charLM, classifier, denoiser, forecaster, generator } from '../interop/test-utils/cases.js';
import { exportOnnx } from '../interop/onnx/export.js';
import { exportTorch } from '../interop/torch.js';
import { MODEL_FORMAT, MODEL_VERSION, type ParsedModel, parseModelFile } from '../io/model-file.js';
import { encodeSafetensors } from '../io/safetensors.js';
import { classifierFromFile } from '../tasks/classify/load.js';
import { forecasterFromFile } from '../tasks/forecast/load.js';
import { generatorFromFile } from '../tasks/generate/load.js';
import { charLMFromFile } from '../tasks/text/load.js';
import { Rng } from '../tensor/rng.js';

/**
 * Structure-aware fuzzing of model files whose *metadata* lies: sizes of 0, −1, 1.5, 10⁹ or 2⁵³,
 * wrong types, missing keys, with the weights left as they were. The byte-level mutations of
 * fuzz.ts rarely reach these, since the header must stay well formed. Used by
 * src/tasks/loaders.fuzz.test.ts and `npm run fuzz`.
 */
export const NASTY: unknown[] = [0, -1, 1.5, 2, 1e9, 2 ** 31, 2 ** 53, -1e9, null, '', 'lstm', 'x', true, [], {}, [1e9], { a: 1 }];

/** A deep copy of `v` with one randomly chosen leaf or key replaced by a nasty value, or deleted. */
export function mutateMeta(v: unknown, rng: Rng): unknown {
  const paths: (string | number)[][] = [];
  const walk = (x: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...path, i]));
    else if (x !== null && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, [...path, k]);
  };
  walk(v, []);
  const copy = structuredClone(v) as Record<string | number, unknown>;
  const path = paths[1 + rng.int(paths.length - 1)];
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path[path.length - 1];
  if (rng.uniform() < 0.15 && !Array.isArray(parent)) delete parent[key];
  else parent[key] = NASTY[rng.int(NASTY.length)];
  return copy;
}

/** The file's bytes with its recur metadata replaced (the weights stay as they were). */
export const withMeta = (parsed: ParsedModel, meta: unknown): Uint8Array =>
  encodeSafetensors(parsed.state, { format: 'pt', recur: JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, ...(meta as object) }) });

export const LOADERS: Record<string, (p: ParsedModel) => unknown> = {
  'char-lm': (p) => charLMFromFile(p),
  forecaster: (p) => forecasterFromFile(p),
  classifier: (p) => classifierFromFile(p, 'cpu'),
  'conditional-generator': (p) => generatorFromFile(p, 'cpu'),
  denoiser: () => null, // no loader of its own: export (below) builds it
};

export const MODEL_CASES = [charLM('lstm', 2, 3), charLM('gru', 1), forecaster('gru', 2), denoiser('lstm', 1), classifier('lstm', 2, true), generator('rnn', 1)];

/**
 * Loads, then exports to PyTorch and ONNX, a model file of `meta` (over `base`'s weights). Throws
 * only what a user would see: a DataError or ShapeError.
 */
export function loadEverywhere(base: ParsedModel, meta: unknown): void {
  const parsed = parseModelFile(withMeta(base, meta));
  LOADERS[parsed.meta.kind]?.(parsed);
  exportTorch(parsed);
  exportOnnx(parsed);
}

/** Runs `cases` metadata mutations of `base`; the first error that is not a DataError/ShapeError throws, naming the case. */
export function fuzzMeta(base: ParsedModel, cases: number, seed: number): { loaded: number; refused: number; slowestMs: number } {
  const rng = new Rng(seed);
  let loaded = 0, refused = 0, slowestMs = 0;
  for (let k = 0; k < cases; k++) {
    let meta: unknown = base.meta;
    for (let m = 0, n = 1 + rng.int(2); m < n; m++) meta = mutateMeta(meta, rng);
    const t0 = performance.now();
    try {
      loadEverywhere(base, meta);
      loaded++;
    } catch (e) {
      if (!(e instanceof DataError || e instanceof ShapeError)) {
        throw new Error(`metadata fuzz case ${k} (seed ${seed}): ${(e as Error).name}: ${(e as Error).message} — metadata ${JSON.stringify(meta)}`);
      }
      refused++;
    }
    slowestMs = Math.max(slowestMs, performance.now() - t0);
  }
  return { loaded, refused, slowestMs };
}
