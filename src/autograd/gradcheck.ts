import { DataError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { backward, noGrad } from './engine.js';

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number; seed?: number }
export interface GradcheckResult { maxAbsError: number; worst: string; checked: number }

/**
 * Central finite-difference check of every gradient reaching `wrt`, like torch.autograd.gradcheck.
 * `fn` recomputes the output(s) from the current values of the tensors it closes over; the check
 * projects the outputs onto fixed random weights R so one scalar L = Σ R⊙y covers every element.
 * Use float64 tensors: in float32 the differences drown in rounding.
 * Throws a DataError naming the worst element if |analytic − numeric| > atol + rtol·|numeric|.
 */
export function gradcheck(fn: () => Tensor | readonly Tensor[], wrt: readonly Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-6, rtol = opts.rtol ?? 1e-4;
  for (const t of wrt) {
    if (t.dtype !== 'float64') throw new DataError(`gradcheck: expected float64 tensors, got ${t.dtype} (shape [${t.shape}])`);
  }
  const rng = new Rng(opts.seed ?? 1);
  const outs = () => { const y = fn(); return Array.isArray(y) ? y as Tensor[] : [y as Tensor]; };
  for (const t of wrt) { t.requiresGrad = true; t.grad = null; }
  const first = outs();
  const weights = first.map((y) => Float64Array.from({ length: y.size }, () => rng.normal()));
  const loss = (ys: Tensor[]) => ys.reduce((acc, y, k) => {
    let s = 0;
    for (let i = 0; i < y.size; i++) s += y.data[i] * weights[k][i];
    return acc + s;
  }, 0);

  first.forEach((y, k) => { if (y.requiresGrad) backward(y, { grad: weights[k], retainGraph: true }); });
  const analytic = wrt.map((t) => Float64Array.from(t.grad ?? new Float64Array(t.size)));

  let maxAbs = 0, worst = 'none', checked = 0;
  noGrad(() => {
    wrt.forEach((t, ti) => {
      for (let i = 0; i < t.size; i++) {
        const v = t.data[i];
        t.data[i] = v + eps; const lp = loss(outs());
        t.data[i] = v - eps; const lm = loss(outs());
        t.data[i] = v;
        const num = (lp - lm) / (2 * eps), ana = analytic[ti][i], err = Math.abs(num - ana);
        checked++;
        // written so a NaN on either side fails: NaN compares false with everything
        if (!(err <= maxAbs)) { maxAbs = err; worst = `tensor ${ti}${t.name ? ` (${t.name})` : ''} [${t.shape}] index ${i}: analytic ${ana}, numeric ${num}`; }
        if (!(err <= atol + rtol * Math.abs(num))) {
          throw new DataError(`gradcheck failed at tensor ${ti}${t.name ? ` (${t.name})` : ''} [${t.shape}] flat index ${i}: `
            + `analytic ${ana}, numeric ${num}, |diff| ${err.toExponential(2)}`);
        }
      }
    });
  });
  return { maxAbsError: maxAbs, worst, checked };
}
