// Output bias (model format 1.1): the last layer's float bias lives in the
// layer, the runtime's scores are outputScale·p + outputBias, the file stores
// it behind a required flag, and files without it stay 1.0-compatible.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import type { DenseLayer, QuantizedModel } from '../../src-engine/nsoc/model';
import { decodeModel, encodeModel, FORMAT_MINOR, InvalidModelError, ModelFileError } from '../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { ModelRuntimeError } from '../../src-engine/nsoc/runtime-plan';
import { dequantizeOutput } from '../../src-engine/nsoc/convert/quantize';
import { handModel } from './model-file-fixtures';

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
const restamp = (b: Uint8Array) => (setU32(b, b.length - 4, zlibCrc32(b.subarray(0, b.length - 4)) >>> 0), b);

/** input 1×1×2 → dense 2 → 2 without activation, weights [[1, 2], [3, −1]] ([in][out]) */
function tiny(extra: Partial<DenseLayer>): QuantizedModel {
  const fc: DenseLayer = { kind: 'dense', name: 'fc', units: 2, weightBits: 4, weights: Int8Array.of(1, 2, 3, -1), activation: null, ...extra };
  return { name: 'tiny', input: { height: 1, width: 1, channels: 2, bits: 4 }, layers: [fc], labels: ['a', 'b'], meta: {} };
}

const biased = () =>
  handModel('biased', [4, 4, 2], [
    { kind: 'conv', k: 3, filters: 3, bits: 4, act: 2 },
    { kind: 'dense', units: 3, bits: 4, act: null, scale: 'channel', bias: 'channel' },
  ]);

for (const path of ['event', 'dense'] as const) {
  test(`${path} path: scores = outputScale·p + outputBias, rounded once to float32`, () => {
    const scale = Float32Array.of(0.1, 0.3);
    const bias = Float32Array.of(0.7, -2.25);
    const r = new NsocRuntime(tiny({ outputScale: scale, outputBias: bias }), { path }).infer(Uint8Array.of(2, 5));
    // p = [2·1 + 5·3, 2·2 − 5·1] = [17, −1]
    assert.deepEqual([...r.output], [17, -1]);
    assert.deepEqual([...r.scores!], [Math.fround(17 * scale[0] + bias[0]), Math.fround(-1 * scale[1] + bias[1])]);
    // a bias alone: the scale counts as 1
    const onlyBias = new NsocRuntime(tiny({ outputBias: bias }), { path }).infer(Uint8Array.of(2, 5));
    assert.deepEqual([...onlyBias.scores!], [Math.fround(17 + 0.7), -3.25]);
    // neither: no scores
    assert.equal(new NsocRuntime(tiny({}), { path }).infer(Uint8Array.of(2, 5)).scores, undefined);
    // reused results keep the same scores array and overwrite it
    const rt = new NsocRuntime(tiny({ outputBias: bias }), { path, reuseResult: true });
    const a = rt.infer(Uint8Array.of(1, 0)).scores!;
    assert.deepEqual([...a], [Math.fround(1.7), -0.25]);
    assert.equal(rt.infer(Uint8Array.of(0, 1)).scores, a);
    assert.deepEqual([...a], [Math.fround(3.7), -3.25]);
  });
}

test('the runtime refuses an outputBias of the wrong type or length, naming the layer', () => {
  assert.throws(() => new NsocRuntime(tiny({ outputBias: Float32Array.of(1) })), (e: unknown) => e instanceof ModelRuntimeError && /fc.*outputBias must be a Float32Array of 2 values/.test(e.message));
  assert.throws(() => new NsocRuntime(tiny({ outputBias: [1, 2] as unknown as Float32Array })), ModelRuntimeError);
});

test('dequantizeOutput reads the layer field and agrees with the runtime scores to float32 rounding', () => {
  const m = tiny({ outputScale: Float32Array.of(0.1, 0.3), outputBias: Float32Array.of(0.7, -2.25) });
  const r = new NsocRuntime(m).infer(Uint8Array.of(2, 5));
  const d = dequantizeOutput(m, r.output);
  assert.deepEqual([...d].map(Math.fround), [...r.scores!]);
  assert.ok(Math.abs(d[0] - (17 * 0.1 + 0.7)) < 1e-6 && Math.abs(d[1] - (-0.3 - 2.25)) < 1e-6);
});

test('model file 1.1: outputBias round-trips, sets the required flag and costs one float32 per channel', () => {
  const m = biased();
  const b = encodeModel(m);
  assert.equal(FORMAT_MINOR, 1);
  assert.equal(new DataView(b.buffer).getUint16(10, true), 1);
  assert.equal(u32(b, 12), 0x1);
  assert.deepEqual(decodeModel(b), m);
  const plain = handModel('biased', [4, 4, 2], [
    { kind: 'conv', k: 3, filters: 3, bits: 4, act: 2 },
    { kind: 'dense', units: 3, bits: 4, act: null, scale: 'channel' },
  ]);
  const p = encodeModel(plain);
  assert.equal(u32(p, 12), 0);
  assert.equal(u32(b, 24) - u32(p, 24), 3 * 4); // payload: 3 more float32
  // the bias is the last tensor of the payload, right before the CRC
  const view = new DataView(b.buffer);
  const bias = (m.layers[1] as DenseLayer).outputBias!;
  for (let i = 0; i < 3; i++) assert.equal(view.getFloat32(b.length - 4 - 12 + 4 * i, true), bias[i]);
});

test('model file: a file written as 1.0 (no flag, no bias) still loads', () => {
  const plain = handModel('old', [4, 4, 2], [{ kind: 'conv', k: 3, filters: 3, bits: 4, act: 2 }, { kind: 'dense', units: 3, bits: 4, act: null, scale: 'channel' }]);
  const b = encodeModel(plain);
  new DataView(b.buffer).setUint16(10, 0, true);
  assert.deepEqual(decodeModel(restamp(b)), plain);
});

test('model file: flag and metadata must agree; a non-finite or mis-sized bias is corrupt', () => {
  const rejects = (b: Uint8Array, re: RegExp, offset?: number) =>
    assert.throws(
      () => decodeModel(b, 'm.nlm'),
      (e: unknown) => e instanceof ModelFileError && e.kind === 'corrupt' && re.test(e.message) && (offset === undefined || e.offset === offset),
      String(re),
    );
  const b = encodeModel(biased());
  const noFlag = b.slice();
  setU32(noFlag, 12, 0);
  rejects(restamp(noFlag), /layers declare an outputBias but the output-bias flag \(0x1\) is not set/, 12);
  const plain = encodeModel(handModel('p', [2, 2, 1], [{ kind: 'dense', units: 2, bits: 2, act: null }]));
  setU32(plain, 12, 1);
  rejects(restamp(plain), /the output-bias flag \(0x1\) is set but no layer declares an outputBias/, 12);
  const nan = b.slice();
  const at = nan.length - 4 - 4; // the last bias value
  new DataView(nan.buffer).setFloat32(at, Number.POSITIVE_INFINITY, true);
  rejects(restamp(nan), /layers\[1\] \(dense_1\)\.outputBias\[2\]: outputBias Infinity is not finite/, at);
  assert.throws(() => encodeModel(tiny({ outputBias: Float32Array.of(1, 2, 3) })), (e: unknown) => e instanceof InvalidModelError && /outputBias has 3 values, expected one per output channel \(2\)/.test(e.message));
  assert.throws(() => encodeModel(tiny({ outputBias: Float32Array.of(1, Number.NaN) })), (e: unknown) => e instanceof InvalidModelError && /outputBias\[1\]: outputBias NaN is not finite/.test(e.message));
});
