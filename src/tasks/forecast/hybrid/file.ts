import { DataError } from '../../../errors.js';
import { type ModelMeta, type ParsedModel, loadInto } from '../../../io/model-file.js';
import type { Frequency } from '../../../data/series.js';
import type { Device } from '../../../kernels/device.js';
import { Module } from '../../../layers/module.js';
import { Rng } from '../../../tensor/rng.js';
import { HybridForecaster } from './ensemble.js';
import { EsRnn, type HybridArch } from './model.js';
import type { SeasonKind } from './prepare.js';
import type { Combine } from './combine.js';

/**
 * A hybrid in a model file: the members' weights under m0., m1., … and, in the metadata, each
 * member's architecture and each series' id and transform (log or scaled), so `forecast predict`
 * rebuilds it and forecasts from new values of the same series.
 */
/** Where the series came from: what `predict` needs to read new values of them. */
export interface HybridSource {
  target: string; idColumn: string | null; dateColumn: string | null;
  frequency: Frequency | null; lastDate: number | null;
}

export interface HybridMeta extends ModelMeta, HybridSource {
  kind: 'hybrid';
  arch: { members: HybridArch[] };
  series: { id: string; kind: SeasonKind; scale: number }[];
  horizon: number; season: number; quantiles: number[];
  /** Absent in files written before the combination existed: those forecast with the ensemble alone. */
  combine?: Combine;
}

/** The members as one module, so the file holds them all. */
export class Ensemble extends Module {
  constructor(members: EsRnn[]) {
    super();
    members.forEach((m, k) => this.module(`m${k}`, m));
  }
}

export function hybridMeta(f: HybridForecaster, where: HybridSource): HybridMeta {
  return {
    kind: 'hybrid', arch: { members: f.members.map((m) => ({ ...m.arch })) },
    series: f.series.map((p) => ({ id: p.id, kind: p.kind, scale: p.scale })),
    horizon: f.options.horizon, season: f.options.season, quantiles: f.options.quantiles,
    combine: f.options.combine, ...where,
  };
}

/** Rebuilds the forecaster of a parsed 'hybrid' file (every member's shape checked against its weights). */
export function hybridFromFile(parsed: ParsedModel, device?: Device):
  { forecaster: HybridForecaster; meta: HybridMeta } {
  const meta = parsed.meta as HybridMeta;
  const bad = (what: string) => new DataError(`model file: malformed hybrid metadata (${what})`);
  const members = meta.arch?.members;
  if (!Array.isArray(members) || members.length === 0) throw bad('arch.members');
  if (!Array.isArray(meta.series) || meta.series.length === 0) throw bad('series');
  for (const s of meta.series) {
    const ok = typeof s?.id === 'string' && ['multiplicative', 'additive'].includes(s.kind) && s.scale > 0;
    if (!ok) throw bad('series entry');
  }
  if (meta.combine !== undefined && !['ets', 'none'].includes(meta.combine)) throw bad('combine');
  const N = meta.series.length;
  for (const a of members) {
    if (!['rnn', 'lstm', 'gru'].includes(a?.cell)) throw bad('cell');
    for (const k of ['hidden', 'layers', 'lookback', 'horizon', 'season', 'series'] as const) {
      if (!Number.isInteger(a[k]) || a[k] < 1) throw bad(k);
    }
    if (a.series !== N || !Array.isArray(a.quantiles) || a.quantiles.length === 0) throw bad('series or quantiles');
  }
  const ensemble = loadInto(() => new Ensemble(members.map((a) => new EsRnn(a, {
    alpha: new Array(N).fill(0), gamma: new Array(N).fill(0),
    season0: Array.from({ length: N }, () => new Array(a.season).fill(0)),
  }, new Rng(0), device))), parsed);
  const models = members.map((_, k) => (ensemble as unknown as Record<string, EsRnn>)[`m${k}`]);
  const series = meta.series.map((s) => ({ ...s, u: new Float64Array(0), fitEnd: 0 }));
  const f = new HybridForecaster(series, models, [],
    { horizon: meta.horizon, season: meta.season, quantiles: meta.quantiles, combine: meta.combine ?? 'none' });
  return { forecaster: f, meta };
}
