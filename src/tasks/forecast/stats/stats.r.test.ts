import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../tensor/rng.js';
import { ROOT } from '../../../test-utils/index.js';
import { maseScale, metrics } from '../metrics.js';
import { admissible, autoEts, decompose, fitEts, thetaForecast, type EtsSpec } from './index.js';

/**
 * Live comparison with R's forecast package (tools/r_forecast_fixture.R): fixed-type ETS fits (log-likelihood,
 * parameters, fitted values, forecasts), automatic selection, thetaf, classical decomposition and the
 * admissible region. Every fit uses the first n − h values; the last h score both forecasts by MASE.
 */
const ALL = ['ANN', 'AAN', 'AAdN', 'MNN', 'MAN', 'MAdN', 'ANA', 'AAA', 'AAdA', 'MNA', 'MAA', 'MAdA', 'MNM', 'MAM',
  'MAdM'];

function synthetic(n: number, seed: number, f: (t: number, z: number) => number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, t) => f(t, rng.normal()));
}
const all = { holdout: true, auto: true, theta: true, decompose: true };
const SERIES = [
  { ...all, name: 'woolyrnq', dataset: 'woolyrnq', m: 4, h: 8, models: ALL },
  { ...all, name: 'wineind', dataset: 'wineind', m: 12, h: 12, models: ALL },
  { ...all, name: 'gas', dataset: 'gas', m: 12, h: 24, models: ['MAdM'] },
  // 30 training values with m = 12: R starts the season from a line-plus-harmonic regression instead
  { ...all, name: 'short12', m: 12, h: 12, models: ['MAM', 'ANA', 'AAdN'],
    y: synthetic(42, 1, (t, z) => (100 + 2 * t) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)) + 4 * z) },
  // odd season, values around zero: additive models only
  { ...all, name: 'week7', m: 7, h: 14, models: ['AAdA', 'ANA'], decompose: false,
    y: synthetic(98, 2, (t, z) => 3 * Math.cos((2 * Math.PI * t) / 7) + 0.02 * t + z) },
  { ...all, name: 'trend1', m: 1, h: 10, models: ['AAdN', 'MAN', 'MNN'], decompose: false,
    y: synthetic(70, 3, (t, z) => 50 + 0.8 * t - 0.004 * t * t + 2 * z) },
];

/** Random parameter sets around the admissible boundary: [α, β, γ, φ, m] (null: component absent). */
function admissibleCases(): (number | null)[][] {
  const rng = new Rng(7), out: (number | null)[][] = [];
  for (let i = 0; i < 300; i++) {
    const m = [4, 7, 12][i % 3], seasonal = i % 5 !== 0;
    out.push([rng.uniform() * 1.6 - 0.1, rng.uniform() * 1.2 - 0.3, seasonal ? rng.uniform() * 1.4 - 0.2 : null,
      0.7 + 0.35 * rng.uniform(), m]);
  }
  return out;
}

interface RFit {
  code: string; method: string; loglik: number; aicc: number; sigma2: number; seconds: number;
  par: Record<string, number>; fitted: number[]; mean: number[];
}
interface RSeries { name: string; y: number[]; fits: RFit[]; auto?: RFit; theta?: number[]; theta_plain?: number[]; figure?: number[] }
interface RResult { series: RSeries[]; admissible: boolean[] }

function runR(job: unknown): RResult {
  const probe = spawnSync('Rscript', ['-e', 'library(forecast); library(jsonlite)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('R with the forecast and jsonlite packages is needed for this test ' +
      `(${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}): run \`bash scripts/install-test-deps.sh\``);
  }
  const dir = mkdtempSync(join(tmpdir(), 'recur-r-'));
  try {
    writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
    execFileSync('Rscript', [join(ROOT, 'tools/r_forecast_fixture.R'), join(dir, 'job.json'), join(dir, 'out.json')],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as RResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const spec = (c: string): EtsSpec => ({ error: c[0] as EtsSpec['error'],
  trend: c.includes('d') ? 'Ad' : (c[1] as EtsSpec['trend']), season: c[c.length - 1] as EtsSpec['season'] });
const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-8));
  return d;
};

describe('statistical baselines against R forecast (live)', () => {
  let R: RResult;
  const cases = admissibleCases();
  beforeAll(() => { R = runR({ series: SERIES, admissible: cases }); }, 60_000);

  it('fixed-type ETS: log-likelihood, parameters, fitted values and forecasts', () => {
    const rows: string[] = [];
    for (const s of R.series) {
      const { m, h } = SERIES.find((x) => x.name === s.name)!, train = s.y.slice(0, s.y.length - h);
      for (const r of s.fits) {
        const t0 = performance.now(), fit = fitEts(train, m, spec(r.code)), ms = performance.now() - t0;
        const dl = Math.abs(fit.loglik - r.loglik) / Math.abs(r.loglik), df = maxRel(fit.forecast(h), r.mean);
        rows.push(`${s.name} ${r.code}: loglik ${fit.loglik.toFixed(3)} (R ${r.loglik.toFixed(3)},` +
          ` rel ${dl.toExponential(1)}),` +
          ` forecast rel ${df.toExponential(1)}, ${ms.toFixed(0)} ms (R ${(1000 * r.seconds).toFixed(0)} ms)`);
        expect(fit.name, s.name).toBe(r.method);
        expect(dl, `${s.name} ${r.code} loglik`).toBeLessThan(1e-5);
        expect(df, `${s.name} ${r.code} forecast`).toBeLessThan(1e-3);
        expect(maxRel(fit.fitted, r.fitted), `${s.name} ${r.code} fitted`).toBeLessThan(1e-3);
        expect(Math.abs(fit.alpha - r.par.alpha), `${s.name} ${r.code} alpha`).toBeLessThan(1e-2);
        if (fit.phi !== null) expect(Math.abs(fit.phi - r.par.phi), `${s.name} ${r.code} phi`).toBeLessThan(1e-2);
        expect(Math.abs(fit.sigma2 - r.sigma2) / r.sigma2, `${s.name} ${r.code} sigma2`).toBeLessThan(1e-3);
      }
    }
    console.log(rows.join('\n'));
  });

  it('automatic selection picks R\'s model; its forecasts score the same MASE on the held-out values', () => {
    const rows: string[] = [];
    let ours = 0, theirs = 0;
    for (const s of R.series) {
      const { m, h } = SERIES.find((x) => x.name === s.name)!, n = s.y.length - h, train = s.y.slice(0, n);
      const t0 = performance.now(), fit = autoEts(train, m), ms = performance.now() - t0;
      const scale = maseScale(s.y, n, m), test = s.y.slice(n);
      const a = metrics(test, fit.forecast(h), scale).mase, b = metrics(test, s.auto!.mean, scale).mase;
      ours += a; theirs += b;
      rows.push(`${s.name}: ${fit.name} (R ${s.auto!.method}) MASE ${a.toFixed(4)} (R ${b.toFixed(4)}),` +
        ` ${ms.toFixed(0)} ms (R ${(1000 * s.auto!.seconds).toFixed(0)} ms)`);
      expect(fit.name, s.name).toBe(s.auto!.method);
      expect(Math.abs(fit.aicc - s.auto!.aicc) / Math.abs(s.auto!.aicc), s.name).toBeLessThan(1e-5);
      expect(Math.abs(a - b), `${s.name} MASE`).toBeLessThanOrEqual(0.02 * b);
    }
    const k = R.series.length;
    console.log(rows.join('\n') + `\nmean MASE ${(ours / k).toFixed(4)} (R ${(theirs / k).toFixed(4)})`);
  });

  it('thetaf and the classical multiplicative decomposition', () => {
    for (const s of R.series) {
      const cfg = SERIES.find((x) => x.name === s.name)!, train = s.y.slice(0, s.y.length - cfg.h);
      // a series that is not positive is not divided by a multiplicative index (R's thetaf does divide it)
      const ref = train.every((v) => v > 0) ? s.theta : s.theta_plain;
      if (s.theta) expect(maxRel(thetaForecast(train, cfg.m, cfg.h), ref!), `${s.name} theta`).toBeLessThan(1e-6);
      if (!s.figure) continue;
      expect(maxRel(decompose(train, cfg.m, 'multiplicative').figure, s.figure), s.name).toBeLessThan(1e-12);
    }
  });

  it('the admissible region, by the Schur–Cohn test, agrees with R\'s polyroot check', () => {
    const ours = cases.map(([a, b, g, p, m]) => admissible(
      { error: 'A', trend: 'Ad', season: g === null ? 'N' : 'A' },
      { alpha: a!, beta: b!, gamma: g ?? 0, phi: p! }, m!));
    expect(ours).toEqual(R.admissible);
    expect(ours.filter(Boolean).length).toBeGreaterThan(30); // both sides of the boundary are exercised
  });
});
