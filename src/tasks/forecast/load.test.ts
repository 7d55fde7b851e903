import { describe, expect, it } from 'vitest';
import { Scaler } from '../../data/scaler.js';
import { parseModelFile, serializeModel } from '../../io/model-file.js';
import { Rng } from '../../tensor/rng.js';
import { FeatureSpec } from './features.js';
import { forecasterFromFile } from './load.js';
import { Forecaster } from './model.js';

describe('forecasterFromFile', () => {
  const spec = new FeatureSpec('level', 4, 2, 1, 1, 1, new Scaler('standard', [0], [1]), [1]);
  const arch = { cell: 'gru' as const, inputSize: 1, hidden: 3, layers: 1, dropout: 0, horizon: 2, targets: 1, quantiles: [] };
  const bytes = serializeModel(new Forecaster(arch, new Rng(1), 'cpu'), {
    kind: 'forecaster', arch, features: spec.toJSON(), mode: 'direct', horizon: 2, quantiles: [], columns: ['y'], nTargets: 1,
    frequency: null, lastDate: null, dateColumn: null,
  });

  it('builds the model on the device asked for (`forecast predict --device`)', () => {
    expect(forecasterFromFile(parseModelFile(bytes, 'forecaster'), 'cpu').predictor.model.rnn.device).toBe('cpu');
    expect(forecasterFromFile(parseModelFile(bytes, 'forecaster')).predictor.model.rnn.device).toBe('auto');
  });
});
