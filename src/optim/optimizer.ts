import { DataError, assert } from '../errors.js';
import { type Data, type Tensor, allocData, dtypeOf } from '../tensor/tensor.js';
import { ParamBuffer } from './params.js';

/** A hyperparameter value: what fits in JSON and in torch's `param_groups`. */
export type HyperValue = number | boolean | readonly number[];
/** Every optimizer's hyperparameters include the learning rate, which schedules change. */
export type Hyper = { lr: number } & { readonly [k: string]: HyperValue };

/**
 * Everything needed to resume an optimizer exactly: JSON-able hyperparameters and step count,
 * plus flat state buffers (e.g. Adam's `expAvg`, `expAvgSq`), one value per parameter element,
 * in the parameters' dtype. A checkpoint stores the buffers as tensors and the rest as JSON.
 */
export interface OptimizerStateDict {
  optimizer: string;
  hyper: Record<string, HyperValue>;
  step: number;
  state: Record<string, Data>;
}

/**
 * How one optimizer class is described to the base: its name (for errors and state dicts), its
 * defaults (torch's; a missing key means the option is required, like SGD's lr), a validator
 * that throws `Name: expected ..., got ...`, and the flat state buffers it keeps with their
 * initial value (which can depend on the hyperparameters: momentum 0 needs no buffer).
 */
export interface OptimizerSpec<H extends Hyper> {
  name: string;
  defaults: Omit<H, 'lr'> & { lr?: number };
  check(h: H): void;
  buffers(h: H): Record<string, number>;
}

/** Equal-length flat views an update loops over: values, gradients and the optimizer's state buffers. */
export interface FlatView { data: Data; grad: Data; state: Record<string, Data> }

/**
 * Base of every optimizer, like `torch.optim.Optimizer` with a single parameter group.
 *
 * The parameters are flattened into one {@link ParamBuffer}, so an update is one loop over
 * `data`, `grad` and the state buffers, which have the same length. As in torch, a parameter
 * whose `.grad` is null (never reached, or `zeroGrad(true)`) is skipped: the update runs over the
 * runs of the others. The step count is the optimizer's, not each parameter's.
 */
export abstract class Optimizer<H extends Hyper> {
  readonly params: ParamBuffer;
  /** Number of completed `step()` calls: torch's `state['step']` (Adam's bias correction, Adagrad's lr decay). */
  stepCount = 0;
  protected hyper: H;
  protected state: Record<string, Data>;
  private readonly spec: OptimizerSpec<H>;

  protected constructor(spec: OptimizerSpec<H>, params: readonly Tensor[] | ParamBuffer, options: object) {
    this.spec = spec;
    this.params = params instanceof ParamBuffer ? params : ParamBuffer.of(params);
    this.hyper = resolveOptions(spec, options);
    this.state = this.allocState(this.hyper);
  }

  get lr(): number { return this.hyper.lr; }
  set lr(lr: number) {
    checkNonNegative(this.spec.name, 'lr', lr);
    (this.hyper as { lr: number }).lr = lr;
  }

  /** A copy of the current hyperparameters. */
  get options(): Readonly<H> { return cloneHyper(this.hyper); }

  /** One update from the gradients currently in the parameters' `.grad`. */
  step(): void {
    const hasGrad = this.params.sync();
    this.stepCount++;
    const { data, grad } = this.params, n = data.length;
    for (const [lo, hi] of this.params.runs(hasGrad)) {
      const cut = (a: Data): Data => (lo === 0 && hi === n ? a : a.subarray(lo, hi));
      this.update(this.stepCount, { data: cut(data), grad: cut(grad), state: Object.fromEntries(Object.entries(this.state).map(([k, v]) => [k, cut(v)])) });
    }
  }

  /** Zeroes the gradients, or with `setToNone` sets every `.grad` to null (torch's zero_grad(set_to_none=True)). */
  zeroGrad(setToNone = false): void {
    this.params.sync();
    this.params.zeroGrad();
    if (setToNone) for (const p of this.params.params) p.grad = null;
  }

  /** The update rule: one loop over equal-length flat views; `t` is the 1-based step number. */
  protected abstract update(t: number, v: FlatView): void;

  /** A deep copy: later steps do not change a saved state dict. */
  stateDict(): OptimizerStateDict {
    return {
      optimizer: this.spec.name,
      hyper: cloneHyper(this.hyper),
      step: this.stepCount,
      state: Object.fromEntries(Object.entries(this.state).map(([k, v]) => [k, v.slice()])),
    };
  }

  /**
   * Restores hyperparameters, step count and state buffers (copied, converted to the parameters'
   * dtype), like `optimizer.load_state_dict`. The parameter values themselves belong to the model.
   */
  loadStateDict(sd: { optimizer: string; hyper: object; step: number; state: Record<string, ArrayLike<number>> }): void {
    const name = this.spec.name;
    assert(sd.optimizer === name, () => `${name}.loadStateDict: expected a state dict from ${name}, got one from ${sd.optimizer}`, DataError);
    assert(Number.isInteger(sd.step) && sd.step >= 0,
      () => `${name}.loadStateDict: expected a step count that is an integer >= 0, got ${sd.step}`, DataError);
    const hyper = resolveOptions(this.spec, sd.hyper);
    const state = this.allocState(hyper);
    const want = Object.keys(state), got = Object.keys(sd.state);
    assert(want.length === got.length && want.every((k) => k in sd.state),
      () => `${name}.loadStateDict: expected state buffers [${want.join(', ')}], got [${got.join(', ')}]`, DataError);
    for (const k of want) {
      const src = sd.state[k];
      assert(src.length === this.params.size,
        () => `${name}.loadStateDict: expected ${this.params.size} values in '${k}', got ${src.length}`, DataError);
      state[k].set(src);
    }
    this.hyper = hyper;
    this.state = state;
    this.stepCount = sd.step;
  }

  private allocState(h: H): Record<string, Data> {
    const dtype = dtypeOf(this.params.data), n = this.params.size;
    return Object.fromEntries(Object.entries(this.spec.buffers(h)).map(([k, init]) => {
      const buf = allocData(dtype, n);
      if (init !== 0) buf.fill(init);
      return [k, buf];
    }));
  }
}

/** Defaults merged with `options`; unknown names (say `weight_decay` for `weightDecay`) and bad values throw. */
function resolveOptions<H extends Hyper>(spec: OptimizerSpec<H>, options: object): H {
  const { name, defaults } = spec;
  const known = [...new Set(['lr', ...Object.keys(defaults)])];
  for (const k of Object.keys(options)) {
    assert(known.includes(k), () => `${name}: unknown option '${k}', expected one of ${known.join(', ')}`, DataError);
  }
  // An option given as undefined means "the default", as optional properties do in TypeScript.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const h = cloneHyper({ ...defaults, ...given } as unknown as H);
  assert(h.lr !== undefined, () => `${name}: expected option lr (it has no default, as in torch), got none`, DataError);
  for (const k of Object.keys(defaults) as (keyof typeof defaults & string)[]) {
    const want = typeof defaults[k], got = typeof h[k];
    assert(want === got || (Array.isArray(defaults[k]) && Array.isArray(h[k])),
      () => `${name}: expected ${k} to be ${Array.isArray(defaults[k]) ? 'an array' : `a ${want}`}, got ${JSON.stringify(h[k])}`, DataError);
  }
  checkNonNegative(name, 'lr', h.lr);
  spec.check(h);
  return h;
}

function cloneHyper<H extends object>(h: H): H {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) as H;
}

/** `Name: expected key >= 0, got v`, for a finite number. */
export function checkNonNegative(name: string, key: string, v: number): void {
  assert(typeof v === 'number' && Number.isFinite(v) && v >= 0, () => `${name}: expected ${key} >= 0, got ${v}`, DataError);
}

/** `Name: expected 0 <= key < 1, got v`: momentum-style decay rates such as Adam's betas. */
export function checkDecay(name: string, key: string, v: number): void {
  assert(typeof v === 'number' && v >= 0 && v < 1, () => `${name}: expected 0 <= ${key} < 1, got ${v}`, DataError);
}
