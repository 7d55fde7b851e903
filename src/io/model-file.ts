import { DataError, assert } from '../errors.js';
import type { Module } from '../layers/module.js';
import { assertFinite, withAllocationBudget } from '../tensor/tensor.js';
import { parseJsonStrict } from './json-strict.js';
import { type SafeTensor, type SafeTensorInput, decodeSafetensors, encodeSafetensors } from './safetensors.js';

/**
 * recur's model file: a safetensors file whose tensor names are the module's state-dict names
 * (PyTorch's, e.g. `rnn.weight_ih_l0`, so `safetensors.torch.load_file` reads the weights as they
 * are) and whose metadata holds
 *   "format": "pt"                 so other safetensors tools recognise a PyTorch-style state dict
 *   "recur":  JSON of { format: 'recur-model', version: 1, kind, arch, …extra task data }
 * Pure: bytes in, bytes out; `node.ts` adds the file system.
 */
export const MODEL_FORMAT = 'recur-model';
export const MODEL_VERSION = 1;

/** What a model file says about itself, besides its weights. */
export interface ModelMeta {
  /** What the model is for: 'seed-cell', 'char-lm', 'forecaster', … */
  kind: string;
  /** What rebuilds the architecture before the weights go in (sizes, layers, cell type, …). */
  arch: Record<string, unknown>;
  /** Task data saved alongside: a vocabulary, scalers, … (any JSON). */
  [extra: string]: unknown;
}

export interface ParsedModel { meta: ModelMeta; state: Record<string, SafeTensor> }

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The module's state dict (parameters and buffers) as a model file. Float64 modules save as F64.
 * Refuses NaN or infinite weights, since `loadStateDict` would refuse to load them back.
 */
export function serializeModel(module: Module, meta: ModelMeta): Uint8Array {
  assert(typeof meta.kind === 'string' && meta.kind.length > 0,
    () => `serializeModel: expected meta.kind to be a non-empty string, got ${JSON.stringify(meta.kind)}`, DataError);
  assert(isPlainObject(meta.arch), () => 'serializeModel: expected meta.arch to be an object', DataError);
  for (const k of ['format', 'version']) {
    assert(!(k in meta), () => `serializeModel: meta.${k} is written by recur itself; remove it`, DataError);
  }
  const tensors: Record<string, SafeTensorInput> = {};
  for (const [name, t] of Object.entries(module.stateDict())) {
    assertFinite(`serializeModel: '${name}'`, t.data);
    tensors[name] = { shape: t.shape, data: t.data };
  }
  return encodeSafetensors(tensors, { format: 'pt', recur: metaJson(meta) });
}

/** JSON of the metadata; numbers that JSON cannot hold (NaN, ±Infinity) would turn into null, so they are errors. */
function metaJson(meta: ModelMeta): string {
  try {
    return JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, ...meta }, (key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new DataError(`serializeModel: meta holds ${v} at key '${key}'; JSON cannot store it`);
      }
      return v;
    });
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`serializeModel: meta is not JSON-serialisable: ${(e as Error).message}`);
  }
}

/**
 * Decodes a model file: checks that it is a recur model of a version this code reads and, when
 * `expectKind` is given, of that kind; returns its metadata and its tensors by name.
 */
export function parseModelFile(bytes: Uint8Array, expectKind?: string): ParsedModel {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const raw = metadata.recur;
  if (raw === undefined) throw new DataError('model file: not a recur model (no \'recur\' key in the safetensors metadata)');
  // The strict parse only vets the text (duplicate keys, depth); JSON.parse then builds plain objects.
  parseJsonStrict(raw, 'model file: the \'recur\' metadata is not valid JSON');
  const info: unknown = JSON.parse(raw);
  if (!isPlainObject(info) || info.format !== MODEL_FORMAT) {
    throw new DataError(`model file: not a recur model (the 'recur' metadata lacks format: '${MODEL_FORMAT}')`);
  }
  const { format: _format, version, ...meta } = info;
  if (version !== MODEL_VERSION) {
    const newer = typeof version === 'number' && version > MODEL_VERSION;
    throw new DataError(`model file: expected format version ${MODEL_VERSION}, got ${JSON.stringify(version)}`
      + (newer ? ' (written by a newer recur)' : ''));
  }
  if (typeof meta.kind !== 'string' || meta.kind.length === 0) {
    throw new DataError(`model file: expected 'kind' to be a non-empty string, got ${JSON.stringify(meta.kind)}`);
  }
  if (!isPlainObject(meta.arch)) {
    throw new DataError(`model file: expected 'arch' to be an object, got ${JSON.stringify(meta.arch)}`);
  }
  if (expectKind !== undefined && meta.kind !== expectKind) {
    throw new DataError(`model file: expected a '${expectKind}' model, got a '${meta.kind}' model`);
  }
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'F32' && t.dtype !== 'F64') {
      throw new DataError(`model file: tensor '${name}' is ${t.dtype}; model weights must be F32 or F64`);
    }
  }
  return { meta: meta as ModelMeta, state: tensors };
}

/**
 * Builds a module from a parsed model's metadata (`build`) and copies the file's weights into it.
 * Strict: the names and shapes of the module's state dict must match the file's exactly, and
 * errors name the tensor.
 */
export function loadInto<M extends Module>(build: () => M, parsed: ParsedModel): M {
  const module = buildWithin(parsed.state, build);
  module.loadStateDict(parsed.state, true);
  return module;
}

/**
 * Runs `build`, which makes a module from a file's metadata, before its weights can be checked
 * against the file's: its storage may not exceed what `state` holds, in elements or in tensors
 * (with slack for buffers and temporaries a module makes itself), so metadata claiming a hidden
 * size of 10⁹ or 10⁹ layers is a DataError, not gigabytes or minutes.
 */
export function buildWithin<M>(state: Record<string, { data: ArrayLike<number> }>, build: () => M): M {
  const held = Object.values(state).reduce((n, t) => n + t.data.length, 0), tensors = Object.keys(state).length;
  return withAllocationBudget(2 * held + (1 << 20), 8 * tensors + 256,
    () => `model file: its metadata describes a model larger than the ${held} weights (${tensors} tensors) it holds`, build);
}
