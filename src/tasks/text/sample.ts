import type { Vocab } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { hostGemm } from '../../kernels/host.js';
import { RecurrentStepper } from '../../layers/stepper.js';
import { Rng } from '../../tensor/rng.js';
import type { CharLM } from './model.js';

/**
 * Sampling from a character model one character at a time, with no allocation per character:
 * the recurrent stepper advances the state, the head's logits go into one preallocated array,
 * and the next character is drawn from softmax(logits / temperature), optionally restricted to
 * the top k characters or to the smallest set whose probability reaches top-p.
 * Temperature 0 takes the most likely character (greedy, deterministic).
 */
export interface SampleOptions {
  prime?: string; length?: number; temperature?: number; topK?: number; topP?: number; seed?: number;
  /** Called with every generated character as it comes (streaming). */
  onChar?: (c: string) => void;
  /** Return true to stop after this character (e.g. a bar limit). */
  stop?: (c: string, generated: number) => boolean;
}

export interface SampleResult { text: string; dropped: string[] }

export class Sampler {
  private readonly stepper: RecurrentStepper;
  private readonly logits: Float32Array;
  private readonly probs: Float64Array;
  private readonly order: Int32Array;
  private readonly embedRow: Float32Array | null;
  private readonly specials: Set<number>;

  constructor(readonly model: CharLM, readonly vocab: Vocab) {
    this.stepper = new RecurrentStepper(model.rnn, 1);
    const V = vocab.size;
    this.logits = new Float32Array(V); this.probs = new Float64Array(V); this.order = new Int32Array(V);
    this.embedRow = model.embed ? new Float32Array(model.embed.embeddingDim) : null;
    this.specials = new Set(vocab.specials.map((s) => vocab.id(s)));
  }

  /** Feeds one character id; the logits of the next character are left in this.logits. */
  private feed(id: number): void {
    let h;
    if (this.embedRow) {
      const E = this.embedRow.length;
      this.embedRow.set(this.model.embed!.weight.data.subarray(id * E, (id + 1) * E));
      h = this.stepper.step(this.embedRow);
    } else {
      h = this.stepper.step(id);
    }
    const head = this.model.head, H = this.model.arch.hidden, V = this.vocab.size;
    this.logits.set(head.bias!.data);
    hostGemm(false, true, 1, V, H, 1, h, 0, H, head.weight.data, 0, H, 1, this.logits, 0, V);
  }

  private draw(rng: Rng, temperature: number, topK: number, topP: number): number {
    const V = this.vocab.size, L = this.logits, P = this.probs;
    let best = -1;
    for (let i = 0; i < V; i++) if (!this.specials.has(i) && (best < 0 || L[i] > L[best])) best = i;
    if (temperature <= 0) return best;
    let sum = 0;
    for (let i = 0; i < V; i++) { P[i] = this.specials.has(i) ? 0 : Math.exp((L[i] - L[best]) / temperature); sum += P[i]; }
    let n = V;
    if (topK > 0 || topP < 1) {
      const O = this.order;
      for (let i = 0; i < V; i++) O[i] = i;
      O.sort((a, b) => P[b] - P[a]);
      n = topK > 0 ? Math.min(topK, V) : V;
      if (topP < 1) { let c = 0, k = 0; while (k < n && c < topP * sum) c += P[O[k++]]; n = Math.max(1, k); }
      let s = 0;
      for (let k = 0; k < n; k++) s += P[O[k]];
      let u = rng.uniform() * s;
      for (let k = 0; k < n; k++) { u -= P[O[k]]; if (u <= 0) return O[k]; }
      return O[n - 1];
    }
    let u = rng.uniform() * sum;
    for (let i = 0; i < V; i++) { u -= P[i]; if (u <= 0 && P[i] > 0) return i; }
    return best;
  }

  sample(o: SampleOptions = {}): SampleResult {
    const temperature = o.temperature ?? 1, topK = o.topK ?? 0, topP = o.topP ?? 1, length = o.length ?? 500;
    if (!(temperature >= 0)) throw new DataError(`temperature: expected ≥ 0, got ${temperature}`);
    if (!(topP > 0 && topP <= 1)) throw new DataError(`top-p: expected a value in (0, 1], got ${topP}`);
    if (!Number.isInteger(topK) || topK < 0) throw new DataError(`top-k: expected a non-negative integer, got ${topK}`);
    const rng = new Rng(o.seed ?? 0);
    const prime = Array.from(o.prime ?? '');
    const dropped = this.vocab.unknown(prime);
    const known = prime.filter((c) => this.vocab.has(c) && !this.vocab.specials.includes(c));
    this.stepper.reset();
    // an empty prime starts from a newline when the model knows one, else from the most common start
    const start = known.length > 0 ? known : [this.vocab.has('\n') ? '\n' : this.vocab.tokens[this.vocab.specials.length]];
    for (const c of start) this.feed(this.vocab.id(c));
    const out: string[] = [];
    for (let k = 0; k < length; k++) {
      const id = this.draw(rng, temperature, topK, topP), c = this.vocab.tokens[id];
      out.push(c);
      o.onChar?.(c);
      if (o.stop?.(c, k + 1)) break;
      this.feed(id);
    }
    return { text: out.join(''), dropped };
  }
}
