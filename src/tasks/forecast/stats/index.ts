/** Statistical forecasting baselines: ETS (as forecast::ets), Theta (as forecast::thetaf) and M4's Naive2. */
export * from './ets.js';
export * from './ets-fit.js';
export * from './bounds.js';
export * from './decompose.js';
export * from './optim.js';
export * from './theta.js';
export { naive2Forecast } from './naive2.js';
