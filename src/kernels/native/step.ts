import { ShapeError } from '../../errors.js';
import type { Data } from '../../tensor/tensor.js';
import type { StepKernel, StepSpec } from '../backend.js';
import { checkToken, setState, stepShape } from '../js/step.js';
import type { NativeAddon, NativeStepFn } from './addon.js';

/**
 * The native step kernel (csrc/pointwise.h `step`, built by csrc/addon.c `stepPlan`): the addon
 * copies the weights into its own transposed layout and returns a step function bound to them,
 * so a step is one N-API call with one number. x, h and y are views of the plan's own memory
 * (an external ArrayBuffer), which the kernel reads and writes in place: nothing is copied.
 */
const MODES = { RNN_TANH: 0, RNN_RELU: 1, LSTM: 2, GRU: 3 } as const;

const f32 = (d: Data | null, what: string): Float32Array | null => {
  if (d !== null && !(d instanceof Float32Array)) throw new ShapeError(`native step kernel: expected float32 ${what}, got float64 (float64 runs on cpu)`);
  return d;
};

export class NativeStep implements StepKernel {
  readonly D: number;
  readonly H: number;
  readonly L: number;
  readonly O: number;
  readonly x: Float32Array;
  readonly h: Float32Array;
  readonly y: Float32Array;
  private readonly c: Float32Array;
  private readonly run: NativeStepFn;

  constructor(addon: NativeAddon, spec: StepSpec) {
    const { D, H, L, O } = stepShape(spec);
    ({ D: this.D, H: this.H, L: this.L, O: this.O } = { D, H, L, O });
    const weights = spec.layers.flatMap((w, l) => [f32(w.wih, `weight_ih_l${l}`), f32(w.whh, `weight_hh_l${l}`), f32(w.bih, `bias_ih_l${l}`), f32(w.bhh, `bias_hh_l${l}`)]);
    this.run = addon.stepPlan(MODES[spec.mode], H, weights, f32(spec.head?.weight ?? null, 'head weight'), f32(spec.head?.bias ?? null, 'head bias'));
    const io = new Float32Array(this.run.io), LH = L * H;
    this.x = io.subarray(0, D); this.h = io.subarray(D, D + LH);
    this.c = spec.mode === 'LSTM' ? io.subarray(D + LH, D + 2 * LH) : io.subarray(0, 0);
    this.y = io.subarray(D + 2 * LH, D + 2 * LH + O);
  }

  step(token: number): void {
    if (token >= 0) checkToken(token, this.D);
    this.run(token < 0 ? -1 : token);
  }

  reset(h0?: Data | null, c0?: Data | null): void { setState(this.h, this.c.length > 0 ? this.c : null, h0, c0); }
  /** The plan's memory goes with the step function and the views (garbage-collected). */
  dispose(): void {}
}
