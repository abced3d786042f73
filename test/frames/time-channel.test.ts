import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { batchFrom, emptyBatch, sliceBatch, type EventBatch } from '../../src-engine/events/batch';
import { stackFrames, TimeChannelBinner, type TimeChannelConfig, type TimeChannelFrame } from '../../src-engine/frames/time-channel';
import { totalDropped } from '../../src-engine/frames/summary';
import { naiveTimeChannel } from './naive-binner';

type Ev = [number, number, number, number];
const events = (list: Ev[]): EventBatch =>
  batchFrom(list.map((e) => e[0]), list.map((e) => e[1]), list.map((e) => e[2]), list.map((e) => e[3]));

/** Pushes `b` cut at `cuts` (indices), then flushes; also returns the frames each call produced. */
function run(cfg: TimeChannelConfig, b: EventBatch, cuts: number[] = [], clockUs?: number) {
  const binner = new TimeChannelBinner(cfg);
  const calls: TimeChannelFrame[][] = [];
  let prev = 0;
  for (const c of [...cuts.filter((c) => c > 0 && c < b.length).sort((p, q) => p - q), b.length]) {
    calls.push(binner.push(sliceBatch(b, prev, c)));
    prev = c;
  }
  if (clockUs !== undefined) calls.push(binner.advanceTo(clockUs));
  calls.push(binner.flush());
  return { frames: calls.flat(), calls, summary: binner.summary(), binner };
}

const plain = (f: TimeChannelFrame) => ({
  index: f.index,
  tStartUs: f.tStartUs,
  tEndUs: f.tEndUs,
  data: Array.from(f.data),
  eventsIn: f.eventsIn,
  eventsKept: f.eventsKept,
});

test('the reference encoding: bin = (t − t0)·5 // 100000, channel = 2·bin + p, HWC', () => {
  const sensor = { width: 4, height: 3 };
  const b = events([
    [1_000, 1, 2, 1], // bin 0, ON → channel 1
    [20_999, 1, 2, 0], // (19999·5)//1e5 = 0 → channel 0
    [21_000, 1, 2, 0], // exactly 20000 µs in → bin 1, channel 2
    [100_999, 3, 0, 1], // bin 4, channel 9 (last µs of the window)
    [101_000, 0, 0, 1], // next window
  ]);
  const { frames } = run({ sensor }, b);
  assert.equal(frames.length, 1); // the second window is incomplete and not asked for
  const f = frames[0];
  assert.deepEqual([f.index, f.tStartUs, f.tEndUs, f.eventsIn, f.eventsKept], [0, 1_000, 101_000, 4, 4]);
  assert.deepEqual(f.shape, [3, 4, 10]);
  const at = (x: number, y: number, c: number) => f.data[(y * 4 + x) * 10 + c];
  assert.equal(at(1, 2, 1), 1);
  assert.equal(at(1, 2, 0), 1);
  assert.equal(at(1, 2, 2), 1);
  assert.equal(at(3, 0, 9), 1);
  assert.equal(f.data.reduce((a, v) => a + v, 0), 4);
});

test('a window is emitted by the first event at or after its end, not before', () => {
  const binner = new TimeChannelBinner({ sensor: { width: 2, height: 2 }, windowUs: 10, bins: 2 });
  assert.equal(binner.push(events([[0, 0, 0, 1], [9, 1, 1, 0]])).length, 0);
  const out = binner.push(events([[10, 0, 1, 1]]));
  assert.deepEqual(out.map((f) => [f.index, f.eventsKept]), [[0, 2]]);
  // a jump over two windows emits the open one and the empty one in between
  const out2 = binner.push(events([[35, 0, 0, 1]]));
  assert.deepEqual(out2.map((f) => [f.index, f.tStartUs, f.eventsKept]), [[1, 10, 1], [2, 20, 0]]);
  assert.deepEqual(Array.from(out2[1].data), new Array(16).fill(0));
  assert.deepEqual(binner.flush(), []);
  const s = binner.summary();
  assert.equal(s.dropped.afterLastWindow, 1);
  assert.equal(s.eventsKept, 3);
});

test('counts saturate at clip = 2^bits − 1 and never wrap; the summary keeps the unclipped count', () => {
  const n = 600;
  const b = events(Array.from({ length: n }, (_, i): Ev => [i, 0, 0, 1]));
  const { frames, summary } = run({ sensor: { width: 1, height: 1 }, windowUs: 1000, bins: 1, includeIncomplete: true }, b);
  assert.equal(frames[0].data[1], 15);
  assert.deepEqual(summary.channelCounts, [0, n]);
  assert.deepEqual(summary.channelClippedSums, [0, 15]);
  const b8 = run({ sensor: { width: 1, height: 1 }, windowUs: 1000, bins: 1, bits: 8, includeIncomplete: true }, b);
  assert.equal(b8.frames[0].data[1], 255);
  const c3 = run({ sensor: { width: 1, height: 1 }, windowUs: 1000, bins: 1, clip: 3, bits: 8, includeIncomplete: true }, b);
  assert.equal(c3.frames[0].data[1], 3, 'an explicit clip wins over bits');
});

test('polarities = 1 merges ON and OFF into channel = bin', () => {
  const b = events([[0, 0, 0, 1], [1, 0, 0, 0], [6, 0, 0, 0]]);
  const { frames } = run({ sensor: { width: 1, height: 1 }, windowUs: 10, bins: 2, polarities: 1, includeIncomplete: true }, b);
  assert.deepEqual(frames[0].shape, [1, 1, 2]);
  assert.deepEqual(Array.from(frames[0].data), [2, 1]);
});

test('ROI then scaling: x′ = floor((x − roi.x)·outW / roiW), events outside the ROI are dropped', () => {
  const sensor = { width: 10, height: 4 };
  const roi = { x: 2, y: 1, width: 6, height: 3 };
  const size = { width: 4, height: 2 };
  const b = events([
    [0, 2, 1, 1], // → (0, 0)
    [1, 7, 3, 1], // (5·4)//6 = 3, (2·2)//3 = 1 → (3, 1)
    [2, 4, 2, 1], // (2·4)//6 = 1, (1·2)//3 = 0 → (1, 0)
    [3, 1, 1, 1], // left of the ROI
    [4, 8, 1, 1], // right of the ROI
    [5, 3, 0, 1], // above
  ]);
  const { frames, summary } = run({ sensor, roi, size, windowUs: 10, bins: 1, includeIncomplete: true }, b);
  const f = frames[0];
  assert.deepEqual(f.shape, [2, 4, 2]);
  const ones = [...f.data.keys()].filter((i) => f.data[i]).map((i) => [Math.floor(i / 8), Math.floor(i / 2) % 4, i % 2]);
  assert.deepEqual(ones, [[0, 0, 1], [0, 1, 1], [1, 3, 1]]);
  assert.equal(summary.dropped.roi, 3);
});

test('out-of-order events: binned at their own t while their window is open, dropped as late after', () => {
  const cfg = { sensor: { width: 2, height: 1 }, windowUs: 10, bins: 2 };
  const b = events([
    [0, 0, 0, 1],
    [8, 0, 0, 1],
    [3, 1, 0, 1], // earlier than the clock (8), window 0 still open → bin 0
    [12, 0, 0, 1], // emits window 0
    [9, 1, 0, 0], // window 0 is gone: late
    [11, 1, 0, 0], // earlier than 12 but in the open window 1
  ]);
  const { frames, summary } = run({ ...cfg, includeIncomplete: true }, b);
  assert.equal(frames.length, 2);
  const w0 = Array.from(frames[0].data);
  assert.deepEqual(w0, [0, 1, 0, 1, 0, 1, 0, 0]); // x0: bin 0 ON, bin 1 ON; x1: bin 0 ON
  assert.equal(frames[1].eventsKept, 2);
  assert.equal(summary.dropped.late, 1);
  assert.equal(summary.outOfOrder, 3);
});

test('events before an explicit t0 count as beforeFirstWindow; a hop longer than the window leaves gaps', () => {
  const b = events([[5, 0, 0, 1], [10, 0, 0, 1], [14, 0, 0, 1], [17, 0, 0, 1], [21, 0, 0, 1], [31, 0, 0, 0]]);
  const { frames, summary } = run({ sensor: { width: 1, height: 1 }, windowUs: 5, hopUs: 10, bins: 1, t0Us: 10 }, b);
  // windows [10,15) [20,25) [30,35): 17 lies in the gap, 31's window is incomplete at flush
  assert.deepEqual(frames.map((f) => [f.index, f.tStartUs, f.eventsKept]), [[0, 10, 2], [1, 20, 1]]);
  assert.deepEqual(summary.dropped, {
    outOfBounds: 0, hotPixel: 0, denoise: 0, roi: 0, beforeFirstWindow: 1, late: 0, gap: 1, afterLastWindow: 1,
  });
});

test('sliding windows (hop < window): an event lands in every window holding it, with its own bin', () => {
  const b = events([[0, 0, 0, 1], [5, 0, 0, 1], [12, 0, 0, 1], [25, 0, 0, 1]]);
  const { frames } = run({ sensor: { width: 1, height: 1 }, windowUs: 10, hopUs: 5, bins: 2, polarities: 1 }, b);
  // [0,10): 0→b0, 5→b1; [5,15): 5→b0, 12→b1; [10,20): 12→b0; [15,25): none
  assert.deepEqual(frames.map((f) => [f.index, ...f.data]), [[0, 1, 1], [1, 1, 1], [2, 1, 0], [3, 0, 0]]);
});

test('a stream shorter than one window still yields its first window, as tonic does', () => {
  const b = events([[100, 0, 0, 1], [150, 0, 0, 0]]);
  const { frames, summary } = run({ sensor: { width: 1, height: 1 }, windowUs: 1000, bins: 1 }, b);
  assert.equal(frames.length, 1);
  assert.deepEqual(Array.from(frames[0].data), [1, 1]);
  assert.equal(summary.eventsKept, 2);
  assert.deepEqual(run({ sensor: { width: 1, height: 1 } }, emptyBatch()).frames, []);
});

test('advanceTo closes windows on a silent clock', () => {
  const binner = new TimeChannelBinner({ sensor: { width: 1, height: 1 }, windowUs: 10, bins: 1 });
  assert.deepEqual(binner.advanceTo(1_000), [], 'no events yet: nothing to anchor windows to');
  binner.push(events([[0, 0, 0, 1]]));
  assert.deepEqual(binner.advanceTo(9), []);
  assert.deepEqual(binner.advanceTo(30).map((f) => f.index), [0, 1, 2]);
});

test('a long run of empty windows beyond maxGapWindows is skipped, and said so', () => {
  const b = events([[0, 0, 0, 1], [1_000_000, 0, 0, 1]]);
  const { frames, summary } = run({ sensor: { width: 1, height: 1 }, windowUs: 10, bins: 1, maxGapWindows: 50, includeIncomplete: true }, b);
  assert.deepEqual(frames.map((f) => f.index), [0, 100_000]);
  assert.equal(summary.windowsSkipped, 99_999);
  const kept = run({ sensor: { width: 1, height: 1 }, windowUs: 10, bins: 1, maxGapWindows: 100_000, includeIncomplete: true }, b);
  assert.equal(kept.frames.length, 100_001);
  assert.equal(new Set(kept.frames.slice(1, -1).map((f) => f.data)).size, 1, 'empty frames share one zero buffer');
});

test('the binner holds only its open windows', () => {
  const binner = new TimeChannelBinner({ sensor: { width: 8, height: 8 }, windowUs: 100, hopUs: 30 });
  const open = binner as unknown as { bufs: (Uint8Array | null)[] };
  assert.equal(open.bufs.length, Math.ceil(100 / 30) + 1);
  for (let t = 0; t < 5000; t += 7) binner.push(events([[t, t % 8, (t >> 3) % 8, t & 1]]));
  assert.ok(open.bufs.filter((b) => b !== null).length <= 4);
});

test('bad configurations are refused', () => {
  const sensor = { width: 4, height: 4 };
  assert.throws(() => new TimeChannelBinner({ sensor, windowUs: 0 }), RangeError);
  assert.throws(() => new TimeChannelBinner({ sensor, windowUs: 1.5 }), RangeError);
  assert.throws(() => new TimeChannelBinner({ sensor, bins: 0 }), RangeError);
  assert.throws(() => new TimeChannelBinner({ sensor, polarities: 3 as 2 }), RangeError);
  assert.throws(() => new TimeChannelBinner({ sensor, bits: 9 }), RangeError);
  assert.throws(() => new TimeChannelBinner({ sensor, clip: 256 }), RangeError);
  assert.throws(() => new TimeChannelBinner({ sensor, roi: { x: 2, y: 0, width: 3, height: 4 } }), /beyond/);
  assert.throws(() => new TimeChannelBinner({ sensor, hotPixels: new Uint8Array(15) }), /4×4 = 16/);
  assert.throws(() => new TimeChannelBinner({ sensor, denoise: { filterTimeUs: 0 } }), RangeError);
  const b = new TimeChannelBinner({ sensor });
  b.flush();
  assert.throws(() => b.push(events([[0, 0, 0, 0]])), /after flush/);
});

test('stackFrames gives (N, H, W, C)', () => {
  const b = events([[0, 0, 0, 1], [10, 1, 0, 0], [20, 0, 0, 0]]);
  const { frames } = run({ sensor: { width: 2, height: 1 }, windowUs: 10, bins: 1, includeIncomplete: true }, b);
  const s = stackFrames(frames);
  assert.deepEqual(s.shape, [3, 1, 2, 2]);
  assert.deepEqual(Array.from(s.data), [0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0]);
  assert.deepEqual(stackFrames([], [1, 2, 2]).shape, [0, 1, 2, 2]);
  assert.throws(() => stackFrames([]), RangeError);
});

// ---- property tests against the plain reference ----

const sensorArb = fc.record({ width: fc.integer({ min: 1, max: 7 }), height: fc.integer({ min: 1, max: 6 }) });

const caseArb = sensorArb.chain((sensor) =>
  fc.record({
    sensor: fc.constant(sensor),
    windowUs: fc.integer({ min: 1, max: 40 }),
    hopRatio: fc.oneof(fc.constant(1), fc.double({ min: 0.05, max: 1.6, noNaN: true })),
    bins: fc.integer({ min: 1, max: 5 }),
    polarities: fc.constantFrom(1 as const, 2 as const),
    clip: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    roi: fc.option(
      fc.record({ x: fc.nat(sensor.width - 1), y: fc.nat(sensor.height - 1) }).chain(({ x, y }) =>
        fc.record({ x: fc.constant(x), y: fc.constant(y), width: fc.integer({ min: 1, max: sensor.width - x }), height: fc.integer({ min: 1, max: sensor.height - y }) }),
      ),
      { nil: undefined },
    ),
    size: fc.option(fc.record({ width: fc.integer({ min: 1, max: 9 }), height: fc.integer({ min: 1, max: 9 }) }), { nil: undefined }),
    hot: fc.option(fc.array(fc.boolean(), { minLength: sensor.width * sensor.height, maxLength: sensor.width * sensor.height }), { nil: undefined }),
    denoise: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
    includeIncomplete: fc.boolean(),
    t0Shift: fc.option(fc.integer({ min: -10, max: 10 }), { nil: undefined }),
    // steps mostly forward, sometimes back (unordered sensors); x/y may fall off the sensor
    events: fc.array(
      fc.record({ dt: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.integer({ min: -15, max: 0 }) }), x: fc.nat(sensor.width), y: fc.nat(sensor.height), p: fc.nat(1) }),
      { maxLength: 120 },
    ),
    cuts: fc.array(fc.nat(120), { maxLength: 6 }),
    // clocks that start near 0 exercise the denoiser's 'never fired = fired at t 0' start
    tStart: fc.constantFrom(0, 4, 1000),
    clock: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  }),
);

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function configOf(c: Case, b: EventBatch): TimeChannelConfig {
  return {
    sensor: c.sensor,
    windowUs: c.windowUs,
    hopUs: Math.max(1, Math.round(c.windowUs * c.hopRatio)),
    bins: c.bins,
    polarities: c.polarities,
    clip: c.clip,
    roi: c.roi,
    size: c.size,
    hotPixels: c.hot ? Uint8Array.from(c.hot.map(Number)) : undefined,
    denoise: c.denoise ? { filterTimeUs: c.denoise } : undefined,
    includeIncomplete: c.includeIncomplete,
    t0Us: c.t0Shift !== undefined && b.length ? b.t[0] + c.t0Shift : undefined,
  };
}

function batchOf(c: Case): EventBatch {
  let t: number = c.tStart;
  return events(c.events.map((e): Ev => [(t = Math.max(0, t + e.dt)), e.x, e.y, e.p]));
}

test('property: the streaming binner equals the plain reference (frames, counts, summary), for any chunking', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const b = batchOf(c);
      const cfg = configOf(c, b);
      const clockUs = c.clock !== undefined && b.length ? b.t[0] + c.clock : undefined;
      const got = run(cfg, b, c.cuts, clockUs);
      const want = naiveTimeChannel(b, cfg, clockUs);
      assert.deepEqual(got.frames.map(plain), want.frames);
      assert.deepEqual(got.summary, want.summary);
      assert.equal(got.summary.eventsIn, got.summary.eventsKept + totalDropped(got.summary.dropped) + got.summary.pending);
    }),
    { numRuns: 400 },
  );
});

// Dense sorted streams in sliding windows: long runs in which no open window changes bin, which
// pushSliding counts window by window with binRun (the general cases above rarely make such runs).
const denseSlidingArb = sensorArb.chain((sensor) =>
  fc.record({
    sensor: fc.constant(sensor),
    windowUs: fc.integer({ min: 4, max: 300 }),
    hopRatio: fc.double({ min: 0.1, max: 0.95, noNaN: true }),
    bins: fc.integer({ min: 1, max: 6 }),
    polarities: fc.constantFrom(1 as const, 2 as const),
    clip: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    size: fc.option(fc.record({ width: fc.integer({ min: 1, max: 9 }), height: fc.integer({ min: 1, max: 9 }) }), { nil: undefined }),
    includeIncomplete: fc.boolean(),
    // mostly sorted, many events per µs; sometimes a step back or a jump
    events: fc.array(
      fc.record({ dt: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 1 }) }, { weight: 1, arbitrary: fc.integer({ min: -30, max: 60 }) }), x: fc.nat(sensor.width), y: fc.nat(sensor.height), p: fc.nat(1) }),
      { minLength: 50, maxLength: 600 },
    ),
    cuts: fc.array(fc.nat(600), { maxLength: 4 }),
  }),
);

test('property: sliding windows over dense sorted runs equal the plain reference', () => {
  fc.assert(
    fc.property(denseSlidingArb, (c) => {
      let t = 1000;
      const b = events(c.events.map((e): Ev => [(t = Math.max(0, t + e.dt)), e.x, e.y, e.p]));
      const cfg: TimeChannelConfig = {
        sensor: c.sensor, windowUs: c.windowUs, hopUs: Math.max(1, Math.round(c.windowUs * c.hopRatio)),
        bins: c.bins, polarities: c.polarities, clip: c.clip, size: c.size, includeIncomplete: c.includeIncomplete,
      };
      const got = run(cfg, b, c.cuts);
      const want = naiveTimeChannel(b, cfg);
      assert.deepEqual(got.frames.map(plain), want.frames);
      assert.deepEqual(got.summary, want.summary);
    }),
    { numRuns: 300 },
  );
});

test('property: lent frames (pushEach) and recycled buffers give the same frames as fresh ones', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const b = batchOf(c);
      const cfg = configOf(c, b);
      const clockUs = c.clock !== undefined && b.length ? b.t[0] + c.clock : undefined;
      const want = naiveTimeChannel(b, cfg, clockUs);
      const cuts = [...c.cuts.filter((k) => k > 0 && k < b.length).sort((p, q) => p - q), b.length];
      // pushEach: each frame is read (copied) during the call, its buffer then reused
      const lending = new TimeChannelBinner(cfg);
      const lent: ReturnType<typeof plain>[] = [];
      let prev = 0;
      for (const k of cuts) {
        lending.pushEach(sliceBatch(b, prev, k), (f) => lent.push(plain(f)));
        prev = k;
      }
      if (clockUs !== undefined) lent.push(...lending.advanceTo(clockUs).map(plain));
      lent.push(...lending.flush().map(plain));
      assert.deepEqual(lent, want.frames);
      assert.deepEqual(lending.summary(), want.summary);
      // push + recycle after each call: a reused buffer starts from zero again
      const recycling = new TimeChannelBinner(cfg);
      const got: ReturnType<typeof plain>[] = [];
      prev = 0;
      for (const k of cuts) {
        for (const f of recycling.push(sliceBatch(b, prev, k))) {
          got.push(plain(f));
          recycling.recycle(f.data);
          recycling.recycle(f.data); // a second give-back is ignored, not a shared buffer
        }
        prev = k;
      }
      if (clockUs !== undefined) got.push(...recycling.advanceTo(clockUs).map(plain));
      got.push(...recycling.flush().map(plain));
      assert.deepEqual(got, want.frames);
    }),
    { numRuns: 300 },
  );
});

test('pushEach reuses frame buffers (no allocation per window); recycle refuses a buffer of another shape', () => {
  const sensor = { width: 4, height: 4 };
  const list: Ev[] = [];
  for (let i = 0; i < 400; i++) list.push([i * 10, i % 4, (i >> 2) % 4, i & 1]);
  const binner = new TimeChannelBinner({ sensor, windowUs: 100, bins: 2 });
  const seen = new Set<Uint8Array>();
  let frames = 0;
  binner.pushEach(events(list), (f) => {
    frames++;
    seen.add(f.data);
  });
  assert.equal(frames, 39);
  assert.equal(seen.size, 1, 'one buffer serves every window');
  assert.throws(() => binner.recycle(new Uint8Array(5)), /5 values, a frame has 64/);
  // a buffer given back twice, the second time while a new window counts in it, is not handed out again
  const stale = new TimeChannelBinner({ sensor, windowUs: 100, bins: 1, polarities: 1 });
  const [a] = stale.push(events([[0, 0, 0, 1], [100, 0, 0, 1]]));
  stale.recycle(a.data);
  stale.push(events([[200, 0, 0, 1]])); // window 2 opens in a's buffer
  stale.recycle(a.data);
  const [w2, w3] = [...stale.push(events([[250, 0, 0, 1], [300, 0, 0, 1]])), ...stale.push(events([[400, 1, 0, 1]]))];
  assert.equal(w2.index, 2);
  assert.equal(w2.data, a.data);
  assert.equal(w2.data[0], 2, 'window 2 still holds its two events after window 3 opened');
  assert.notEqual(w3.data, w2.data);
  // …and a buffer given back twice in a row serves one window, not two at once
  const twice = new TimeChannelBinner({ sensor, windowUs: 100, bins: 1, polarities: 1 });
  const [b0] = twice.push(events([[0, 0, 0, 1], [100, 0, 0, 1]]));
  twice.recycle(b0.data);
  twice.recycle(b0.data);
  const out = twice.push(events([[150, 0, 0, 1], [200, 0, 0, 1], [300, 0, 0, 1], [400, 0, 0, 1]]));
  assert.deepEqual(out.map((f) => f.data[0]), [2, 1, 1]);
  assert.equal(new Set(out.map((f) => f.data)).size, 3);
});

test('property: frames come out as soon as their window is complete', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const b = batchOf(c);
      const cfg = configOf(c, b);
      const binner = new TimeChannelBinner({ ...cfg, maxGapWindows: 1e9 });
      let clock = -Infinity;
      for (let i = 0; i < b.length; i++) {
        clock = Math.max(clock, b.t[i]);
        const out = binner.push(sliceBatch(b, i, i + 1));
        for (const f of out) assert.ok(f.tEndUs <= clock, 'emitted before its end');
        const s = binner.summary();
        // every window that has ended by now is out
        const t0 = cfg.t0Us ?? b.t[0];
        const ended = Math.max(0, Math.floor((clock - t0 - cfg.windowUs!) / cfg.hopUs!) + 1);
        assert.equal(s.windowsEmitted, ended);
        assert.equal(s.eventsIn, s.eventsKept + totalDropped(s.dropped) + s.pending);
      }
    }),
    { numRuns: 200 },
  );
});

test('timestamps that are not whole µs (outside the batch contract) still bin by the formula, without stalling', () => {
  const b = events([[0, 0, 0, 1], [3.4, 0, 0, 1], [3.5, 0, 0, 1], [9.99, 0, 0, 0], [10, 0, 0, 0]]);
  const cfg = { sensor: { width: 1, height: 1 }, windowUs: 10, bins: 3, polarities: 1 as const, includeIncomplete: true };
  const { frames } = run(cfg, b);
  // bins: 0 → 0; 3.4·3/10 = 1.02 → 1; 3.5 → 1; 9.99 → 2; 10 opens the next window
  assert.deepEqual(frames.map((f) => Array.from(f.data)), [[1, 2, 1], [1, 0, 0]]);
  assert.deepEqual(frames.map((f) => Array.from(f.data)), naiveTimeChannel(b, cfg).frames.map((f) => f.data));
});

test('NaN or infinite timestamps are refused; a huge clock jump is skipped, not looped over', () => {
  for (const hopUs of [10, 4]) {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const binner = new TimeChannelBinner({ sensor: { width: 2, height: 2 }, windowUs: 10, hopUs, bins: 2 });
      binner.push(events([[0, 0, 0, 1]]));
      assert.throws(() => binner.push(events([[5, 0, 0, 1], [bad, 1, 1, 0]])), /not a finite/, `hop ${hopUs}, t = ${bad}`);
    }
    const first = new TimeChannelBinner({ sensor: { width: 2, height: 2 }, windowUs: 10, hopUs });
    assert.throws(() => first.push(events([[NaN, 0, 0, 1]])), /not a finite/);
    const jump = new TimeChannelBinner({ sensor: { width: 2, height: 2 }, windowUs: 10, hopUs, bins: 2 });
    jump.push(events([[0, 0, 0, 1]]));
    const out = jump.push(events([[2 ** 52, 0, 0, 1]]));
    assert.equal(out[0].index, 0);
    assert.ok(jump.summary().windowsSkipped > 1e14);
  }
});
