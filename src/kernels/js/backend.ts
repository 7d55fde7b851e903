import type { Data, DType } from '../../tensor/tensor.js';
import { allocData } from '../../tensor/tensor.js';
import type { Backend, StepKernel, StepSpec, View } from '../backend.js';
import { gemm } from './gemm.js';
import * as pw from './pointwise.js';
import { ReferenceStep } from './step.js';

/**
 * The reference backend: plain TypeScript over host arrays, float32 or float64.
 * Buffers *are* host arrays, so fromHost/toHost cost nothing.
 */
export class JsBackend implements Backend<Data> {
  readonly name = 'cpu' as const;
  readonly description: string;
  constructor(readonly dtype: DType = 'float32') {
    this.description = `cpu (plain TypeScript reference kernels, ${dtype}, 1 thread)`;
  }

  alloc(n: number): Data { return allocData(this.dtype, n); }
  fromHost(host: Data): Data { return host; }
  toHost(b: Data, host: Data, off = 0): void {
    if (b !== host || off !== 0) host.set(b.subarray(off, off + host.length));
  }
  release(): void {}

  gemm = gemm;
  fill(n: number, value: number, x: View<Data>): void { x.buf.fill(value, x.off, x.off + n); }
  copy(n: number, src: View<Data>, dst: View<Data>): void {
    dst.buf.set(src.buf.subarray(src.off, src.off + n), dst.off);
  }
  axpy(n: number, alpha: number, x: View<Data>, y: View<Data>): void {
    for (let i = 0; i < n; i++) y.buf[y.off + i] += alpha * x.buf[x.off + i];
  }
  broadcastRows(rows: number, cols: number, v: View<Data>, dst: View<Data>): void {
    const row = v.buf.subarray(v.off, v.off + cols);
    for (let i = 0; i < rows; i++) dst.buf.set(row, dst.off + i * cols);
  }
  addColSums(rows: number, cols: number, src: View<Data>, dst: View<Data>): void {
    const s = src.buf, d = dst.buf, d0 = dst.off;
    for (let i = 0; i < rows; i++) {
      const r = src.off + i * cols;
      for (let j = 0; j < cols; j++) d[d0 + j] += s[r + j];
    }
  }
  transpose(rows: number, cols: number, src: View<Data>, dst: View<Data>): void {
    const s = src.buf, d = dst.buf;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) d[dst.off + j * rows + i] = s[src.off + i * cols + j];
    }
  }
  gatherAddRows(cols: number, idx: Int32Array, table: View<Data>, dst: View<Data>): void {
    const t = table.buf, d = dst.buf;
    for (let i = 0; i < idx.length; i++) {
      const r = table.off + idx[i] * cols, e = dst.off + i * cols;
      for (let j = 0; j < cols; j++) d[e + j] += t[r + j];
    }
  }
  scatterAddRows(cols: number, idx: Int32Array, src: View<Data>, table: View<Data>): void {
    const s = src.buf, t = table.buf;
    for (let i = 0; i < idx.length; i++) {
      const r = table.off + idx[i] * cols, e = src.off + i * cols;
      for (let j = 0; j < cols; j++) t[r + j] += s[e + j];
    }
  }

  rnnCellForward = pw.rnnCellForward;
  rnnCellBackward = pw.rnnCellBackward;
  lstmCellForward = pw.lstmCellForward;
  lstmCellBackward = pw.lstmCellBackward;
  gruCellForward = pw.gruCellForward;
  gruCellBackward = pw.gruCellBackward;
  maskState = pw.maskState;
  maskRows = pw.maskRows;

  stepKernel(spec: StepSpec): StepKernel { return new ReferenceStep(this.dtype, spec); }
}
