/**
 * A character-level LSTM on Moby-Dick with the fused layer, written out by hand: one-hot input as
 * a gather, truncated BPTT with the state carried (detached) across chunks, Adam, gradient
 * clipping, validation in nats per character, then greedy sampling. The `recur text train`
 * command does all of this (and checkpoints, streams, samples with top-k/top-p); this is the loop.
 * Run: npx tsx examples/char-lstm.ts [steps=300]   (inside the package: `from 'recur'`)
 * Legend: T time steps per chunk, B streams, V vocabulary, H hidden units.
 */
import {
  Adam, IntTensor, LSTM, Linear, Tensor, Vocab, clipGradNorm, crossEntropy, manualSeed, mobyDick, noGrad,
} from '../src/node.js';

const steps = Number(process.argv[2] ?? 300), T = 64, B = 32, H = 256;
manualSeed(0);
const text = mobyDick();
const vocab = Vocab.chars(text);
const ids = vocab.encodeText(text), V = vocab.size;
const nVal = Math.floor(ids.length * 0.05), train = ids.subarray(0, ids.length - nVal), val = ids.subarray(ids.length - nVal);

const lstm = new LSTM({ inputSize: V, hiddenSize: H, device: 'auto' }); // weight_ih_l0 (4H, V), weight_hh_l0 (4H, H), biases (4H)
const head = new Linear(H, V);                                           // weight (V, H), bias (V)
const opt = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 2e-3 });
console.log(`${text.length} characters, V ${V}, LSTM ${H} on ${lstm.backend.description}`);

/** B streams laid end to end over the text; chunk k of every stream → x, y (T, B). */
const streamLen = Math.floor((train.length - 1) / B);
function chunk(k: number): { x: IntTensor; y: IntTensor } {
  const x = new Int32Array(T * B), y = new Int32Array(T * B), off = (k * T) % (streamLen - T);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    const i = b * streamLen + off + t;
    x[t * B + b] = train[i]; y[t * B + b] = train[i + 1];
  }
  return { x: new IntTensor(x, [T, B]), y: new IntTensor(y, [T, B]) };
}

let h0: Tensor | null = null, c0: Tensor | null = null;
const t0 = performance.now();
for (let step = 1; step <= steps; step++) {
  const { x, y } = chunk(step - 1);
  if ((step - 1) * T % (streamLen - T) < T) { h0 = null; c0 = null; } // the streams wrapped: start fresh
  const { output, hT, cT } = lstm.forward(x, { h0, c0 });              // output (T, B, H)
  const loss = crossEntropy(head.forward(output), y);                   // logits (T, B, V), targets (T, B)
  opt.zeroGrad(); loss.backward(); clipGradNorm(opt.params, 5); opt.step();
  h0 = hT.detach(); c0 = cT!.detach();                                  // truncated BPTT: carry the state, not the graph
  if (step % 100 === 0 || step === steps) {
    const s = (performance.now() - t0) / 1000;
    console.log(`step ${step}: loss ${loss.item().toFixed(4)} nats/char, ${Math.round((step * T * B) / s)} chars/s`);
  }
}

// validation: the held-out tail read as one stream, state carried
lstm.eval();
const valLoss = noGrad(() => {
  let h: Tensor | null = null, c: Tensor | null = null, sum = 0, n = 0;
  for (let i = 0; i + T + 1 <= val.length; i += T) {
    const x = new IntTensor(val.slice(i, i + T), [T, 1]), y = new IntTensor(val.slice(i + 1, i + T + 1), [T, 1]);
    const { output, hT, cT } = lstm.forward(x, { h0: h, c0: c });
    sum += crossEntropy(head.forward(output), y).item() * T; n += T;
    h = hT; c = cT;
  }
  return sum / n;
});
console.log(`validation: ${valLoss.toFixed(4)} nats/char (perplexity ${Math.exp(valLoss).toFixed(2)})`);

// greedy continuation, one character at a time with the state carried
const out = noGrad(() => {
  let h: Tensor | null = null, c: Tensor | null = null, s = '', last = 0;
  for (const id of vocab.encodeText('Call me Ishmael. ')) ({ last, h, c } = stepOnce(id, h, c));
  for (let i = 0; i < 80; i++) { s += vocab.decode([last]); ({ last, h, c } = stepOnce(last, h, c)); }
  return s;
});
function stepOnce(id: number, h: Tensor | null, c: Tensor | null): { last: number; h: Tensor; c: Tensor } {
  const { output, hT, cT } = lstm.forward(new IntTensor(Int32Array.of(id), [1, 1]), { h0: h, c0: c });
  const logits = head.forward(output).data;
  let best = 0;
  for (let v = 1; v < V; v++) if (logits[v] > logits[best]) best = v;
  return { last: best, h: hT, c: cT! };
}
console.log(`Call me Ishmael. ${out}`);
