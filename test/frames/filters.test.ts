import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { batchFrom, type EventBatch } from '../../src-engine/events/batch';
import { denoiseEvents, findHotPixels, maskHotPixels, timeSlice } from '../../src-engine/frames/filters';
import { cropEvents, downsampleEvents } from '../../src-engine/frames/spatial';
import { TimeChannelBinner, type TimeChannelConfig, type TimeChannelFrame } from '../../src-engine/frames/time-channel';

type Ev = [number, number, number, number];
const events = (list: Ev[]): EventBatch =>
  batchFrom(list.map((e) => e[0]), list.map((e) => e[1]), list.map((e) => e[2]), list.map((e) => e[3]));
const rows = (b: EventBatch): Ev[] => Array.from({ length: b.length }, (_, i): Ev => [b.t[i], b.x[i], b.y[i], b.p[i]]);

/** tonic/functional/denoise.py restated line by line; its grid is the events' own max x/y + 1 unless given. */
function tonicDenoise(b: EventBatch, filterTime: number, grid?: { width: number; height: number }): Ev[] {
  const ev = rows(b);
  if (ev.length === 0) return [];
  const width = grid?.width ?? Math.max(...ev.map((e) => e[1])) + 1;
  const height = grid?.height ?? Math.max(...ev.map((e) => e[2])) + 1;
  const memory = Array.from({ length: width }, () => new Array(height).fill(filterTime));
  const out: Ev[] = [];
  for (const e of ev) {
    const [t, x, y] = e;
    memory[x][y] = t + filterTime;
    if (
      (x > 0 && memory[x - 1][y] > t) ||
      (x < width - 1 && memory[x + 1][y] > t) ||
      (y > 0 && memory[x][y - 1] > t) ||
      (y < height - 1 && memory[x][y + 1] > t)
    ) out.push(e);
  }
  return out;
}

test('denoise: an event needs a 4-neighbour event less than filter time before it', () => {
  const sensor = { width: 8, height: 8 };
  const b = events([
    [100, 3, 3, 1], // nobody around yet: dropped
    [105, 4, 3, 1], // left neighbour 5 µs ago: kept
    [106, 5, 4, 1], // only a diagonal neighbour: dropped
    [120, 4, 4, 0], // (4,3) fired 15 µs ago, filter 10: dropped; (5,4) 14 ago: dropped
    [125, 4, 5, 0], // (4,4) fired 5 µs ago: kept
  ]);
  assert.deepEqual(rows(denoiseEvents(b, sensor, 10)), [[105, 4, 3, 1], [125, 4, 5, 0]]);
  assert.deepEqual(rows(denoiseEvents(b, sensor, 10)), tonicDenoise(b, 10));
});

test('denoise keeps tonic\'s start: a pixel that never fired counts as fired at t = 0', () => {
  const b = events([[3, 2, 2, 1], [4, 6, 6, 1]]);
  // both events come before filter_time = 10, so any in-grid neighbour "fired" at 0 + 10 > t
  assert.deepEqual(rows(denoiseEvents(b, { width: 8, height: 8 }, 10)), rows(b));
  // the one documented difference: tonic's grid ends at the events' max x/y, so (6,6) has no right/down
  // neighbour there — but it still has left/up ones, so tonic keeps both too
  assert.deepEqual(tonicDenoise(b, 10), rows(b));
  // a 1-pixel-wide sensor column: only up/down neighbours exist
  const col = events([[3, 0, 0, 1]]);
  assert.deepEqual(rows(denoiseEvents(col, { width: 1, height: 1 }, 10)), [], 'a 1×1 sensor has no neighbours');
  assert.deepEqual(rows(denoiseEvents(col, { width: 2, height: 1 }, 10)), [[3, 0, 0, 1]]);
  assert.deepEqual(tonicDenoise(col, 10), [], 'tonic sizes its grid from the events (1×1 here): the deviation');
});

const evArb = (w: number, h: number, tMin: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.nat(w - 1), fc.nat(h - 1), fc.nat(1)), { maxLength: 150 }).map((list) => {
    let t = tMin;
    return events(list.map(([dt, x, y, p]): Ev => [(t += dt), x, y, p]));
  });

test('property: denoiseEvents equals tonic\'s algorithm on the sensor grid, and on tonic\'s own grid once t ≥ filter time', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.constantFrom(0, 25), (w, h, f, tMin) =>
      fc.assert(
        fc.property(evArb(w, h, tMin), (b) => {
          const got = rows(denoiseEvents(b, { width: w, height: h }, f));
          assert.deepEqual(got, tonicDenoise(b, f, { width: w, height: h }));
          if (tMin >= f) assert.deepEqual(got, tonicDenoise(b, f));
        }),
        { numRuns: 10 },
      ),
    ),
    { numRuns: 40 },
  );
});

test('maskHotPixels drops masked pixels (index y·W + x) and events off the sensor', () => {
  const sensor = { width: 3, height: 2 };
  const mask = new Uint8Array(6);
  mask[1 * 3 + 2] = 1; // (2, 1)
  const b = events([[0, 2, 1, 1], [1, 1, 2 - 1, 0], [2, 3, 0, 1], [3, 0, 0, 1]]);
  assert.deepEqual(rows(maskHotPixels(b, sensor, mask)), [[1, 1, 1, 0], [3, 0, 0, 1]]);
  assert.throws(() => maskHotPixels(b, sensor, new Uint8Array(5)), RangeError);
});

test('findHotPixels: tonic\'s rate rule (count > rate × (t_last − t_first) × 1e-6) and the sigma rule', () => {
  const sensor = { width: 4, height: 1 };
  // 1 s long; pixel 0 fires 5 times, pixel 1 three times, pixel 2 once
  const b = events([[0, 0, 0, 1], [1e5, 0, 0, 1], [2e5, 0, 0, 1], [3e5, 0, 0, 1], [4e5, 1, 0, 1], [5e5, 1, 0, 1], [6e5, 1, 0, 1], [7e5, 0, 0, 1], [1e6, 2, 0, 1]]);
  assert.deepEqual(Array.from(findHotPixels(b, sensor, { maxRateHz: 3 })), [1, 0, 0, 0], '3 events in 1 s is not above 3 Hz');
  assert.deepEqual(Array.from(findHotPixels(b, sensor, { maxRateHz: 2 })), [1, 1, 0, 0]);
  // counts of firing pixels 5, 3, 1: mean 3, std √(8/3) ≈ 1.63
  assert.deepEqual(Array.from(findHotPixels(b, sensor, { sigma: 1 })), [1, 0, 0, 0]);
  assert.deepEqual(Array.from(findHotPixels(b, sensor, { sigma: 1.3 })), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(findHotPixels(b, sensor, { sigma: 1.3, maxRateHz: 2 })), [1, 1, 0, 0], 'either rule marks a pixel');
  assert.throws(() => findHotPixels(b, sensor, {}), RangeError);
});

test('cropEvents keeps the box and shifts it to the origin', () => {
  const b = events([[0, 1, 1, 1], [1, 2, 1, 0], [2, 4, 3, 1], [3, 5, 3, 1], [4, 3, 0, 1]]);
  assert.deepEqual(rows(cropEvents(b, { x: 2, y: 1, width: 3, height: 3 })), [[1, 0, 0, 0], [2, 2, 2, 1]]);
  assert.throws(() => cropEvents(b, { x: -1, y: 0, width: 3, height: 3 }), RangeError);
  assert.throws(() => cropEvents(b, { x: 0, y: 0, width: 0, height: 3 }), RangeError);
});

test('downsampleEvents: x′ = floor(x · outW / W) in exact integers', () => {
  const b = events([[0, 22, 0, 1], [1, 43, 9, 0]]);
  const d = downsampleEvents(b, { width: 44, height: 10 }, { width: 30, height: 5 });
  // 22·30/44 = 15 exactly; tonic's float factor gives 22·(30/44) = 14.999… → 14 (see docs/FRAMES.md)
  assert.deepEqual(rows(d), [[0, 15, 0, 1], [1, 29, 4, 0]]);
});

test('timeSlice keeps t0 ≤ t < t1', () => {
  const b = events([[5, 0, 0, 1], [10, 0, 0, 1], [15, 0, 0, 1], [20, 0, 0, 1], [12, 0, 0, 1]]);
  assert.deepEqual(rows(timeSlice(b, 10, 20)).map((e) => e[0]), [10, 15, 12]);
});

// ---- the batch transforms, then plain binning, equal the binner's own filters ----

const plain = (f: TimeChannelFrame) => ({ index: f.index, tStartUs: f.tStartUs, data: Array.from(f.data), eventsKept: f.eventsKept });

function bin(cfg: TimeChannelConfig, b: EventBatch, clockUs?: number) {
  const binner = new TimeChannelBinner(cfg);
  const frames = [...binner.push(b)];
  if (clockUs !== undefined) frames.push(...binner.advanceTo(clockUs));
  frames.push(...binner.flush());
  return frames.map(plain);
}

test('property: mask → denoise → crop → downsample → binning = the binner with hotPixels, denoise, roi, size', () => {
  const caseArb = fc
    .record({ w: fc.integer({ min: 1, max: 8 }), h: fc.integer({ min: 1, max: 8 }) })
    .chain(({ w, h }) =>
      fc.record({
        sensor: fc.constant({ width: w, height: h }),
        events: evArb(w, h, 0),
        hot: fc.array(fc.nat(9).map((v) => (v === 0 ? 1 : 0)), { minLength: w * h, maxLength: w * h }),
        denoise: fc.integer({ min: 1, max: 15 }),
        roi: fc.record({ x: fc.nat(w - 1), y: fc.nat(h - 1) }).chain(({ x, y }) =>
          fc.record({ x: fc.constant(x), y: fc.constant(y), width: fc.integer({ min: 1, max: w - x }), height: fc.integer({ min: 1, max: h - y }) }),
        ),
        size: fc.record({ width: fc.integer({ min: 1, max: 10 }), height: fc.integer({ min: 1, max: 10 }) }),
        windowUs: fc.integer({ min: 2, max: 60 }),
        hop: fc.integer({ min: 1, max: 70 }),
        bins: fc.integer({ min: 1, max: 4 }),
        includeIncomplete: fc.boolean(),
      }),
    );
  fc.assert(
    fc.property(caseArb, (c) => {
      const b = c.events;
      if (b.length === 0) return;
      const mask = Uint8Array.from(c.hot);
      const common = { windowUs: c.windowUs, hopUs: c.hop, bins: c.bins, includeIncomplete: c.includeIncomplete };
      const streamed = bin({ sensor: c.sensor, ...common, hotPixels: mask, denoise: { filterTimeUs: c.denoise }, roi: c.roi, size: c.size }, b);
      let f = maskHotPixels(b, c.sensor, mask);
      f = denoiseEvents(f, c.sensor, c.denoise);
      f = cropEvents(f, c.roi);
      f = downsampleEvents(f, c.roi, c.size);
      // the binner's clock and window grid come from all events, filtered or not
      const offline = bin({ sensor: c.size, ...common, t0Us: b.t[0] }, f, b.t[b.length - 1]);
      assert.deepEqual(offline, streamed);
    }),
    { numRuns: 300 },
  );
});
