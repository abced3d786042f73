/**
 * ONNX bytes → a plain graph: nodes with decoded attributes, and every
 * constant (initializers, Constant nodes, and Identity/Cast of constants)
 * decoded to numbers. Decoding uses @bufbuild/protobuf with classes generated
 * from the official onnx.proto (./proto/), so it runs anywhere: bytes in, no
 * file system.
 *
 * Hostile input: protobuf lengths are checked against the buffer by the
 * decoder; tensor sizes are checked against their declared dims and a cap
 * before anything is allocated from them.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { ConversionError, graphError } from './errors';
import {
  AttributeProto_AttributeType as AttrType,
  ModelProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType as DT,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from './proto/onnx_pb';

/** Largest tensor we decode (elements): 64 Mi — far beyond any NSoC model. */
export const MAX_TENSOR_ELEMENTS = 1 << 26;

/** Element types we read; all values are kept as doubles (exact for every one of them up to 2^53). */
export type DType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool';

export interface ConstTensor {
  dims: number[];
  dtype: DType;
  values: Float64Array;
}

export type AttrValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'tensor'; value: ConstTensor }
  | { kind: 'other'; type: string };

export interface OnnxNode {
  /** the exporter's node name, or a made-up one naming its position and output */
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

export interface OnnxGraph {
  /** default-domain opset version */
  opset: number;
  producer: string;
  /** the one non-constant graph input; dims null where symbolic (the batch) */
  input: { name: string; dims: (number | null)[] };
  output: string;
  /** non-constant nodes in file order (ONNX requires topological order) */
  nodes: OnnxNode[];
  constants: Map<string, ConstTensor>;
}

const DTYPES: Partial<Record<number, { dtype: DType; bytes: number }>> = {
  [DT.FLOAT]: { dtype: 'float32', bytes: 4 },
  [DT.DOUBLE]: { dtype: 'float64', bytes: 8 },
  [DT.INT8]: { dtype: 'int8', bytes: 1 },
  [DT.UINT8]: { dtype: 'uint8', bytes: 1 },
  [DT.INT16]: { dtype: 'int16', bytes: 2 },
  [DT.UINT16]: { dtype: 'uint16', bytes: 2 },
  [DT.INT32]: { dtype: 'int32', bytes: 4 },
  [DT.UINT32]: { dtype: 'uint32', bytes: 4 },
  [DT.INT64]: { dtype: 'int64', bytes: 8 },
  [DT.UINT64]: { dtype: 'uint64', bytes: 8 },
  [DT.BOOL]: { dtype: 'bool', bytes: 1 },
};

export function dtypeFromOnnx(code: number): DType | null {
  return DTYPES[code]?.dtype ?? null;
}

function safeNumber(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw graphError(`${what}: ${v} is out of range`);
  return n;
}

function elementCount(dims: number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    if (d < 0) throw graphError(`${what}: negative dimension in [${dims.join(', ')}]`);
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) throw graphError(`${what}: ${dims.join('×')} elements exceed the limit of ${MAX_TENSOR_ELEMENTS}`);
  }
  return n;
}

function readRaw(raw: Uint8Array, dtype: DType, count: number, out: Float64Array): void {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'float32': out[i] = dv.getFloat32(i * 4, true); break;
      case 'float64': out[i] = dv.getFloat64(i * 8, true); break;
      case 'int8': out[i] = dv.getInt8(i); break;
      case 'uint8': case 'bool': out[i] = dv.getUint8(i); break;
      case 'int16': out[i] = dv.getInt16(i * 2, true); break;
      case 'uint16': out[i] = dv.getUint16(i * 2, true); break;
      case 'int32': out[i] = dv.getInt32(i * 4, true); break;
      case 'uint32': out[i] = dv.getUint32(i * 4, true); break;
      case 'int64': out[i] = Number(dv.getBigInt64(i * 8, true)); break;
      case 'uint64': out[i] = Number(dv.getBigUint64(i * 8, true)); break;
    }
  }
}

/** Decodes one TensorProto (raw_data or the typed repeated fields). */
export function decodeTensor(t: TensorProto, what: string): ConstTensor {
  const info = DTYPES[t.dataType];
  if (!info) throw graphError(`${what}: tensor element type ${DT[t.dataType] ?? t.dataType} is not supported`);
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
    throw graphError(`${what}: tensor data stored in an external file is not supported (export with all tensors inside the .onnx)`);
  }
  if (t.segment) throw graphError(`${what}: segmented tensors are not supported`);
  const dims = t.dims.map((d) => safeNumber(d, `${what} dims`));
  const count = elementCount(dims, what);
  const values = new Float64Array(count);
  if (t.rawData.length > 0) {
    if (t.rawData.length !== count * info.bytes) {
      throw graphError(`${what}: raw data has ${t.rawData.length} bytes, ${dims.join('×')} ${info.dtype} needs ${count * info.bytes}`);
    }
    readRaw(t.rawData, info.dtype, count, values);
  } else {
    const typed: ArrayLike<number | bigint> =
      info.dtype === 'float32' ? t.floatData
      : info.dtype === 'float64' ? t.doubleData
      : info.dtype === 'int64' ? t.int64Data
      : info.dtype === 'uint64' || info.dtype === 'uint32' ? t.uint64Data
      : t.int32Data;
    if (typed.length !== count) throw graphError(`${what}: holds ${typed.length} values, its dims ${dims.join('×')} need ${count}`);
    for (let i = 0; i < count; i++) values[i] = Number(typed[i]);
  }
  return { dims, dtype: info.dtype, values };
}

function decodeAttr(a: AttributeProto, what: string): AttrValue {
  let type = a.type;
  if (type === AttrType.UNDEFINED) {
    // Old exporters leave `type` unset: infer it from the field that holds a value.
    type = a.floats.length ? AttrType.FLOATS : a.ints.length ? AttrType.INTS : a.t ? AttrType.TENSOR : a.s.length ? AttrType.STRING : a.i !== 0n ? AttrType.INT : AttrType.FLOAT;
  }
  switch (type) {
    case AttrType.FLOAT: return { kind: 'float', value: a.f };
    case AttrType.INT: return { kind: 'int', value: safeNumber(a.i, `${what} attribute ${a.name}`) };
    case AttrType.STRING: return { kind: 'string', value: new TextDecoder().decode(a.s) };
    case AttrType.FLOATS: return { kind: 'floats', value: [...a.floats] };
    case AttrType.INTS: return { kind: 'ints', value: a.ints.map((v) => safeNumber(v, `${what} attribute ${a.name}`)) };
    case AttrType.TENSOR:
      if (!a.t) throw graphError(`${what}: attribute ${a.name} has no tensor`);
      return { kind: 'tensor', value: decodeTensor(a.t, `${what} attribute ${a.name}`) };
    default: return { kind: 'other', type: AttrType[type] ?? String(type) };
  }
}

function constantNodeValue(n: OnnxNode): ConstTensor {
  const [key, attr] = [...n.attrs.entries()][0] ?? ['', undefined];
  if (n.attrs.size !== 1 || !attr) throw new ConversionError(n.name, n.op, 'needs exactly one value attribute');
  switch (attr.kind) {
    case 'tensor': return attr.value;
    case 'float': return { dims: [], dtype: 'float32', values: Float64Array.of(attr.value) };
    case 'int': return { dims: [], dtype: 'int64', values: Float64Array.of(attr.value) };
    case 'floats': return { dims: [attr.value.length], dtype: 'float32', values: Float64Array.from(attr.value) };
    case 'ints': return { dims: [attr.value.length], dtype: 'int64', values: Float64Array.from(attr.value) };
    default: throw new ConversionError(n.name, n.op, `attribute ${key} (${attr.kind}) is not a numeric value`);
  }
}

const INT_RANGES: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1], bool: [0, 1],
};

/** ONNX Cast of a constant: float → int truncates toward zero; out-of-range is an error rather than a wrap. */
function castConstant(n: OnnxNode, t: ConstTensor): ConstTensor {
  const to = n.attrs.get('to');
  const dtype = to?.kind === 'int' ? dtypeFromOnnx(to.value) : null;
  if (!dtype) throw new ConversionError(n.name, n.op, `to a type this converter does not read`);
  const values = new Float64Array(t.values.length);
  const range = INT_RANGES[dtype];
  for (let i = 0; i < values.length; i++) {
    let v = t.values[i];
    if (dtype === 'float32') v = Math.fround(v);
    else if (dtype === 'bool') v = v !== 0 ? 1 : 0;
    else if (dtype !== 'float64') {
      v = Math.trunc(v);
      if (range && (v < range[0] || v > range[1])) throw new ConversionError(n.name, n.op, `of ${t.values[i]} to ${dtype} overflows`);
    }
    values[i] = v;
  }
  return { dims: [...t.dims], dtype, values };
}

function nodeFrom(p: NodeProto, index: number): OnnxNode {
  const name = p.name || `#${index} (output "${p.output[0] ?? ''}")`;
  const attrs = new Map<string, AttrValue>();
  for (const a of p.attribute) attrs.set(a.name, decodeAttr(a, `node "${name}"`));
  return { name, op: p.opType, domain: p.domain === 'ai.onnx' ? '' : p.domain, inputs: [...p.input], outputs: [...p.output], attrs };
}

function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false, recursionLimit: 64 });
  } catch (e) {
    throw graphError(`not a readable ONNX model: ${(e as Error).message}`);
  }
}

/** Parses an ONNX model (the bytes of a .onnx file). */
export function loadOnnx(bytes: Uint8Array): OnnxGraph {
  if (bytes.length === 0) throw graphError('not an ONNX model: the file is empty');
  const model = decodeModel(bytes);
  const g = model.graph;
  if (!g || g.node.length === 0) throw graphError('not an ONNX model: it has no graph (or an empty one)');
  let opset = 0;
  for (const o of model.opsetImport) if (o.domain === '' || o.domain === 'ai.onnx') opset = Number(o.version);
  if (opset === 0) opset = 1; // IR < 3 models carry no opset_import: the first opset

  const constants = new Map<string, ConstTensor>();
  for (const t of g.initializer) constants.set(t.name, decodeTensor(t, `initializer "${t.name}"`));
  if (g.sparseInitializer.length > 0) throw graphError('sparse initializers are not supported');

  const nodes: OnnxNode[] = [];
  g.node.forEach((p, i) => {
    const n = nodeFrom(p, i);
    if (n.domain === '' && n.op === 'Constant') {
      constants.set(n.outputs[0], constantNodeValue(n));
    } else if (n.domain === '' && (n.op === 'Identity' || n.op === 'Cast') && constants.has(n.inputs[0])) {
      const t = constants.get(n.inputs[0])!;
      constants.set(n.outputs[0], n.op === 'Cast' ? castConstant(n, t) : t);
    } else {
      nodes.push(n);
    }
  });

  const inputs = g.input.filter((v) => !constants.has(v.name));
  if (inputs.length !== 1) {
    throw graphError(`the model must have exactly one input, it has ${inputs.length} (${inputs.map((v) => v.name).join(', ')})`);
  }
  const iv = inputs[0];
  const tt = iv.type?.value.case === 'tensorType' ? iv.type.value.value : undefined;
  if (!tt) throw graphError(`input "${iv.name}" is not a tensor`);
  if (tt.elemType !== DT.FLOAT) throw graphError(`input "${iv.name}" has element type ${DT[tt.elemType] ?? tt.elemType}; a float32 input is expected`);
  const dims = (tt.shape?.dim ?? []).map((d) => (d.value.case === 'dimValue' ? safeNumber(d.value.value, `input "${iv.name}" shape`) : null));
  if (g.output.length !== 1) throw graphError(`the model must have exactly one output, it has ${g.output.length}`);
  return {
    opset,
    producer: `${model.producerName} ${model.producerVersion}`.trim(),
    input: { name: iv.name, dims },
    output: g.output[0].name,
    nodes,
    constants,
  };
}
