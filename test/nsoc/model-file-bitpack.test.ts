import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packedBytes, packWeights, unpackWeights } from '../../src-engine/nsoc/model-file/bitpack';
import type { WeightBits } from '../../src-engine/nsoc/model';

const WIDTHS: WeightBits[] = [1, 2, 4, 8];
/** The symmetric grid of each width, written out. */
const GRID: Record<WeightBits, number[]> = {
  1: [-1, 1],
  2: [-1, 0, 1],
  4: [-7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7],
  8: Array.from({ length: 255 }, (_, i) => i - 127),
};

test('known bit patterns: LSB first, two\'s complement, 1-bit sign bits', () => {
  const pack = (v: number[], bits: WeightBits) => {
    const out = new Uint8Array(packedBytes(v.length, bits));
    assert.equal(packWeights(Int8Array.from(v), bits, out, 0), -1);
    return [...out];
  };
  assert.deepEqual(pack([1, -1], 4), [0xf1]);
  assert.deepEqual(pack([-7, 7, 0], 4), [0x79, 0x00]);
  assert.deepEqual(pack([1, -1, 0, 1], 2), [0b01_00_11_01]);
  assert.deepEqual(pack([1, -1, -1, 1, 1, 1, 1, -1, -1], 1), [0b1000_0110, 0b1]);
  assert.deepEqual(pack([-127, 127, -1], 8), [0x81, 0x7f, 0xff]);
});

test('every value at every position within a byte round-trips, for each width', () => {
  for (const bits of WIDTHS) {
    const grid = GRID[bits];
    const perByte = 8 / bits;
    // each grid value at each slot of a byte, neighbours set to every other value in turn
    for (const v of grid) {
      for (const neighbour of grid) {
        for (let slot = 0; slot < perByte; slot++) {
          const values = new Int8Array(2 * perByte + 1).fill(neighbour);
          values[perByte + slot] = v;
          const out = new Uint8Array(packedBytes(values.length, bits) + 3);
          assert.equal(packWeights(values, bits, out, 3), -1);
          assert.deepEqual([...out.subarray(0, 3)], [0, 0, 0], 'writes nothing before the offset');
          const back = new Int8Array(values.length);
          assert.equal(unpackWeights(out, 3, bits, back), -1);
          assert.deepEqual(back, values, `bits ${bits} value ${v} neighbour ${neighbour} slot ${slot}`);
        }
      }
    }
  }
});

test('every byte decodes; exactly the codes −2^(b−1) are reported, and valid bytes re-encode to themselves', () => {
  for (const bits of WIDTHS) {
    const perByte = 8 / bits;
    const most = bits === 1 ? null : -(1 << (bits - 1));
    for (let byte = 0; byte < 256; byte++) {
      const src = Uint8Array.of(byte);
      const values = new Int8Array(perByte);
      const bad = unpackWeights(src, 0, bits, values);
      // decode by hand: slot i holds bits [i·b, (i+1)·b)
      const expected = Array.from({ length: perByte }, (_, i) => {
        const code = (byte >> (i * bits)) & ((1 << bits) - 1);
        if (bits === 1) return code ? -1 : 1;
        return code >= 1 << (bits - 1) ? code - (1 << bits) : code;
      });
      assert.deepEqual([...values], expected);
      assert.equal(bad, most === null ? -1 : expected.indexOf(most));
      if (bad < 0) {
        const again = new Uint8Array(1);
        assert.equal(packWeights(values, bits, again, 0), -1);
        assert.equal(again[0], byte);
      }
    }
  }
});

test('pack reports the first value off the grid', () => {
  const out = new Uint8Array(16);
  assert.equal(packWeights(Int8Array.of(1, 0, -1), 1, out, 0), 1);
  assert.equal(packWeights(Int8Array.of(1, -1, 2), 2, out.fill(0), 0), 2);
  assert.equal(packWeights(Int8Array.of(7, -8), 4, out.fill(0), 0), 1);
  assert.equal(packWeights(Int8Array.of(127, -127, -128), 8, out.fill(0), 0), 2);
});

test('packedBytes', () => {
  assert.deepEqual([1, 2, 4, 8].map((b) => packedBytes(9, b as WeightBits)), [2, 3, 5, 9]);
  assert.equal(packedBytes(0, 4), 0);
});
