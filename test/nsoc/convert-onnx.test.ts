// ONNX import and folding: the float reference reproduces PyTorch's outputs,
// the graph is fused into the expected NSoC layers, and everything the NSoC
// cannot run is refused with a ConversionError naming the node, op and reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConversionError } from '../../src-engine/nsoc/convert/errors';
import { loadFloatModel } from '../../src-engine/nsoc/convert/convert';
import { frameToFloat, runFloat } from '../../src-engine/nsoc/convert/float-runtime';
import { resolveInputScale } from '../../src-engine/nsoc/convert/quantize';
import { buildOnnx, loadFixture, manifest, seeded, type NodeSpec, type TensorSpec } from './convert-helpers';

const supported = manifest.fixtures.filter((f) => !f.unsupported).map((f) => f.name);

for (const name of supported) {
  test(`${name}: the float reference equals PyTorch's outputs within 1e-4`, () => {
    const fx = loadFixture(name);
    const { float } = loadFloatModel(fx.onnx);
    const { frameScale } = resolveInputScale(float, fx.qat ? undefined : fx.inputScale);
    assert.ok(Math.abs(frameScale - fx.inputScale) < 1e-7, `frame scale ${frameScale} vs ${fx.inputScale}`);
    let worst = 0;
    fx.frames.forEach((frame, i) => {
      const y = runFloat(float, frameToFloat(frame, frameScale));
      assert.equal(y.length, fx.expected[i].length);
      for (let k = 0; k < y.length; k++) worst = Math.max(worst, Math.abs(y[k] - fx.expected[i][k]) / Math.max(1, Math.abs(fx.expected[i][k])));
    });
    assert.ok(worst <= 1e-4, `worst relative difference ${worst}`);
  });
}

test('conv+BN+ReLU+maxpool: BatchNorm folded, pooling attached, flatten permuted into the dense layer', () => {
  const { float } = loadFloatModel(loadFixture('conv_bn_relu_pool').onnx);
  assert.deepEqual(
    float.layers.map((l) => [l.kind, l.nodes, l.pool, l.outShape]),
    [
      ['conv', ['/conv1/Conv', '/bn1/BatchNormalization', '/Relu', '/MaxPool'], { kind: 'max', size: 2, stride: 2 }, [6, 6, 8]],
      ['conv', ['/conv2/Conv', '/bn2/BatchNormalization', '/Relu_1', '/MaxPool_1'], { kind: 'max', size: 2, stride: 2 }, [3, 3, 8]],
      ['dense', ['/Flatten', '/fc/Gemm'], null, [1, 1, 4]],
    ],
  );
  assert.deepEqual(float.layers[2].inShape, [3, 3, 8]);
});

test('the dense rows really are permuted: CHW order instead of HWC changes the output', () => {
  const fx = loadFixture('conv_bn_relu_pool');
  const { float } = loadFloatModel(fx.onnx);
  const dense = float.layers[2];
  const [h, w, c] = dense.inShape;
  const n = dense.outputs;
  const chw = new Float32Array(dense.weights.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) for (let u = 0; u < n; u++) chw[((y * w + x) * c + ch) * n + u] = dense.weights[(ch * h * w + y * w + x) * n + u];
  const wrong = { ...float, layers: [...float.layers.slice(0, 2), { ...dense, weights: chw }] };
  const y = runFloat(wrong, frameToFloat(fx.frames[0], 1));
  const diff = Math.max(...Array.from(y, (v, k) => Math.abs(v - fx.expected[0][k])));
  assert.ok(diff > 0.1, `an unpermuted flatten should not match PyTorch (diff ${diff})`);
});

test('separable: depthwise + 1×1 conv is one layer; ReduceMean on potentials is its global pooling', () => {
  const { float } = loadFloatModel(loadFixture('separable').onnx);
  const sep = float.layers[1];
  assert.equal(sep.kind, 'separable-conv');
  assert.deepEqual(sep.nodes, ['/dw/Conv', '/pw/Conv', '/ReduceMean', '/bn2/BatchNormalization', '/Relu_1']);
  assert.deepEqual(sep.pool, { kind: 'global-avg' });
  assert.equal(sep.depthwise!.length, 3 * 3 * 8);
  assert.equal(sep.weights.length, 8 * 16);
  assert.deepEqual(float.layers[0].outShape, [5, 5, 8]); // stride 2, SAME on 9×9
});

test('ReLU6 and Clip set the activation range; GAP after the activation folds into the dense layer', () => {
  const { float } = loadFloatModel(loadFixture('relu6_clip').onnx);
  assert.deepEqual(float.layers.map((l) => l.activation?.max ?? null), [6, 2, null]);
  assert.deepEqual(float.layers[2].inShape, [4, 4, 8]);
  assert.deepEqual(float.layers[2].nodes, ['/GlobalAveragePool', '/fc/Gemm']);
});

test('QAT: the input QuantizeLinear fixes the frame scale; activation pairs become fake-quantized ReLUs', () => {
  const { float } = loadFloatModel(loadFixture('qat').onnx);
  assert.equal(float.inputOps.length, 1);
  assert.equal(resolveInputScale(float).frameScale, Math.fround(1 / 15));
  assert.deepEqual(
    float.layers.map((l) => l.activation && { max: l.activation.max, scale: l.activation.fakeQuant?.scale }),
    [{ max: 3.75, scale: 0.25 }, { max: 1.875, scale: 0.125 }, null],
  );
  assert.ok(float.layers.every((l) => l.weightQat !== null));
  assert.throws(() => resolveInputScale(float, 0.5), /contradicts the requested input scale 0.5/);
});

// ---- refusals ----

function refuses(bytes: Uint8Array, expected: RegExp | string, node?: string, op?: string) {
  assert.throws(
    () => loadFloatModel(bytes),
    (e: unknown) => {
      assert.ok(e instanceof ConversionError, `expected a ConversionError, got ${String(e)}`);
      if (typeof expected === 'string') assert.equal(e.message, expected);
      else assert.match(e.message, expected);
      if (node !== undefined) assert.equal(e.node, node);
      if (op !== undefined) assert.equal(e.op, op);
      return true;
    },
  );
}

test('a dilated convolution (PyTorch export) is refused, naming node, op and reason', () => {
  refuses(
    loadFixture('dilated').onnx,
    'node "/conv1/Conv": Conv with dilations [2,2] is not supported (the NSoC has no dilated convolution)',
    '/conv1/Conv',
    'Conv',
  );
});

test('Sigmoid (PyTorch export) is refused', () => {
  refuses(loadFixture('sigmoid').onnx, 'node "/Sigmoid": Sigmoid is not supported (the NSoC activation is a quantized ReLU)', '/Sigmoid', 'Sigmoid');
});

const conv = (name: string, input: string, w: string, attrs: NodeSpec['attrs'] = {}): NodeSpec => ({
  op: 'Conv', name, inputs: [input, w], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], ...attrs },
});
const weights = (o: number, i: number, k = 3, seed = 1): TensorSpec => ({ dims: [o, i, k, k], values: seeded(o * i * k * k, seed) });

test('a branch (residual Add) is refused', () => {
  const bytes = buildOnnx(
    [1, 2, 6, 6],
    [conv('c1', 'input', 'w1'), { op: 'Relu', name: 'r1', inputs: ['c1'] }, conv('c2', 'r1', 'w2'), { op: 'Add', name: 'add', inputs: ['c2', 'r1'] }],
    { w1: weights(2, 2), w2: weights(2, 2, 3, 2) },
  );
  refuses(bytes, /node "add": Add reads "r1", which node "c2" \(Conv\) also reads: branching graphs .* are not supported/, 'add', 'Add');
});

test('stride 2 with PyTorch-style padding on an even input is refused (the NSoC pads like TensorFlow SAME)', () => {
  const bytes = buildOnnx([1, 2, 8, 8], [conv('c1', 'input', 'w1', { strides: [2, 2] }), { op: 'Relu', name: 'r', inputs: ['c1'] }], { w1: weights(4, 2) });
  refuses(bytes, /node "c1": Conv with pads \[1,1,1,1\] on a 8×8 input \(stride 2\) is not supported: .*SAME as TensorFlow does \(0 row\(s\) before/);
});

test('a middle layer without activation is refused', () => {
  const bytes = buildOnnx([1, 2, 6, 6], [conv('c1', 'input', 'w1'), conv('c2', 'c1', 'w2')], { w1: weights(2, 2), w2: weights(2, 2, 3, 2) });
  refuses(bytes, /node "c1": Conv output feeds the next layer without an activation/);
});

test('global average pooling after the activation with no dense layer after it is refused', () => {
  const bytes = buildOnnx([1, 2, 6, 6], [conv('c1', 'input', 'w1'), { op: 'Relu', name: 'r', inputs: ['c1'] }, { op: 'GlobalAveragePool', name: 'gap', inputs: ['r'] }], { w1: weights(3, 2) });
  refuses(bytes, /node "gap": .* after the activation is supported only when a dense layer follows it/);
});

test('BatchNorm with a negative scale after a max pool (before the activation) is refused', () => {
  const bn = (v: number[]): TensorSpec => ({ dims: [2], values: v });
  const bytes = buildOnnx(
    [1, 2, 6, 6],
    [
      conv('c1', 'input', 'w1'),
      { op: 'MaxPool', name: 'mp', inputs: ['c1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'BatchNormalization', name: 'bn', inputs: ['mp', 'g', 'b', 'm', 'v'] },
      { op: 'Relu', name: 'r', inputs: ['bn'] },
    ],
    { w1: weights(2, 2), g: bn([1, -1]), b: bn([0, 0]), m: bn([0, 0]), v: bn([1, 1]) },
  );
  refuses(bytes, /node "bn": BatchNormalization has a non-positive scale in channel 1 after max pooling/);
});

test('a depthwise conv not followed by a 1×1 conv is refused', () => {
  const bytes = buildOnnx([1, 2, 6, 6], [conv('dw', 'input', 'w1', { group: 2 }), { op: 'Relu', name: 'r', inputs: ['dw'] }], { w1: weights(2, 1) });
  refuses(bytes, /node "dw": Conv must be followed directly by a 1×1 Conv/);
});

test('grouped convolutions and channel multipliers are refused', () => {
  refuses(buildOnnx([1, 4, 6, 6], [conv('g', 'input', 'w', { group: 2 }), { op: 'Relu', name: 'r', inputs: ['g'] }], { w: weights(4, 2) }), /Conv with group 2 is not supported/);
  refuses(buildOnnx([1, 2, 6, 6], [conv('g', 'input', 'w', { group: 2 }), { op: 'Relu', name: 'r', inputs: ['g'] }], { w: weights(4, 1) }), /depthwise with a channel multiplier of 2/);
});

test('tensors with external data, or larger than the limit, are refused before any allocation', () => {
  const bytes = buildOnnx([1, 2, 6, 6], [conv('c1', 'input', 'big'), { op: 'Relu', name: 'r', inputs: ['c1'] }], { big: { dims: [1 << 16, 1 << 16, 3, 3], values: [] } });
  refuses(bytes, /initializer "big": 65536×65536×3×3 elements exceed the limit/);
  const ext = buildOnnx([1, 2, 6, 6], [conv('c1', 'input', 'w'), { op: 'Relu', name: 'r', inputs: ['c1'] }], { w: { dims: [2, 2, 3, 3], values: [], external: true } });
  refuses(ext, /initializer "w": tensor data stored in an external file is not supported/);
});

test('a batch fixed above 1 is refused', () => {
  refuses(buildOnnx([4, 2, 6, 6], [conv('c1', 'input', 'w'), { op: 'Relu', name: 'r', inputs: ['c1'] }], { w: weights(2, 2) }), /batch is fixed at 4/);
});

test('empty, garbage and truncated files give a ConversionError, never another failure', () => {
  refuses(new Uint8Array(0), /the file is empty/);
  refuses(Uint8Array.from(seeded(300, 7), (v) => Math.floor((v + 1) * 128)), /not a readable ONNX model|no graph/);
  const good = loadFixture('conv_bn_relu_pool').onnx;
  for (const cut of [10, 100, good.length >> 1, good.length - 3]) {
    assert.throws(() => loadFloatModel(good.subarray(0, cut)), ConversionError, `cut at ${cut}`);
  }
});

test('fuzz: mutated ONNX files load or fail with a ConversionError', () => {
  const good = loadFixture('separable').onnx;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
      const bytes = good.slice();
      for (const [at, v] of edits) bytes[at] = v;
      try {
        loadFloatModel(bytes);
      } catch (e) {
        if (!(e instanceof ConversionError)) throw e;
      }
    }),
    { numRuns: 300, seed: 42 },
  );
});
