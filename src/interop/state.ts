import { DataError, fmtShape } from '../errors.js';
import type { Module } from '../layers/module.js';
import type { SafeTensor } from '../io/safetensors.js';

const names = (xs: string[]): string => xs.map((n) => `'${n}'`).join(', ');

/**
 * Checks that `tensors` are exactly the state dict `module` has: every name both ways, floating
 * point, and every shape. `what` starts each message (a file name); the message names the tensor
 * and says what was expected and what arrived.
 */
export function checkState(module: Module, tensors: Record<string, SafeTensor>, what: string, kind: string): void {
  const own = module.stateDict();
  const missing = Object.keys(own).filter((k) => !Object.hasOwn(tensors, k));
  const extra = Object.keys(tensors).filter((k) => !Object.hasOwn(own, k));
  if (missing.length > 0) {
    throw new DataError(`${what}: missing ${missing.length === 1 ? 'tensor' : 'tensors'} ${names(missing)}, `
      + `which a ${kind} model of this architecture has`);
  }
  if (extra.length > 0) {
    throw new DataError(`${what}: unexpected ${extra.length === 1 ? 'tensor' : 'tensors'} ${names(extra)}, `
      + `which a ${kind} model of this architecture does not have`);
  }
  for (const [k, t] of Object.entries(own)) {
    const got = tensors[k];
    if (got.dtype !== 'F32' && got.dtype !== 'F64') {
      throw new DataError(`${what}: tensor '${k}' is ${got.dtype}; weights must be F32 or F64`);
    }
    if (got.shape.length !== t.shape.length || got.shape.some((d, i) => d !== t.shape[i])) {
      throw new DataError(`${what}: tensor '${k}': expected shape ${fmtShape(t.shape)}, got ${fmtShape(got.shape)}`);
    }
  }
}
