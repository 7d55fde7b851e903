import { existsSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { allCases, charLM } from '../test-utils/cases.js';
import { exportOnnx } from './export.js';
import { onnxType } from './proto.js';
import { onnxSchemaRoot } from './schema.js';

/**
 * recur's ONNX schema (schema.ts) is its own short declaration; these checks hold it to the ONNX project's
 * onnx.proto as Debian's python3-onnx installs it, read at test time: same numbers, types and encodings,
 * and exports that the full schema re-encodes to the same bytes.
 */
const DEBIAN = '/usr/lib/python3/dist-packages/onnx/onnx.proto'; // python3-onnx, installed by the pretest

function official(): protobuf.Root {
  expect(existsSync(DEBIAN)).toBe(true);
  return protobuf.parse(readFileSync(DEBIAN, 'utf8'), { keepCase: true }).root.resolveAll() as protobuf.Root;
}

/** What must agree for a field to be read back the same: number, type, rule, packing, presence. */
const shape = (x: protobuf.Field) =>
  [x.id, x.resolvedType?.fullName ?? x.type, x.repeated, x.packed, Boolean(x.hasPresence)];

/** Every message and enum declared in `ns`. */
function walk(ns: protobuf.NamespaceBase): protobuf.ReflectionObject[] {
  return ns.nestedArray.flatMap((o) => (o instanceof protobuf.Namespace ? [o, ...walk(o)] : [o]));
}

describe('ONNX schema', () => {
  it('gives every field ONNX\'s number, type, rule and encoding, and every enum value ONNX\'s number', () => {
    const theirs = official(), ours = walk(onnxSchemaRoot());
    for (const o of ours) {
      if (o instanceof protobuf.Type) {
        const t = theirs.lookupType(o.fullName);
        for (const f of o.fieldsArray) {
          const g = t.fields[f.name];
          expect(g, `${o.fullName}.${f.name}`).toBeDefined();
          expect(shape(f), `${o.fullName}.${f.name}`).toEqual(shape(g));
        }
      } else if (o instanceof protobuf.Enum) {
        const e = theirs.lookupEnum(o.fullName);
        for (const [k, v] of Object.entries(o.values)) expect(e.values[k], `${o.fullName}.${k}`).toBe(v);
      }
    }
    expect(ours.filter((o) => o instanceof protobuf.Type).length).toBeGreaterThanOrEqual(11);
  });

  it('encodes exports exactly as ONNX\'s full schema does', () => {
    const T = official().lookupType('onnx.ModelProto');
    const models = allCases().map((c) => exportOnnx(c.parsed));
    models.push(exportOnnx(charLM('lstm', 2).parsed, { state: true }));
    for (const bytes of models) {
      const again = T.encode(T.decode(bytes)).finish(); // unknown or misnumbered fields would not survive this
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
      expect(onnxType('ModelProto').encode(onnxType('ModelProto').decode(again)).finish()).toEqual(bytes);
    }
  });
});
