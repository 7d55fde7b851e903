/**
 * recur's hybrid (ES-RNN) as an eval method: one global model per (season, horizon) group — every
 * monthly series together, the quarterly ones by horizon, … — trained once on each series' values
 * before its test part with the library's defaults (a median ensemble of seeds and lookbacks),
 * then rolled over the origins without refitting: at origin t the smoothing runs over y[0..t].
 * Weekly series, which the protocol gives m = 1 (R's ets() cannot take 52), get the season the
 * CLI would find: the yearly cycle, 52 weeks, where the autocorrelation of the training part shows it.
 */
import type { Device } from '../../src/kernels/device.js';
import {
  type Combine, type HybridForecaster, type HybridOptions, trainHybrid,
} from '../../src/tasks/forecast/hybrid/index.js';
import type { SeriesRecord } from './collection.js';
import { guessSeason } from '../../src/tasks/forecast/metrics.js';
import type { Method } from './methods.js';
import type { Plan } from './protocol.js';

const seasonOf = (p: Plan): number =>
  (p.series.frequency === 'weekly' ? guessSeason(p.series.values, p.testStart, 'weekly') : p.series.m);

/**
 * The hybrid as it forecasts by default (the network ensemble's median averaged with ETS) and, from
 * the same trained members, the network ensemble alone ('hybrid net'), so the table shows what each half does.
 */
export function hybridMethods(o: { seed: number; device?: Device; options?: Partial<HybridOptions> }):
  { hybrid: Method; net: Method } {
  const byId = new Map<string, HybridForecaster>();
  const at = (series: SeriesRecord, t: number, h: number, combine: Combine) => {
    const f = byId.get(series.id)!, q = f.options.quantiles, Q = q.length;
    const out = f.forecast(series.id, series.values, [t], combine);
    return Float64Array.from({ length: h }, (_, k) => out[k * Q + q.indexOf(0.5)]);
  };
  const hybrid: Method = {
    name: 'hybrid',
    async prepare(plans: readonly Plan[]) {
      const groups = new Map<string, Plan[]>();
      for (const p of plans) {
        const k = `${seasonOf(p)}|${p.h}`;
        groups.set(k, [...(groups.get(k) ?? []), p]);
      }
      for (const [k, ps] of groups) {
        const t0 = performance.now();
        const f = trainHybrid(ps.map((p) => ({ id: p.series.id, values: p.series.values.slice(0, p.testStart) })), {
          horizon: ps[0].h, season: seasonOf(ps[0]), seed: o.seed, device: o.device ?? 'auto', ...o.options,
        });
        for (const p of ps) byId.set(p.series.id, f);
        console.error(`hybrid: group m|h ${k}: ${ps.length} series, ${f.members.length} members, `
          + `season ${f.options.season}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    },
    forecast: (series, t, h) => at(series, t, h, 'ets'),
  };
  // trained by the hybrid's prepare (run first); alone it trains the same members itself
  const net: Method = {
    name: 'hybrid net',
    prepare: (plans) => (byId.size === 0 ? hybrid.prepare!(plans) : Promise.resolve()),
    forecast: (series, t, h) => at(series, t, h, 'none'),
  };
  return { hybrid, net };
}
