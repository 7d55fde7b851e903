import { DataError } from '../errors.js';
import { MODEL_FORMAT, MODEL_VERSION, type ModelMeta, type ParsedModel, parseModelFile, serializeModel } from '../io/model-file.js';
import { type SafeTensor, decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { classifierFromFile } from '../tasks/classify/load.js';
import { forecasterFromFile } from '../tasks/forecast/load.js';
import { generatorFromFile } from '../tasks/generate/load.js';
import { charLMFromFile } from '../tasks/text/load.js';
import { type Net, buildModule, netOf } from './kinds.js';
import { checkState } from './state.js';
import { torchModule } from './torch-python.js';
import { torchTrainScript } from './torch-train.js';

/**
 * recur ⇄ PyTorch. recur's tensor names, shapes and gate orders already are PyTorch's, so the
 * weights move as they are; what these functions add is the PyTorch module definition going out
 * and, coming back, the checks that a state dict fits the architecture recur will rebuild.
 */
export interface TorchExport {
  /** The state dict as safetensors, recur's metadata kept under `__metadata__.recur`. */
  safetensors: Uint8Array;
  /** model.py: the module definition, a safetensors loader and usage. */
  python: string;
  /**
   * train.py: continues training on a text (char-lm) or a CSV series (forecaster) under torchrun
   * with DistributedDataParallel; null for the kinds that have no data file of their own to read.
   */
  train: string | null;
}

/** The safetensors `__metadata__` of a recur model file. */
const recurMetadata = (meta: ModelMeta): Record<string, string> =>
  ({ format: 'pt', recur: JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, ...meta }) });

function describe(net: Net): string {
  const r = net.rnn;
  return `recur ${net.kind} model: ${r.cell.toUpperCase()}, ${r.layers} layer${r.layers > 1 ? 's' : ''} of ${r.hidden}`
    + `${r.bidirectional ? ' per direction, bidirectional' : ''}, ${net.head.inFeatures} → ${net.head.outFeatures} head.`;
}

/**
 * A recur model as a PyTorch state dict plus its module definition (and, for a character model or
 * a forecaster, a script that trains it further on several processes).
 * @example const { safetensors, python } = exportTorch(parseModelFile(bytes));
 */
export function exportTorch(parsed: ParsedModel): TorchExport {
  const net = netOf(parsed.meta);
  checkState(buildModule(parsed.meta, parsed.state), parsed.state, 'model file', net.kind);
  return {
    safetensors: encodeSafetensors(parsed.state, recurMetadata(parsed.meta)),
    python: torchModule(net, describe(net)),
    train: torchTrainScript(net),
  };
}

export interface ImportOptions {
  /** A recur model of the same architecture: its metadata (kind, arch, vocabulary, scalers) is used. */
  template?: ParsedModel;
  /** Names the input in messages (a path). */
  source?: string;
}

/** The file's tensors and, when it carries one, its recur metadata; DataErrors say what the file is not. */
function readStateDict(bytes: Uint8Array, what: string): { tensors: Record<string, SafeTensor>; meta: ModelMeta | null } {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    throw new DataError(`${what}: a zip archive (torch.save's format), not safetensors; `
      + 'save the state dict as safetensors, e.g. with model.py\'s model.save(path)');
  }
  let decoded;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (e) {
    throw new DataError(`${what}: not a safetensors state dict (${(e as Error).message})`, { cause: e });
  }
  if (Object.keys(decoded.tensors).length === 0) throw new DataError(`${what}: holds no tensors, so it is not a state dict`);
  if (decoded.metadata.recur === undefined) return { tensors: decoded.tensors, meta: null };
  try {
    return { tensors: decoded.tensors, meta: parseModelFile(bytes).meta };
  } catch (e) {
    throw new DataError(`${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** Checks that recur's own loader for the kind accepts the file (vocabulary sizes, scalers, …). */
function loadCheck(parsed: ParsedModel): void {
  switch (parsed.meta.kind) {
    case 'char-lm': charLMFromFile(parsed); break;
    case 'forecaster': forecasterFromFile(parsed); break;
    case 'classifier': classifierFromFile(parsed); break;
    case 'conditional-generator': generatorFromFile(parsed); break;
    default: break; // the denoiser has no loader of its own: its module and metadata were checked already
  }
}

/**
 * A PyTorch state dict saved as safetensors → a recur model file. The architecture, vocabulary
 * and scalers come from the template, else from the file's own recur metadata (model.py's save
 * keeps it); names and shapes must match that architecture exactly.
 * @example const recurBytes = importTorch(readFileSync('trained.safetensors'), { template });
 */
export function importTorch(bytes: Uint8Array, opts: ImportOptions = {}): Uint8Array {
  const what = opts.source ?? 'state dict';
  const { tensors, meta: own } = readStateDict(bytes, what);
  const meta = opts.template?.meta ?? own;
  if (meta === null) {
    throw new DataError(`${what}: carries no recur metadata, so its kind and architecture are unknown; `
      + 'pass --template MODEL, a recur model of the same architecture');
  }
  const net = netOf(meta), module = buildModule(meta, tensors);
  checkState(module, tensors, what, net.kind);
  try {
    module.loadStateDict(tensors);
  } catch (e) {
    throw new DataError(`${what}: ${(e as Error).message}`, { cause: e });
  }
  const out = serializeModel(module, meta);
  loadCheck(parseModelFile(out, meta.kind));
  return out;
}
