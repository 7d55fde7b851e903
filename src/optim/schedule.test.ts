import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { expectClose, loadJson } from '../test-utils/index.js';
import { CosineAnnealingLR, type PlateauOptions, ReduceLROnPlateau, StepLR } from './schedule.js';
import { SGD } from './sgd.js';

interface ScheduleCase { name: string; kind: string; lr: number; args: Record<string, unknown>; metrics?: number[]; lrs: number[] }
const fx = loadJson('src/optim/fixtures/optim.json') as { schedules: ScheduleCase[] };

const sgd = (lr: number): SGD => new SGD([new Tensor(new Float32Array(1), [1], true)], { lr });

type Sched = StepLR | CosineAnnealingLR | ReduceLROnPlateau;
function make(c: ScheduleCase, opt: SGD): Sched {
  const a = c.args as { stepSize: number; gamma?: number; tMax: number; etaMin?: number };
  if (c.kind === 'StepLR') return new StepLR(opt, a.stepSize, a.gamma);
  if (c.kind === 'CosineAnnealingLR') return new CosineAnnealingLR(opt, a.tMax, a.etaMin);
  return new ReduceLROnPlateau(opt, c.args as PlateauOptions);
}
const stepOnce = (s: Sched, c: ScheduleCase, e: number): void =>
  s instanceof ReduceLROnPlateau ? s.step(c.metrics![e]) : s.step();

describe('schedules match torch.optim.lr_scheduler over 30 epochs', () => {
  for (const c of fx.schedules) {
    it(c.name, () => {
      const opt = sgd(c.lr), s = make(c, opt);
      expect(opt.lr).toBe(c.lr); // construction leaves the lr alone, as torch's initial step does
      const lrs = c.lrs.map((_, e) => { stepOnce(s, c, e); expect(s.lastLr).toBe(opt.lr); return opt.lr; });
      // Same recurrences in doubles on both sides; only Math.cos may differ from libm in the last bit.
      expectClose(lrs, c.lrs, c.name, { atol: 1e-16, rtol: 1e-13 });
      expect(s.lastEpoch).toBe(30);
    });

    it(`${c.name}: save after 12 epochs (through JSON), resume in a fresh scheduler = uninterrupted`, () => {
      const opt = sgd(c.lr), s = make(c, opt);
      for (let e = 0; e < 12; e++) stepOnce(s, c, e);
      const saved = JSON.stringify({ lr: opt.lr, sched: s.stateDict() });
      for (let e = 12; e < 30; e++) stepOnce(s, c, e);

      const { lr, sched } = JSON.parse(saved);
      const opt2 = sgd(c.lr), s2 = make(c, opt2);
      opt2.lr = lr; // the optimizer's own state dict carries its lr
      s2.loadStateDict(sched);
      for (let e = 12; e < 30; e++) stepOnce(s2, c, e);
      expect(opt2.lr).toBe(opt.lr);
      expect(s2.stateDict()).toEqual(s.stateDict());
    });
  }
});

describe('ReduceLROnPlateau', () => {
  it('keeps best = ±Infinity through a JSON state dict', () => {
    const s = new ReduceLROnPlateau(sgd(0.1), { mode: 'max' });
    const sd = JSON.parse(JSON.stringify(s.stateDict()));
    expect(sd.best).toBe('-Infinity');
    const s2 = new ReduceLROnPlateau(sgd(0.1));
    s2.loadStateDict(sd);
    expect(s2.best).toBe(-Infinity);
    expect(s2.mode).toBe('max');
  });

  it('counts a NaN metric as a bad epoch', () => {
    const opt = sgd(0.1), s = new ReduceLROnPlateau(opt, { patience: 0 });
    s.step(1);
    s.step(NaN);
    expect(opt.lr).toBeCloseTo(0.01, 15);
  });

  it('does not reduce below minLr', () => {
    const opt = sgd(0.1), s = new ReduceLROnPlateau(opt, { patience: 0, minLr: 0.05 });
    for (let e = 0; e < 5; e++) s.step(1);
    expect(opt.lr).toBe(0.05);
  });
});

describe('schedule options', () => {
  const bad: [string, () => unknown, string][] = [
    ['StepLR stepSize 0', () => new StepLR(sgd(0.1), 0), 'StepLR: expected stepSize to be an integer > 0, got 0'],
    ['StepLR negative gamma', () => new StepLR(sgd(0.1), 3, -0.5), 'StepLR: expected gamma >= 0, got -0.5'],
    ['Cosine tMax 0', () => new CosineAnnealingLR(sgd(0.1), 0), 'CosineAnnealingLR: expected tMax > 0, got 0'],
    ['Plateau factor 1', () => new ReduceLROnPlateau(sgd(0.1), { factor: 1 }), 'ReduceLROnPlateau: expected 0 <= factor < 1, got 1'],
    ['Plateau mode', () => new ReduceLROnPlateau(sgd(0.1), { mode: 'up' as 'min' }), "ReduceLROnPlateau: expected mode 'min' or 'max', got 'up'"],
    ['Plateau thresholdMode', () => new ReduceLROnPlateau(sgd(0.1), { thresholdMode: 'pct' as 'rel' }),
      "ReduceLROnPlateau: expected thresholdMode 'rel' or 'abs', got 'pct'"],
    ['Plateau patience', () => new ReduceLROnPlateau(sgd(0.1), { patience: 1.5 }),
      'ReduceLROnPlateau: expected patience to be an integer >= 0, got 1.5'],
    ['Plateau unknown option', () => new ReduceLROnPlateau(sgd(0.1), { min_lr: 0.1 } as PlateauOptions),
      "ReduceLROnPlateau: unknown option 'min_lr'"],
  ];
  for (const [what, make, msg] of bad) {
    it(`rejects ${what}`, () => {
      expect(make).toThrow(DataError);
      expect(make).toThrow(msg);
    });
  }

  it('rejects a state dict from another scheduler or with bad values, and keeps its own state then', () => {
    const s = new StepLR(sgd(0.1), 5);
    expect(() => s.loadStateDict(new CosineAnnealingLR(sgd(0.1), 5).stateDict()))
      .toThrow('StepLR.loadStateDict: expected a state dict from StepLR, got one from CosineAnnealingLR');
    expect(() => s.loadStateDict({ ...s.stateDict(), stepSize: 0, lastEpoch: 4 })).toThrow('StepLR: expected stepSize to be an integer > 0, got 0');
    expect(s.stepSize).toBe(5);
    expect(s.lastEpoch).toBe(0);
    expect(() => s.loadStateDict({ ...s.stateDict(), gamma: 'x' })).toThrow("StepLR.loadStateDict: expected a number for 'gamma', got \"x\"");
  });
});
