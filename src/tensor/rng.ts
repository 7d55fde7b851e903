/**
 * Seeded pseudo-random numbers: xoshiro128** for uniform bits, Box–Muller for normals.
 * The same seed gives the same stream on every platform, and the full state can be
 * saved and restored, so an interrupted run resumes with exactly the numbers it would have drawn.
 */
export interface RngState { s: [number, number, number, number]; spare: number | null }

export class Rng {
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private spare: number | null = null;

  constructor(seed = 0) { this.seed(seed); }

  /** Re-seeds from an integer (any JS number; fractional parts are ignored). */
  seed(seed: number): this {
    // splitmix32 expands one seed into four well-mixed state words
    let x = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
    return this;
  }

  /** 32 uniformly random bits as an unsigned integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal N(0, 1), Box–Muller with the second value kept for the next call. */
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u)), a = 2 * Math.PI * v;
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** Integer in [0, n). */
  int(n: number): number { return Math.floor(this.uniform() * n); }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }

  state(): RngState { return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare }; }
  setState(st: RngState): this {
    [this.s0, this.s1, this.s2, this.s3] = st.s.map((v) => v >>> 0) as [number, number, number, number];
    this.spare = st.spare;
    return this;
  }
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

const globalRng = new Rng(0x5eed);

/** The library-wide generator used when no `rng` is passed (like torch's default generator). */
export const defaultRng = (): Rng => globalRng;

/** Seeds the default generator, like `torch.manual_seed`. */
export function manualSeed(seed: number): Rng {
  // in place: layers built earlier (Dropout, RNN init) hold this generator and must see the new seed
  return globalRng.seed(seed);
}
