import { DataError, assert } from '../errors.js';

/** What a schedule drives: any optimizer (its `lr` setter validates the value). */
export interface LrOwner { lr: number }

/**
 * A scheduler's resumable state: its settings and counters. Non-finite numbers (ReduceLROnPlateau's
 * `best` starts at ±Infinity) are written as the strings 'Infinity', '-Infinity', 'NaN' so the
 * state dict survives JSON.stringify exactly.
 */
export type SchedulerStateDict = { scheduler: string } & Record<string, number | string>;

/**
 * Shared by the schedules: `lastEpoch` counts `step()` calls (torch's `last_epoch`, 0 after
 * construction), `lastLr` is the lr the last step set (torch's `get_last_lr()`), and state dicts
 * save the fields each class lists in `saved`.
 */
abstract class Scheduler {
  lastEpoch = 0;
  lastLr: number;
  protected abstract readonly saved: readonly string[];

  protected constructor(protected readonly name: string, protected readonly opt: LrOwner) {
    this.lastLr = opt.lr;
  }

  /** Throws `Name: expected ..., got ...` for a bad setting; run on construction and on load. */
  protected abstract check(): void;

  stateDict(): SchedulerStateDict {
    const sd: SchedulerStateDict = { scheduler: this.name };
    for (const k of ['lastEpoch', 'lastLr', ...this.saved]) {
      const v = this.field(k);
      sd[k] = typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
    }
    return sd;
  }

  /** Restores settings and counters; the optimizer's lr is restored by its own loadStateDict. */
  loadStateDict(sd: SchedulerStateDict): void {
    const name = this.name;
    assert(sd.scheduler === name, () => `${name}.loadStateDict: expected a state dict from ${name}, got one from ${sd.scheduler}`, DataError);
    const keys = ['lastEpoch', 'lastLr', ...this.saved];
    const old = keys.map((k) => this.field(k));
    keys.forEach((k, i) => {
      const v = sd[k], numeric = typeof old[i] === 'number';
      const ok = numeric ? typeof v === 'number' || ['Infinity', '-Infinity', 'NaN'].includes(v as string) : typeof v === typeof old[i];
      assert(ok, () => `${name}.loadStateDict: expected ${numeric ? 'a number' : 'a string'} for '${k}', got ${JSON.stringify(v)}`, DataError);
      this.setField(k, numeric ? Number(v) : v);
    });
    try {
      this.check();
    } catch (e) {
      keys.forEach((k, i) => this.setField(k, old[i]));
      throw e;
    }
  }

  // Fields are read and written by name so `saved` is the one list of what a checkpoint holds.
  private field(k: string): number | string { return (this as unknown as Record<string, number | string>)[k]; }
  private setField(k: string, v: number | string): void { (this as unknown as Record<string, number | string>)[k] = v; }
}

const positiveInt = (name: string, key: string, v: number): void =>
  assert(Number.isInteger(v) && v > 0, () => `${name}: expected ${key} to be an integer > 0, got ${v}`, DataError);
const nonNegative = (name: string, key: string, v: number): void =>
  assert(Number.isFinite(v) && v >= 0, () => `${name}: expected ${key} >= 0, got ${v}`, DataError);
const nonNegativeInt = (name: string, key: string, v: number): void =>
  assert(Number.isInteger(v) && v >= 0, () => `${name}: expected ${key} to be an integer >= 0, got ${v}`, DataError);

/**
 * Multiplies the lr by `gamma` every `stepSize` epochs, like `torch.optim.lr_scheduler.StepLR`
 * (its chainable form: lr ← lr·γ when lastEpoch is a multiple of stepSize, so other changes to
 * the lr carry through). Call `step()` once per epoch, after the epoch's optimizer steps.
 */
export class StepLR extends Scheduler {
  protected readonly saved = ['stepSize', 'gamma'];

  constructor(opt: LrOwner, public stepSize: number, public gamma = 0.1) {
    super('StepLR', opt);
    this.check();
  }

  protected check(): void {
    positiveInt('StepLR', 'stepSize', this.stepSize);
    nonNegative('StepLR', 'gamma', this.gamma);
  }

  step(): void {
    this.lastEpoch++;
    if (this.lastEpoch % this.stepSize === 0) this.opt.lr = this.opt.lr * this.gamma;
    this.lastLr = this.opt.lr;
  }
}

/**
 * Cosine annealing from the initial lr (ηmax) down to `etaMin` over `tMax` epochs and back up,
 * like `torch.optim.lr_scheduler.CosineAnnealingLR`, whose recursive form this follows step for
 * step (so the values match torch to the last bit, not just the closed form
 * ηmin + (ηmax − ηmin)(1 + cos(π·e/tMax))/2 they approximate).
 */
export class CosineAnnealingLR extends Scheduler {
  protected readonly saved = ['tMax', 'etaMin', 'baseLr'];
  /** The lr at construction: torch's `base_lrs[0]`. */
  baseLr: number;

  constructor(opt: LrOwner, public tMax: number, public etaMin = 0) {
    super('CosineAnnealingLR', opt);
    this.baseLr = opt.lr;
    this.check();
  }

  protected check(): void {
    assert(Number.isFinite(this.tMax) && this.tMax > 0, () => `CosineAnnealingLR: expected tMax > 0, got ${this.tMax}`, DataError);
    nonNegative('CosineAnnealingLR', 'etaMin', this.etaMin);
    nonNegative('CosineAnnealingLR', 'baseLr', this.baseLr);
  }

  step(): void {
    const e = ++this.lastEpoch, T = this.tMax, etaMin = this.etaMin, lr = this.opt.lr;
    // At the bottom of a cycle the ratio below would divide by 1 + cos(π) = 0, so torch steps
    // up by the first increment instead. (JS % gives -0 for negative multiples; -0 === 0.)
    if ((e - 1 - T) % (2 * T) === 0) {
      this.opt.lr = lr + (this.baseLr - etaMin) * (1 - Math.cos(Math.PI / T)) / 2;
    } else {
      this.opt.lr = (1 + Math.cos(Math.PI * e / T)) / (1 + Math.cos(Math.PI * (e - 1) / T)) * (lr - etaMin) + etaMin;
    }
    this.lastLr = this.opt.lr;
  }
}

/** Options of {@link ReduceLROnPlateau}; defaults are torch 1.13's. */
export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/**
 * Multiplies the lr by `factor` when a metric has not improved for more than `patience` epochs,
 * like `torch.optim.lr_scheduler.ReduceLROnPlateau`. "Improved" means beating the best so far
 * by the threshold: relative (best·(1 ∓ threshold)) or absolute (best ∓ threshold). After a
 * reduction, `cooldown` epochs pass before bad epochs count again; the lr never goes below
 * `minLr`, and a reduction smaller than `eps` is skipped.
 *
 * @example
 * const plateau = new ReduceLROnPlateau(opt, { patience: 5 });
 * for (...) { trainEpoch(); plateau.step(validationLoss); }
 */
export class ReduceLROnPlateau extends Scheduler {
  protected readonly saved = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps',
    'best', 'numBadEpochs', 'cooldownCounter'];
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLr: number;
  eps: number;
  /** Best metric so far; starts at the worst value for the mode (±Infinity). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(opt: LrOwner, options: PlateauOptions = {}) {
    super('ReduceLROnPlateau', opt);
    const known = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];
    for (const k of Object.keys(options)) {
      assert(known.includes(k), () => `ReduceLROnPlateau: unknown option '${k}', expected one of ${known.join(', ')}`, DataError);
    }
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    this.eps = options.eps ?? 1e-8;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.check();
  }

  protected check(): void {
    const n = 'ReduceLROnPlateau';
    assert(this.mode === 'min' || this.mode === 'max', () => `${n}: expected mode 'min' or 'max', got '${this.mode}'`, DataError);
    assert(this.thresholdMode === 'rel' || this.thresholdMode === 'abs',
      () => `${n}: expected thresholdMode 'rel' or 'abs', got '${this.thresholdMode}'`, DataError);
    assert(this.factor >= 0 && this.factor < 1, () => `${n}: expected 0 <= factor < 1, got ${this.factor}`, DataError);
    nonNegativeInt(n, 'patience', this.patience);
    nonNegativeInt(n, 'cooldown', this.cooldown);
    nonNegativeInt(n, 'numBadEpochs', this.numBadEpochs);
    nonNegativeInt(n, 'cooldownCounter', this.cooldownCounter);
    nonNegative(n, 'threshold', this.threshold);
    nonNegative(n, 'minLr', this.minLr);
    nonNegative(n, 'eps', this.eps);
  }

  /** Whether `a` beats `best` by the threshold (torch's `is_better`). */
  isBetter(a: number, best: number): boolean {
    const th = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - th) : a < best - th;
    return this.thresholdMode === 'rel' ? a > best * (th + 1) : a > best + th;
  }

  /** Call once per epoch with the monitored metric (a NaN counts as a bad epoch, as in torch). */
  step(metric: number): void {
    assert(typeof metric === 'number', () => `ReduceLROnPlateau.step: expected a number, got ${typeof metric}`, DataError);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs during cooldown are ignored
    }
    if (this.numBadEpochs > this.patience) {
      const oldLr = this.opt.lr, newLr = Math.max(oldLr * this.factor, this.minLr);
      if (oldLr - newLr > this.eps) this.opt.lr = newLr;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.opt.lr;
  }
}
