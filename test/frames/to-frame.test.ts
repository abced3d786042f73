import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { batchFrom, emptyBatch, type EventBatch } from '../../src-engine/events/batch';
import { sliceEvents, toFrame } from '../../src-engine/frames/to-frame';

const at = (ts: number[], x = 0, y = 0, p = 1): EventBatch =>
  batchFrom(ts, ts.map(() => x), ts.map(() => y), ts.map(() => p));
const T7 = at([0, 3, 5, 9, 10, 14, 20]);

/** Events per slice. */
function totals(b: EventBatch, opts: Parameters<typeof toFrame>[2], sensor = { width: 1, height: 1 }): number[] {
  const f = toFrame(b, sensor, opts);
  const per = f.data.length / f.shape[0];
  return Array.from({ length: f.shape[0] }, (_, i) => f.data.subarray(i * per, (i + 1) * per).reduce((a, v) => a + v, 0));
}

test('timeWindow: floor((duration − window)/stride) + 1 slices from the first event; the last event can fall out', () => {
  // duration 20, window 5: 4 windows [0,5) [5,10) [10,15) [15,20); t = 20 is in none
  assert.deepEqual(totals(T7, { timeWindow: 5 }), [2, 2, 2, 0]);
  // include_incomplete rounds up, but (20 − 5)/5 is whole, so t = 20 still falls out (tonic does the same)
  assert.deepEqual(totals(T7, { timeWindow: 5, includeIncomplete: true }), [2, 2, 2, 0]);
  const T8 = at([0, 3, 5, 9, 10, 14, 21]);
  assert.deepEqual(totals(T8, { timeWindow: 5 }), [2, 2, 2, 0]);
  assert.deepEqual(totals(T8, { timeWindow: 5, includeIncomplete: true }), [2, 2, 2, 0, 1]);
});

test('timeWindow with overlap: stride = window − overlap', () => {
  // window 6, overlap 2 → stride 4; floor((20 − 6)/4) + 1 = 4: [0,6) [4,10) [8,14) [12,18)
  assert.deepEqual(totals(T7, { timeWindow: 6, overlap: 2 }), [3, 2, 2, 1]);
  assert.deepEqual(sliceEvents(T7, { timeWindow: 6, overlap: 2 }), [[0, 3], [2, 4], [3, 5], [5, 6]]);
  // fractional windows go through the same float arithmetic as numpy's arange(n) · stride + t0
  assert.deepEqual(sliceEvents(T7, { timeWindow: 2.5, overlap: 0.5 }).length, Math.floor((20 - 2.5) / 2) + 1);
  assert.throws(() => toFrame(T7, { width: 1, height: 1 }, { timeWindow: 5, overlap: 5 }), /> 0/);
});

test('timeWindow longer than the recording: one slice, as tonic\'s max(n, 1)', () => {
  assert.deepEqual(totals(T7, { timeWindow: 1000 }), [7]);
  assert.deepEqual(totals(at([42]), { timeWindow: 10 }), [1]);
});

test('eventCount: stride = count − overlap, slices floor|ceil((N − count)/stride) + 1', () => {
  assert.deepEqual(sliceEvents(T7, { eventCount: 3 }), [[0, 3], [3, 6]]);
  assert.deepEqual(sliceEvents(T7, { eventCount: 3, includeIncomplete: true }), [[0, 3], [3, 6], [6, 7]]);
  assert.deepEqual(sliceEvents(T7, { eventCount: 3, overlap: 1 }), [[0, 3], [2, 5], [4, 7]]);
  // more than N: the slice shrinks to N but the stride keeps the requested count
  assert.deepEqual(sliceEvents(T7, { eventCount: 10 }), [[0, 7]]);
  assert.deepEqual(sliceEvents(T7, { eventCount: 10, overlap: 9, includeIncomplete: true }), [[0, 7]]);
  assert.throws(() => sliceEvents(T7, { eventCount: 3, overlap: 3 }), /> 0/);
});

test('nTimeBins: window = ((t_last − t_first) // n)·(1 + overlap); the floor drops tail events', () => {
  // 20 // 3 = 6: [0,6) [6,12) [12,18); t = 20 is lost
  assert.deepEqual(totals(T7, { nTimeBins: 3 }), [3, 2, 1]);
  // overlap 0.5: window 9, stride 4.5: [0,9) [4.5,13.5) [9,18)
  assert.deepEqual(totals(T7, { nTimeBins: 3, overlap: 0.5 }), [3, 3, 3]);
  assert.deepEqual(totals(T7, { nTimeBins: 3, includeIncomplete: true }), [3, 2, 1], 'ignored by the bin modes');
  assert.throws(() => toFrame(T7, { width: 1, height: 1 }, { nTimeBins: 3, overlap: 1 }), RangeError);
});

test('nEventBins: N // n · (1 + overlap) events per slice', () => {
  assert.deepEqual(sliceEvents(T7, { nEventBins: 3 }), [[0, 2], [2, 4], [4, 6]]);
  assert.deepEqual(sliceEvents(T7, { nEventBins: 3, overlap: 0.5 }), [[0, 3], [1, 4], [2, 5]]);
  assert.deepEqual(sliceEvents(at([1, 2]), { nEventBins: 3 }), [[0, 0], [0, 0], [0, 0]]);
});

test('layout (T, P, H, W): index ((t·P + p)·H + y)·W + x; P = 1 merges ON and OFF', () => {
  const b = batchFrom([0, 1, 2, 3], [2, 0, 2, 1], [1, 0, 1, 1], [1, 0, 0, 1]);
  const f = toFrame(b, { width: 3, height: 2 }, { timeWindow: 100 });
  assert.deepEqual(f.shape, [1, 2, 2, 3]);
  const i = (p: number, y: number, x: number) => (p * 2 + y) * 3 + x;
  const want = new Array(12).fill(0);
  want[i(1, 1, 2)] = 1; want[i(0, 0, 0)] = 1; want[i(0, 1, 2)] = 1; want[i(1, 1, 1)] = 1;
  assert.deepEqual(Array.from(f.data), want);
  const one = toFrame(b, { width: 3, height: 2, polarities: 1 }, { timeWindow: 100 });
  assert.deepEqual(one.shape, [1, 1, 2, 3]);
  assert.deepEqual(Array.from(one.data), [1, 0, 0, 0, 1, 2]);
});

test('counts are int16 and wrap like numpy\'s', () => {
  const n = 32768 + 5;
  const b = at(Array.from({ length: n }, (_, i) => i));
  const f = toFrame(b, { width: 1, height: 1 }, { eventCount: n });
  assert.equal(f.data[1], -32768 + 5);
});

test('empty input: zero frames of (1 or n bins, P, H, W)', () => {
  const s = { width: 4, height: 3 };
  assert.deepEqual(toFrame(emptyBatch(), s, { timeWindow: 10 }).shape, [1, 2, 3, 4]);
  assert.deepEqual(toFrame(emptyBatch(), s, { eventCount: 10 }).shape, [1, 2, 3, 4]);
  assert.deepEqual(toFrame(emptyBatch(), s, { nTimeBins: 5 }).shape, [5, 2, 3, 4]);
  assert.deepEqual(toFrame(emptyBatch(), { ...s, polarities: 1 }, { nEventBins: 2 }).shape, [2, 1, 3, 4]);
  assert.ok(toFrame(emptyBatch(), s, { nTimeBins: 5 }).data.every((v) => v === 0));
});

test('bad calls are refused', () => {
  const s = { width: 2, height: 2 };
  assert.throws(() => toFrame(T7, s, {}), /exactly one/);
  assert.throws(() => toFrame(T7, s, { timeWindow: 5, eventCount: 3 }), /exactly one/);
  assert.throws(() => toFrame(T7, s, { timeWindow: 0 }), /positive/);
  assert.throws(() => toFrame(T7, s, { eventCount: 2.5 }), /whole/);
  assert.throws(() => toFrame(at([0], 2, 0), s, { timeWindow: 5 }), /outside the 2×2 sensor/);
  assert.throws(() => toFrame(at([5, 4]), s, { timeWindow: 5 }), /time order/);
  assert.throws(() => toFrame(T7, s, { timeWindow: 1e-7 }), /too many/);
});

test('property: timeWindow slices hold exactly the events with start ≤ t < start + window', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 80 }),
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: -10, max: 29 }),
      fc.boolean(),
      (steps, tw, overlapRaw, include) => {
        const overlap = Math.min(overlapRaw, tw - 1);
        let t = 100;
        const ts = steps.map((d) => (t += d));
        const b = batchFrom(ts, ts.map((_, i) => i % 3), ts.map((_, i) => i % 2), ts.map((_, i) => i % 2));
        const f = toFrame(b, { width: 3, height: 2 }, { timeWindow: tw, overlap, includeIncomplete: include });
        const stride = tw - overlap;
        const q = (ts[ts.length - 1] - ts[0] - tw) / stride;
        const n = Math.max(1, (include ? Math.ceil(q) : Math.floor(q)) + 1);
        assert.equal(f.shape[0], n);
        for (let k = 0; k < n; k++) {
          const start = ts[0] + k * stride;
          const want = new Array(12).fill(0);
          ts.forEach((tv, i) => {
            if (tv >= start && tv < start + tw) want[((i % 2) * 2 + (i % 2)) * 3 + (i % 3)]++;
          });
          assert.deepEqual(Array.from(f.data.subarray(k * 12, (k + 1) * 12)), want);
        }
      },
    ),
    { numRuns: 300 },
  );
});
