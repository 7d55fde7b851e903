import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stdlibDataset } from '../../data/datasets.js';
import { Rng } from '../../tensor/rng.js';
import { PYTHON, ROOT, expectClose } from '../../test-utils/index.js';
import { type VarModel, fitVar, logDet, solveLeastSquares, varPredict } from './var.js';

/**
 * recur's VAR against statsmodels' (Debian python3-statsmodels), live: the same rows go to
 * eval/sensors-var.py, which fits VAR(train).fit(maxlags, ic='aic') and forecasts one step from the
 * actual past rows. Lag order, every AIC, the coefficients and the forecasts must agree.
 */
interface Group { name: string; maxlags: number; values: number[][]; train_end: number; scored: number[] }
interface Result { groups: { p: number; aic: number[]; params: number[][]; pred: number[][] }[] }

const dir = mkdtempSync(join(tmpdir(), 'recur-var-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stable VAR(2) of K = 3 series with a constant, 400 rows. */
function simulated(): number[][] {
  const rng = new Rng(7), A1 = [[0.5, 0.1, 0], [0.2, 0.3, -0.1], [0, 0.2, 0.4]], A2 = [[-0.2, 0, 0.1], [0, 0.1, 0], [0.1, 0, -0.3]];
  const y: number[][] = [[0, 0, 0], [0, 0, 0]];
  for (let t = 2; t < 402; t++) {
    y.push([0, 1, 2].map((j) => 1 + [0, 1, 2].reduce((a, k) => a + A1[j][k] * y[t - 1][k] + A2[j][k] * y[t - 2][k], 0) + rng.normal()));
  }
  return y.slice(2);
}

/** Mote 1 of the Suthaharan sensor network: humidity and temperature, 800 rows (an event-free stretch). */
function mote(): number[][] {
  const [, ...rows] = readFileSync(join(stdlibDataset('suthaharan-single-hop-sensor-network'), 'data.csv'), 'utf8').trim().split('\n');
  return rows.map((r) => r.split(',')).filter((c) => c[1] === '1').slice(0, 800).map((c) => [Number(c[3]), Number(c[4])]);
}

const MAXLAGS = 8;
const groups: Group[] = [
  { name: 'simulated VAR(2), K 3', maxlags: MAXLAGS, values: simulated(), train_end: 300, scored: Array.from({ length: 100 }, (_, i) => 300 + i) },
  { name: 'sensor mote 1, K 2', maxlags: MAXLAGS, values: mote(), train_end: 600, scored: Array.from({ length: 200 }, (_, i) => 600 + i) },
];
let result: Result;

beforeAll(() => {
  const probe = spawnSync(PYTHON, ['-c', 'import statsmodels'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`statsmodels is missing for ${PYTHON} (Debian python3-statsmodels): run \`bash scripts/install-test-deps.sh\`\n${probe.stderr}`);
  }
  // one job per group: the groups have different numbers of series
  result = { groups: groups.map((g, k) => {
    const job = join(dir, `job${k}.json`), out = join(dir, `result${k}.json`);
    writeFileSync(job, JSON.stringify({ features: g.values[0].map((_, j) => `y${j}`), groups: [g] }));
    execFileSync(PYTHON, [join(ROOT, 'eval/sensors-var.py'), job, out], { stdio: ['ignore', 'ignore', 'pipe'] });
    return (JSON.parse(readFileSync(out, 'utf8')) as Result).groups[0];
  }) };
}, 60_000);

describe.each(groups.map((g, k) => [g.name, g, k] as [string, Group, number]))('VAR against statsmodels: %s', (name, g, k) => {
  const K = g.values[0].length, flat = Float64Array.from(g.values.flat());
  let m: VarModel;
  beforeAll(() => { m = fitVar(flat.subarray(0, g.train_end * K), K, MAXLAGS); });

  it('chooses the same lag order by AIC, with the same AIC at every order', () => {
    const ref = result.groups[k];
    expect(m.p, `${name}: lag order`).toBe(ref.p);
    expectClose(m.aic, ref.aic, `${name}: AIC per order`, { atol: 1e-9, rtol: 1e-9 });
  });

  it('fits the same coefficients and forecasts the same next rows', () => {
    const ref = result.groups[k];
    expectClose(m.params, ref.params.flat(), `${name}: params (1 + pK, K)`, { atol: 1e-8, rtol: 1e-6 });
    expectClose(g.scored.flatMap((t) => Array.from(varPredict(m, flat, K, t))), ref.pred.flat(), `${name}: one-step forecasts`, { atol: 1e-8, rtol: 1e-9 });
  });
});

describe('VAR numerics', () => {
  it('least squares recovers an exact fit and leaves a dependent column at 0', () => {
    // columns: 1, x, 2x (dependent); y = 3 + 0.5 x
    const x = [0, 1, 2, 3, 4, 5], A = Float64Array.from(x.flatMap((v) => [1, v, 2 * v])), B = Float64Array.from(x.map((v) => 3 + 0.5 * v));
    const X = solveLeastSquares(A, 6, 3, B, 1);
    expect(X[0]).toBeCloseTo(3, 10);
    expect(X[1] + 2 * X[2]).toBeCloseTo(0.5, 10);
  });
  it('log-determinant by Cholesky; −∞ when singular', () => {
    expect(logDet([2, 1, 1, 2], 2)).toBeCloseTo(Math.log(3), 12);
    expect(logDet([1, 1, 1, 1], 2)).toBe(-Infinity);
  });
  it('refuses more lags than the rows can estimate', () => {
    expect(() => fitVar(new Float64Array(20), 2, 5)).toThrow(/10 rows of 2 series allow at most 2 lags, got maxLags 5/);
  });
});
