import protobuf from 'protobufjs';
import { ONNX_PROTO } from './schema.js';

/**
 * ONNX's protobuf messages, encoded and decoded by protobufjs from the official schema. Field
 * names are the schema's own (`ir_version`, `raw_data`, …: keepCase), so the objects built in
 * graph.ts read like the ONNX IR spec.
 */
let root: protobuf.Root | null = null;

function onnxRoot(): protobuf.Root {
  root ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  return root;
}

/** The protobuf type of one ONNX message, e.g. 'ModelProto'. */
export const onnxType = (name: string): protobuf.Type => onnxRoot().lookupType(`onnx.${name}`);

/** TensorProto.DataType values used here. */
export const DT = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
/** AttributeProto.AttributeType values used here. */
export const AT = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7, STRINGS: 8 } as const;

/** Encodes a ModelProto given as a plain object; protobufjs checks every field against the schema. */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const T = onnxType('ModelProto');
  const problem = T.verify(model);
  if (problem !== null) throw new Error(`ONNX ModelProto: ${problem}`);
  return T.encode(T.fromObject(model)).finish();
}

/** Decodes ONNX bytes back into a plain object (numbers for int64, arrays always present). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const T = onnxType('ModelProto');
  return T.toObject(T.decode(bytes), { longs: Number, bytes: Array, arrays: true, defaults: false });
}
