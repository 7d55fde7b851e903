/**
 * A cell of your own, made of differentiable tensor ops: the minimal gated unit (Zhou et al., 2016),
 *
 *   f = σ(W_f·[h, x] + b_f)      h̃ = tanh(W_h·[f⊙h, x] + b_h)      h ← (1 − f)⊙h + f⊙h̃
 *
 * checked against finite differences in float64 (as every op in recur is), then unrolled over
 * time and trained with autograd as a character model on Moby-Dick.
 * Run: npx tsx examples/custom-cell.ts [steps=200]   (inside the package: `from 'recur'`)
 * Legend: B batch, D input, H hidden units, V vocabulary, T time steps.
 */
import {
  Adam, type DType, Embedding, IntTensor, Linear, Module, Tensor, Vocab, clipGradNorm, concat, crossEntropy, gradcheck, manualSeed, mobyDick, randn, zeros,
} from '../src/node.js';

class MGUCell extends Module {
  W_f: Tensor; b_f: Tensor; W_h: Tensor; b_h: Tensor;
  constructor(readonly inputSize: number, readonly hiddenSize: number, dtype: DType = 'float32') {
    super();
    const k = 1 / Math.sqrt(hiddenSize), D = inputSize, H = hiddenSize;
    this.W_f = this.param('W_f', randn([D + H, H], { dtype }).mul(k)); // (H+D, H), rows [h; x]
    this.b_f = this.param('b_f', zeros([H], { dtype }));               // (H)
    this.W_h = this.param('W_h', randn([D + H, H], { dtype }).mul(k)); // (H+D, H)
    this.b_h = this.param('b_h', zeros([H], { dtype }));               // (H)
  }
  /** x (B, D), h (B, H) → h (B, H) */
  forward(x: Tensor, h: Tensor): Tensor {
    const f = concat([h, x], 1).matmul(this.W_f).add(this.b_f).sigmoid();
    const cand = concat([f.mul(h), x], 1).matmul(this.W_h).add(this.b_h).tanh();
    return f.neg().add(1).mul(h).add(f.mul(cand));
  }
}

// 1. The gradients of three unrolled steps against central differences, in float64.
manualSeed(1);
const small = new MGUCell(3, 4, 'float64');
const xs = [0, 1, 2].map(() => randn([2, 3], { dtype: 'float64' })), hInit = randn([2, 4], { dtype: 'float64' });
const check = gradcheck(() => xs.reduce((h, x) => small.forward(x, h), hInit), [...small.parameters(), hInit, ...xs]);
console.log(`gradcheck: ${check.checked} partial derivatives, max |analytic − numeric| ${check.maxAbsError.toExponential(1)}`);

// 2. Train it on characters: embedding by gather, the cell unrolled T steps, a linear head.
const steps = Number(process.argv[2] ?? 200), T = 32, B = 16, H = 64, E = 16;
manualSeed(0);
const text = mobyDick().slice(0, 200_000), vocab = Vocab.chars(text), ids = vocab.encodeText(text), V = vocab.size;
const embed = new Embedding(V, E);                                   // weight (V, E), one row per character
const cell = new MGUCell(E, H), head = new Linear(H, V);
const opt = new Adam([...embed.parameters(), ...cell.parameters(), ...head.parameters()], { lr: 3e-3 });
let first = NaN, last = NaN;
for (let step = 0; step < steps; step++) {
  let h = zeros([B, H]), loss: Tensor | null = null;
  const at = (b: number) => ((step * 7919 + b * 104_729) % (ids.length - T - 1));
  for (let t = 0; t < T; t++) {
    const x = new IntTensor(Int32Array.from({ length: B }, (_, b) => ids[at(b) + t]), [B]);
    const y = new IntTensor(Int32Array.from({ length: B }, (_, b) => ids[at(b) + t + 1]), [B]);
    h = cell.forward(embed.forward(x), h);                              // (B, H)
    const l = crossEntropy(head.forward(h), y);
    loss = loss ? loss.add(l) : l;
  }
  loss = loss!.div(T);
  opt.zeroGrad(); loss.backward(); clipGradNorm(opt.params, 5); opt.step();
  if (step === 0) first = loss.item();
  last = loss.item();
  if ((step + 1) % 50 === 0) console.log(`step ${step + 1}: loss ${last.toFixed(4)} nats/char`);
}
console.log(`MGU(${H}) on ${V} characters: loss ${first.toFixed(3)} → ${last.toFixed(3)} nats/char in ${steps} steps (uniform guess: ${Math.log(V).toFixed(3)})`);
