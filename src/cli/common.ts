import { existsSync, readFileSync, statSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { decodeText } from '../data/table.js';
import { DataError } from '../errors.js';
import type { Device } from '../kernels/device.js';
import type { RunOptions } from '../train/loop.js';
import { checkpointPath } from '../io/fs.js';
import { fileStore } from '../train/checkpoint.js';
import { makeProgress } from '../train/progress.js';

/** Shared option parsers and the conventions of every command. */
export const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${v}'`);
  return n;
};
export const posInt = (v: string): number => {
  const n = int(v);
  if (n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${v}'`);
  return n;
};
export const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${v}'`);
  return n;
};
export const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');
export const numList = (v: string): number[] => list(v).map(num);

export interface CommonOpts { json: boolean; seed: number; device: Device }
export interface TrainOpts extends CommonOpts { out?: string; checkpointEvery: number; resume: boolean; skipBadBatches: boolean }

/** --json, --seed, --device: on every command. */
export const common = (c: Command): Command => c
  .option('--json', 'print one JSON object on stdout (logs go to stderr)', false)
  .option('--seed <n>', 'random seed (same seed, same result)', int, 0)
  .addOption(new Option('--device <name>', 'compute backend').choices(['auto', 'cpu', 'wasm', 'native']).default('auto'));

/** --out, --checkpoint-every, --resume, --skip-bad-batches: on every training command. */
export const training = (c: Command, outRequired = true): Command => {
  const out = new Option('--out <path>', 'model file to write (safetensors); checkpoints go to PATH.ckpt');
  if (outRequired) out.makeOptionMandatory();
  return c.addOption(out)
    .option('--checkpoint-every <n>', 'write a checkpoint every N steps (atomic; also on Ctrl-C)', int, 200)
    .option('--resume', 'continue an interrupted run from PATH.ckpt (same command line)', false)
    .option('--skip-bad-batches', 'skip a step whose loss or gradients are NaN/Inf instead of stopping', false);
};

export function runOptions(o: TrainOpts): RunOptions {
  return {
    progress: makeProgress(), store: o.out ? fileStore(checkpointPath(o.out)) : null,
    checkpointEvery: o.checkpointEvery, resume: o.resume, skipBadBatches: o.skipBadBatches,
  };
}

/** A text file, or a DataError naming what is wrong with it. */
export function readTextFile(path: string): string {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new DataError(`${path}: is a directory, expected a file`);
  return decodeText(new Uint8Array(readFileSync(path)), path);
}

export function readBytes(path: string): Uint8Array {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  return new Uint8Array(readFileSync(path));
}
