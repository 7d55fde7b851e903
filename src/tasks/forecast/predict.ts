import { noGrad } from '../../autograd/engine.js';
import { Tensor } from '../../tensor/tensor.js';
import type { FeatureSpec } from './features.js';
import type { Forecaster } from './model.js';

export interface Forecast { point: Float64Array; lo?: Float64Array; hi?: Float64Array }

/**
 * Forecasts from a trained model for origin t (the last observed index), in the series' units:
 * point (H, T) and, for quantile models, the lowest and highest quantile as bounds.
 * direct: one forward pass gives all H steps; recursive: the one-step model runs H times, each
 * prediction (the median, for a quantile model) appended to a copy of the history and read back
 * as input. A recursive model's bounds at step h are its one-step interval given the fed-back
 * medians: approximate, and too narrow beyond step 1, since they leave out the uncertainty of
 * the steps before (the per-step coverage on the test tail shows by how much).
 * `dates` (N) place the seasonal phase of a model anchored to dates (see features.ts).
 */
export class Predictor {
  constructor(readonly model: Forecaster, readonly spec: FeatureSpec, readonly mode: 'direct' | 'recursive',
    readonly horizon: number, readonly nTargets: number, readonly F: number, readonly quantiles: readonly number[]) {}

  /** The same model forecasting H steps (recursive models can run any number of steps). */
  withHorizon(H: number): Predictor {
    return new Predictor(this.model, this.spec, this.mode, H, this.nTargets, this.F, this.quantiles);
  }

  private get Q(): number { return Math.max(1, this.quantiles.length); }
  private get mid(): number { return this.quantiles.length === 0 ? 0 : this.quantiles.indexOf(0.5); }

  private run(values: Float64Array, t: number, dates: readonly number[] | null): Float32Array {
    const { lookback: L, inputSize: I } = this.spec, x = new Float32Array(L * I);
    this.spec.window(values, t, x, 0, dates);
    return this.model.forward(new Tensor(x, [1, L, I])).data as Float32Array;
  }

  predict(values: Float64Array, t: number, dates: readonly number[] | null = null): Forecast {
    return noGrad(() => {
      this.model.eval();
      return this.mode === 'recursive' ? this.recursive(values, t, dates) : this.direct(values, t, dates);
    });
  }

  private direct(values: Float64Array, t: number, dates: readonly number[] | null): Forecast {
    const out = this.run(values, t, dates), T = this.nTargets, Q = this.Q, n = this.horizon * T;
    const pick = (q: number) => Float64Array.from({ length: n }, (_, i) => this.spec.unscale(out[i * Q + q], values, t, i % T));
    if (Q === 1) return { point: pick(0) };
    return { point: pick(this.mid), lo: pick(0), hi: pick(Q - 1) };
  }

  private recursive(values: Float64Array, t: number, dates: readonly number[] | null): Forecast {
    const { F, horizon: H, nTargets: T, Q } = this;
    const hist = new Float64Array((t + 1 + H) * F);
    hist.set(values.subarray(0, (t + 1) * F));
    const point = new Float64Array(H * T), lo = new Float64Array(H * T), hi = new Float64Array(H * T);
    for (let h = 0; h < H; h++) {
      const out = this.run(hist, t + h, dates);
      for (let j = 0; j < T; j++) {
        lo[h * T + j] = this.spec.unscale(out[j * Q], hist, t + h, j);
        hi[h * T + j] = this.spec.unscale(out[j * Q + Q - 1], hist, t + h, j);
      }
      for (let j = 0; j < F; j++) hist[(t + h + 1) * F + j] = this.spec.unscale(out[j * Q + this.mid], hist, t + h, j);
      for (let j = 0; j < T; j++) point[h * T + j] = hist[(t + h + 1) * F + j];
    }
    return Q === 1 ? { point } : { point, lo, hi };
  }
}
