// The frames of the real recordings against the references in NAME.frames.json
// (computed with tonic's own ToFrame and with the seed's 100 ms / 5-bin encoding).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { endianness } from 'node:os';
import { test } from 'node:test';
import { collectEvents } from '../../src-engine/events/stream';
import { TimeChannelBinner, type TimeChannelFrame } from '../../src-engine/frames/time-channel';
import { toFrame } from '../../src-engine/frames/to-frame';
import { openEventFile } from '../../src-engine/node/open-file';
import { loadFramesTruth, SHARED_EVENTS_DIR, sharedPath, skipWithoutSharedData } from '../support/shared-data';

const names = existsSync(SHARED_EVENTS_DIR)
  ? readdirSync(SHARED_EVENTS_DIR).filter((f) => f.endsWith('.frames.json')).map((f) => f.slice(0, -'.frames.json'.length))
  : [];
const sha256 = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

test('the shared recordings come with frame references', { skip: skipWithoutSharedData }, () => {
  assert.ok(names.length >= 5, `found ${names.join(', ')}`);
});

for (const name of names) {
  test(`${name}: toFrame(time_window = 50 ms) matches tonic`, async () => {
    const ref = loadFramesTruth(name);
    const want = ref.tonic_to_frame_time_window_50000;
    const [W, H, P] = ref.sensor_size as [number, number, 1 | 2];
    const events = await collectEvents(await openEventFile(sharedPath(name)));
    const f = toFrame(events, { width: W, height: H, polarities: P }, { timeWindow: 50_000 });
    assert.deepEqual(f.shape, want.shape);
    const per = f.data.length / f.shape[0];
    const totals = Array.from({ length: f.shape[0] }, (_, i) => f.data.subarray(i * per, (i + 1) * per).reduce((a, v) => a + v, 0));
    assert.equal(totals.reduce((a, v) => a + v, 0), want.total);
    assert.deepEqual(totals.slice(0, 10), want.per_frame_totals_first10);
    assert.equal(endianness(), 'LE', 'the reference hashes little-endian int16');
    assert.equal(sha256(f.data), want.sha256_int16_le);
  });

  test(`${name}: the 100 ms / 5-bin / clip-15 encoding of the first window, streamed batch by batch`, async () => {
    const ref = loadFramesTruth(name);
    const want = ref.seed_encoding_100ms_5bins;
    const [W, H] = ref.sensor_size as [number, number];
    const binner = new TimeChannelBinner({ sensor: { width: W, height: H }, windowUs: 100_000, bins: 5, polarities: 2, bits: 4 });
    const frames: TimeChannelFrame[] = [];
    for await (const batch of await openEventFile(sharedPath(name))) frames.push(...binner.push(batch));
    frames.push(...binner.flush());
    const first = frames[0];
    assert.equal(first.index, 0);
    const [h, w, c] = first.shape;
    assert.deepEqual([c, h, w], want.shape);
    // HWC → CHW, the reference's layout
    const chw = new Uint8Array(first.data.length);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) chw[(ch * h + y) * w + x] = first.data[(y * w + x) * c + ch];
    assert.equal(chw.reduce((a, v) => a + v, 0), want.total);
    assert.equal(chw.reduce((a, v) => a + (v ? 1 : 0), 0), want.nonzero);
    assert.equal(sha256(chw), want.sha256_uint8);
    const s = binner.summary();
    assert.equal(s.dropped.outOfBounds, 0);
    assert.equal(s.eventsIn, s.eventsKept + s.dropped.afterLastWindow + s.dropped.late);
  });
}
