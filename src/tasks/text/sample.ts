import type { Vocab } from '../../data/vocab.js';
import { DataError } from '../../errors.js';
import { RecurrentStepper } from '../../layers/stepper.js';
import type { SeedCharLM } from '../../models/seed-char-lm.js';
import { Rng } from '../../tensor/rng.js';
import type { Data } from '../../tensor/tensor.js';
import type { CharLM } from './model.js';
import type { CharModel } from './train.js';

/**
 * Sampling from a character model one character at a time, with no allocation per character:
 * the recurrent stepper advances the state and computes the head's logits (at batch 1, one call
 * of the backend's fused step kernel per character), and the next character is drawn from
 * softmax(logits / temperature), optionally restricted to the top k characters, then (the
 * kept probabilities renormalised, as Hugging Face's warpers chain) to the smallest set whose
 * probability reaches top-p. Temperature 0 takes the most likely character (greedy,
 * deterministic). The same seed gives the same text on the same backend.
 * The seed's cell (SeedCharLM) samples the same way through its own stepper (MyRNNCell.stepper).
 */
export interface SampleOptions {
  prime?: string; length?: number; temperature?: number; topK?: number; topP?: number; seed?: number;
  /** Called with every generated character as it comes (streaming). */
  onChar?: (c: string) => void;
  /**
   * Called with each drawn character before it is kept, and `generated` the number kept so far:
   * return true to end the text without it (a bar limit knows a bar line is complete only when
   * the character after it is not part of it).
   */
  stop?: (c: string, generated: number) => boolean;
}

export interface SampleResult { text: string; dropped: string[] }

/**
 * The sampling settings, checked: callers that print something first (the CLI writes the prime)
 * check before they do.
 */
export function resolveSampleOptions(o: SampleOptions): { temperature: number; topK: number; topP: number; length: number } {
  const temperature = o.temperature ?? 1, topK = o.topK ?? 0, topP = o.topP ?? 1, length = o.length ?? 500;
  if (!(temperature >= 0)) throw new DataError(`temperature: expected ≥ 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new DataError(`top-p: expected a value in (0, 1], got ${topP}`);
  if (!Number.isInteger(topK) || topK < 0) throw new DataError(`top-k: expected a non-negative integer, got ${topK}`);
  if (!(length >= 0)) throw new DataError(`length: expected a non-negative number of characters, got ${length}`);
  return { temperature, topK, topP, length };
}

/**
 * The entry of `order[0 … n)` where u falls in the running sum of P over those entries. Rounding
 * can leave u above the total: then the last entry that has any probability, never one with
 * P = 0 (a special token, or a character cut by top-k).
 */
export function pickIndex(P: ArrayLike<number>, order: ArrayLike<number>, n: number, u: number): number {
  let last = order[0];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (P[i] <= 0) continue;
    u -= P[i];
    last = i;
    if (u <= 0) return i;
  }
  return last;
}

/** What the sampler steps: RecurrentStepper with a head, or the seed cell's SeedStepper. */
interface CharStepper { step(input: number | Data): Data; readonly y: Data; readonly h: Data; reset(): void; dispose(): void }

/** Samples text from a trained character model (CharLM or SeedCharLM), as SampleOptions describes. */
export class Sampler {
  private readonly stepper: CharStepper;
  /** The head's output after each step (V): the stepper's own array, overwritten in place. */
  private readonly logits: Data;
  private readonly probs: Float64Array;
  /** Ids sorted by probability (top-k, top-p), and in id order (plain sampling). */
  private readonly order: Int32Array;
  private readonly ids: Int32Array;
  /** A learned embedding (V, E) and the row of the current character, or null (one-hot input). */
  private readonly embedTable: Data | null;
  private readonly embedRow: Data | null;
  /** 1 for the ids that may be drawn, 0 for the specials (padding, start/end markers). */
  private readonly drawable: Uint8Array;

  constructor(readonly model: CharModel, readonly vocab: Vocab) {
    if (model.arch.cell === 'seed') {
      this.stepper = (model as SeedCharLM).cell.stepper();
      this.embedTable = null; this.embedRow = null;
    } else {
      const m = model as CharLM, head = m.head;
      this.stepper = new RecurrentStepper(m.rnn, 1, { head: { weight: head.weight.data, bias: head.bias?.data ?? null } });
      this.embedTable = m.embed ? m.embed.weight.data : null;
      this.embedRow = m.embed ? m.embed.weight.data.slice(0, m.embed.embeddingDim) : null;
    }
    const V = vocab.size;
    this.logits = this.stepper.y; this.probs = new Float64Array(V);
    this.order = new Int32Array(V); this.ids = Int32Array.from({ length: V }, (_, i) => i);
    this.drawable = drawableMask(vocab);
  }

  /** Feeds one character id; the logits of the next character are left in this.logits. */
  private feed(id: number): void {
    if (this.embedRow) {
      const E = this.embedRow.length, table = this.embedTable!;
      for (let k = 0; k < E; k++) this.embedRow[k] = table[id * E + k];
      this.stepper.step(this.embedRow);
    } else {
      this.stepper.step(id);
    }
  }

  private draw(rng: Rng, temperature: number, topK: number, topP: number): number {
    const V = this.vocab.size, P = this.probs;
    if (temperature <= 0) return argmaxDrawable(this.logits, this.drawable);
    const sum = drawableWeights(this.logits, this.drawable, temperature, P);
    if (topK === 0 && topP === 1) return pickIndex(P, this.ids, V, rng.uniform() * sum);
    const O = this.order;
    O.set(this.ids);
    O.sort((a, b) => P[b] - P[a]);
    let n = topK > 0 ? Math.min(topK, V) : V, s = 0;
    for (let k = 0; k < n; k++) s += P[O[k]];
    // top-p within what top-k kept, renormalised: the smallest head of it holding topP of its mass
    if (topP < 1) { let c = 0, k = 0; while (k < n && c < topP * s) c += P[O[k++]]; n = Math.max(1, k); s = c; }
    return pickIndex(P, O, n, rng.uniform() * s);
  }

  sample(o: SampleOptions = {}): SampleResult {
    const { temperature, topK, topP, length } = resolveSampleOptions(o);
    const rng = new Rng(o.seed ?? 0);
    const prime = Array.from(o.prime ?? '');
    const dropped = this.vocab.unknown(prime);
    const known = prime.filter((c) => this.vocab.has(c) && !this.vocab.specials.includes(c));
    this.stepper.reset();
    // an empty prime starts from a newline when the model knows one, else from the most common start
    const start = known.length > 0 ? known : [this.vocab.has('\n') ? '\n' : this.vocab.tokens[this.vocab.specials.length]];
    for (const c of start) this.feed(this.vocab.id(c));
    // ids first, text at the end: nothing is allocated character by character (the id array
    // doubles when a length without bound, ended by `stop`, outgrows it)
    let ids = new Int32Array(Math.max(16, Math.min(Math.ceil(length), 1 << 16) || 0)), n = 0;
    const tokens = this.vocab.tokens;
    while (n < length) {
      const id = this.draw(rng, temperature, topK, topP);
      if (o.stop?.(tokens[id], n)) break;
      if (n === ids.length) { const grown = new Int32Array(2 * n); grown.set(ids); ids = grown; }
      ids[n++] = id;
      if (o.onChar) o.onChar(tokens[id]);
      this.feed(id);
    }
    return { text: Array.from(ids.subarray(0, n), (id) => tokens[id]).join(''), dropped };
  }

  /**
   * Reads a text through the model from a zero state, one character at a time: after each known
   * character, visit(t, h, logits) gets the last layer's hidden state (H) and the logits of the next
   * character (V) — views overwritten by the next step (copy what you keep). Unknown characters are
   * skipped. This is what shows the memory at work: which units track quotes, line ends, words.
   */
  read(text: string, visit: (t: number, h: Data, logits: Data) => void): void {
    this.stepper.reset();
    Array.from(text).forEach((c, t) => {
      if (!this.vocab.has(c)) return;
      this.feed(this.vocab.id(c));
      visit(t, this.stepper.h, this.logits);
    });
  }

  /** Returns the stepper's buffers to its backend (the wasm heap). */
  dispose(): void { this.stepper.dispose(); }
}

/**
 * The k most likely next characters after `logits` (V), as Sampler.read hands them out: softmax
 * over the characters that may be drawn (the specials get no probability, as in sampling), most
 * likely first. What a person pointing at a character in the playground's heat map sees.
 */
export function topNext(logits: ArrayLike<number>, vocab: Vocab, k: number): { c: string; p: number }[] {
  const V = vocab.size;
  if (logits.length !== V) throw new DataError(`topNext: expected ${V} logits (one per symbol of the vocabulary), got ${logits.length}`);
  const ok = drawableMask(vocab), e = new Float64Array(V), sum = drawableWeights(logits, ok, 1, e);
  const ids = Array.from({ length: V }, (_, i) => i).filter((i) => ok[i] === 1);
  return ids.sort((a, b) => e[b] - e[a]).slice(0, k).map((i) => ({ c: vocab.tokens[i], p: e[i] / sum }));
}

/** 1 for the ids that may be drawn, 0 for the specials (padding, start/end markers). */
function drawableMask(vocab: Vocab): Uint8Array {
  const ok = new Uint8Array(vocab.size).fill(1);
  for (const s of vocab.specials) ok[vocab.id(s)] = 0;
  return ok;
}

/** The most likely id that may be drawn (greedy decoding). */
function argmaxDrawable(L: ArrayLike<number>, ok: Uint8Array): number {
  let best = -1;
  for (let i = 0; i < L.length; i++) if (ok[i] === 1 && (best < 0 || L[i] > L[best])) best = i;
  return best;
}

/**
 * Unnormalised softmax(L / temperature) over the drawable ids into P (0 for the specials),
 * shifted by the largest drawable logit; returns the sum of P.
 */
function drawableWeights(L: ArrayLike<number>, ok: Uint8Array, temperature: number, P: Float64Array): number {
  const top = L[argmaxDrawable(L, ok)];
  let sum = 0;
  for (let i = 0; i < L.length; i++) { P[i] = ok[i] === 1 ? Math.exp((L[i] - top) / temperature) : 0; sum += P[i]; }
  return sum;
}
