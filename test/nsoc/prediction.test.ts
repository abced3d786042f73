// prediction.ts: the top class and softmax confidences from a runtime result,
// with an exponential made of IEEE basic operations only (same bits everywhere).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { argmax, exactExp, predict, softmax } from '../../src-engine/nsoc/prediction';
import type { InferenceStats } from '../../src-engine/nsoc/stats';

/** Distance in units in the last place between two positive doubles. */
function ulps(a: number, b: number): number {
  const v = new DataView(new ArrayBuffer(16));
  v.setFloat64(0, a);
  v.setFloat64(8, b);
  return Math.abs(Number(v.getBigInt64(0) - v.getBigInt64(8))); // positive doubles order like their bit patterns
}

test('exactExp is within 2 ulp of Math.exp over the whole normal range, and exact where it must be', () => {
  fc.assert(
    fc.property(fc.double({ min: -708, max: 709.7, noNaN: true }), (x) => {
      return ulps(exactExp(x), Math.exp(x)) <= 2;
    }),
    { numRuns: 20_000 },
  );
  assert.equal(exactExp(0), 1);
  assert.equal(exactExp(-0), 1);
  assert.equal(exactExp(Number.NEGATIVE_INFINITY), 0);
  assert.equal(exactExp(-746), 0);
  assert.equal(exactExp(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  assert.equal(exactExp(710), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(exactExp(Number.NaN)));
  // subnormal results stay close (relative error grows as precision runs out)
  for (const x of [-710, -720, -740]) assert.ok(Math.abs(exactExp(x) / Math.exp(x) - 1) < 1e-10, String(x));
  // e^a · e^b = e^(a+b) for a few exactly representable sums
  assert.ok(Math.abs(exactExp(1) * exactExp(2) - exactExp(3)) / exactExp(3) < 4e-16);
});

test('softmax: in [0, 1], sums to 1, order-preserving, shift-invariant, no overflow', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 40 }), (v) => {
      const s = softmax(v);
      const sum = s.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-12) return false;
      if (!s.every((p) => p >= 0 && p <= 1)) return false;
      for (let i = 0; i < v.length; i++) for (let j = 0; j < v.length; j++) if (v[i] > v[j] && s[i] < s[j]) return false;
      const shifted = softmax(v.map((x) => x + 100));
      return shifted.every((p, i) => Math.abs(p - s[i]) < 1e-9);
    }),
  );
  assert.deepEqual([...softmax([1e6, 0])], [1, 0]);
  assert.deepEqual([...softmax([3, 3, 3, 3])], [0.25, 0.25, 0.25, 0.25]);
  // two classes: p = 1 / (1 + e^−d)
  const [p] = softmax([2, 0]);
  assert.ok(Math.abs(p - 1 / (1 + Math.exp(-2))) < 1e-15);
  assert.throws(() => softmax([1, 2], new Float64Array(3)), RangeError);
  assert.deepEqual([...softmax([])], []);
});

test('argmax takes the first of equal maxima', () => {
  assert.equal(argmax([1, 5, 5, 2]), 1);
  assert.equal(argmax(Int32Array.of(-3, -1, -1)), 1);
  assert.equal(argmax([]), -1);
});

test('predict ranks by the scores when there are any (the bias can overturn the raw potentials), else the output', () => {
  const stats = {} as InferenceStats;
  const output = Int32Array.of(10, 9, -4);
  const scores = Float32Array.of(1.0, 1.9, -0.4); // 10·0.1, 9·0.1 + 1, …
  const p = predict({ output, scores }, ['a', 'b', 'c']);
  assert.equal(p.top, 1);
  assert.equal(p.label, 'b');
  assert.equal(p.confidence, p.confidences[1]);
  assert.deepEqual(p.confidences, softmax(scores));
  const raw = predict({ output, stats } as never, ['a', 'b']);
  assert.equal(raw.top, 0);
  assert.equal(raw.label, 'a');
  assert.deepEqual(raw.confidences, softmax([10, 9, -4]));
  assert.equal(predict({ output: Int32Array.of(0, 0, 7) }, ['a', 'b']).label, null);
});
