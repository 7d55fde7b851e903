import { describe, expect, it } from 'vitest';
import { Scaler } from '../../data/scaler.js';
import { Rng } from '../../tensor/rng.js';
import { FeatureSpec } from './features.js';
import { Forecaster } from './model.js';
import { Predictor } from './predict.js';

describe('Predictor: recursive forecasts of a quantile model', () => {
  const Q = [0.1, 0.5, 0.9];
  const spec = new FeatureSpec('relative', 6, 1, 1, 1, 1, new Scaler('standard', [0], [1]), [0.5]);
  const model = new Forecaster({ cell: 'lstm', inputSize: 1, hidden: 5, layers: 1, dropout: 0, horizon: 1, targets: 1, quantiles: Q }, new Rng(7), 'cpu');
  const values = Float64Array.from({ length: 30 }, (_, i) => Math.sin(i / 2));

  it('gives bounds at every step, the one-step interval around the fed-back median', () => {
    const r = new Predictor(model, spec, 'recursive', 4, 1, 1, Q).predict(values, 29);
    expect(r.lo).toHaveLength(4); expect(r.hi).toHaveLength(4);
    // step 1 is the one-step model's own interval; step 2 reads the step-1 median as its last input
    const one = new Predictor(model, spec, 'direct', 1, 1, 1, Q).predict(values, 29);
    expect([r.lo![0], r.point[0], r.hi![0]]).toEqual([one.lo![0], one.point[0], one.hi![0]]);
    const fedBack = Float64Array.from([...values, r.point[0]]);
    const two = new Predictor(model, spec, 'direct', 1, 1, 1, Q).predict(fedBack, 30);
    expect([r.lo![1], r.point[1], r.hi![1]]).toEqual([two.lo![0], two.point[0], two.hi![0]]);
  });

  it('a point model gives no bounds', () => {
    const point = new Forecaster({ cell: 'gru', inputSize: 1, hidden: 5, layers: 1, dropout: 0, horizon: 1, targets: 1, quantiles: [] }, new Rng(7), 'cpu');
    const r = new Predictor(point, spec, 'recursive', 3, 1, 1, []).predict(values, 29);
    expect(r.point).toHaveLength(3);
    expect(r.lo).toBeUndefined();
  });
});
