import { describe, expect, it } from 'vitest';
import { DataError } from '../../../errors.js';
import { Rng } from '../../../tensor/rng.js';
import {
  admissible, autoEts, class3Mean, decompose, etsFilter, etsPointForecast, fitEts, naive2Forecast, nelderMead,
  rootsInDisk, seasonalityTest, thetaForecast, usualOk, type EtsSpec,
} from './index.js';

const AAA: EtsSpec = { error: 'A', trend: 'A', season: 'A' };
const ANN: EtsSpec = { error: 'A', trend: 'N', season: 'N' };
const par = (alpha: number, beta = 0, gamma = 0, phi = 1) => ({ alpha, beta, gamma, phi });

describe('ETS recursion on hand-checkable cases', () => {
  it('ETS(A,N,N): ŷ = l, l ← l + α(y − l), lik = n·log Σe²', () => {
    const e = new Float64Array(2);
    const r = etsFilter([12, 11], 1, ANN, par(0.5), [10], e);
    expect(Array.from(e)).toEqual([2, 0]);          // ŷ_1 = 10, l_1 = 11, ŷ_2 = 11
    expect(r.xN[0]).toBe(11);
    expect(r.lik).toBeCloseTo(2 * Math.log(4), 14);
  });

  it('ETS(A,A,A), m = 2: two steps worked by hand, then the forecast continues trend and season', () => {
    // x0 = [l, b, s_0, s_−1]; α = 0.5, β = 0.2, γ = 0.1
    // t=1: ŷ = 10 + 1 − 1 = 10, e = 1, l = 11 + 0.5(12 − 11) = 11.5, b = 1 + 0.4(11.5 − 10 − 1) = 1.2,
    //      s_1 = −1 + 0.1(0 + 1) = −0.9
    // t=2: ŷ = 12.7 + 1 = 13.7, e = −0.7, l = 12.35, b = 1.2 + 0.4(12.35 − 11.5 − 1.2) = 1.06,
    //      s_2 = 1 + 0.1(0.3 − 1) = 0.93
    const e = new Float64Array(2);
    const r = etsFilter([11, 13], 2, AAA, { alpha: 0.5, beta: 0.2, gamma: 0.1, phi: 1 }, [10, 1, 1, -1], e);
    expect(e[0]).toBeCloseTo(1, 14); expect(e[1]).toBeCloseTo(-0.7, 14);
    [12.35, 1.06, 0.93, -0.9].forEach((v, i) => expect(r.xN[i]).toBeCloseTo(v, 13));
    expect(r.lik).toBeCloseTo(2 * Math.log(1.49), 13);
    const f = etsPointForecast(r.xN, 2, AAA, 1, 3);
    [12.35 + 1.06 - 0.9, 12.35 + 2.12 + 0.93, 12.35 + 3.18 - 0.9].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 12));
  });

  it('multiplicative errors: e = (y − ŷ)/ŷ and the likelihood gains 2·Σ log|ŷ|', () => {
    const e = new Float64Array(1);
    const r = etsFilter([6], 2, { error: 'M', trend: 'N', season: 'M' }, par(0.3, 0, 0.1), [10, 2, 0.5], e);
    expect(e[0]).toBeCloseTo(0.2, 14);               // ŷ = l·s_{1−m} = 10 · 0.5
    expect(r.lik).toBeCloseTo(Math.log(0.04) + 2 * Math.log(5), 13);
  });

  it('damped trend forecast: l + (φ + … + φ^h)·b; class-3 mean is the recursion within a season', () => {
    const f = etsPointForecast([10, 2], 1, { error: 'A', trend: 'Ad', season: 'N' }, 0.9, 3);
    [10 + 1.8, 10 + 1.8 + 1.62, 10 + 1.8 + 1.62 + 1.458].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 12));
    const spec: EtsSpec = { error: 'M', trend: 'A', season: 'M' }, x = [100, 2, 1.2, 0.9, 0.8, 1.1];
    const p = { alpha: 0.3, beta: 0.1, gamma: 0.2, phi: 1 };
    const rec = etsPointForecast(x, 4, spec, 1, 8), mean = class3Mean(x, 4, spec, p, 0.01, 8);
    for (let i = 0; i < 4; i++) expect(mean[i]).toBeCloseTo(rec[i], 10);
    expect(mean[4]).toBeGreaterThan(rec[4]);          // beyond a season, σ² raises the mean of a product
    const noNoise = class3Mean(x, 4, spec, p, 0, 8);
    for (let i = 0; i < 8; i++) expect(noNoise[i]).toBeCloseTo(rec[i], 10);
  });
});

describe('parameter regions', () => {
  it('usual bounds: β ≤ α, γ ≤ 1 − α, φ in [0.8, 0.98]', () => {
    const p = { alpha: 0.5, beta: 0.1, gamma: 0.1, phi: 0.9 }, damped: EtsSpec = { ...AAA, trend: 'Ad' };
    expect(usualOk(damped, p)).toBe(true);
    expect(usualOk(damped, { ...p, beta: 0.6 })).toBe(false);
    expect(usualOk(damped, { ...p, gamma: 0.6 })).toBe(false);
    expect(usualOk(damped, { ...p, phi: 0.99 })).toBe(false);
    expect(usualOk(AAA, { ...p, phi: 0.5 })).toBe(true);  // φ only matters when damped
    expect(usualOk(AAA, { ...p, alpha: 1 })).toBe(false);
  });

  it('roots in the unit disk by Schur–Cohn', () => {
    expect(rootsInDisk([-0.45, 0.4, 1])).toBe(true);    // (z − 0.5)(z + 0.9)
    expect(rootsInDisk([-0.22, -0.9, 1])).toBe(false);  // (z − 1.1)(z + 0.2)
    expect(rootsInDisk([0.5, 0, 0, 1])).toBe(true);     // |z| = 0.5^{1/3}
    expect(rootsInDisk([1.5, 0, 0, 1])).toBe(false);
    expect(rootsInDisk([1, 0, 1], 1.01)).toBe(true);    // ±i on the circle, inside a slightly larger one
  });

  it('admissible region: contains the usual one; rejects α beyond 1 + 1/φ', () => {
    expect(admissible(AAA, { alpha: 0.5, beta: 0.1, gamma: 0.1, phi: 1 }, 12)).toBe(true);
    expect(admissible(ANN, par(1.5), 1)).toBe(true);
    expect(admissible(ANN, par(2.1), 1)).toBe(false);
    expect(admissible(AAA, { alpha: 0.5, beta: 0.1, gamma: 1.6, phi: 1 }, 4)).toBe(false); // γ > 1 + 1/φ − α
  });
});

describe('Nelder–Mead', () => {
  it('minimises a narrow quadratic valley; Infinity keeps it inside a bound', () => {
    const f = (x: Float64Array) => (x[0] - 1) ** 2 + 10 * (x[1] - x[0]) ** 2;
    const r = nelderMead(f, [3, -2], { maxit: 5000, reltol: 1e-14 });
    expect(r.x[0]).toBeCloseTo(1, 4); expect(r.x[1]).toBeCloseTo(1, 4);
    const bounded = nelderMead((x) => (x[0] > 0.5 ? Infinity : (x[0] - 1) ** 2), [0], { maxit: 500, reltol: 1e-12 });
    expect(bounded.x[0]).toBeLessThanOrEqual(0.5);
    expect(bounded.x[0]).toBeCloseTo(0.5, 3);
  });
});

describe('fitting and selection', () => {
  const rng = new Rng(11);
  const wave = (t: number) => 1 + 0.2 * Math.sin((2 * Math.PI * t) / 12);
  const seasonal = Array.from({ length: 48 }, (_, t) => (50 + t) * wave(t) + rng.normal());

  it('initial seasons are normalised: Σ s = m (multiplicative) or 0 (additive)', () => {
    const mam = fitEts(seasonal, 12, { error: 'M', trend: 'A', season: 'M' });
    expect(mam.s0.reduce((a, v) => a + v, 0)).toBeCloseTo(12, 10);
    const ana = fitEts(seasonal, 12, { error: 'A', trend: 'N', season: 'A' });
    expect(ana.s0.reduce((a, v) => a + v, 0)).toBeCloseTo(0, 8);
    expect(ana.name).toBe('ETS(A,N,A)');
    expect(mam.aicc).toBeGreaterThan(mam.aic);
  });

  it('never throws on two seasons; seasons above 24 are ignored', () => {
    const fit = autoEts(seasonal.slice(0, 24), 12);
    expect(fit.forecast(6).every(Number.isFinite)).toBe(true);
    expect(autoEts(seasonal, 36).spec.season).toBe('N');
  });

  it('constant, too short, non-finite or non-positive (for multiplicative types) data is a DataError', () => {
    expect(() => autoEts([5, 5, 5, 5, 5, 5], 1)).toThrow(/constant/);
    expect(() => autoEts([1, 2, 3], 1)).toThrow(DataError);
    expect(() => fitEts([1, 2, NaN, 4, 5], 1, ANN)).toThrow(/not finite/);
    expect(() => fitEts([1, 2, 0, 4, 5, 6], 1, { error: 'M', trend: 'N', season: 'N' })).toThrow(/y > 0/);
    expect(() => fitEts(seasonal.slice(0, 10), 12, AAA)).toThrow(DataError);
    expect(autoEts([1, -2, 3, -1, 2, 0, 1, 2], 1).spec.error).toBe('A');
  });
});

describe('decomposition, seasonality test, Naive2 and Theta', () => {
  it('classical decomposition recovers an exact additive pattern on a line', () => {
    const pat = [3, -1, -4, 2];
    const d = decompose(Array.from({ length: 20 }, (_, t) => 10 + 0.5 * t + pat[t % 4]), 4, 'additive');
    pat.forEach((v, i) => expect(d.figure[i]).toBeCloseTo(v, 12));
    expect(Number.isNaN(d.trend[1])).toBe(true);
    expect(d.trend[2]).toBeCloseTo(11, 12);
  });

  it('the 90% test finds a strong season, not noise, and needs more than two seasons', () => {
    const rng = new Rng(5);
    const wave = Array.from({ length: 60 }, (_, t) => 10 + Math.sin((2 * Math.PI * t) / 12) + 0.1 * rng.normal());
    expect(seasonalityTest(wave, 12)).toBe(true);
    expect(seasonalityTest(wave.slice(0, 24), 12)).toBe(false);
    expect(seasonalityTest(Array.from({ length: 60 }, () => 10 + rng.normal()), 12)).toBe(false);
    expect(seasonalityTest(wave, 1)).toBe(false);
  });

  it('Naive2 repeats the last seasonally adjusted value, reseasonalised; without a season, the last value', () => {
    const idx = [1.2, 0.8, 1.1, 0.9];
    const y = Array.from({ length: 24 }, (_, t) => 100 * idx[t % 4]);
    expect(Array.from(naive2Forecast(y, 4, 5)).map((v) => +v.toFixed(9))).toEqual([120, 80, 110, 90, 120]);
    expect(Array.from(naive2Forecast([1, 3, 2, 5], 1, 2))).toEqual([5, 5]);
  });

  it('Theta on a straight line continues it with half the slope as drift', () => {
    const f = thetaForecast(Array.from({ length: 30 }, (_, t) => 5 + 2 * t), 1, 3);
    // SES follows the line (α → 1), so the forecast is y_n plus the drift: 63 + 1·(h − 1 + 1)
    [64, 65, 66].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 2));
  });
});

describe('Theta and naive2 on a series that crosses zero', () => {
  // a weekly cycle around 0 (New York's winter maxima are like this): no multiplicative adjustment there
  const y = Array.from({ length: 120 }, (_, t) => 3 * Math.sin((2 * Math.PI * t) / 7) + 0.2 * Math.cos(1.3 * t) - 0.5);
  it('leaves it unadjusted, so the forecasts stay within the range of the data', () => {
    for (const f of [thetaForecast(y, 7, 14), naive2Forecast(y, 7, 14)]) {
      for (const v of f) expect(Math.abs(v)).toBeLessThan(4);
    }
  });
});
