import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataError } from '../errors.js';
import { Module } from '../layers/module.js';
import { tensor } from '../tensor/init.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadModelFile, saveModel, writeFileAtomic } from './fs.js';

// fs.ts imports these from node:fs/promises; wrapping them lets a test inject a failure at one
// exact step (a write, an fsync, the rename) and watch the order of the steps.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, open: vi.fn(real.open), rename: vi.fn(real.rename) };
});
const real = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');

const ENOSPC = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A file handle that behaves like `fh` except for the methods in `over`. */
function wrapHandle(fh: FileHandle, over: Partial<Record<'write' | 'sync' | 'close', (...a: never[]) => Promise<unknown>>>): FileHandle {
  return new Proxy(fh, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in over) return over[prop as keyof typeof over];
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** The next `open` (the temp file) returns a handle wrapped with `over`. */
function nextTempHandle(make: (fh: FileHandle) => Parameters<typeof wrapHandle>[1]): void {
  vi.mocked(fsp.open).mockImplementationOnce(async (...args: Parameters<typeof fsp.open>) => {
    const fh = await real.open(...args);
    return wrapHandle(fh, make(fh));
  });
}

let dir = '';
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'recur-atomic-')); });
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.mocked(fsp.open).mockReset().mockImplementation(real.open);
  vi.mocked(fsp.rename).mockReset().mockImplementation(real.rename);
});

const bytes = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

describe('writeFileAtomic', () => {
  it('creates and replaces files, leaving no temp file behind', async () => {
    const path = join(dir, 'model.safetensors');
    await writeFileAtomic(path, bytes(100, 1));
    expect(readFileSync(path)).toEqual(Buffer.from(bytes(100, 1)));
    await writeFileAtomic(path, bytes(10, 2));
    expect(readFileSync(path)).toEqual(Buffer.from(bytes(10, 2)));
    await writeFileAtomic(path, new Uint8Array(0));
    expect(readFileSync(path).length).toBe(0);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('writes the data, fsyncs it, renames, then fsyncs the directory, in that order', async () => {
    const path = join(dir, 'm.bin');
    const steps: string[] = [];
    // Short writes of at most 7 bytes: the loop must keep writing until everything is out.
    nextTempHandle((fh) => ({
      write: async (b: Uint8Array, off: number, len: number) => { steps.push('write'); return fh.write(b, off, Math.min(len, 7)); },
      sync: async () => { steps.push('sync'); return fh.sync(); },
      close: async () => { steps.push('close'); return fh.close(); },
    }));
    vi.mocked(fsp.rename).mockImplementationOnce(async (a, b) => { steps.push('rename'); return real.rename(a, b); });
    vi.mocked(fsp.open).mockImplementationOnce(async (...args: Parameters<typeof fsp.open>) => {
      expect(args[0]).toBe(dir);
      steps.push('open dir');
      const fh = await real.open(...args);
      return wrapHandle(fh, { sync: async () => { steps.push('sync dir'); return fh.sync(); } });
    });
    const data = Uint8Array.from({ length: 30 }, (_, i) => i);
    await writeFileAtomic(path, data);
    expect(readFileSync(path)).toEqual(Buffer.from(data));
    expect(steps).toEqual(['write', 'write', 'write', 'write', 'write', 'sync', 'close', 'rename', 'open dir', 'sync dir']);
  });

  it('keeps the old file and removes the temp file when a write fails halfway', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, bytes(64, 7));
    nextTempHandle((fh) => ({
      write: async (b: Uint8Array, off: number, len: number) => { await fh.write(b, off, len >> 1); throw ENOSPC(); },
    }));
    await expect(writeFileAtomic(path, bytes(1000, 9))).rejects.toThrow('ENOSPC');
    expect(readFileSync(path)).toEqual(Buffer.from(bytes(64, 7)));
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('keeps the old file when fsync or the rename fails', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, bytes(64, 7));
    nextTempHandle(() => ({ sync: async () => { throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }); } }));
    await expect(writeFileAtomic(path, bytes(1000, 9))).rejects.toThrow('EIO');
    expect(readFileSync(path)).toEqual(Buffer.from(bytes(64, 7)));
    expect(readdirSync(dir)).toEqual(['model.safetensors']);

    // A real failing rename: the target is a non-empty directory.
    const blocker = join(dir, 'taken');
    mkdirSync(blocker);
    writeFileSync(join(blocker, 'x'), 'x');
    await expect(writeFileAtomic(blocker, bytes(10, 1))).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'taken']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'nope', 'm.bin'), bytes(4, 1))).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

class Tiny extends Module {
  weight: Tensor; // (2, 2)
  constructor(v: number) {
    super();
    this.weight = this.param('weight', tensor([[v, 2], [3, 4]]));
  }
}

describe('saveModel and loadModelFile', () => {
  it('round-trip a model through a file', async () => {
    const path = join(dir, 'tiny.safetensors');
    await saveModel(path, new Tiny(1.5), { kind: 'seed-cell', arch: { n: 2 } });
    const parsed = await loadModelFile(path, 'seed-cell');
    expect(parsed.meta).toEqual({ kind: 'seed-cell', arch: { n: 2 } });
    expect(Array.from(new Tiny(0).loadStateDict(parsed.state).weight.data)).toEqual([1.5, 2, 3, 4]);
    expect(readdirSync(dir)).toEqual(['tiny.safetensors']);
  });

  it('names the path in every error', async () => {
    const missing = join(dir, 'missing.safetensors');
    await expect(loadModelFile(missing)).rejects.toThrow(new DataError(`${missing}: no such model file`));
    await expect(loadModelFile(dir)).rejects.toThrow(new DataError(`${dir}: cannot read the model file (EISDIR)`));
    const path = join(dir, 'tiny.safetensors');
    await saveModel(path, new Tiny(1), { kind: 'seed-cell', arch: {} });
    await expect(loadModelFile(path, 'char-lm')).rejects.toThrow(new DataError(`${path}: model file: expected a 'char-lm' model, got a 'seed-cell' model`));
    writeFileSync(path, 'not a model');
    await expect(loadModelFile(path)).rejects.toThrow(DataError);
    await expect(loadModelFile(path)).rejects.toThrow(/^.*tiny\.safetensors: safetensors: header length \d+ \(bytes 0\.\.8\) runs past the end/);
  });
});
