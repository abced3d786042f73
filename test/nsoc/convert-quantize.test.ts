// Quantization: the converted model, run by the integer runtime, reproduces
// PyTorch's outputs within the quantization error; on a hand-checkable model
// every integer is the one the documented arithmetic gives.
//
// The bound asserted on the fixtures: mean |score − PyTorch score| ≤ 15% of
// mean |PyTorch score| with 4-bit weights and activations (10% with 8-bit
// weights), and top-1 agreement ≥ 90%. Why: a 4-bit activation rounds to a
// step of range/15, i.e. a uniform error of std ≈ 2% of the range per unit;
// through two or three quantized layers, relative to scores well inside the
// range, that gives the 4–13% measured here. A real conversion error (a flatten
// order, a wrong scale) gives far more — see the negative control: > 20%.
// QAT models quantize exactly where the QAT nodes say, so their only error is
// the 1/16-unit rounding of thresholds and steps: ≤ 3%.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argmax } from '../../src-engine/nsoc/convert/agreement';
import { convertOnnx, type ConvertOptions } from '../../src-engine/nsoc/convert/convert';
import { frameToFloat, runFloat } from '../../src-engine/nsoc/convert/float-runtime';
import { loadOnnx } from '../../src-engine/nsoc/convert/onnx-load';
import { dequantizeOutput } from '../../src-engine/nsoc/convert/quantize';
import type { DenseLayer, QuantizedModel } from '../../src-engine/nsoc/model';
import { decodeModel, encodeModel } from '../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { buildOnnx, loadFixture, manifest, type Fixture } from './convert-helpers';

function convertFixture(fx: Fixture, opts: ConvertOptions = {}) {
  return convertOnnx(fx.onnx, fx.frames, { inputScale: fx.qat ? undefined : fx.inputScale, calibration: { method: 'max' }, ...opts });
}

/** Scores of the integer model on every frame, dequantized. */
function integerScores(model: QuantizedModel, frames: Uint8Array[]): Float64Array[] {
  const rt = new NsocRuntime(model);
  return frames.map((f) => dequantizeOutput(model, rt.infer(f).output));
}

function compare(scores: Float64Array[], fx: Fixture) {
  let err = 0;
  let mag = 0;
  let agree = 0;
  let correct = 0;
  scores.forEach((s, i) => {
    const y = fx.expected[i];
    for (let k = 0; k < y.length; k++) {
      err += Math.abs(s[k] - y[k]);
      mag += Math.abs(y[k]);
    }
    if (argmax(s) === argmax(y)) agree++;
    if (argmax(s) === fx.labels[i]) correct++;
  });
  return { rel: err / mag, top1: agree / scores.length, accuracy: correct / scores.length };
}

const supported = manifest.fixtures.filter((f) => !f.unsupported).map((f) => f.name);

for (const name of supported) {
  for (const weightBits of [4, 8] as const) {
    test(`${name}: ${weightBits}-bit weights, 4-bit activations: integer scores match PyTorch within the quantization error`, (t) => {
      const fx = loadFixture(name);
      const r = convertFixture(fx, { weightBits });
      const c = compare(integerScores(r.model, fx.frames), fx);
      const bound = fx.qat ? 0.03 : weightBits === 4 ? 0.15 : 0.1;
      t.diagnostic(`relative error ${(100 * c.rel).toFixed(1)}% (bound ${100 * bound}%), top-1 agreement ${(100 * c.top1).toFixed(1)}%, accuracy ${(100 * c.accuracy).toFixed(1)}% (float ${(100 * fx.floatAccuracy!).toFixed(1)}%)`);
      assert.ok(c.rel <= bound, `relative error ${c.rel}`);
      assert.ok(c.top1 >= (fx.qat ? 1 : 0.9), `top-1 agreement ${c.top1}`);
    });
  }
}

test('negative control: a flatten left in ONNX\'s CHW order breaks the bound', () => {
  const fx = loadFixture('conv_bn_relu_pool');
  const { model } = convertFixture(fx);
  const dense = model.layers[2] as DenseLayer;
  const [h, w, c, n] = [3, 3, 8, dense.units];
  const chw = new Int8Array(dense.weights.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) for (let u = 0; u < n; u++) chw[((y * w + x) * c + ch) * n + u] = dense.weights[(ch * h * w + y * w + x) * n + u];
  const permuted: QuantizedModel = { ...model, layers: [model.layers[0], model.layers[1], { ...dense, weights: chw }] };
  const wrongOrder = compare(integerScores(permuted, fx.frames), fx).rel;
  assert.ok(wrongOrder > 0.2, `CHW-ordered dense weights: relative error ${wrongOrder}`);
});

test('hand-checkable model: every integer is what the documented arithmetic gives', () => {
  // input 2 values × 0.1 → dense 2→2 (8-bit, first layer) → Clip(0, 1.5) → dense 2→1 (4-bit)
  const bytes = buildOnnx(
    [1, 2, 1, 1],
    [
      { op: 'Flatten', name: 'flat', inputs: ['input'] },
      { op: 'Gemm', name: 'fc1', inputs: ['flat', 'w1', 'b1'], attrs: { transB: 1 } },
      { op: 'Clip', name: 'clip', inputs: ['fc1', 'lo', 'hi'] },
      { op: 'Gemm', name: 'fc2', inputs: ['clip', 'w2', 'b2'], attrs: { transB: 1 } },
    ],
    {
      w1: { dims: [2, 2], values: [0.5, -0.2, 0.1, 0.3] },
      b1: { dims: [2], values: [0.1, -0.05] },
      lo: { dims: [], values: [0] },
      hi: { dims: [], values: [1.5] },
      w2: { dims: [1, 2], values: [1.0, -1.75] },
      b2: { dims: [1], values: [0.25] },
    },
  );
  const { model } = convertOnnx(bytes, [], { inputScale: 0.1, inputBits: 8 });
  const [l0, l1] = model.layers as DenseLayer[];
  // Layer 0, 8-bit: S_w = max|W[·,o]|/127 → o0: 0.5/127, o1: 0.3/127.
  // w = round(W/S_w): o0: 0.5→127, −0.2→−50.8→−51; o1: 0.1→42.33→42, 0.3→127. Layout [in][out].
  assert.deepEqual([...l0.weights], [127, 42, -51, 127]);
  assert.equal(l0.weightBits, 8);
  // Activation range 1.5 (the Clip), 4 bits → step S = 0.1. S_p = S_in·S_w = 0.1·0.5/127, 0.1·0.3/127.
  // T = 16·(S/2 − b)/S_p: o0 16·(0.05−0.1)·2540 = −2032; o1 16·(0.05+0.05)·4233.3 = 6773.3 → 6773.
  // s = 16·S/S_p: o0 16·0.1·2540 = 4064; o1 16·0.1·4233.3 = 6773.3 → 6773.
  assert.deepEqual([...l0.activation!.threshold], [-2032, 6773]);
  assert.deepEqual([...l0.activation!.step], [4064, 6773]);
  assert.equal(l0.activation!.bits, 4);
  // Layer 1, 4-bit: S_w = 1.75/7 = 0.25 → w = [1/0.25, −1.75/0.25] = [4, −7]; S_p = 0.1·0.25 = 0.025.
  assert.deepEqual([...l1.weights], [4, -7]);
  assert.equal(l1.activation, null);
  assert.ok(Math.abs(l1.outputScale![0] - 0.025) < 1e-9);
  assert.deepEqual(l1.outputBias, Float32Array.of(0.25));
  assert.equal(model.meta.outputBias, undefined);
  assert.equal(model.layers[0].outputBias, undefined); // hidden layers fold their bias into the threshold

  // Frame [10, 3]: p0 = 127·10 − 51·3 = 1117 → ⌈(16·1117 + 2032)/4064⌉ = ⌈4.898⌉ = 5;
  // p1 = 42·10 + 127·3 = 801 → ⌈(16·801 − 6773)/6773⌉ = ⌈0.892⌉ = 1;  out = 4·5 − 7·1 = 13.
  const r = new NsocRuntime(model, { keepLayerOutputs: true }).infer(Uint8Array.of(10, 3));
  assert.deepEqual([...r.layerOutputs![0]], [5, 1]);
  assert.deepEqual([...r.output], [13]);
  // score = 13·0.025 + 0.25 = 0.575; the float model gives 0.5·1 − 0.2·0.3 + 0.1 = 0.54 → 5.4 steps,
  // 0.1 + 0.09 − 0.05 = 0.14 → 1.4 steps; 0.54 − 1.75·0.14 + 0.25 = 0.545.
  assert.ok(Math.abs(dequantizeOutput(model, r.output)[0] - 0.575) < 1e-6);
  assert.equal(r.scores![0], Math.fround(13 * l1.outputScale![0] + 0.25)); // the runtime's scores include the bias
  const { float } = { float: convertOnnx(bytes, [], { inputScale: 0.1, inputBits: 8 }).float };
  assert.ok(Math.abs(runFloat(float, frameToFloat([10, 3], 0.1))[0] - 0.545) < 1e-6);
});

test('QAT weights keep their QAT grid exactly, and activation steps are the QAT scales', () => {
  const fx = loadFixture('qat');
  const { model, report } = convertFixture(fx);
  assert.deepEqual(report.map((l) => l.weightScales), ['qat', 'qat', 'qat']);
  assert.deepEqual(model.layers.slice(0, 2).map((l) => [l.activation!.bits, l.outputScale![0]]), [[4, 0.25], [4, 0.125]]);
  // Independently: conv2's integers are round(W/s) of the ONNX initializer and its per-channel scale, in HWIO.
  const g = loadOnnx(fx.onnx);
  const w = g.constants.get('conv2.weight')!;
  const s = g.constants.get('s2')!;
  const [o, i, kh, kw] = w.dims;
  const conv2 = model.layers[1] as { weights: Int8Array };
  for (let oc = 0; oc < o; oc++)
    for (let ic = 0; ic < i; ic++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const q = Math.round(w.values[((oc * i + ic) * kh + y) * kw + x] / s.values[oc]);
          assert.equal(conv2.weights[((y * kw + x) * i + ic) * o + oc], q + 0, `weight ${oc},${ic},${y},${x}`);
        }
});

test('calibration: max is the largest float activation; a percentile is at most that', () => {
  const fx = loadFixture('gap');
  const max = convertFixture(fx, { calibration: { method: 'max' } });
  const pct = convertFixture(fx, { calibration: { method: 'percentile', percentile: 99 } });
  const seen = [0, 0];
  for (const f of fx.frames) runFloat(max.float, frameToFloat(f, 1), (i, v) => { if (i < 2) for (const x of v) seen[i] = Math.max(seen[i], x); });
  assert.deepEqual(max.calibration.ranges.slice(0, 2), seen);
  assert.deepEqual(max.report.slice(0, 2).map((l) => l.rangeSource), ['calibration', 'calibration']);
  pct.calibration.ranges.slice(0, 2).forEach((r, i) => assert.ok(r! > 0 && r! < seen[i], `layer ${i}: ${r} vs max ${seen[i]}`));
});

test('per-layer activation bits: a binary layer outputs only 0 and 1', () => {
  const fx = loadFixture('gap');
  const { model } = convertFixture(fx, { layerActBits: { '/conv2/Conv': 1 } });
  assert.equal(model.layers[1].activation!.bits, 1);
  const rt = new NsocRuntime(model, { keepLayerOutputs: true });
  const values = new Set(fx.frames.flatMap((f) => [...rt.infer(f).layerOutputs![1]]));
  assert.ok([...values].every((v) => v === 0 || v === 1) && values.has(1), `values ${[...values]}`);
});

test('a converted model survives the model file: same outputs, same dequantized scores', () => {
  const fx = loadFixture('separable');
  const { model } = convertFixture(fx, { labels: ['a', 'b', 'c', 'd', 'e'] });
  const back = decodeModel(encodeModel(model));
  assert.deepEqual(back.labels, ['a', 'b', 'c', 'd', 'e']);
  const a = new NsocRuntime(model);
  const b = new NsocRuntime(back);
  for (const f of fx.frames.slice(0, 8)) {
    const ya = a.infer(f).output;
    assert.deepEqual(b.infer(f).output, ya);
    assert.deepEqual(dequantizeOutput(back, ya), dequantizeOutput(model, ya));
  }
});
