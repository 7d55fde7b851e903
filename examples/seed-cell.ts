/**
 * The seed's cell, step by step. Run: npx tsx examples/seed-cell.ts
 * (Inside the package the import is simply `from 'recur'`.)
 */
import { MyRNNCell, getBackend, randn, readCsvColumn, trainSeedCell, vegaDataset } from '../src/node.js';

const device = getBackend('auto'); // like `"mps" if available else "cpu"`
console.log(`device: ${device.description}`);

const rnn = new MyRNNCell(16, 8, 4); // rnnUnits, inputDim, outputDim
const [y, h] = rnn.forward(randn([8, 1]));
console.log(`y_t ${JSON.stringify(y.shape)}, h_t ${JSON.stringify(h.shape)}`); // [4,1] [16,1]

// The same cell, trained with autograd to predict tomorrow's max temperature in Seattle.
const temps = readCsvColumn(vegaDataset('seattle-weather.csv'), 'temp_max');
const r = trainSeedCell(temps, { epochs: 6 });
console.log(`held-out MSE: untrained ${r.testMseBefore.toFixed(3)} → trained ${r.testMseAfter.toFixed(3)} (persistence ${r.testMsePersistence.toFixed(3)})`);
