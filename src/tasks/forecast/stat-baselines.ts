import { DataError } from '../../errors.js';
import type { Extras } from './evaluate.js';
import { class3Mean, etsFilter, etsPointForecast } from './stats/ets.js';
import { type EtsFit, autoEts } from './stats/ets-fit.js';
import { naive2Forecast } from './stats/naive2.js';
import { thetaForecast } from './stats/theta.js';

/**
 * The statistical baselines a forecaster is scored beside (one target): ETS selected by AICc and
 * fitted once on the values before the test part, then run forward over the observed values up
 * to each origin with its parameters and initial states fixed (the usual "no refit" rolling
 * origin, the same footing as the trained networks); Theta and naive2, cheap enough to refit at
 * every origin on y[0, t]. A baseline that cannot be fitted is left out, with a note saying why.
 */
export interface StatBaselines { extras: Extras; ets: EtsFit | null; notes: string[] }

export function statBaselines(y: ArrayLike<number>, fitEnd: number, m: number, H: number): StatBaselines {
  const notes: string[] = [], extras: Extras = {};
  let ets: EtsFit | null = null;
  try {
    ets = autoEts(Array.prototype.slice.call(y, 0, fitEnd) as number[], m);
    const fit = ets;
    extras.ets = (t) => etsForecastAt(fit, y, t, H);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    notes.push(`ETS left out: ${e.message}`);
  }
  const upTo = (t: number) => Array.prototype.slice.call(y, 0, t + 1) as number[];
  extras.theta = (t) => thetaForecast(upTo(t), m, H);
  extras.naive2 = (t) => naive2Forecast(upTo(t), m, H);
  return { extras, ets, notes };
}

/** Initial state vector [l0, b0?, s0…] of a fit, in etsFilter's layout. */
const initialState = (f: EtsFit): number[] => [f.l0, ...(f.b0 !== null ? [f.b0] : []), ...f.s0];

/**
 * Forecasts h steps from origin t with a fitted model: its recursions run from its initial state
 * over y[0, t] with its parameters fixed, then forecast as the fit itself would (R's mean).
 */
export function etsForecastAt(f: EtsFit, y: ArrayLike<number>, t: number, h: number): Float64Array {
  const obs = Array.prototype.slice.call(y, 0, t + 1) as number[];
  const p = { alpha: f.alpha, beta: f.beta ?? 0, gamma: f.gamma ?? 0, phi: f.phi ?? 1 };
  const { xN } = etsFilter(obs, f.m, f.spec, p, initialState(f), new Float64Array(obs.length));
  const class3 = f.spec.error === 'M' && f.spec.season === 'M';
  return class3 ? class3Mean(xN, f.m, f.spec, p, f.sigma2, h) : etsPointForecast(xN, f.m, f.spec, p.phi, h);
}
