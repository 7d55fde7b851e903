/**
 * The seed's cell, step by step, then trained with autograd. Run: npx tsx examples/seed-cell.ts
 * (Inside the package the import is simply `from 'recur'`.)
 *
 * The PyTorch it comes from:
 *   rnn = MyRNNCell(rnn_units=16, input_dim=8, output_dim=4)   # device: "mps" if available else "cpu"
 *   y_t, h_t = rnn(torch.randn(8, 1))                           # shapes (4, 1) and (16, 1)
 */
import { Adam, MyRNNCell, Tensor, getBackend, noGrad, randn, readCsvColumn, vegaDataset } from '../src/node.js';

const device = getBackend('auto'); // like `"mps" if available else "cpu"`
console.log(`device: ${device.description}`);

const rnn = new MyRNNCell(16, 8, 4); // rnnUnits, inputDim, outputDim
const [y, h] = rnn.forward(randn([8, 1]));
console.log(`y_t ${JSON.stringify(y.shape)}, h_t ${JSON.stringify(h.shape)}`); // [4,1] [16,1]

// The same kind of cell, trained to predict tomorrow's max temperature in Seattle from today's.
const temps = readCsvColumn(vegaDataset('seattle-weather.csv'), 'temp_max');
const split = Math.floor(temps.length * 0.8); // the last 20% is held out
const mean = temps.slice(0, split).reduce((a, b) => a + b, 0) / split;
const sd = Math.sqrt(temps.slice(0, split).reduce((a, b) => a + (b - mean) ** 2, 0) / split);
const z = temps.map((v) => (v - mean) / sd); // standardised with the training part's statistics
const x = (v: number): Tensor => new Tensor(Float32Array.of(v), [1, 1]); // (input_dim 1, batch 1)

const cell = new MyRNNCell(16, 1, 1);
const opt = new Adam(cell.parameters(), { lr: 0.01 });

/** Mean squared one-step error on the held-out tail, the memory warmed up on everything before it. */
const heldOut = (): number => noGrad(() => {
  cell.resetState();
  let s = 0;
  for (let t = 0; t < z.length - 1; t++) {
    const [yt] = cell.forward(x(z[t]));
    if (t >= split) s += (yt.item() - z[t + 1]) ** 2;
  }
  return s / (z.length - 1 - split);
});

const before = heldOut();
for (let epoch = 1; epoch <= 6; epoch++) {
  cell.resetState(); // each epoch reads the series from the start
  let total = 0;
  for (let start = 0; start < split - 1; start += 30) {
    cell.detachState(); // truncated BPTT: keep the memory h, cut the tape every 30 days
    const end = Math.min(start + 30, split - 1);
    let loss = new Tensor(Float32Array.of(0), []);
    for (let t = start; t < end; t++) {
      const [yt] = cell.forward(x(z[t])); // h = tanh(W_hh·h + W_xh·x), y = W_hy·h
      loss = loss.add(yt.sub(z[t + 1]).pow(2).sum());
    }
    loss = loss.mul(1 / (end - start));
    opt.zeroGrad();
    loss.backward(); // through the 30 steps, into W_xh, W_hh, W_hy
    opt.step();
    total += loss.item() * (end - start);
  }
  console.log(`epoch ${epoch}: train MSE ${(total / (split - 1)).toFixed(4)}`);
}
let persistence = 0;
for (let t = split; t < z.length - 1; t++) persistence += (z[t] - z[t + 1]) ** 2;
console.log(`held-out MSE: untrained ${before.toFixed(3)} → trained ${heldOut().toFixed(3)} `
  + `(persistence ${(persistence / (z.length - 1 - split)).toFixed(3)})`);
