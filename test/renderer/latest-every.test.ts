// latestEvery (src-renderer/src/lib/latest-every.ts), on Node's mocked clock:
// the first value applies at once, a burst within the interval lands as its
// newest value when the interval ends, and nothing is applied twice.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { latestEvery } from '../../src-renderer/src/lib/latest-every';

test('at most one apply per interval; the newest value of a burst lands at its end', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000 });
  try {
    const got: [number, number][] = [];
    const push = latestEvery<number>(100, (v) => got.push([Date.now(), v]));
    push(1);
    assert.deepEqual(got, [[1_000, 1]], 'the first value applies at once');
    mock.timers.tick(10);
    push(2);
    mock.timers.tick(30);
    push(3);
    mock.timers.tick(30);
    push(4);
    assert.equal(got.length, 1, 'nothing more within the interval');
    mock.timers.tick(30);
    assert.deepEqual(got, [[1_000, 1], [1_100, 4]], 'the burst lands once, as its newest value, when the interval ends');
    mock.timers.tick(500);
    assert.equal(got.length, 2, 'no repeat without a new value');
    push(5);
    assert.deepEqual(got[2], [1_600, 5], 'after a quiet interval a value applies at once again');
  } finally {
    mock.timers.reset();
  }
});
