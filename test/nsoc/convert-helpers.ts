// Shared by the convert*.test.ts suites: the PyTorch fixtures (test/fixtures/onnx/,
// made by training/fixtures/make_onnx_fixtures.py) and a tiny ONNX builder for
// graphs PyTorch would not export (error cases, hand-checkable models).
import { create, toBinary } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNpyHeader } from '../../src-engine/formats/numpy/npy';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type TensorProto,
} from '../../src-engine/nsoc/convert/proto/onnx_pb';

export const FIXTURES = join(import.meta.dirname, '../fixtures/onnx');

export interface FixtureEntry {
  name: string;
  input: [number, number, number];
  inputScale: number;
  outputs?: number;
  qat?: boolean;
  unsupported?: string;
  floatAccuracy?: number;
}

export const manifest: { fixtures: FixtureEntry[] } = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'));

export function readNpy(path: string): { shape: number[]; data: Uint8Array | Float32Array } {
  const bytes = new Uint8Array(readFileSync(path));
  const h = parseNpyHeader(bytes, path);
  const body = bytes.slice(h.headerLength);
  if (h.descr.kind !== 'scalar') throw new Error(`${path}: unexpected dtype`);
  const data = h.descr.str === '<f4' ? new Float32Array(body.buffer, 0, body.length / 4) : body;
  return { shape: h.shape, data };
}

export interface Fixture extends FixtureEntry {
  onnx: Uint8Array;
  frames: Uint8Array[];
  /** PyTorch's float outputs, one row per frame */
  expected: Float32Array[];
  labels: Uint8Array;
}

export function loadFixture(name: string): Fixture {
  const entry = manifest.fixtures.find((f) => f.name === name);
  if (!entry) throw new Error(`no fixture ${name}`);
  const onnx = new Uint8Array(readFileSync(join(FIXTURES, `${name}.onnx`)));
  if (entry.unsupported) return { ...entry, onnx, frames: [], expected: [], labels: new Uint8Array(0) };
  const x = readNpy(join(FIXTURES, `${name}.inputs.npy`));
  const y = readNpy(join(FIXTURES, `${name}.outputs.npy`));
  const [n, h, w, c] = x.shape;
  const k = y.shape[1];
  return {
    ...entry,
    onnx,
    frames: Array.from({ length: n }, (_, i) => (x.data as Uint8Array).slice(i * h * w * c, (i + 1) * h * w * c)),
    expected: Array.from({ length: n }, (_, i) => (y.data as Float32Array).slice(i * k, (i + 1) * k)),
    labels: readNpy(join(FIXTURES, `${name}.labels.npy`)).data as Uint8Array,
  };
}

// ---- a minimal ONNX builder ----

type AttrInput = number | number[] | string | { floats: number[] };

function attr(name: string, v: AttrInput): AttributeProto {
  if (typeof v === 'string') return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map(BigInt) });
  if (typeof v === 'object') return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: v.floats });
  return Number.isInteger(v) && !name.match(/^(alpha|beta|epsilon|min|max)$/)
    ? create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) })
    : create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v });
}

export interface NodeSpec {
  op: string;
  name?: string;
  inputs: string[];
  outputs?: string[];
  attrs?: Record<string, AttrInput>;
}

export interface TensorSpec {
  dims: number[];
  values: number[];
  /** default float32 */
  type?: 'float32' | 'int64' | 'int8' | 'uint8';
  /** mark the data as stored in an external file */
  external?: boolean;
}

function tensor(name: string, t: TensorSpec): TensorProto {
  const type = t.type ?? 'float32';
  const dims = t.dims.map(BigInt);
  if (t.external) return create(TensorProtoSchema, { name, dims, dataType: DT.FLOAT, dataLocation: TensorProto_DataLocation.EXTERNAL });
  if (type === 'float32') return create(TensorProtoSchema, { name, dims, dataType: DT.FLOAT, floatData: t.values });
  if (type === 'int64') return create(TensorProtoSchema, { name, dims, dataType: DT.INT64, int64Data: t.values.map(BigInt) });
  return create(TensorProtoSchema, { name, dims, dataType: type === 'int8' ? DT.INT8 : DT.UINT8, int32Data: t.values });
}

/**
 * A model with one float input `input` of `inputDims` (NCHW) and one output: the
 * last node's first output. Node outputs default to the node name.
 */
export function buildOnnx(inputDims: number[], nodes: NodeSpec[], initializers: Record<string, TensorSpec> = {}, opset = 13): Uint8Array {
  const protoNodes = nodes.map((n, i) =>
    create(NodeProtoSchema, {
      name: n.name ?? `n${i}`,
      opType: n.op,
      input: n.inputs,
      output: n.outputs ?? [n.name ?? `n${i}`],
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attr(k, v)),
    }),
  );
  const last = protoNodes[protoNodes.length - 1].output[0];
  const valueInfo = (name: string, dims: number[] | null) =>
    create(ValueInfoProtoSchema, {
      name,
      type: create(TypeProtoSchema, {
        value: {
          case: 'tensorType',
          value: create(TypeProto_TensorSchema, {
            elemType: DT.FLOAT,
            shape: dims ? create(TensorShapeProtoSchema, { dim: dims.map((d) => create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(d) } })) }) : undefined,
          }),
        },
      }),
    });
  const graph = create(GraphProtoSchema, {
    name: 'test',
    node: protoNodes,
    initializer: Object.entries(initializers).map(([k, t]) => tensor(k, t)),
    input: [valueInfo('input', inputDims)],
    output: [valueInfo(last, null)],
  });
  const model = create(ModelProtoSchema, {
    irVersion: 7n,
    producerName: 'neurolive-test',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
    graph,
  });
  return toBinary(ModelProtoSchema, model);
}

/** Deterministic pseudo-random floats in [−1, 1). */
export function seeded(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 2 - 1;
  });
}
