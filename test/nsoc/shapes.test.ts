import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { convOutputLength, layerOutputShape, modelShapes, samePadBefore, ShapeError, type LayerGeometry } from '../../src-engine/nsoc/shapes';
import { convTiny, dsCnnKws } from './model-file-fixtures';

const conv = (k: number, stride: number, padding: 'same' | 'valid', filters = 8, pool?: LayerGeometry['pool']): LayerGeometry => ({
  kind: 'conv',
  name: 'c',
  kernel: [k, k],
  stride,
  padding,
  filters,
  ...(pool ? { pool } : {}),
});

test('TensorFlow SAME and VALID output sizes and SAME padding', () => {
  assert.deepEqual(layerOutputShape(conv(3, 1, 'same'), [64, 64, 10]), [64, 64, 8]);
  assert.deepEqual(layerOutputShape(conv(3, 2, 'same'), [5, 4, 1]), [3, 2, 8]);
  assert.deepEqual(layerOutputShape(conv(3, 2, 'valid'), [5, 4, 1]), [2, 1, 8]);
  assert.deepEqual(layerOutputShape(conv(5, 3, 'valid'), [5, 5, 2]), [1, 1, 8]);
  // TF: total padding max((out − 1)·s + k − in, 0), the smaller half before
  assert.equal(samePadBefore(5, 3, 2), 1); // out 3, total 2
  assert.equal(samePadBefore(4, 3, 2), 0); // out 2, total 1: the extra row goes after
  assert.equal(samePadBefore(64, 3, 1), 1);
  assert.equal(samePadBefore(10, 1, 3), 0);
  assert.equal(samePadBefore(7, 7, 1), 3);
});

test('pooling after the convolution: max VALID, global average to 1×1; dense to 1×1×units', () => {
  assert.deepEqual(layerOutputShape(conv(3, 1, 'same', 16, { kind: 'max', size: 2, stride: 2 }), [64, 64, 10]), [32, 32, 16]);
  assert.deepEqual(layerOutputShape(conv(3, 1, 'same', 16, { kind: 'max', size: 3, stride: 2 }), [8, 7, 1]), [3, 3, 16]);
  assert.deepEqual(layerOutputShape(conv(3, 1, 'same', 16, { kind: 'global-avg' }), [5, 9, 1]), [1, 1, 16]);
  assert.deepEqual(layerOutputShape({ kind: 'dense', name: 'd', units: 33 }, [4, 4, 8]), [1, 1, 33]);
  assert.deepEqual(layerOutputShape({ kind: 'separable-conv', name: 's', kernel: [3, 3], stride: 2, padding: 'same', filters: 256 }, [7, 7, 128]), [4, 4, 256]);
});

test('impossible geometry is a ShapeError naming the layer', () => {
  assert.throws(() => layerOutputShape(conv(5, 1, 'valid'), [4, 9, 1], 3), (e: unknown) => e instanceof ShapeError && e.layerIndex === 3 && /5×5 VALID kernel does not fit a 4×9 input/.test(e.message));
  assert.throws(() => layerOutputShape(conv(1, 1, 'same', 4, { kind: 'max', size: 2, stride: 2 }), [1, 5, 1]), /max pool does not fit a 1×5 map/);
  assert.throws(() => layerOutputShape(conv(3, 0, 'same'), [4, 4, 1]), /invalid stride 0/);
  assert.throws(() => layerOutputShape(conv(3, 1, 'same'), [4, 0, 1]), /invalid input shape/);
  assert.throws(() => modelShapes({ input: { height: 0, width: 1, channels: 1 }, layers: [] }), (e: unknown) => e instanceof ShapeError && e.layerIndex === -1);
});

test('output length equals the number of window positions (brute force)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), (n, k, s) => {
      // VALID: positions p with p·s + k ≤ n
      let valid = 0;
      for (let p = 0; p * s + k <= n; p++) valid++;
      assert.equal(convOutputLength(n, k, s, 'valid'), valid);
      // SAME: positions p·s < n (every stride step that starts inside the input)
      let same = 0;
      for (let p = 0; p * s < n; p++) same++;
      assert.equal(convOutputLength(n, k, s, 'same'), same);
      // SAME padding: the windows span exactly the padded input, the extra row (if odd) after
      const total = Math.max((same - 1) * s + k - n, 0);
      const before = samePadBefore(n, k, s);
      const after = total - before;
      assert.ok(before >= 0 && after - before >= 0 && after - before <= 1, `n ${n} k ${k} s ${s}: ${before}/${after}`);
    }),
  );
});

test('modelShapes of the reference models', () => {
  assert.deepEqual(modelShapes(convTiny()).outputs, [[32, 32, 16], [16, 16, 16], [8, 8, 32], [4, 4, 64], [1, 1, 128], [1, 1, 256], [1, 1, 10]]);
  // the vendor's published DS-CNN summary: [25, 5, 64] ×4, [1, 1, 64], [1, 1, 33]
  assert.deepEqual(modelShapes(dsCnnKws()).outputs, [[25, 5, 64], [25, 5, 64], [25, 5, 64], [25, 5, 64], [1, 1, 64], [1, 1, 33]]);
});
