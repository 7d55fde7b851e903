import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { type DType, Tensor, allocData } from '../tensor/tensor.js';
import { expectClose, loadJson, regenerate } from '../test-utils/index.js';
import { Adagrad, type AdagradOptions } from './adagrad.js';
import { Adam, type AdamOptions, AdamW } from './adam.js';
import type { Hyper, Optimizer } from './optimizer.js';
import { ParamBuffer } from './params.js';
import { RMSprop, type RMSpropOptions } from './rmsprop.js';
import { SGD, type SGDOptions } from './sgd.js';

/** tools/fixtures/optim.py's output: parameter values after each of 5 torch.optim steps. */
interface OptimCase {
  name: string;
  optimizer: string;
  options: object;
  float32: number[][][]; // [step][param][element]
  float64: number[][][];
}
interface Fixture { shapes: number[][]; init: number[][]; grads: number[][][]; optimizers: OptimCase[] }

const FIXTURE_PATH = 'src/optim/fixtures/optim.json';
const fx = loadJson(FIXTURE_PATH) as Fixture;

const MAKE: Record<string, (p: Tensor[] | ParamBuffer, o: object) => Optimizer<Hyper>> = {
  SGD: (p, o) => new SGD(p, o as SGDOptions),
  Adam: (p, o) => new Adam(p, o as AdamOptions),
  AdamW: (p, o) => new AdamW(p, o as AdamOptions),
  RMSprop: (p, o) => new RMSprop(p, o as RMSpropOptions),
  Adagrad: (p, o) => new Adagrad(p, o as AdagradOptions),
};

/** Fresh parameters with the fixture's initial values (a new tensor each time: a ParamBuffer owns its tensors). */
function makeParams(dtype: DType): Tensor[] {
  return fx.shapes.map((shape, j) => {
    const data = allocData(dtype, fx.init[j].length);
    data.set(fx.init[j]);
    const t = new Tensor(data, shape, true);
    t.name = `p${j}`;
    return t;
  });
}

/** Feeds the fixture's gradients for steps [from, to) and returns each parameter's values after each step. */
function run(opt: Optimizer<Hyper>, params: Tensor[], from = 0, to = fx.grads.length): number[][][] {
  const out: number[][][] = [];
  for (let s = from; s < to; s++) {
    params.forEach((p, j) => p.grad!.set(fx.grads[s][j]));
    opt.step();
    out.push(params.map((p) => Array.from(p.data)));
  }
  return out;
}

describe('optimizers match torch.optim (fixture from tools/fixtures/optim.py)', () => {
  it('covers every optimizer', () => {
    expect(new Set(fx.optimizers.map((c) => c.optimizer))).toEqual(new Set(Object.keys(MAKE)));
  });

  for (const c of fx.optimizers) {
    it(`${c.name} float32: within 1e-6 of torch after each of 5 steps`, () => {
      const params = makeParams('float32');
      const got = run(MAKE[c.optimizer](params, c.options), params);
      got.forEach((step, s) => step.forEach((vals, j) =>
        expectClose(vals, c.float32[s][j], `${c.name} step ${s + 1} param ${j}`, { atol: 1e-6 })));
    });

    // Same starting values in float64 on both sides, so this checks the formulas, not rounding.
    it(`${c.name} float64: within 1e-12 of torch, state in float64`, () => {
      const params = makeParams('float64');
      const opt = MAKE[c.optimizer](params, c.options);
      const got = run(opt, params);
      got.forEach((step, s) => step.forEach((vals, j) =>
        expectClose(vals, c.float64[s][j], `${c.name} step ${s + 1} param ${j}`, { atol: 1e-12 })));
      for (const [k, buf] of Object.entries(opt.stateDict().state)) expect(buf, k).toBeInstanceOf(Float64Array);
    });
  }

  it('accepts a ParamBuffer and updates the tensors through their views', () => {
    const c = fx.optimizers.find((o) => o.name === 'adam_wd')!;
    const params = makeParams('float32');
    const buf = ParamBuffer.of(params);
    const opt = MAKE[c.optimizer](buf, c.options);
    expect(opt.params).toBe(buf);
    const got = run(opt, params);
    expectClose(buf.data.subarray(12), c.float32[4][1], 'flat buffer tail = param 1', { atol: 1e-6 });
    expectClose(got[4][0], c.float32[4][0], 'param 0 via its view', { atol: 1e-6 });
  });
});

describe('the committed fixture is what tools/fixtures/optim.py writes now', () => {
  it('regenerates within 1e-7', () => {
    const fresh = regenerate('optim.py', 'optim.json');
    const committed = loadJson(FIXTURE_PATH);
    const diffs: string[] = [];
    const walk = (a: unknown, b: unknown, path: string): void => {
      if (typeof a === 'number' && typeof b === 'number') {
        if (!(Math.abs(a - b) <= 1e-7)) diffs.push(`${path}: ${a} vs ${b}`);
      } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
        a.forEach((v, i) => walk(v, b[i], `${path}[${i}]`));
      } else if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
        const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
        if (ka.join() !== kb.join()) diffs.push(`${path}: keys [${ka}] vs [${kb}]`);
        else for (const k of ka) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      } else if (a !== b) {
        diffs.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      }
    };
    walk(fresh, committed, 'optim.json');
    expect(diffs.slice(0, 5), `${diffs.length} differences; rerun /usr/bin/python3 tools/gen_fixtures.py`).toEqual([]);
  });
});

describe('stateDict / loadStateDict', () => {
  for (const c of fx.optimizers) {
    it(`${c.name}: 3 steps, save, load into a fresh optimizer, 2 steps = 5 uninterrupted steps, bit for bit`, () => {
      const params = makeParams('float32');
      const opt = MAKE[c.optimizer](params, c.options);
      run(opt, params, 0, 3);
      const sd = opt.stateDict();
      const saved = params.map((p) => p.data.slice()); // parameters belong to the model's checkpoint
      const straight = run(opt, params, 3, 5); // also proves later steps leave `sd` alone

      const resumed = makeParams('float32');
      resumed.forEach((p, j) => p.data.set(saved[j]));
      // Built with another lr: loading restores the saved hyperparameters, as torch's does.
      const opt2 = MAKE[c.optimizer](resumed, { ...c.options, lr: 0.5 });
      opt2.loadStateDict({ ...sd, hyper: JSON.parse(JSON.stringify(sd.hyper)) });
      expect(opt2.stepCount).toBe(3);
      expect(opt2.options).toEqual(opt.options);
      expect(run(opt2, resumed, 3, 5)).toEqual(straight);
    });
  }

  it('rejects a state dict from another optimizer or with the wrong buffers', () => {
    const adam = new Adam(makeParams('float32'));
    const sgd = new SGD(makeParams('float32'), { lr: 0.1, momentum: 0.9 });
    expect(() => adam.loadStateDict(sgd.stateDict())).toThrow('Adam.loadStateDict: expected a state dict from Adam, got one from SGD');
    const sd = adam.stateDict();
    expect(() => adam.loadStateDict({ ...sd, state: { expAvg: sd.state.expAvg } }))
      .toThrow('Adam.loadStateDict: expected state buffers [expAvg, expAvgSq], got [expAvg]');
    expect(() => adam.loadStateDict({ ...sd, state: { ...sd.state, expAvg: new Float32Array(3) } }))
      .toThrow("Adam.loadStateDict: expected 17 values in 'expAvg', got 3");
    expect(() => adam.loadStateDict({ ...sd, step: -1 })).toThrow('expected a step count that is an integer >= 0, got -1');
    expect(() => adam.loadStateDict({ ...sd, hyper: { ...sd.hyper, betas: [0.9, 1] } }))
      .toThrow('Adam: expected 0 <= betas[1] < 1, got 1');
  });

  it('allocates the buffers the loaded hyperparameters need (amsgrad adds maxExpAvgSq)', () => {
    const a = new Adam(makeParams('float32'), { amsgrad: true });
    const b = new Adam(makeParams('float32'));
    b.loadStateDict(a.stateDict());
    expect(Object.keys(b.stateDict().state)).toEqual(['expAvg', 'expAvgSq', 'maxExpAvgSq']);
  });
});

describe('options', () => {
  const p = () => makeParams('float32');

  it('uses torch 1.13 defaults', () => {
    expect(new Adam(p()).options).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(new AdamW(p()).options.weightDecay).toBe(1e-2);
    expect(new RMSprop(p()).options).toEqual(
      { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
    expect(new Adagrad(p()).options).toEqual(
      { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
    expect(new SGD(p(), { lr: 0.1 }).options).toEqual(
      { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
  });

  it('treats an option given as undefined as its default', () => {
    expect(new Adam(p(), { lr: undefined, eps: 1e-6 }).options.lr).toBe(1e-3);
  });

  const bad: [string, () => unknown, string][] = [
    ['negative lr', () => new Adam(p(), { lr: -1 }), 'Adam: expected lr >= 0, got -1'],
    ['NaN lr', () => new AdamW(p(), { lr: NaN }), 'AdamW: expected lr >= 0, got NaN'],
    ['missing SGD lr', () => new SGD(p(), {} as SGDOptions), 'SGD: expected option lr (it has no default, as in torch), got none'],
    ['beta1 = 1', () => new Adam(p(), { betas: [1, 0.999] }), 'Adam: expected 0 <= betas[0] < 1, got 1'],
    ['negative beta2', () => new Adam(p(), { betas: [0.9, -0.1] }), 'Adam: expected 0 <= betas[1] < 1, got -0.1'],
    ['negative eps', () => new Adam(p(), { eps: -1e-8 }), 'Adam: expected eps >= 0, got -1e-8'],
    ['negative momentum', () => new SGD(p(), { lr: 0.1, momentum: -0.9 }), 'SGD: expected momentum >= 0, got -0.9'],
    ['nesterov without momentum', () => new SGD(p(), { lr: 0.1, nesterov: true }),
      'SGD: nesterov expects momentum > 0 and dampening 0, got momentum 0 and dampening 0'],
    ['nesterov with dampening', () => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      'SGD: nesterov expects momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1'],
    ['negative alpha', () => new RMSprop(p(), { alpha: -0.5 }), 'RMSprop: expected alpha >= 0, got -0.5'],
    ['negative lrDecay', () => new Adagrad(p(), { lrDecay: -1 }), 'Adagrad: expected lrDecay >= 0, got -1'],
    ['snake_case name', () => new Adam(p(), { weight_decay: 0.1 } as AdamOptions),
      "Adam: unknown option 'weight_decay', expected one of lr, betas, eps, weightDecay, amsgrad, maximize"],
    ['wrong type', () => new Adam(p(), { amsgrad: 1 } as unknown as AdamOptions), 'Adam: expected amsgrad to be a boolean, got 1'],
  ];
  for (const [what, make, msg] of bad) {
    it(`rejects ${what}`, () => {
      expect(make).toThrow(DataError);
      expect(make).toThrow(msg);
    });
  }

  it('validates lr set by a schedule or by hand', () => {
    const opt = new SGD(p(), { lr: 0.1 });
    opt.lr = 0.05;
    expect(opt.lr).toBe(0.05);
    expect(() => { opt.lr = -1; }).toThrow('SGD: expected lr >= 0, got -1');
    expect(opt.lr).toBe(0.05);
  });

  it('zeroGrad clears the flat gradient buffer', () => {
    const params = p();
    const opt = new SGD(params, { lr: 0.1 });
    params[1].grad!.fill(3);
    opt.zeroGrad();
    expect(Array.from(opt.params.grad).every((g) => g === 0)).toBe(true);
  });
});

describe('which parameters a step moves, as torch.optim', () => {
  const t = (v: number[], name: string): Tensor => { const x = new Tensor(Float32Array.from(v), [v.length], true); x.name = name; return x; };

  it('skips a parameter whose grad is null (torch: None), momentum and weight decay included', () => {
    const a = t([1, 2], 'a'), b = t([3, 4], 'b'), c = t([5], 'c');
    const opt = new SGD([a, b, c], { lr: 0.1, momentum: 0.9, weightDecay: 0.5 });
    a.grad!.set([1, 1]); c.grad!.set([2]);
    b.grad = null;
    opt.step();
    expect(Array.from(b.data)).toEqual([3, 4]);
    // a and c move exactly as they would in an optimizer of their own
    const a2 = t([1, 2], 'a2'), c2 = t([5], 'c2'), ref = new SGD([a2, c2], { lr: 0.1, momentum: 0.9, weightDecay: 0.5 });
    a2.grad!.set([1, 1]); c2.grad!.set([2]); ref.step();
    expect(Array.from(a.data)).toEqual(Array.from(a2.data));
    expect(Array.from(c.data)).toEqual(Array.from(c2.data));
  });

  it('zeroGrad(true) sets every grad to null, and the next step moves nothing without a backward', () => {
    const a = t([1, 2], 'a'), opt = new Adam([a], { lr: 0.1, weightDecay: 0.1 });
    a.grad!.set([1, 1]); opt.step();
    const after = Array.from(a.data);
    opt.zeroGrad(true);
    expect(a.grad).toBeNull();
    opt.step();
    expect(Array.from(a.data)).toEqual(after);
  });

  it('a second optimizer over some of the parameters (fine-tuning a head, rebuilding one): each step sees the current values', () => {
    const body = t([1, 1], 'body'), head = t([2, 2], 'head');
    const all = new SGD([body, head], { lr: 0.5 });
    const onlyHead = new SGD([head], { lr: 0.25 });
    body.grad!.fill(1); head.grad!.fill(1);
    all.step();                                     // body 0.5, head 1.5
    head.grad!.fill(2);
    onlyHead.step();                                // head 1.5 − 0.25·2 = 1.0
    expect(Array.from(head.data)).toEqual([1, 1]);
    expect(Array.from(body.data)).toEqual([0.5, 0.5]);
    all.zeroGrad(); body.grad!.fill(1); head.grad!.fill(1);
    all.step();                                     // from head's current 1.0, not a stale 1.5
    expect(Array.from(head.data)).toEqual([0.5, 0.5]);
    expect(Array.from(body.data)).toEqual([0, 0]);
  });
});
