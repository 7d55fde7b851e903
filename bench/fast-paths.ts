/**
 * The inference and generation fast paths, on every backend that loads here:
 *
 *   D  one step of the seed's cell (MyRNNCell(16, 8, 4), batch 1) through `cell.stepper(device)`,
 *      in µs per step (targets: ≤ 0.2 µs; PyTorch ≈ 5, brain.js ≈ 4, a plain Float32Array loop ≈ 0.6)
 *   E  characters per second from `Sampler.sample` on a vanilla tanh RNN char model (hidden 128,
 *      vocabulary 65, one-hot input, linear head, softmax sampling at temperature 1) (target ≥ 100,000)
 *
 * Each path is validated before it is timed (D against the seed's own autograd forward, E's
 * stepper + head against the model's full-sequence forward), then timed best-of-R after a warm-up.
 *
 *   npx tsx bench/fast-paths.ts [--rounds 7] [--devices cpu,wasm,native]
 */
import { loadavg } from 'node:os';
import { CharLM, IntTensor, MyRNNCell, RecurrentStepper, Rng, Sampler, Tensor, Vocab, getBackend, listDevices, noGrad } from '../src/node.js';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const ROUNDS = Number(option('rounds') ?? 7);
const wanted = option('devices')?.split(',');
const devices = listDevices().filter((d) => d.available && (!wanted || wanted.includes(d.name))).map((d) => d.name).reverse();

/** Best time per unit (seconds) over ROUNDS rounds of `units` units each, after one warm-up round. */
function best(units: number, round: () => void): number {
  round();
  let b = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    round();
    b = Math.min(b, (performance.now() - t0) / 1000 / units);
  }
  return b;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return a.length === b.length ? m : Infinity;
}

const load = (): string => loadavg().map((v) => v.toFixed(2)).join(' ');
console.log(`recur fast paths · Node ${process.version} · load average ${load()} · best of ${ROUNDS} rounds`);
for (const d of devices) console.log(`  ${d.padEnd(6)} ${getBackend(d).description}`);

// ---- D: one step of the seed's cell --------------------------------------------------------------

const U = 16, I = 8, O = 4, rng = new Rng(1);
const cell = new MyRNNCell(U, I, O, rng);
const xs = Array.from({ length: 64 }, () => Float32Array.from({ length: I }, () => rng.normal()));
const expected: Float32Array[] = noGrad(() => xs.map((x) => Float32Array.from(cell.forward(new Tensor(x.slice(), [I, 1]))[0].data)));
cell.resetState();

const D: Record<string, number> = {};
for (const dev of devices) {
  const st = cell.stepper(dev);
  const worst = Math.max(...xs.map((x, t) => maxDiff(st.step(x), expected[t])));
  if (!(worst < 1e-5)) throw new Error(`D on ${dev}: the stepper differs from the autograd forward by ${worst}`);
  const n = 200_000;
  D[dev] = best(n, () => { for (let i = 0; i < n; i++) st.step(xs[i & 63]); });
  st.dispose();
}
// the plain-loop baseline of the issue: h = tanh(W_hh·h + W_xh·x), y = W_hy·h over Float32Arrays
{
  const Wxh = Float32Array.from(cell.W_xh.data), Whh = Float32Array.from(cell.W_hh.data), Why = Float32Array.from(cell.W_hy.data);
  const h = new Float32Array(U), hn = new Float32Array(U), y = new Float32Array(O);
  const step = (x: Float32Array): Float32Array => {
    for (let i = 0; i < U; i++) {
      let s = 0;
      for (let k = 0; k < U; k++) s += Whh[i * U + k] * h[k];
      for (let k = 0; k < I; k++) s += Wxh[i * I + k] * x[k];
      hn[i] = Math.tanh(s);
    }
    h.set(hn);
    for (let o = 0; o < O; o++) { let s = 0; for (let k = 0; k < U; k++) s += Why[o * U + k] * h[k]; y[o] = s; }
    return y;
  };
  const worst = Math.max(...xs.map((x, t) => maxDiff(step(x), expected[t])));
  if (!(worst < 1e-5)) throw new Error(`D plain loop differs from the autograd forward by ${worst}`);
  const n = 200_000;
  D['plain loop'] = best(n, () => { for (let i = 0; i < n; i++) step(xs[i & 63]); });
}
const xT = xs.map((x) => new Tensor(x, [I, 1]));
D['autograd'] = best(20_000, () => noGrad(() => { for (let i = 0; i < 20_000; i++) cell.forward(xT[i & 63]); }));

// ---- E: sampling characters ----------------------------------------------------------------------

const CHARS = '\n !$&\',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const vocab = new Vocab('char', Array.from(CHARS), []), V = vocab.size, H = 128;
const E: Record<string, number> = {};
for (const dev of devices) {
  const model = new CharLM({ cell: 'rnn', vocab: V, hidden: H, layers: 1, dropout: 0, embed: 0 }, new Rng(2), dev);
  model.eval();
  // validate: stepper + head on this device against the model's full-sequence forward
  const ids = Int32Array.from({ length: 40 }, (_, t) => (t * 7) % V);
  const full = noGrad(() => model.forward(new IntTensor(ids, [ids.length, 1]))).logits.data;
  const st = new RecurrentStepper(model.rnn, 1, { head: { weight: model.head.weight.data, bias: model.head.bias!.data } });
  st.reset();
  let worst = 0;
  ids.forEach((id, t) => { st.step(id); worst = Math.max(worst, maxDiff(st.y, full.subarray(t * V, (t + 1) * V))); });
  st.dispose();
  if (!(worst < 1e-4)) throw new Error(`E on ${dev}: the stepper's logits differ from the full forward by ${worst}`);
  const sampler = new Sampler(model, vocab), length = dev === 'cpu' ? 2_000 : 20_000;
  let seed = 1;
  E[dev] = 1 / best(length, () => { sampler.sample({ length, temperature: 1, seed: seed++ }); });
  sampler.dispose();
}

// ---- report ----------------------------------------------------------------------------------------

const col = (s: string): string => s.padStart(12);
const names: string[] = [...devices];
console.log(`\n${''.padEnd(44)}${[...names, 'plain loop', 'autograd'].map(col).join('')}`);
console.log(`${'D  seed cell step (H 16, D 8, O 4), µs/step'.padEnd(44)}${[...names, 'plain loop', 'autograd'].map((d) => col((D[d] * 1e6).toFixed(3))).join('')}`);
console.log(`${'E  sampling (RNN-128, V 65), chars/s'.padEnd(44)}${names.map((d) => col(Math.round(E[d]).toLocaleString('en-US'))).join('')}`);
console.log(`\ntargets: D ≤ 0.2 µs/step, E ≥ 100,000 chars/s · load average now ${load()}`);
