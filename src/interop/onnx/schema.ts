import protobuf from 'protobufjs';

/**
 * The part of ONNX's protobuf schema that recur writes, declared here: only the messages and fields the exporter
 * fills in, each with ONNX's field number and wire type (the facts a reader needs; ONNX's IR spec documents the rest).
 * Everything is proto2, as ONNX is: a set scalar is written even when it is 0 (Concat's `axis: 0` must reach the
 * reader) and repeated numbers are written one by one, not packed. Names stay snake_case, as the spec spells them.
 * proto.test.ts checks every number and type below against the onnx.proto that python3-onnx installs.
 */
type Field = readonly [id: number, type: string, rule?: 'repeated'];
interface Message {
  fields: Record<string, Field>;
  nested?: Record<string, Message>;
  enums?: Record<string, Record<string, number>>;
}

const many = 'repeated';

/** TensorProto.DataType numbers recur uses: TensorProto.data_type and TypeProto.Tensor.elem_type hold them. */
export const DATA_TYPE = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
/** AttributeProto.AttributeType numbers recur uses. */
export const ATTRIBUTE_TYPE = { INT: 2, STRING: 3, INTS: 7, STRINGS: 8 } as const;

export const ONNX_SCHEMA: Record<string, Message> = {
  // the file: format version, which operator sets it uses, the graph, free key/value metadata
  ModelProto: {
    fields: {
      ir_version: [1, 'int64'], producer_name: [2, 'string'], producer_version: [3, 'string'],
      doc_string: [6, 'string'], graph: [7, 'GraphProto'], opset_import: [8, 'OperatorSetIdProto', many],
      metadata_props: [14, 'StringStringEntryProto', many],
    },
  },
  OperatorSetIdProto: { fields: { domain: [1, 'string'], version: [2, 'int64'] } }, // domain '' is the standard ops
  StringStringEntryProto: { fields: { key: [1, 'string'], value: [2, 'string'] } },
  // nodes in topological order; initializers are the constant tensors (weights); inputs and outputs are typed
  GraphProto: {
    fields: {
      node: [1, 'NodeProto', many], name: [2, 'string'], initializer: [5, 'TensorProto', many],
      doc_string: [10, 'string'], input: [11, 'ValueInfoProto', many], output: [12, 'ValueInfoProto', many],
    },
  },
  // inputs and outputs are value names; '' in an input list skips an optional operand
  NodeProto: {
    fields: {
      input: [1, 'string', many], output: [2, 'string', many], name: [3, 'string'], op_type: [4, 'string'],
      attribute: [5, 'AttributeProto', many],
    },
  },
  // `type` says which one of the value fields holds the attribute
  AttributeProto: {
    fields: {
      name: [1, 'string'], type: [20, 'AttributeType'], i: [3, 'int64'], s: [4, 'bytes'],
      ints: [8, 'int64', many], strings: [9, 'bytes', many],
    },
    enums: { AttributeType: ATTRIBUTE_TYPE },
  },
  // data_type holds a DataType value; raw_data is the elements, little-endian, row-major
  TensorProto: {
    fields: { dims: [1, 'int64', many], data_type: [2, 'int32'], name: [8, 'string'], raw_data: [9, 'bytes'] },
    enums: { DataType: DATA_TYPE },
  },
  ValueInfoProto: { fields: { name: [1, 'string'], type: [2, 'TypeProto'] } },
  // ONNX's TypeProto is a oneof over kinds of value; recur only declares dense tensors
  TypeProto: {
    fields: { tensor_type: [1, 'Tensor'] },
    nested: { Tensor: { fields: { elem_type: [1, 'int32'], shape: [2, 'TensorShapeProto'] } } },
  },
  // a dimension is either fixed (dim_value) or symbolic (dim_param, e.g. 'batch'), never both
  TensorShapeProto: {
    fields: { dim: [1, 'Dimension', many] },
    nested: { Dimension: { fields: { dim_value: [1, 'int64'], dim_param: [2, 'string'] } } },
  },
};

function buildType(name: string, m: Message): protobuf.Type {
  const type = new protobuf.Type(name);
  for (const [field, [id, t, rule]] of Object.entries(m.fields)) type.add(new protobuf.Field(field, id, t, rule));
  for (const [n, values] of Object.entries(m.enums ?? {})) type.add(new protobuf.Enum(n, values));
  for (const [n, sub] of Object.entries(m.nested ?? {})) type.add(buildType(n, sub));
  return type;
}

/** The `onnx` package as a protobufjs root (proto2, the library's default for types built in code). */
export function onnxSchemaRoot(): protobuf.Root {
  const pkg = new protobuf.Namespace('onnx');
  for (const [name, m] of Object.entries(ONNX_SCHEMA)) pkg.add(buildType(name, m));
  return new protobuf.Root().add(pkg).resolveAll() as protobuf.Root;
}
