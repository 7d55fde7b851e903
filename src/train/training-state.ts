import { DataError } from '../errors.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import type { ParamBuffer } from '../optim/params.js';
import type { Rng, RngState } from '../tensor/rng.js';
import type { Data } from '../tensor/tensor.js';
import { type Checkpoint, restoreInto } from './checkpoint-types.js';

/**
 * The one checkpoint routine every task uses: what a run must save to continue bit for bit —
 * the parameters and the optimizer's buffers (tensors), its hyperparameters and step count and
 * the RNG state (JSON), and the task's other live arrays (best weights, data order) — and how
 * to put it back. Tensors are named `${prefix}params`, `${prefix}opt.${buffer}` and
 * `${prefix}${array}`, so several learners (forecast candidates, classifier and baseline) share
 * one checkpoint; the task keeps the returned JSON wherever it keeps its own counters.
 */
export interface TrainingState {
  /** Any optimizer: its flat parameters and its state dict. */
  opt: { readonly params: ParamBuffer; stateDict(): OptimizerStateDict; loadStateDict(sd: OptimizerStateDict): void };
  rng?: Rng;
  /** Live arrays saved by name and restored in place (same length). */
  arrays?: Record<string, Data | Int32Array>;
}

/** The JSON half of a training snapshot: the optimizer without its buffers, and the RNG. */
export interface TrainingJson { opt: Omit<OptimizerStateDict, 'state'>; rng?: RngState }

/** Copies the state into `c.tensors` (copies: later steps leave the checkpoint as it was); returns the JSON half. */
export function snapshotTraining(c: Checkpoint, prefix: string, s: TrainingState): TrainingJson {
  c.tensors[`${prefix}params`] = s.opt.params.data.slice();
  for (const [k, v] of Object.entries(s.arrays ?? {})) c.tensors[prefix + k] = v.slice();
  const { state, ...opt } = s.opt.stateDict();
  for (const [k, v] of Object.entries(state)) c.tensors[`${prefix}opt.${k}`] = v;
  return s.rng ? { opt, rng: s.rng.state() } : { opt };
}

/** Puts back what snapshotTraining saved; `json` is the JSON half it returned. */
export function restoreTraining(c: Checkpoint, prefix: string, s: TrainingState, json: TrainingJson | undefined): void {
  const of = prefix ? ` of '${prefix.slice(0, -1)}'` : '';
  if (!json?.opt) throw new DataError(`checkpoint: missing the optimizer state${of}`);
  restoreInto(c, `${prefix}params`, s.opt.params.data);
  for (const [k, v] of Object.entries(s.arrays ?? {})) restoreInto(c, prefix + k, v);
  const head = `${prefix}opt.`;
  const state = Object.fromEntries(Object.entries(c.tensors).filter(([k]) => k.startsWith(head))
    .map(([k, v]) => [k.slice(head.length), v as Data]));
  s.opt.loadStateDict({ ...json.opt, state });
  if (s.rng) {
    if (!json.rng) throw new DataError(`checkpoint: missing the random state${of}`);
    s.rng.setState(json.rng);
  }
}
