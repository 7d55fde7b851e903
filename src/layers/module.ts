// every model uses the chainable tensor methods (x.add(y).tanh(), loss.backward())
import '../autograd/methods.js';
import { DataError, ShapeError, assert, fmtShape } from '../errors.js';
import { sameShape } from '../tensor/shape.js';
import type { Data } from '../tensor/tensor.js';
import { Tensor } from '../tensor/tensor.js';

/** What loadStateDict accepts: tensors, or anything with a shape and values (a parsed file). */
export interface TensorLike { shape: readonly number[]; data: ArrayLike<number> }

/**
 * Base of every layer and model, like `torch.nn.Module`: named parameters, buffers and
 * submodules, train/eval mode, and a state dict keyed by dotted names ("rnn.weight_ih_l0").
 *
 * Register in the constructor and keep the returned tensor on a property of the same name:
 * @example
 * class Cell extends Module {
 *   W: Tensor; h: Tensor;
 *   constructor() { super(); this.W = this.param('W', randn([4, 4])); this.h = this.buffer('h', zeros([4, 1])); }
 * }
 * Values are read from the properties, so `this.h = newState` updates the state dict too.
 */
export class Module {
  training = true;
  private readonly _paramNames: string[] = [];
  private readonly _bufferNames: string[] = [];
  private readonly _moduleNames: string[] = [];

  private slot(name: string): unknown { return (this as unknown as Record<string, unknown>)[name]; }
  private setSlot(name: string, v: unknown): void { (this as unknown as Record<string, unknown>)[name] = v; }
  private claim(name: string): void {
    assert(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name), () => `Module: expected an identifier for a name, got '${name}'`);
    assert(![...this._paramNames, ...this._bufferNames, ...this._moduleNames].includes(name),
      () => `Module: '${name}' is already registered on ${this.constructor.name}`);
  }

  /** Registers a trainable tensor (a leaf; requiresGrad is switched on). */
  protected param(name: string, t: Tensor): Tensor {
    this.claim(name);
    assert(t.isLeaf, () => `param '${name}': expected a leaf tensor; build it under noGrad or call detach()`);
    t.requiresGrad = true;
    t.name = name;
    this._paramNames.push(name);
    this.setSlot(name, t);
    return t;
  }

  /** Registers state that is saved with the model but not trained (like `register_buffer`). */
  protected buffer(name: string, t: Tensor): Tensor {
    this.claim(name);
    this._bufferNames.push(name);
    this.setSlot(name, t);
    return t;
  }

  /** Registers a child module; its names are prefixed with `name.`. */
  protected module<M extends Module>(name: string, m: M): M {
    this.claim(name);
    this._moduleNames.push(name);
    this.setSlot(name, m);
    return m;
  }

  /** Every parameter once (a tensor shared by two submodules, e.g. tied weights, under its first name), as torch. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const seen = new Set<Tensor>();
    return this.allNamedParameters(prefix).filter(([, t]) => !seen.has(t) && seen.add(t) !== undefined);
  }

  /** Every parameter under every name it has (what a state dict lists). */
  private allNamedParameters(prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = this._paramNames.map((n) => [prefix + n, this.slot(n) as Tensor]);
    for (const m of this._moduleNames) out.push(...(this.slot(m) as Module).allNamedParameters(`${prefix}${m}.`));
    return out;
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = this._bufferNames.map((n) => [prefix + n, this.slot(n) as Tensor]);
    for (const m of this._moduleNames) out.push(...(this.slot(m) as Module).namedBuffers(`${prefix}${m}.`));
    return out;
  }

  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const m of this._moduleNames) out.push(...(this.slot(m) as Module).namedModules(`${prefix}${m}.`));
    return out;
  }

  parameters(): Tensor[] { return this.namedParameters().map(([, t]) => t); }

  numParameters(): number { return this.parameters().reduce((a, t) => a + t.size, 0); }

  /** Parameters then buffers, by dotted name. The tensors are the live ones, not copies. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.allNamedParameters(''), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's parameters and buffers, in place (optimizers and flat
   * buffers keep working). strict: every name must match both ways, and every shape.
   */
  loadStateDict(state: Record<string, TensorLike>, strict = true): this {
    const own = this.stateDict();
    if (strict) {
      const missing = Object.keys(own).filter((k) => !Object.hasOwn(state, k));
      const extra = Object.keys(state).filter((k) => !Object.hasOwn(own, k));
      if (missing.length > 0 || extra.length > 0) {
        throw new DataError(`loadStateDict: names differ from ${this.constructor.name}'s`
          + (missing.length ? `; missing: ${missing.join(', ')}` : '') + (extra.length ? `; unexpected: ${extra.join(', ')}` : ''));
      }
    }
    // every entry is checked before any is copied: a refused load leaves the module as it was
    const pairs = Object.entries(own).filter(([k]) => Object.hasOwn(state, k)).map(([k, t]) => [k, t, state[k]] as const);
    for (const [k, t, src] of pairs) {
      if (!sameShape(src.shape, t.shape)) {
        throw new ShapeError(`loadStateDict: '${k}' expected shape ${fmtShape(t.shape)}, got ${fmtShape(src.shape)}`);
      }
      if (src.data.length !== t.size) {
        throw new DataError(`loadStateDict: '${k}' has shape ${fmtShape(src.shape)} (${t.size} values), got ${src.data.length} values`);
      }
      for (let i = 0; i < src.data.length; i++) {
        if (!Number.isFinite(src.data[i])) throw new DataError(`loadStateDict: '${k}' holds ${src.data[i]} at flat index ${i}`);
      }
    }
    for (const [, t, src] of pairs) (t.data as Data).set(src.data);
    return this;
  }

  /** Training mode (dropout active). Returns this. */
  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }
  eval(): this { return this.train(false); }

  zeroGrad(): void { for (const p of this.parameters()) p.grad?.fill(0); }
}
