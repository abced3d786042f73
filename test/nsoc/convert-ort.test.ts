// Graphs PyTorch does not export but tf2onnx and hand-edited models do —
// NHWC transposes, MatMul+Add, constant Mul/Sub/Div, AveragePool over the whole
// map, Squeeze, auto_pad, a BatchNorm between depthwise and pointwise, the
// QuantizeLinear→Clip→DequantizeLinear pattern — checked against onnxruntime
// (an independent ONNX implementation): the folded float model gives its outputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ortBaseline } from '../../bench/onnxruntime-baseline';
import { loadFloatModel } from '../../src-engine/nsoc/convert/convert';
import { runFloat } from '../../src-engine/nsoc/convert/float-runtime';
import { buildOnnx, FIXTURES, seeded, type NodeSpec, type TensorSpec } from './convert-helpers';

const t = (dims: number[], seed: number, scale = 1): TensorSpec => ({ dims, values: seeded(dims.reduce((a, b) => a * b, 1), seed).map((v) => v * scale) });

/** Runs `bytes` in onnxruntime on `x` (laid out as `dims`) and the float reference on the same values in HWC order. */
async function compareWithOrt(bytes: Uint8Array, dims: number[], x: Float32Array, hwc: Float32Array): Promise<number> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, dims) });
    const expected = out[session.outputNames[0]].data as Float32Array;
    const { float } = loadFloatModel(bytes);
    const y = runFloat(float, hwc);
    assert.equal(y.length, expected.length);
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
    return worst;
  } finally {
    await session.release();
  }
}

function nchwToHwc(x: Float32Array, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) out[(y * w + xx) * c + ch] = x[(ch * h + y) * w + xx];
  return out;
}

const counts = (n: number, seed: number) => Float32Array.from(seeded(n, seed), (v) => Math.max(0, Math.round(v * 20 - 8)));

test('tf2onnx style: NHWC input transposed to NCHW, Transpose back before Reshape, MatMul + Add', async () => {
  const bn = (seed: number, sign = 1): TensorSpec => ({ dims: [4], values: seeded(4, seed).map((v, i) => (i % 2 ? sign : 1) * (Math.abs(v) + 0.5)) });
  const nodes: NodeSpec[] = [
    { op: 'Transpose', name: 'to_nchw', inputs: ['input'], attrs: { perm: [0, 3, 1, 2] } },
    { op: 'Mul', name: 'normalize', inputs: ['to_nchw', 'k'] },
    { op: 'Conv', name: 'conv', inputs: ['normalize', 'w', 'b'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'BatchNormalization', name: 'bn', inputs: ['conv', 'g', 'beta', 'mean', 'var'] },
    { op: 'Relu', name: 'relu', inputs: ['bn'] },
    { op: 'MaxPool', name: 'pool', inputs: ['relu'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    { op: 'Transpose', name: 'to_nhwc', inputs: ['pool'], attrs: { perm: [0, 2, 3, 1] } },
    { op: 'Reshape', name: 'flat', inputs: ['to_nhwc', 'shape'] },
    { op: 'MatMul', name: 'mm', inputs: ['flat', 'wd'] },
    { op: 'Add', name: 'bias', inputs: ['mm', 'bd'] },
  ];
  const bytes = buildOnnx([1, 6, 6, 2], nodes, {
    k: { dims: [], values: [0.5] },
    w: t([4, 2, 3, 3], 1), b: t([4], 2), g: bn(3, -1), beta: t([4], 4), mean: t([4], 5), var: { dims: [4], values: [0.5, 1, 2, 3] },
    shape: { dims: [2], values: [1, -1], type: 'int64' },
    wd: t([36, 3], 6), bd: t([3], 7),
  });
  const x = counts(72, 11);
  const worst = await compareWithOrt(bytes, [1, 6, 6, 2], x, x); // NHWC input: already HWC
  assert.ok(worst < 1e-4, `worst ${worst}`);
  const { float } = loadFloatModel(bytes);
  assert.deepEqual(float.inputOps.map((o) => o.kind), ['scale']);
  assert.deepEqual(float.layers.map((l) => l.kind), ['conv', 'dense']);
});

test('constant Sub/Div folded into a VALID stride-2 conv, Clip (opset 11 inputs), AveragePool over the map, Squeeze, Gemm alpha/beta', async () => {
  const nodes: NodeSpec[] = [
    { op: 'Conv', name: 'conv', inputs: ['input', 'w'], attrs: { kernel_shape: [3, 3], strides: [2, 2] } },
    { op: 'Sub', name: 'sub', inputs: ['conv', 'm'] },
    { op: 'Div', name: 'div', inputs: ['sub', 'd'] },
    { op: 'Clip', name: 'clip', inputs: ['div', 'lo', 'hi'] },
    { op: 'AveragePool', name: 'avg', inputs: ['clip'], attrs: { kernel_shape: [2, 2] } },
    { op: 'Squeeze', name: 'sq', inputs: ['avg', 'axes'] },
    { op: 'Gemm', name: 'fc', inputs: ['sq', 'wf', 'bf'], attrs: { transB: 1, alpha: 0.5, beta: 2 } },
  ];
  const bytes = buildOnnx([1, 3, 5, 5], nodes, {
    w: t([4, 3, 3, 3], 21), m: t([1, 4, 1, 1], 22), d: { dims: [], values: [2] }, lo: { dims: [], values: [0] }, hi: { dims: [], values: [3] },
    axes: { dims: [2], values: [2, 3], type: 'int64' }, wf: t([2, 4], 23), bf: t([2], 24),
  });
  const x = counts(75, 12);
  const worst = await compareWithOrt(bytes, [1, 3, 5, 5], x, nchwToHwc(x, 3, 5, 5));
  assert.ok(worst < 1e-4, `worst ${worst}`);
  const { float } = loadFloatModel(bytes);
  assert.equal(float.layers[0].padding, 'valid');
  assert.equal(float.layers[0].activation!.max, 3);
  assert.deepEqual(float.layers[1].inShape, [2, 2, 4]); // the average folded into the dense weights
});

test('depthwise (auto_pad SAME_UPPER, stride 2) + BatchNorm + pointwise as one separable layer', async () => {
  const nodes: NodeSpec[] = [
    { op: 'Conv', name: 'dw', inputs: ['input', 'wd', 'bd'], attrs: { kernel_shape: [3, 3], strides: [2, 2], group: 4, auto_pad: 'SAME_UPPER' } },
    { op: 'BatchNormalization', name: 'bn', inputs: ['dw', 'g', 'beta', 'mean', 'var'] },
    { op: 'Conv', name: 'pw', inputs: ['bn', 'wp', 'bp'], attrs: { kernel_shape: [1, 1] } },
    { op: 'Relu', name: 'relu', inputs: ['pw'] },
    { op: 'GlobalAveragePool', name: 'gap', inputs: ['relu'] },
    { op: 'Flatten', name: 'flat', inputs: ['gap'] },
    { op: 'Gemm', name: 'fc', inputs: ['flat', 'wf'] },
  ];
  const bytes = buildOnnx([1, 4, 7, 7], nodes, {
    wd: t([4, 1, 3, 3], 31), bd: t([4], 32), g: t([4], 33), beta: t([4], 34), mean: t([4], 35), var: { dims: [4], values: [1, 2, 0.5, 4] },
    wp: t([6, 4, 1, 1], 36), bp: t([6], 37), wf: t([6, 2], 38),
  });
  const x = counts(196, 13);
  const worst = await compareWithOrt(bytes, [1, 4, 7, 7], x, nchwToHwc(x, 4, 7, 7));
  assert.ok(worst < 1e-4, `worst ${worst}`);
  const { float } = loadFloatModel(bytes);
  assert.deepEqual(float.layers.map((l) => [l.kind, l.padding, l.stride]), [['separable-conv', 'same', 2], ['dense', 'valid', 1]]);
});

test('QuantizeLinear → Clip(0, 127) → DequantizeLinear (PyTorch\'s 7-bit activation export)', async () => {
  const nodes: NodeSpec[] = [
    { op: 'Conv', name: 'conv', inputs: ['input', 'w', 'b'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Relu', name: 'relu', inputs: ['conv'] },
    { op: 'QuantizeLinear', name: 'q', inputs: ['relu', 's', 'zp'] },
    { op: 'Clip', name: 'qclip', inputs: ['q', 'zp', 'qmax'] },
    { op: 'DequantizeLinear', name: 'dq', inputs: ['qclip', 's', 'zp'] },
    { op: 'Flatten', name: 'flat', inputs: ['dq'] },
    { op: 'Gemm', name: 'fc', inputs: ['flat', 'wf'], attrs: { transB: 1 } },
  ];
  const bytes = buildOnnx([1, 1, 4, 4], nodes, {
    w: t([2, 1, 3, 3], 41), b: t([2], 42), s: { dims: [], values: [0.05] }, zp: { dims: [], values: [0], type: 'uint8' },
    qmax: { dims: [], values: [127], type: 'uint8' }, wf: t([3, 32], 43),
  });
  const x = counts(16, 14);
  const worst = await compareWithOrt(bytes, [1, 1, 4, 4], x, x);
  assert.ok(worst < 1e-4, `worst ${worst}`);
  const fq = loadFloatModel(bytes).float.layers[0].activation!.fakeQuant!;
  assert.deepEqual([fq.qmin, fq.qmax, fq.zeroPoint], [0, 127, 0]);
});

test('the onnxruntime baseline measures a model at batch 1 (p50 ≤ p99, ≥ 200 runs)', async () => {
  const x = [new Float32Array(36)];
  const r = await ortBaseline(`${FIXTURES}/gap.onnx`, x, [1, 1, 6, 6], { runs: 200, warmup: 5 });
  assert.equal(r.runs, 200);
  assert.ok(r.p50Ms > 0 && r.p50Ms <= r.p99Ms && r.perSecond > 0, JSON.stringify(r));
});
