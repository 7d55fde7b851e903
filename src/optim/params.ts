import { DataError, assert } from '../errors.js';
import { type Data, type Tensor, allocData } from '../tensor/tensor.js';

/**
 * One flat buffer for a set of parameters and one for their gradients, llm.c-style: each
 * parameter's `data` and `grad` become named views into them, so zeroing, clipping, the
 * optimizer step and checkpoints are each one loop over one array.
 *
 * Values are copied in once; afterwards the views *are* the parameters. Building a second
 * buffer over the same tensors returns the first one. A buffer over other sets that share
 * tensors with it (a new optimizer over the head only, two optimizers, a rebuilt one) takes
 * those tensors over; whichever buffer steps next pulls in their current values (sync).
 */
export class ParamBuffer {
  readonly data: Data;
  readonly grad: Data;
  readonly params: readonly Tensor[];
  /** Start of each parameter's view, in elements. */
  readonly offsets: readonly number[];

  private static owners = new WeakMap<Tensor, ParamBuffer>();

  static of(params: readonly Tensor[]): ParamBuffer {
    const owner = params.length > 0 ? ParamBuffer.owners.get(params[0]) : undefined;
    if (owner && owner.params.length === params.length && owner.params.every((p, i) => p === params[i])) return owner;
    return new ParamBuffer(params);
  }

  private constructor(params: readonly Tensor[]) {
    assert(params.length > 0, () => 'ParamBuffer: expected at least one parameter, got none', DataError);
    assert(new Set(params).size === params.length, () => 'ParamBuffer: the same tensor is listed twice', DataError);
    const dtype = params[0].dtype;
    const offsets: number[] = [];
    let n = 0;
    for (const p of params) {
      assert(p.dtype === dtype, () => `ParamBuffer: expected every parameter in ${dtype}, got ${p.dtype} for '${p.name}'`, DataError);
      offsets.push(n);
      n += p.size;
    }
    this.data = allocData(dtype, n);
    this.grad = allocData(dtype, n);
    params.forEach((p, i) => {
      const o = offsets[i];
      this.data.set(p.data, o);
      if (p.grad) this.grad.set(p.grad, o);
      p.data = this.data.subarray(o, o + p.size);
      p.grad = this.grad.subarray(o, o + p.size);
      ParamBuffer.owners.set(p, this);
    });
    this.params = params;
    this.offsets = offsets;
  }

  get size(): number { return this.data.length; }
  zeroGrad(): void { this.grad.fill(0); }

  /**
   * Brings back views that were replaced: `p.grad = null` (PyTorch's zero_grad(set_to_none=True))
   * makes the next backward allocate a fresh array, `p.data = …` swaps the values out, and another
   * buffer over the same tensor rebinds both. Their contents are copied into these flat buffers
   * (a null gradient as zeros) and the views re-bound, so the step sees what the user sees.
   * Called by every optimizer step and clip. Returns, per parameter, whether it had a gradient
   * (torch's optimizers skip a parameter whose .grad is None).
   */
  sync(): boolean[] {
    return this.params.map((p, i) => {
      const o = this.offsets[i], n = (i + 1 < this.offsets.length ? this.offsets[i + 1] : this.data.length) - o;
      if (p.data.buffer !== this.data.buffer || p.data.byteOffset !== this.data.byteOffset + o * this.data.BYTES_PER_ELEMENT) {
        assert(p.data.length === n, () => `ParamBuffer: '${p.name}' expected ${n} values, got ${p.data.length} (reassigned data of another size?)`, DataError);
        this.data.set(p.data, o);
        p.data = this.data.subarray(o, o + n);
      }
      const g = p.grad;
      if (g === null || g.buffer !== this.grad.buffer || g.byteOffset !== this.grad.byteOffset + o * this.grad.BYTES_PER_ELEMENT) {
        const view = this.grad.subarray(o, o + n);
        if (g === null) view.fill(0);
        else {
          assert(g.length === n, () => `ParamBuffer: '${p.name}' expected a gradient of ${n} values, got ${g.length}`, DataError);
          view.set(g);
        }
        p.grad = view;
      }
      ParamBuffer.owners.set(p, this);
      return g !== null;
    });
  }

  /** Element ranges [lo, hi) covering the parameters flagged in `on`, contiguous runs merged. */
  runs(on: readonly boolean[]): [number, number][] {
    const out: [number, number][] = [];
    on.forEach((yes, i) => {
      if (!yes) return;
      const lo = this.offsets[i], hi = i + 1 < this.offsets.length ? this.offsets[i + 1] : this.data.length;
      const last = out[out.length - 1];
      if (last && last[1] === lo) last[1] = hi; else out.push([lo, hi]);
    });
    return out;
  }
}
