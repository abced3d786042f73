/**
 * `.nlm` bytes → QuantizedModel, trusting nothing: every size is checked
 * against the file and the limits before anything is allocated, tensor sizes
 * come from validated shapes, and every failure is a ModelFileError.
 */
import type { Activation, Layer, ModelInput, QuantizedModel, WeightBits } from '../model';
import { unpackWeights } from './bitpack';
import { crc32 } from './crc32';
import { InvalidModelError, MODEL_LIMITS, ModelFileError, type ModelFileErrorKind } from './errors';
import {
  align4,
  CHECKSUM_BYTES,
  FLAG_OUTPUT_BIAS,
  FORMAT_MAJOR,
  HEADER_BYTES,
  KNOWN_REQUIRED_FLAGS,
  MAGIC,
  REQUIRED_FLAGS_MASK,
} from './format';
import type { PayloadPlan, TensorSlot } from './layout';
import type { LayerMetadata, ModelMetadata } from './schema';
import { describeSlot, findTensorProblem, parseMetadata, planModel } from './validate';

export function decodeModel(bytes: Uint8Array, sourceName = 'model'): QuantizedModel {
  const fail = (kind: ModelFileErrorKind, offset: number, reason: string): never => {
    throw new ModelFileError(kind, sourceName, offset, reason);
  };

  // Header.
  const magicSeen = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < magicSeen; i++) {
    if (bytes[i] !== MAGIC[i]) fail('corrupt', i, 'not a Neurolive model file (the magic "NLMODEL\\0" is missing)');
  }
  if (bytes.length < HEADER_BYTES) fail('truncated', bytes.length, `the ${HEADER_BYTES}-byte header is cut off after ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = view.getUint16(8, true);
  const minor = view.getUint16(10, true);
  if (major > FORMAT_MAJOR) fail('unsupported', 8, `format version ${major}.${minor} is newer than this reader (${FORMAT_MAJOR}.x); update Neurolive`);
  if (major < FORMAT_MAJOR) fail('corrupt', 8, `format version ${major}.${minor} does not exist`);
  const flags = view.getUint32(12, true);
  const unknownRequired = flags & REQUIRED_FLAGS_MASK & ~KNOWN_REQUIRED_FLAGS;
  if (unknownRequired) fail('unsupported', 12, `required feature flags 0x${unknownRequired.toString(16)} are not known to this reader`);
  const headerBytes = view.getUint32(16, true);
  const metadataBytes = view.getUint32(20, true);
  const payloadBytes = view.getUint32(24, true);
  const fileBytes = view.getUint32(28, true);
  if (headerBytes < HEADER_BYTES || headerBytes % 4 !== 0) fail('corrupt', 16, `header size ${headerBytes} (must be a multiple of 4, at least ${HEADER_BYTES})`);
  if (headerBytes > MODEL_LIMITS.maxHeaderBytes) fail('limit', 16, `header size ${headerBytes} exceeds ${MODEL_LIMITS.maxHeaderBytes}`);
  if (metadataBytes > MODEL_LIMITS.maxMetadataBytes) fail('limit', 20, `metadata size ${metadataBytes} exceeds ${MODEL_LIMITS.maxMetadataBytes}`);
  if (fileBytes > MODEL_LIMITS.maxFileBytes) fail('limit', 28, `file size ${fileBytes} exceeds ${MODEL_LIMITS.maxFileBytes}`);
  const payloadStart = align4(headerBytes + metadataBytes);
  const checksumAt = payloadStart + payloadBytes;
  if (checksumAt + CHECKSUM_BYTES !== fileBytes) {
    fail('corrupt', 24, `sections (header ${headerBytes}, metadata ${metadataBytes}, payload ${payloadBytes}) do not add up to the file size ${fileBytes}`);
  }
  if (bytes.length < fileBytes) fail('truncated', bytes.length, `the file ends after ${bytes.length} of its ${fileBytes} bytes`);
  if (bytes.length > fileBytes) fail('corrupt', fileBytes, `${bytes.length - fileBytes} bytes follow the end of the model`);

  // Checksum, before any of the content is believed.
  const stored = view.getUint32(checksumAt, true);
  const actual = crc32(bytes, 0, checksumAt);
  if (stored !== actual) fail('checksum', checksumAt, `CRC-32 is 0x${actual.toString(16).padStart(8, '0')}, the file says 0x${stored.toString(16).padStart(8, '0')}`);

  // Metadata.
  const metaEnd = headerBytes + metadataBytes;
  for (let i = metaEnd; i < payloadStart; i++) if (bytes[i] !== 0) fail('corrupt', i, 'non-zero padding after the metadata');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(headerBytes, metaEnd)));
  } catch (e) {
    fail('corrupt', headerBytes, `metadata is not UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  let meta: ModelMetadata;
  let plan: PayloadPlan;
  try {
    meta = parseMetadata(raw);
    plan = planModel(meta);
  } catch (e) {
    if (e instanceof InvalidModelError) fail('corrupt', headerBytes, `${e.path}: ${e.reason}`);
    throw e;
  }
  // One encoding per model: the flag is set exactly when a layer has an outputBias.
  const declaresBias = meta.layers.some((l) => l.outputBias !== undefined);
  if (declaresBias !== ((flags & FLAG_OUTPUT_BIAS) !== 0)) {
    fail('corrupt', 12, declaresBias ? 'layers declare an outputBias but the output-bias flag (0x1) is not set' : 'the output-bias flag (0x1) is set but no layer declares an outputBias');
  }
  if (plan.totalWeights > MODEL_LIMITS.maxTotalWeights) fail('limit', headerBytes, `${plan.totalWeights} weights exceed ${MODEL_LIMITS.maxTotalWeights}`);
  if (plan.payloadBytes !== payloadBytes) fail('corrupt', 24, `payload is ${payloadBytes} bytes, the layers described need ${plan.payloadBytes}`);

  // Tensors.
  const tensors = plan.slots.map((slot) => readTensor(bytes, view, payloadStart, slot, meta, fail));
  const model = buildModel(meta, plan, tensors);
  const problem = findTensorProblem(model, plan);
  if (problem) {
    const { slot, index, reason } = problem;
    const at = payloadStart + slot.offset + (index < 0 ? 0 : typeof slot.encoding === 'number' ? Math.floor((index * slot.encoding) / 8) : 4 * index);
    fail('corrupt', at, `${describeSlot(slot, meta, index)}: ${reason}`);
  }
  return model;
}

type Tensor = Int8Array | Int32Array | Float32Array;

function readTensor(
  bytes: Uint8Array,
  view: DataView,
  payloadStart: number,
  slot: TensorSlot,
  meta: ModelMetadata,
  fail: (kind: ModelFileErrorKind, offset: number, reason: string) => never,
): Tensor {
  const at = payloadStart + slot.offset;
  const end = at + slot.bytes;
  // Unused bits of a last partial byte and the alignment padding must be zero, so every model has one encoding.
  if (typeof slot.encoding === 'number') {
    const usedBits = (slot.count * slot.encoding) % 8;
    if (usedBits !== 0 && bytes[end - 1] >> usedBits !== 0) fail('corrupt', end - 1, `${describeSlot(slot, meta)}: unused bits are not zero`);
  }
  for (let i = end; i < align4(end); i++) if (bytes[i] !== 0) fail('corrupt', i, `${describeSlot(slot, meta)}: non-zero padding`);

  if (typeof slot.encoding === 'number') {
    const out = new Int8Array(slot.count);
    const bad = unpackWeights(bytes, at, slot.encoding as WeightBits, out);
    if (bad >= 0) {
      fail('corrupt', at + Math.floor((bad * slot.encoding) / 8), `${describeSlot(slot, meta, bad)}: code ${out[bad]} is outside the symmetric ${slot.encoding}-bit grid`);
    }
    return out;
  }
  if (slot.encoding === 'i32') {
    const out = new Int32Array(slot.count);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt32(at + 4 * i, true);
    return out;
  }
  const out = new Float32Array(slot.count);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(at + 4 * i, true);
  return out;
}

function buildModel(meta: ModelMetadata, plan: PayloadPlan, tensors: Tensor[]): QuantizedModel {
  const byLayer = meta.layers.map(() => new Map<string, Tensor>());
  plan.slots.forEach((slot, i) => byLayer[slot.layer].set(slot.tensor, tensors[i]));
  const layers = meta.layers.map((l, i) => buildLayer(l, byLayer[i]));
  const input: ModelInput = { height: meta.input.height, width: meta.input.width, channels: meta.input.channels, bits: meta.input.bits };
  if (meta.input.encoding) input.encoding = meta.input.encoding as ModelInput['encoding'];
  return { name: meta.name, input, layers, labels: meta.labels, meta: meta.meta };
}

function buildLayer(l: LayerMetadata, t: Map<string, Tensor>): Layer {
  const activation: Activation | null = l.activation
    ? { bits: l.activation.bits, threshold: t.get('threshold') as Int32Array, step: t.get('step') as Int32Array }
    : null;
  const base = {
    name: l.name,
    activation,
    ...(l.pool ? { pool: l.pool } : {}),
    ...(t.has('outputScale') ? { outputScale: t.get('outputScale') as Float32Array } : {}),
    ...(t.has('outputBias') ? { outputBias: t.get('outputBias') as Float32Array } : {}),
  };
  switch (l.kind) {
    case 'dense':
      return { ...base, kind: 'dense', units: l.units, weightBits: l.weightBits, weights: t.get('weights') as Int8Array };
    case 'separable-conv':
      return {
        ...base,
        kind: 'separable-conv',
        kernel: [l.kernel[0], l.kernel[1]],
        stride: l.stride,
        padding: l.padding,
        filters: l.filters,
        weightBits: l.weightBits,
        depthwise: t.get('depthwise') as Int8Array,
        pointwise: t.get('pointwise') as Int8Array,
      };
    case 'input-conv':
      return { ...base, kind: 'input-conv', kernel: [l.kernel[0], l.kernel[1]], stride: l.stride, padding: l.padding, filters: l.filters, weightBits: 8, weights: t.get('weights') as Int8Array };
    case 'conv':
      return { ...base, kind: 'conv', kernel: [l.kernel[0], l.kernel[1]], stride: l.stride, padding: l.padding, filters: l.filters, weightBits: l.weightBits, weights: t.get('weights') as Int8Array };
  }
}
