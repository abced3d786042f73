import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { activate, activateMean, ceilDiv, inBoundsTaps, maxActivation } from '../../src-engine/nsoc/arith';
import { inBoundsTapSum } from '../../src-engine/nsoc/stats';

// Exact reference with BigInt rationals: ⌈a / b⌉ for b > 0.
const bigCeil = (a: bigint, b: bigint) => (a >= 0n ? (a + b - 1n) / b : -(-a / b));

test('ceilDiv is the exact integer ceiling, also near 2^53', () => {
  assert.equal(ceilDiv(48, 16), 3);
  assert.equal(ceilDiv(49, 16), 4);
  assert.equal(ceilDiv(1, 16), 1);
  assert.equal(ceilDiv(0, 7), 0);
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (a, b) => {
      assert.equal(ceilDiv(a, b) + 0, Number(bigCeil(BigInt(a), BigInt(b))));
    }),
    { numRuns: 2000 },
  );
});

test('activation: 16p == T is silent, one unit above fires, steps round up, saturation at 2^b − 1', () => {
  // T and s are in 1/16 units: T = 32 means p must exceed 2
  assert.equal(activate(2, 32, 16, 15), 0); // 16·2 == 32: not above threshold
  assert.equal(activate(3, 32, 16, 15), 1); // (48 − 32)/16 = 1 exactly
  assert.equal(activate(3, 33, 16, 15), 1); // 15/16 rounds up to 1
  assert.equal(activate(4, 32, 16, 15), 2); // exactly 2
  assert.equal(activate(4, 31, 16, 15), 3); // 33/16 = 2.06 → 3
  assert.equal(activate(100, 0, 16, 15), 15); // 100 → saturated at 4 bits
  assert.equal(activate(100, 0, 16, 3), 3); // 2 bits
  assert.equal(activate(100, 0, 16, 1), 1); // 1 bit: any potential above T gives 1
  assert.equal(activate(-5, 0, 16, 15), 0);
  // a negative threshold fires without input
  assert.equal(activate(0, -1, 16, 15), 1);
  assert.equal(activate(0, -17, 16, 15), 2);
  // fractional threshold: T = 40 is 2.5 potential units
  assert.equal(activate(2, 40, 16, 15), 0);
  assert.equal(activate(3, 40, 16, 15), 1);
});

test('activation matches the rule computed with BigInt', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -(2 ** 27) + 1, max: 2 ** 27 - 1 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.constantFrom(1, 2, 4),
      (p, T, s, bits) => {
        const max = BigInt(maxActivation(bits as 1 | 2 | 4));
        const d = 16n * BigInt(p) - BigInt(T);
        const want = d <= 0n ? 0n : bigCeil(d, BigInt(s)) < max ? bigCeil(d, BigInt(s)) : max;
        assert.equal(activate(p, T, s, Number(max)), Number(want));
      },
    ),
    { numRuns: 3000 },
  );
});

test('global average pooling activates the exact mean, not a rounded one', () => {
  // potentials 1, 0, 0, 0: mean 0.25, 16·mean = 4
  assert.equal(activateMean(1, 4, 3, 16, 15), 1); // 4 > 3: fires, ⌈(16 − 12)/64⌉ = 1
  assert.equal(activateMean(1, 4, 4, 16, 15), 0); // 16·sum == n·T: silent
  // mean 7.5 with T = 0, s = 16 (one unit): ⌈7.5⌉ = 8
  assert.equal(activateMean(30, 4, 0, 16, 15), 8);
  // mean −0.25 never fires with T = 0
  assert.equal(activateMean(-1, 4, 0, 16, 15), 0);
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), fc.integer({ min: 1, max: 4096 }), fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), fc.integer({ min: 1, max: 2 ** 16 }), (sum, n, T, s) => {
      const d = 16n * BigInt(sum) - BigInt(n) * BigInt(T);
      const q = d <= 0n ? 0n : bigCeil(d, BigInt(n) * BigInt(s));
      assert.equal(activateMean(sum, n, T, s, 15), Number(q < 15n ? q : 15n));
    }),
    { numRuns: 2000 },
  );
});

test('in-bounds taps: TensorFlow SAME puts the smaller half of the padding first', () => {
  // in 4, k 3, stride 2 → out 2, pad total 1, before 0: output 1 covers rows 2, 3 (4 is padding)
  assert.deepEqual(inBoundsTaps(0, 2, 0, 3, 4), [0, 3]);
  assert.deepEqual(inBoundsTaps(1, 2, 0, 3, 4), [0, 2]);
  // in 5, k 3, stride 1 → pad 1 before: output 0 misses its first tap
  assert.deepEqual(inBoundsTaps(0, 1, 1, 3, 5), [1, 3]);
  assert.deepEqual(inBoundsTaps(4, 1, 1, 3, 5), [0, 2]);
  // the sum over outputs: 5 outputs of a 3-tap kernel, two border ones lose a tap
  assert.equal(inBoundsTapSum(5, 5, 3, 1, 1), 13);
  assert.equal(inBoundsTapSum(4, 2, 3, 2, 0), 5);
});
