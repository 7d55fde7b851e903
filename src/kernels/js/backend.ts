import type { Data, DType } from '../../tensor/tensor.js';
import { allocData } from '../../tensor/tensor.js';
import type { Backend, StepKernel, StepSpec } from '../backend.js';
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
  fill(x: Data, off: number, n: number, value: number): void { x.fill(value, off, off + n); }
  copy(src: Data, srcOff: number, dst: Data, dstOff: number, n: number): void {
    dst.set(src.subarray(srcOff, srcOff + n), dstOff);
  }
  axpy(n: number, alpha: number, x: Data, xOff: number, y: Data, yOff: number): void {
    for (let i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
  }
  broadcastRows(v: Data, vOff: number, rows: number, cols: number, dst: Data, dstOff: number): void {
    const row = v.subarray(vOff, vOff + cols);
    for (let i = 0; i < rows; i++) dst.set(row, dstOff + i * cols);
  }
  addColSums(src: Data, srcOff: number, rows: number, cols: number, dst: Data, dstOff: number): void {
    for (let i = 0; i < rows; i++) {
      const r = srcOff + i * cols;
      for (let j = 0; j < cols; j++) dst[dstOff + j] += src[r + j];
    }
  }
  transpose(src: Data, srcOff: number, rows: number, cols: number, dst: Data, dstOff: number): void {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) dst[dstOff + j * rows + i] = src[srcOff + i * cols + j];
    }
  }
  gatherAddRows(table: Data, cols: number, idx: Int32Array, dst: Data, dstOff: number): void {
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i] * cols, d = dstOff + i * cols;
      for (let j = 0; j < cols; j++) dst[d + j] += table[r + j];
    }
  }
  scatterAddRows(src: Data, srcOff: number, cols: number, idx: Int32Array, table: Data): void {
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i] * cols, s = srcOff + i * cols;
      for (let j = 0; j < cols; j++) table[r + j] += src[s + j];
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
