import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtPower } from '../../src-renderer/src/lib/format';

test('power reads in the unit that fits: W, mW, µW, nW', () => {
  assert.equal(fmtPower(2500), '2.50 W');
  assert.equal(fmtPower(12.34), '12.3 mW');
  assert.equal(fmtPower(0.0412), '41.2 µW');
  assert.equal(fmtPower(0.0000031), '3.10 nW');
  assert.equal(fmtPower(0), '0 µW');
  assert.equal(fmtPower(Number.NaN), '—');
});
