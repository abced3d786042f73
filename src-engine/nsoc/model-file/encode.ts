/** QuantizedModel → `.nlm` bytes (layout: format.ts, layout.ts, docs/NSOC.md). */
import type { QuantizedModel } from '../model';
import { packWeights } from './bitpack';
import { crc32 } from './crc32';
import { InvalidModelError, MODEL_LIMITS } from './errors';
import { align4, CHECKSUM_BYTES, FLAG_OUTPUT_BIAS, FORMAT_MAJOR, FORMAT_MINOR, HEADER_BYTES, MAGIC } from './format';
import { tensorOf, validateModel } from './validate';

/** Throws InvalidModelError when the model breaks the contract or would not load back (size limits). */
export function encodeModel(model: QuantizedModel): Uint8Array {
  const { meta, plan } = validateModel(model);
  if (plan.totalWeights > MODEL_LIMITS.maxTotalWeights) {
    throw new InvalidModelError('layers', `${plan.totalWeights} weights, more than a model file may hold (${MODEL_LIMITS.maxTotalWeights})`);
  }
  let json: string;
  try {
    json = JSON.stringify(meta);
  } catch (e) {
    throw new InvalidModelError('meta', `not serialisable as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const metaBytes = new TextEncoder().encode(json);
  if (metaBytes.length > MODEL_LIMITS.maxMetadataBytes) {
    throw new InvalidModelError('meta', `metadata is ${metaBytes.length} bytes, more than ${MODEL_LIMITS.maxMetadataBytes}`);
  }
  const payloadStart = align4(HEADER_BYTES + metaBytes.length);
  const fileBytes = payloadStart + plan.payloadBytes + CHECKSUM_BYTES;
  if (fileBytes > MODEL_LIMITS.maxFileBytes) {
    throw new InvalidModelError('model', `would be ${fileBytes} bytes, more than a model file may be (${MODEL_LIMITS.maxFileBytes})`);
  }

  const out = new Uint8Array(fileBytes);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(8, FORMAT_MAJOR, true);
  view.setUint16(10, FORMAT_MINOR, true);
  view.setUint32(12, meta.layers.some((l) => l.outputBias !== undefined) ? FLAG_OUTPUT_BIAS : 0, true);
  view.setUint32(16, HEADER_BYTES, true);
  view.setUint32(20, metaBytes.length, true);
  view.setUint32(24, plan.payloadBytes, true);
  view.setUint32(28, fileBytes, true);
  out.set(metaBytes, HEADER_BYTES);

  for (const slot of plan.slots) {
    const at = payloadStart + slot.offset;
    const t = tensorOf(model.layers[slot.layer], slot.tensor);
    if (typeof slot.encoding === 'number') {
      packWeights(t as Int8Array, slot.encoding, out, at); // values already validated
    } else if (slot.encoding === 'i32') {
      const v = t as Int32Array;
      for (let i = 0; i < v.length; i++) view.setInt32(at + 4 * i, v[i], true);
    } else {
      const v = t as Float32Array;
      for (let i = 0; i < v.length; i++) view.setFloat32(at + 4 * i, v[i], true);
    }
  }
  view.setUint32(fileBytes - CHECKSUM_BYTES, crc32(out, 0, fileBytes - CHECKSUM_BYTES), true);
  return out;
}
