import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Activation, ConvLayer, DenseLayer, Layer, QuantizedModel } from '../../src-engine/nsoc/model';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { ModelRuntimeError } from '../../src-engine/nsoc/runtime-plan';
import { ShapeError } from '../../src-engine/nsoc/shapes';

const PATHS = ['event', 'event-js', 'dense'] as const;
const opts = (p: (typeof PATHS)[number]) => (p === 'event-js' ? { path: 'event' as const, engine: 'js' as const } : { path: p });

function model(input: QuantizedModel['input'], ...layers: Layer[]): QuantizedModel {
  return { name: 't', input, layers, labels: [], meta: {} };
}

function act(bits: 1 | 2 | 4, threshold: number[], step: number[]): Activation {
  return { bits, threshold: Int32Array.from(threshold), step: Int32Array.from(step) };
}

function conv(kernel: number[][], opts: Partial<ConvLayer> = {}): ConvLayer {
  const kh = kernel.length;
  const kw = kernel[0].length;
  return {
    kind: 'conv',
    name: 'c',
    kernel: [kh, kw],
    stride: 1,
    padding: 'same',
    filters: 1,
    weightBits: 4,
    weights: Int8Array.from(kernel.flat()),
    activation: null,
    ...opts,
  };
}

// The hand example (one input channel, one filter, SAME, stride 1, pad 1):
//   input        kernel
//   0 2 0        1 0 -1
//   0 0 0        2 1  0
//   1 0 3        0 3 -2
// out(oy,ox) = Σ in(oy−1+ky, ox−1+kx)·w(ky,kx); by event:
//   a=2 at (0,1): (0,0)+=2·0 (0,1)+=2·1 (0,2)+=2·2 (1,0)+=2·−1 (1,1)+=2·0 (1,2)+=2·1
//   a=1 at (2,0): (1,0)+=3 (1,1)+=0 (2,0)+=1 (2,1)+=2
//   a=3 at (2,2): (1,1)+=3·−2 (1,2)+=3·3 (2,1)+=3·0 (2,2)+=3·1
const HAND_INPUT = Uint8Array.from([0, 2, 0, 0, 0, 0, 1, 0, 3]);
const HAND_KERNEL = [
  [1, 0, -1],
  [2, 1, 0],
  [0, 3, -2],
];
const HAND_POTENTIALS = [0, 2, 4, 1, -6, 11, 1, 2, 3];

for (const path of PATHS) {
  test(`${path}: a 3×3 convolution computed by hand`, () => {
    const rt = new NsocRuntime(model({ height: 3, width: 3, channels: 1, bits: 4 }, conv(HAND_KERNEL)), opts(path));
    const r = rt.infer(HAND_INPUT);
    assert.deepEqual([...r.output], HAND_POTENTIALS);
    const l = r.stats.layers[0];
    assert.equal(l.inputEvents, 3);
    assert.equal(l.inputSize, 9);
    assert.equal(l.inputSparsity, 1 - 3 / 9);
    assert.equal(l.outputEvents, 8);
    // in-bounds taps: 2 + 3 + 2 rows × 2 + 3 + 2 columns
    assert.equal(l.denseMacs, 49);
    // event path: the events reach 6, 4 and 4 outputs
    assert.equal(l.executedOps, path === 'dense' ? 49 : 14);
  });

  test(`${path}: activation then 2×2 max pooling (stride 1) on the hand example`, () => {
    // T = 32 (p must exceed 2), s = 24 (1.5 units), 2 bits:
    // p 3 → ⌈16/24⌉ = 1, p 4 → ⌈32/24⌉ = 2, p 11 → ⌈144/24⌉ = 6 → saturates at 3; p ≤ 2 → 0
    // activations: 0 0 2 / 0 0 3 / 0 0 1 → max pool 2×2 stride 1: 0 3 / 0 3
    const layer = conv(HAND_KERNEL, { activation: act(2, [32], [24]), pool: { kind: 'max', size: 2, stride: 1 } });
    const rt = new NsocRuntime(model({ height: 3, width: 3, channels: 1, bits: 4 }, layer), { ...opts(path), keepLayerOutputs: true });
    const r = rt.infer(HAND_INPUT);
    assert.deepEqual([...r.output], [0, 3, 0, 3]);
    assert.ok(r.layerOutputs![0] instanceof Uint8Array);
    assert.equal(r.stats.layers[0].outputEvents, 2);
    assert.equal(r.stats.layers[0].outputSize, 4);
  });

  test(`${path}: SAME with stride 2 on an even input pads after, not before`, () => {
    // 4×4 ones, 3×3 kernel of ones (1-bit weights), stride 2: out 2×2, pad total 1, all of it after:
    // (0,0) sees rows 0–2 × cols 0–2 = 9, (0,1) rows 0–2 × cols 2–3 = 6, (1,0) 6, (1,1) 4
    const ones = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ];
    const rt = new NsocRuntime(model({ height: 4, width: 4, channels: 1, bits: 1 }, conv(ones, { stride: 2, weightBits: 1 })), opts(path));
    const r = rt.infer(new Uint8Array(16).fill(1));
    assert.deepEqual([...r.output], [9, 6, 6, 4]);
    assert.equal(r.stats.layers[0].denseMacs, 25);
  });

  test(`${path}: VALID padding and stride 3 skip the rows no window reaches`, () => {
    // 7×7 input, 2×2 kernel, stride 3, VALID: outputs at rows/cols 0–1 and 3–4 (6 is never read)
    const rt = new NsocRuntime(
      model({ height: 7, width: 7, channels: 1, bits: 4 }, conv([[1, 2], [3, 4]], { stride: 3, padding: 'valid' })),
      opts(path),
    );
    const x = new Uint8Array(49);
    x[0] = 1; // (0,0) → out (0,0) tap (0,0): 1
    x[4 * 7 + 4] = 2; // (4,4) → out (1,1) tap (1,1): 8
    x[6 * 7 + 6] = 15; // (6,6): outside every window
    x[2 * 7 + 3] = 5; // (2,3): row 2 outside every window
    const r = rt.infer(x);
    assert.deepEqual([...r.output], [1, 0, 0, 8]);
    assert.equal(r.stats.layers[0].inputEvents, 4);
    assert.equal(r.stats.layers[0].executedOps, path === 'dense' ? 16 : 2);
  });

  test(`${path}: global average pooling uses the exact mean; 16·mean == T stays silent`, () => {
    // 1×1 conv with weight 1: the potentials are the input; mean of (1, 0, 0, 0) is 0.25
    const run = (T: number) =>
      new NsocRuntime(model({ height: 2, width: 2, channels: 1, bits: 4 }, conv([[1]], { activation: act(4, [T], [16]), pool: { kind: 'global-avg' } })), opts(path)).infer(
        Uint8Array.from([1, 0, 0, 0]),
      ).output[0];
    assert.equal(run(3), 1); // 16·0.25 = 4 > 3
    assert.equal(run(4), 0); // 4 == 4
    assert.equal(run(-60), 4); // ⌈(16·1 − 4·(−60)) / (4·16)⌉ = ⌈256/64⌉ = 4 (exactly, no round-up)
    assert.equal(run(-61), 5); // ⌈260/64⌉ = 5
  });

  test(`${path}: a separable layer and a classifier computed by hand`, () => {
    // input 1×2×2: pixel0 = (1, 2), pixel1 = (3, 0); depthwise 1×2 kernel [[ch0: 1, ch1: 2], [ch0: −1, ch1: 1]]
    // VALID → one output: d0 = 1·1 + 3·(−1) = −2, d1 = 2·2 + 0·1 = 4
    // pointwise [[2, −1], [1, 1]] (cin × cout): p = (−2·2 + 4·1, −2·−1 + 4·1) = (0, 6)
    // activation T = 0, s = 32 (2 units), 4 bits: (0, ⌈96/32⌉ = 3)
    // dense 2 → 1, weights [5, −1]: 0·5 + 3·(−1) = −3
    const sep: Layer = {
      kind: 'separable-conv',
      name: 's',
      kernel: [1, 2],
      stride: 1,
      padding: 'valid',
      filters: 2,
      weightBits: 4,
      depthwise: Int8Array.from([1, 2, -1, 1]),
      pointwise: Int8Array.from([2, -1, 1, 1]),
      activation: act(4, [0, 0], [32, 32]),
    };
    const fcl: DenseLayer = { kind: 'dense', name: 'fc', units: 1, weightBits: 4, weights: Int8Array.from([5, -1]), activation: null, outputScale: Float32Array.from([0.5]) };
    const rt = new NsocRuntime(model({ height: 1, width: 2, channels: 2, bits: 4 }, sep, fcl), { ...opts(path), keepLayerOutputs: true });
    const r = rt.infer(Uint8Array.from([1, 2, 3, 0]));
    assert.deepEqual([...r.layerOutputs![0]], [0, 3]);
    assert.deepEqual([...r.output], [-3]);
    assert.deepEqual([...r.scores!], [-1.5]);
    // depthwise 2 taps × 2 channels + pointwise 2 × 2, then 2 × 1
    assert.equal(r.stats.layers[0].denseMacs, 8);
    assert.equal(r.stats.layers[1].denseMacs, 2);
    if (path !== 'dense') {
      // 3 input events × 1 tap, both depthwise sums non-zero × 2 outputs; 1 event × 1 unit
      assert.equal(r.stats.layers[0].executedOps, 3 + 4);
      assert.equal(r.stats.layers[1].executedOps, 1);
      assert.equal(r.stats.executedOps, 8);
    }
    assert.equal(r.stats.denseMacs, 10);
  });
}

test('results are fresh objects by default and one overwritten object with reuseResult', () => {
  const m = model({ height: 3, width: 3, channels: 1, bits: 4 }, conv(HAND_KERNEL));
  const rt = new NsocRuntime(m);
  const a = rt.infer(HAND_INPUT);
  const b = rt.infer(new Uint8Array(9));
  assert.deepEqual([...a.output], HAND_POTENTIALS);
  assert.equal(a.stats.layers[0].inputEvents, 3);
  assert.equal(b.stats.layers[0].inputEvents, 0);
  const rr = new NsocRuntime(m, { reuseResult: true });
  const c = rr.infer(HAND_INPUT);
  const d = rr.infer(new Uint8Array(9));
  assert.equal(c, d);
  assert.deepEqual([...c.output], new Array(9).fill(0));
});

test('collectStats: false leaves the counts empty but still computes', () => {
  const rt = new NsocRuntime(model({ height: 3, width: 3, channels: 1, bits: 4 }, conv(HAND_KERNEL)), { collectStats: false });
  const r = rt.infer(HAND_INPUT);
  assert.deepEqual([...r.output], HAND_POTENTIALS);
  assert.equal(r.stats.collected, false);
  assert.equal(r.stats.layers[0].inputEvents, 0);
  assert.equal(r.stats.denseMacs, 49);
});

test('models the runtime cannot run are refused at construction with the layer named', () => {
  const input = { height: 3, width: 3, channels: 1, bits: 4 } as const;
  const bad = (m: QuantizedModel, re: RegExp, type: Function = ModelRuntimeError) =>
    assert.throws(() => new NsocRuntime(m), (e: unknown) => {
      assert.ok(e instanceof type, String(e));
      assert.match((e as Error).message, re);
      return true;
    });
  bad(model(input), /no layers/);
  bad(model(input, conv([[8]])), /layer 0 \(c\): weights\[0\] = 8 is outside the 4-bit grid \[−7, 7\]/);
  bad(model(input, { ...conv([[1]]), weights: Int8Array.from([1, 2]) }), /weights has 2 values, the shape needs 1/);
  bad(model(input, conv([[1]], { activation: act(4, [0], [0]) })), /step\[0\] = 0 must be > 0/);
  bad(model(input, conv([[1]], { activation: act(4, [0, 0], [1, 1]) })), /threshold must be an Int32Array of 1 values/);
  bad(model(input, conv([[1]], { name: 'mid' }), conv([[1]])), /layer 0 \(mid\): only the last layer may output potentials/);
  bad(model(input, conv([[1]], { pool: { kind: 'global-avg' } })), /global average pooling needs an activation/);
  bad(model(input, conv([[1, 1, 1, 1, 1]], { padding: 'valid' })), /5 VALID kernel does not fit/, ShapeError);
  bad(model(input, { ...conv([[1]]), kind: 'input-conv', weightBits: 4 } as unknown as Layer), /input convolution weights must be 8-bit/);
});

test('a model whose worst-case potential reaches 2^27 is refused; one just below runs', () => {
  // dense over the uint8 input with 8-bit weights 127: worst |p| = 255 · 127 · n = 32385 n;
  // 2^27 / 32385 = 4144.6, so 4144 inputs fit and 4145 do not
  const dense = (n: number): QuantizedModel =>
    model({ height: 1, width: 1, channels: n, bits: 8 }, { kind: 'dense', name: 'big', units: 1, weightBits: 8, weights: new Int8Array(n).fill(127), activation: null });
  assert.throws(() => new NsocRuntime(dense(4145)), /layer 0 \(big\): worst-case potential 134235825 reaches 2\^27/);
  const r = new NsocRuntime(dense(4144)).infer(new Uint8Array(4144).fill(255));
  assert.equal(r.output[0], 255 * 127 * 4144);
  // with mixed signs the bound is the larger one-sided sum: 4145 weights, one of them negative
  const mixed = dense(4145);
  (mixed.layers[0] as DenseLayer).weights[0] = -127;
  assert.doesNotThrow(() => new NsocRuntime(mixed));
});

test('infer refuses an input of the wrong size or type', () => {
  const rt = new NsocRuntime(model({ height: 3, width: 3, channels: 1, bits: 4 }, conv(HAND_KERNEL)));
  assert.throws(() => rt.infer(new Uint8Array(8)), /input has 8 values, the model input 3×3×1 needs 9/);
  assert.throws(() => rt.infer([1, 2] as unknown as Uint8Array), TypeError);
});

test('infer refuses input values above the model input bits, on every path', () => {
  for (const path of PATHS) {
    const rt = new NsocRuntime(model({ height: 3, width: 3, channels: 1, bits: 4 }, conv(HAND_KERNEL)), opts(path));
    const x = Uint8Array.from(HAND_INPUT);
    x[7] = 16;
    assert.throws(() => rt.infer(x), /input value 16 at index 7 is above the model's 4-bit input range \(max 15\)/, path);
    x[7] = 15;
    assert.doesNotThrow(() => rt.infer(x));
  }
});
