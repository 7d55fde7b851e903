import { DataError } from '../../errors.js';
import { type ParsedModel, loadInto } from '../../io/model-file.js';
import type { Frequency } from '../../data/series.js';
import type { Device } from '../../kernels/device.js';
import { FeatureSpec, type FeatureSpecJSON } from './features.js';
import { type ForecasterArch, Forecaster } from './model.js';
import { Predictor } from './predict.js';

/** What a forecaster's model file carries besides the weights. */
export interface ForecasterMeta {
  kind: 'forecaster';
  arch: ForecasterArch;
  features: FeatureSpecJSON;
  mode: 'direct' | 'recursive';
  horizon: number;
  quantiles: number[];
  columns: string[];
  nTargets: number;
  frequency: Frequency | null;
  lastDate: number | null;
  dateColumn: string | null;
}

/** Rebuilds a forecaster from a parsed model file (architecture checked against the weights), on `device` (default 'auto'). */
export function forecasterFromFile(parsed: ParsedModel, device?: Device): { predictor: Predictor; meta: ForecasterMeta } {
  const meta = parsed.meta as unknown as ForecasterMeta;
  const a = meta.arch;
  const bad = (what: string) => new DataError(`model file: malformed forecaster metadata (${what})`);
  if (!a || !['rnn', 'lstm', 'gru'].includes(a.cell)) throw bad('arch.cell');
  for (const k of ['inputSize', 'hidden', 'layers', 'horizon', 'targets'] as const) if (!Number.isInteger(a[k]) || a[k] < 1) throw bad(`arch.${k}`);
  if (!Array.isArray(meta.columns) || !Number.isInteger(meta.nTargets) || !meta.features) throw bad('columns');
  const spec = FeatureSpec.fromJSON(meta.features);
  if (spec.inputSize !== a.inputSize || spec.F !== meta.columns.length) throw bad('features do not match the architecture');
  const model = loadInto(() => new Forecaster({ ...a, dropout: 0, quantiles: meta.quantiles ?? [] }, undefined, device), parsed);
  return { predictor: new Predictor(model, spec, meta.mode, meta.horizon, meta.nTargets, spec.F, meta.quantiles ?? []), meta };
}
