import { readCsvColumn } from '../../data/csv.js';
import { vegaDataset } from '../../data/datasets.js';
import { type Device, getBackend } from '../../kernels/device.js';
import { MyRNNCell, trainSeedCell } from '../../models/seed-cell.js';
import { Rng, manualSeed } from '../../tensor/rng.js';
import { randn } from '../../tensor/init.js';
import type { Out } from '../output.js';

export interface DemoOptions { seed: number; device: Device; epochs: number }

/** The seed's example, then the same cell trained with autograd on a real series. */
export function runDemo(out: Out, o: DemoOptions): Record<string, unknown> {
  manualSeed(o.seed);
  const backend = getBackend(o.device);
  out.say('recur demo: the seed\'s cell, h = tanh(W_hh·h + W_xh·x), y = W_hy·h');
  out.say(`device: ${backend.name} (${o.device === 'auto' ? 'auto-selected' : 'requested'}): ${backend.description}`);
  const rnn = new MyRNNCell(16, 8, 4, new Rng(o.seed));
  const [y, h] = rnn.forward(randn([8, 1]));
  out.say(`rnn = MyRNNCell(rnnUnits=16, inputDim=8, outputDim=4): W_xh [16, 8], W_hh [16, 16], W_hy [4, 16], h [16, 1]`);
  out.say(`y_t, h_t = rnn(randn(8, 1)) → shapes [${y.shape.join(', ')}] and [${h.shape.join(', ')}]`);

  const temps = readCsvColumn(vegaDataset('seattle-weather.csv'), 'temp_max');
  out.say('');
  out.say(`Training the same cell (16 units) to predict tomorrow's max temperature in Seattle`);
  out.say(`(${temps.length} days from vega-datasets, last 20% held out, backpropagation through time over 30-day chunks):`);
  const t0 = performance.now();
  const r = trainSeedCell(temps, { epochs: o.epochs, seed: o.seed });
  r.epochLosses.forEach((l, i) => out.say(`  epoch ${i + 1}: train MSE ${l.toFixed(4)}`));
  out.say(`held-out MSE (standardised): untrained ${r.testMseBefore.toFixed(3)} → trained ${r.testMseAfter.toFixed(3)}; `
    + `persistence (tomorrow = today) ${r.testMsePersistence.toFixed(3)}  [${((performance.now() - t0) / 1000).toFixed(1)} s]`);
  return {
    device: backend.name, deviceDescription: backend.description, yShape: y.shape, hShape: h.shape,
    training: { epochs: o.epochs, epochLosses: r.epochLosses, testMseBefore: r.testMseBefore, testMseAfter: r.testMseAfter, testMsePersistence: r.testMsePersistence },
  };
}
