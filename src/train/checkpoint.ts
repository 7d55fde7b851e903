import { existsSync, readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../io/fs.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import type { Checkpoint } from './checkpoint-types.js';
import type { CheckpointStore } from './loop.js';

/**
 * A training checkpoint: everything needed to continue a run exactly where it stopped —
 * model and optimizer buffers, data order, RNG states, counters — as one safetensors file
 * (tensors plus a JSON metadata entry), written atomically so a crash mid-write leaves the
 * previous checkpoint intact.
 */
export { type Checkpoint, restoreInto } from './checkpoint-types.js';

const KEY = 'recur_checkpoint';

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const tensors = Object.fromEntries(Object.entries(c.tensors).map(([k, d]) => [k, { shape: [d.length], data: d }]));
  return encodeSafetensors(tensors, { [KEY]: JSON.stringify(c.json), format: 'pt' });
}

export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  let parsed;
  try { parsed = decodeSafetensors(bytes); } catch (e) { throw new DataError(`${source}: not a valid checkpoint: ${(e as Error).message}`); }
  const raw = parsed.metadata[KEY];
  if (raw === undefined) throw new DataError(`${source}: a safetensors file, but not a recur checkpoint (no '${KEY}' metadata)`);
  let json: unknown;
  try { json = JSON.parse(raw); } catch { throw new DataError(`${source}: the checkpoint metadata is not valid JSON`); }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new DataError(`${source}: the checkpoint metadata is not an object`);
  return { tensors: Object.fromEntries(Object.entries(parsed.tensors).map(([k, t]) => [k, t.data])), json: json as Record<string, unknown> };
}

export const saveCheckpoint = (path: string, c: Checkpoint): Promise<void> => writeFileAtomic(path, encodeCheckpoint(c));

export function loadCheckpoint(path: string): Checkpoint | null {
  if (!existsSync(path)) return null;
  return decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
}



/** The CLI's checkpoint store: one file, written atomically. */
export function fileStore(path: string): CheckpointStore {
  return { where: path, load: () => loadCheckpoint(path), save: (c) => saveCheckpoint(path, c) };
}
