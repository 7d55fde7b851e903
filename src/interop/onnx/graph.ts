import { AT, DT } from './proto.js';

/**
 * A small builder for an ONNX GraphProto: nodes in order, float/int64 initializers, typed inputs
 * and outputs. Values get fresh names ("t0", "t1", …) unless named; dims are numbers (fixed) or
 * strings (symbolic: 'batch', 'time').
 */
export type Dim = number | string;
export type Attr = number | number[] | string | string[];
type Elem = keyof typeof DT;

const valueInfo = (name: string, elem: Elem, dims: Dim[]) => ({
  name,
  type: { tensor_type: { elem_type: DT[elem], shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
});

function attribute(name: string, v: Attr): Record<string, unknown> {
  if (typeof v === 'string') return { name, type: AT.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AT.INT, i: v };
  if (v.every((x) => typeof x === 'string')) return { name, type: AT.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
  return { name, type: AT.INTS, ints: v };
}

export class GraphBuilder {
  readonly node: Record<string, unknown>[] = [];
  readonly initializer: Record<string, unknown>[] = [];
  readonly input: Record<string, unknown>[] = [];
  readonly output: Record<string, unknown>[] = [];
  private count = 0;

  private fresh(): string { return `t${this.count++}`; }

  /** Adds a node; returns its `nOut` output names (`out` names the first). '' marks an omitted optional input. */
  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, nOut = 1, out?: string): string[] {
    const outputs = Array.from({ length: nOut }, (_, k) => (k === 0 && out !== undefined ? out : this.fresh()));
    while (inputs.length > 0 && inputs[inputs.length - 1] === '') inputs = inputs.slice(0, -1);
    this.node.push({
      op_type: type, name: `${type}_${this.node.length}`, input: inputs, output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** A float32 initializer (little-endian raw data). */
  floats(name: string, dims: number[], data: ArrayLike<number>): string {
    const raw = new Uint8Array(4 * data.length), dv = new DataView(raw.buffer);
    for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i], true);
    this.initializer.push({ name, dims, data_type: DT.FLOAT, raw_data: raw });
    return name;
  }

  /** An int64 initializer: shapes, axes, indices. `dims` [] makes a scalar. */
  int64s(dims: number[], data: number[], name = this.fresh()): string {
    const raw = new Uint8Array(8 * data.length), dv = new DataView(raw.buffer);
    data.forEach((v, i) => dv.setBigInt64(8 * i, BigInt(v), true));
    this.initializer.push({ name, dims, data_type: DT.INT64, raw_data: raw });
    return name;
  }

  addInput(name: string, elem: Elem, dims: Dim[]): string { this.input.push(valueInfo(name, elem, dims)); return name; }
  addOutput(name: string, elem: Elem, dims: Dim[]): void { this.output.push(valueInfo(name, elem, dims)); }

  graph(name: string, doc: string): Record<string, unknown> {
    return { name, doc_string: doc, node: this.node, initializer: this.initializer, input: this.input, output: this.output };
  }
}
