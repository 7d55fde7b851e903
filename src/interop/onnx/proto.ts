import type protobuf from 'protobufjs';
import { ATTRIBUTE_TYPE, DATA_TYPE, onnxSchemaRoot } from './schema.js';

/**
 * ONNX's protobuf messages, encoded and decoded by protobufjs from the schema in schema.ts. Field
 * names are ONNX's own (`ir_version`, `raw_data`, …), so the objects built in graph.ts read like
 * the ONNX IR spec.
 */
let root: protobuf.Root | null = null;

/** The protobuf type of one ONNX message, e.g. 'ModelProto'. */
export const onnxType = (name: string): protobuf.Type => (root ??= onnxSchemaRoot()).lookupType(`onnx.${name}`);

/** TensorProto.DataType values used here. */
export const DT = DATA_TYPE;
/** AttributeProto.AttributeType values used here. */
export const AT = ATTRIBUTE_TYPE;

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
