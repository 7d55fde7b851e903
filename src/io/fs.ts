import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../errors.js';
import type { Module } from '../layers/module.js';
import { type ModelMeta, type ParsedModel, parseModelFile, serializeModel } from './model-file.js';

/** Errors from fsync on a directory that mean "this platform cannot", not "the disk failed". */
const DIR_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'ENOTSUP', 'EACCES']);

/**
 * Writes `bytes` to `path` so that a crash at any moment leaves either the old file or the new
 * one, never a mix: write a temp file in the same directory (rename is only atomic within one
 * file system), fsync it (so the rename cannot reach the disk before the data), rename it over
 * the target, then fsync the directory (so the rename itself is durable). On error the temp file
 * is removed and the target is untouched. Readers never see a partial file.
 *
 * The new file gets default permissions, and a symlink at `path` is replaced, not followed.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx');
    try {
      for (let off = 0; off < bytes.length;) {
        const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
        off += bytesWritten;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined); // keep the original error, not a cleanup one
    throw e;
  }
  const dh = await open(dir, 'r').catch((e: NodeJS.ErrnoException) => {
    if (DIR_SYNC_UNSUPPORTED.has(e.code ?? '')) return null;
    throw e;
  });
  if (dh === null) return;
  try {
    await dh.sync();
  } catch (e) {
    if (!DIR_SYNC_UNSUPPORTED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await dh.close();
  }
}

/** Where a training run that writes the model file `out` keeps its checkpoint. */
export const checkpointPath = (out: string): string => `${out}.ckpt`;

/**
 * Saves `module`'s weights and `meta` as a recur model file (atomically), then removes the
 * training checkpoint of that path: the run's result is safe only now, so until this moment a
 * killed run can still `--resume` (the loop leaves a final checkpoint when it finishes).
 */
export async function saveModel(path: string, module: Module, meta: ModelMeta): Promise<void> {
  await writeFileAtomic(path, serializeModel(module, meta));
  await rm(checkpointPath(path), { force: true });
}

/**
 * Reads and parses a recur model file. A missing or unreadable file, and any problem inside it,
 * is a DataError whose message starts with the path.
 */
export async function loadModelFile(path: string, expectKind?: string): Promise<ParsedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? `${path}: no such model file`
      : `${path}: cannot read the model file (${code ?? (e as Error).message})`, { cause: e });
  }
  try {
    return parseModelFile(bytes, expectKind);
  } catch (e) {
    if (e instanceof DataError) throw new DataError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
}
