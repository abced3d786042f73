import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../src-engine/nsoc/model-file/crc32';
import { decodeModel, encodeModel, InvalidModelError, MODEL_LIMITS, ModelFileError } from '../../src-engine/nsoc/model-file/index';
import type { QuantizedModel } from '../../src-engine/nsoc/model';
import { modelShapes } from '../../src-engine/nsoc/shapes';
import { randomModel } from '../../src-engine/nsoc/testing/random-model';
import { convTiny, dsCnnKws, everyFeature, handModel } from './model-file-fixtures';

const models = () => [convTiny(), dsCnnKws(), everyFeature(), everyFeature(99)];

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
const setU16 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);
/** Recomputes the trailing CRC, so a deliberate change reaches the checks behind the checksum. */
const restamp = (b: Uint8Array) => (setU32(b, b.length - 4, zlibCrc32(b.subarray(0, b.length - 4)) >>> 0), b);

function metadataOf(b: Uint8Array): { json: Record<string, any>; start: number; length: number } {
  const start = u32(b, 16);
  const length = u32(b, 20);
  return { json: JSON.parse(new TextDecoder().decode(b.subarray(start, start + length))), start, length };
}

/** Re-assembles a file around new metadata (sizes and CRC recomputed, payload kept). */
function withMetadata(b: Uint8Array, edit: (m: Record<string, any>) => void, payload?: Uint8Array): Uint8Array {
  const { json } = metadataOf(b);
  edit(json);
  return withMetadataText(b, JSON.stringify(json), payload);
}

function withMetadataText(b: Uint8Array, text: string, payload?: Uint8Array): Uint8Array {
  const start = u32(b, 16);
  const length = u32(b, 20);
  const meta = new TextEncoder().encode(text);
  const oldPayloadStart = Math.ceil((start + length) / 4) * 4;
  const body = payload ?? b.subarray(oldPayloadStart, b.length - 4);
  const payloadStart = Math.ceil((32 + meta.length) / 4) * 4;
  const out = new Uint8Array(payloadStart + body.length + 4);
  out.set(b.subarray(0, 32));
  out.set(meta, 32);
  out.set(body, payloadStart);
  setU32(out, 20, meta.length);
  setU32(out, 24, body.length);
  setU32(out, 28, out.length);
  return restamp(out);
}

function rejects(bytes: Uint8Array, kind: ModelFileError['kind'], reason: RegExp, offset?: number): ModelFileError {
  let caught: unknown;
  try {
    decodeModel(bytes, 'm.nlm');
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ModelFileError, `expected a ModelFileError, got ${caught}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.match(caught.reason, reason);
  assert.equal(caught.source, 'm.nlm');
  if (offset !== undefined) assert.equal(caught.offset, offset, caught.message);
  assert.match(caught.message, new RegExp(`^m\\.nlm: model file ${kind} at byte ${caught.offset}: `));
  return caught;
}

test('models round-trip exactly: every layer kind, weight width, pooling, outputScale, encoding and meta', () => {
  for (const m of models()) {
    const back = decodeModel(encodeModel(m), m.name);
    assert.deepEqual(back, m);
  }
});

test('300 random models (src-engine/nsoc/testing/random-model.ts) round-trip exactly', () => {
  let layers = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const m = randomModel(seed, { maxLayers: 6 });
    // random models come unlabelled; a model file needs one label per output
    const [h, w, c] = modelShapes(m).outputs[m.layers.length - 1];
    m.labels = Array.from({ length: h * w * c }, (_, i) => `c${i}`);
    layers += m.layers.length;
    // optional fields the generator sets to undefined (pool: undefined) come back absent
    for (const l of m.layers) for (const k of Object.keys(l)) if ((l as unknown as Record<string, unknown>)[k] === undefined) delete (l as unknown as Record<string, unknown>)[k];
    assert.deepEqual(decodeModel(encodeModel(m), `random-${seed}`), m, `seed ${seed}`);
  }
  assert.ok(layers > 600);
});

test('encoding is deterministic and the header says what the file holds', () => {
  const m = convTiny();
  const a = encodeModel(m);
  assert.deepEqual(encodeModel(convTiny()), a);
  assert.deepEqual([...a.subarray(0, 8)], [...new TextEncoder().encode('NLMODEL'), 0]);
  assert.equal(new DataView(a.buffer).getUint16(8, true), 1);
  assert.equal(new DataView(a.buffer).getUint16(10, true), 1); // 1.1: outputBias (test/nsoc/output-bias.test.ts)
  assert.equal(u32(a, 12), 0); // no output bias: no required flag, so a 1.0 reader loads it too
  assert.equal(u32(a, 16), 32);
  assert.equal(u32(a, 28), a.length);
  const { json, length } = metadataOf(a);
  assert.equal(json.name, 'convtiny-gesture');
  assert.deepEqual(json.input.encoding, { kind: 'time-channel', windowUs: 100_000, bins: 5, polarities: 2, clip: 15 });
  assert.equal(json.layers[6].outputScale, 10);
  // payload size, computed by hand for ConvTiny at 4 bits: weights per layer, padded to 4 bytes, plus thresholds/steps and the final scale
  const pad = (n: number) => Math.ceil(n / 4) * 4;
  const w = [3 * 3 * 10 * 16, 3 * 3 * 16 * 16, 3 * 3 * 16 * 32, 3 * 3 * 32 * 64, 3 * 3 * 64 * 128];
  let payload = w.reduce((s, n, i) => s + pad(n / 2) + 8 * [16, 16, 32, 64, 128][i], 0);
  payload += pad((3 * 3 * 128) / 2) + pad((128 * 256) / 2) + 8 * 256; // separable
  payload += pad((256 * 10) / 2) + 4 * 10; // dense 256×10 at 4 bits, no activation, outputScale
  assert.equal(u32(a, 24), payload);
  assert.equal(a.length, pad(32 + length) + payload + 4);
  assert.equal(u32(a, a.length - 4), zlibCrc32(a.subarray(0, a.length - 4)) >>> 0);
});

test('crc32 matches the standard check value and zlib', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  const b = encodeModel(everyFeature());
  assert.equal(crc32(b, 0, b.length - 4), zlibCrc32(b.subarray(0, b.length - 4)) >>> 0);
});

test('truncated: every prefix of a valid file is refused as truncated, at the right offset', () => {
  const b = encodeModel(everyFeature());
  for (let n = 0; n < b.length; n++) {
    const e = rejects(b.subarray(0, n), 'truncated', /cut off|ends after/);
    assert.equal(e.offset, n);
  }
});

test('corrupt: wrong magic, trailing bytes, bad section sizes, non-zero padding', () => {
  const b = encodeModel(everyFeature());
  const m = b.slice();
  m[3] = 0x58;
  rejects(m, 'corrupt', /magic/, 3);
  rejects(new TextEncoder().encode('PK\u0003\u0004 not a model'), 'corrupt', /magic/, 0);
  const longer = new Uint8Array(b.length + 3);
  longer.set(b);
  rejects(longer, 'corrupt', /3 bytes follow the end/, b.length);
  const sizes = b.slice();
  setU32(sizes, 24, u32(b, 24) + 4);
  rejects(sizes, 'corrupt', /do not add up/, 24);
  const header = b.slice();
  setU32(header, 16, 30);
  rejects(header, 'corrupt', /header size 30/, 16);
  const v0 = b.slice();
  setU16(v0, 8, 0);
  rejects(v0, 'corrupt', /version 0\.1 does not exist/, 8);
  // padding after the metadata: lengthen the name until the JSON does not end on a multiple of 4
  let k = 0;
  let unaligned = withMetadata(b, (j) => (j.name = 'n'));
  while ((32 + u32(unaligned, 20)) % 4 === 0) unaligned = withMetadata(b, (j) => (j.name = 'n'.repeat(++k + 1)));
  const metaEnd = 32 + u32(unaligned, 20);
  assert.equal(decodeModel(unaligned).name.length, k + 1);
  unaligned[metaEnd] = 1;
  rejects(restamp(unaligned), 'corrupt', /padding after the metadata/, metaEnd);
});

test('corrupt: metadata that is not JSON, not the schema, or inconsistent', () => {
  const b = encodeModel(everyFeature());
  const { start } = metadataOf(b);
  const notJson = b.slice();
  notJson[start] = 0x5b; // '[' instead of '{'
  rejects(restamp(notJson), 'corrupt', /not UTF-8 JSON/, start);
  const notUtf8 = b.slice();
  notUtf8[start + 2] = 0xff;
  rejects(restamp(notUtf8), 'corrupt', /not UTF-8 JSON/, start);
  rejects(withMetadata(b, (j) => (j.layers[1].weightBits = 3)), 'corrupt', /layers\.1\.weightBits/, 32);
  rejects(withMetadata(b, (j) => (j.layers[0].weightBits = 4)), 'corrupt', /layers\.0\.weightBits/);
  rejects(withMetadata(b, (j) => (j.layers[2].kind = 'lstm')), 'corrupt', /layers\.2\.kind/);
  rejects(withMetadata(b, (j) => (j.input.height = -1)), 'corrupt', /input\.height/);
  rejects(withMetadata(b, (j) => (j.layers[1].activation = { bits: 3 })), 'corrupt', /layers\.1\.activation/);
  rejects(withMetadata(b, (j) => delete j.meta), 'corrupt', /metadata meta/);
  rejects(withMetadata(b, (j) => j.labels.pop()), 'corrupt', /2 labels for 1×1×3 = 3 outputs/);
  rejects(withMetadata(b, (j) => (j.layers[1].kind = 'input-conv', j.layers[1].weightBits = 8)), 'corrupt', /input-conv layer can only be the first/);
  rejects(withMetadata(b, (j) => (j.layers[2].activation = null)), 'corrupt', /only the last layer may omit its activation/);
  rejects(withMetadata(b, (j) => (j.layers[4].pool = { kind: 'max', size: 2, stride: 2 })), 'corrupt', /layers\[4\].*max pool does not fit a 1×1 map/);
  rejects(withMetadata(encodeModel(handModel('g', [4, 4, 1], [{ kind: 'conv', k: 3, filters: 2, bits: 2, act: null }])), (j) => (j.layers[0].pool = { kind: 'global-avg' }, j.labels = ['a', 'b'])), 'corrupt', /global average pooling needs an activation/);
  rejects(withMetadata(b, (j) => (j.layers[2].outputScale = 1)), 'corrupt', /outputScale has 1 values, expected one per output channel \(7\)/);
  // shapes: a VALID 7×7 kernel cannot fit the 4×4 map after the first layer
  rejects(withMetadata(b, (j) => (j.layers[1].kernel = [7, 7], j.layers[1].padding = 'valid')), 'corrupt', /layers\[1\].*does not fit/);
  // sizes derived from the shapes must match the payload: one more filter needs more bytes than the file has
  rejects(withMetadata(b, (j) => (j.layers[3].filters = 10)), 'corrupt', /payload is \d+ bytes, the layers described need \d+/, 24);
});

test('corrupt: weight codes outside the symmetric grid and non-zero unused bits name the tensor and byte', () => {
  // a 1-layer 4-bit conv: its weights are the first tensor of the payload
  const m = handModel('tiny', [3, 3, 2], [{ kind: 'conv', k: 3, filters: 3, bits: 4 }]);
  const b = encodeModel(m);
  const payloadStart = Math.ceil((u32(b, 16) + u32(b, 20)) / 4) * 4;
  const bad = b.slice();
  bad[payloadStart + 5] = (bad[payloadStart + 5] & 0x0f) | 0x80; // element 11 := code 0b1000 = −8
  rejects(restamp(bad), 'corrupt', /layers\[0\] \(conv_0\)\.weights\[11\]: code -8 is outside the symmetric 4-bit grid/, payloadStart + 5);
  // 54 weights × 4 bits = 27 bytes: byte 27 is padding
  const padding = b.slice();
  padding[payloadStart + 27] = 2;
  rejects(restamp(padding), 'corrupt', /weights: non-zero padding/, payloadStart + 27);
  // 1-bit weights: 9×1×1×3... 27 bits → the last byte has 5 unused bits
  const one = encodeModel(handModel('one', [3, 3, 1], [{ kind: 'conv', k: 3, filters: 3, bits: 1 }]));
  const p1 = Math.ceil((u32(one, 16) + u32(one, 20)) / 4) * 4;
  const unused = one.slice();
  unused[p1 + 3] |= 0x80;
  rejects(restamp(unused), 'corrupt', /unused bits are not zero/, p1 + 3);
  // a step of 0 (threshold and step follow the weights, each padded to 4 bytes)
  const step = b.slice();
  setU32(step, payloadStart + 28 + 12 + 4, 0);
  rejects(restamp(step), 'corrupt', /layers\[0\] \(conv_0\)\.step\[1\]: step 0 must be > 0/, payloadStart + 28 + 12 + 4);
});

test('corrupt: a non-finite outputScale', () => {
  const m = handModel('s', [2, 2, 1], [{ kind: 'dense', units: 2, bits: 2, act: null, scale: 'channel' }]);
  const b = encodeModel(m);
  const at = b.length - 4 - 4; // the second (last) scale
  new DataView(b.buffer).setFloat32(at, Number.NaN, true);
  rejects(restamp(b), 'corrupt', /outputScale\[1\]: outputScale NaN is not finite/, at);
});

test('checksum: a flipped bit anywhere in header, metadata or payload is caught', () => {
  const b = encodeModel(dsCnnKws());
  const fileBytes = b.length;
  let checked = 0;
  for (let at = 32; at < fileBytes - 4; at += 97) {
    const m = b.slice();
    m[at] ^= 1 << at % 8;
    rejects(m, 'checksum', /CRC-32 is 0x[0-9a-f]{8}, the file says 0x[0-9a-f]{8}/, fileBytes - 4);
    checked++;
  }
  assert.ok(checked > 100);
  const m = b.slice();
  m[b.length - 1] ^= 0x10;
  rejects(m, 'checksum', /CRC-32/);
});

test('unsupported: a newer major version, an unknown required flag; unknown optional flags are ignored', () => {
  const b = encodeModel(everyFeature());
  const v2 = b.slice();
  setU16(v2, 8, 2);
  rejects(v2, 'unsupported', /format version 2\.1 is newer than this reader \(1\.x\)/, 8);
  const flag = b.slice();
  setU32(flag, 12, 0x0004);
  rejects(flag, 'unsupported', /required feature flags 0x4/, 12);
  const optional = b.slice();
  setU32(optional, 12, 0x00010000);
  setU16(optional, 10, 7); // a later minor version with an optional flag still loads
  assert.deepEqual(decodeModel(restamp(optional)), everyFeature());
});

test('limit: huge declared sizes are refused before anything is allocated', () => {
  const b = encodeModel(everyFeature());
  const big = b.slice();
  setU32(big, 28, 0xffffffff);
  rejects(big, 'limit', /file size 4294967295 exceeds/, 28);
  const meta = b.slice();
  setU32(meta, 20, MODEL_LIMITS.maxMetadataBytes + 1);
  rejects(meta, 'limit', /metadata size/, 20);
  const header = b.slice();
  setU32(header, 16, 1 << 20);
  rejects(header, 'limit', /header size/, 16);
  // a small file whose metadata declares 4096×4096×… weights: refused from the shapes, not by allocating them
  const started = performance.now();
  rejects(
    withMetadata(encodeModel(handModel('d', [2, 2, 1], [{ kind: 'dense', units: 2, bits: 1, act: null }])), (j) => {
      j.input = { height: 4096, width: 4096, channels: 16, bits: 4 };
      j.layers[0].units = 4096;
      j.labels = Array.from({ length: 4096 }, (_, i) => String(i));
    }),
    'limit',
    /1099511627776 weights exceed/,
  );
  assert.ok(performance.now() - started < 500);
});

test('deeply nested meta JSON loads (JSON.parse is not recursive), and re-encoding it is a clean error', () => {
  const b = encodeModel(everyFeature());
  const text = JSON.stringify(metadataOf(b).json).replace(/"meta":\{[^}]*\}/, `"meta":{"deep":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
  assert.ok(text.length > 400_000);
  const m = decodeModel(withMetadataText(b, text));
  assert.ok(Array.isArray((m.meta as { deep: unknown }).deep));
  assert.throws(() => encodeModel(m), (e: unknown) => e instanceof InvalidModelError && /meta: not serialisable as JSON/.test(e.message));
});

test('encodeModel refuses a model that breaks the contract, naming the place', () => {
  const cases: [(m: QuantizedModel) => void, RegExp][] = [
    [(m) => ((m.layers[1] as { weights: Int8Array }).weights[4] = 0), /layers\[1\] \(conv_1\)\.weights\[4\]: weight 0 is outside the 1-bit grid \{−1, \+1\}/],
    [(m) => ((m.layers[2] as { weights: Int8Array }).weights[0] = 2), /layers\[2\] \(conv_2\)\.weights\[0\]: weight 2 is outside the 2-bit grid \[−1, 1\]/],
    [(m) => ((m.layers[0] as { weights: Int8Array }).weights[0] = -128), /weight -128 is outside the 8-bit grid \[−127, 127\]/],
    [(m) => ((m.layers[3] as { pointwise: Int8Array }).pointwise = new Int8Array(3)), /layers\[3\] \(separable-conv_3\)\.pointwise: has 3 values, the layer's shape needs 63/],
    [(m) => (m.layers[4].activation!.threshold = new Float32Array(5) as unknown as Int32Array), /threshold: must be an Int32Array/],
    [(m) => (m.layers[4].activation!.step[2] = -1), /step\[2\]: step -1 must be > 0/],
    [(m) => m.labels.push('extra'), /labels: 4 labels for 1×1×3/],
    [(m) => ((m.meta as Record<string, unknown>).n = 10n), /meta: not serialisable as JSON/],
    [(m) => ((m as { input: { bits: number } }).input.bits = 3), /metadata input\.bits/],
  ];
  for (const [edit, reason] of cases) {
    const m = everyFeature();
    edit(m);
    assert.throws(() => encodeModel(m), (e: unknown) => e instanceof InvalidModelError && reason.test(e.message), String(reason));
  }
});
