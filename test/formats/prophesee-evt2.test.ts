import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { batchFrom, concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';
import { datReader } from '../../src-engine/formats/prophesee/dat';
import { evt2Reader, evt2Writer } from '../../src-engine/formats/prophesee/evt2';
import { evt3Reader } from '../../src-engine/formats/prophesee/evt3';
import type { FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../../src-engine/formats/types';
import { memorySink } from '../../src-engine/node/file-io';
import { compareWithTruth, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';

// ---- helpers -------------------------------------------------------------

const HEADER = '% evt 2.0\n% format EVT2;width=640;height=480\n% end\n';
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const u32le = (words: number[]) => new Uint8Array(Uint32Array.from(words).buffer);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const raw2 = (words: number[], header = HEADER) => concat(ascii(header), u32le(words));

// EVT 2.0 words
const TH = (v: number) => (0x8 * 2 ** 28 + v) >>> 0;
const CD = (p: number, x: number, y: number, ts: number) => ((p << 28) | (ts << 22) | (x << 11) | y) >>> 0;
const TRIGGER = 0xa0001f01;
const OTHERS = 0xe0000014;
const CONTINUED = 0xf0000123;
const TH_MAX = 2 ** 28 - 1;

function* chunksOf(b: Uint8Array, size: number): Generator<Uint8Array> {
  for (let o = 0; o < b.length; o += size) yield b.subarray(o, o + size);
}

async function decode(reader: FormatReader, bytes: Uint8Array, opts: ReadOptions = {}, chunk = 0) {
  const src = chunk > 0 ? new ByteReader(chunksOf(bytes, chunk), 'mem') : ByteReader.fromBytes(bytes, 'mem');
  const stream = await reader.open(src, opts);
  const batches: EventBatch[] = [];
  for await (const b of stream) batches.push(b);
  return { info: stream.info, batches, events: concatBatches(batches) };
}

const rows = (b: EventBatch) => Array.from({ length: b.length }, (_, i) => [b.t[i], b.x[i], b.y[i], b.p[i]]);

async function encode(writer: FormatWriter, info: WriterInfo, parts: EventBatch[]): Promise<Uint8Array> {
  const sink = memorySink();
  const w = writer.create(info, sink);
  for (const b of parts) await w.write(b);
  await w.close();
  return sink.bytes();
}

function assertSameEvents(got: EventBatch, want: EventBatch) {
  assert.equal(got.length, want.length, 'event count');
  for (let i = 0; i < want.length; i++) {
    if (got.t[i] !== want.t[i] || got.x[i] !== want.x[i] || got.y[i] !== want.y[i] || got.p[i] !== want.p[i]) {
      assert.fail(`event ${i}: got ${JSON.stringify(rows(got)[i])}, want ${JSON.stringify(rows(want)[i])}`);
    }
  }
}

async function rejectsWith(p: Promise<unknown>, kind: string, offset: number, reason?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EventFormatError, `not an EventFormatError: ${String(e)}`);
    assert.equal(e.kind, kind);
    assert.equal(e.offset, offset);
    if (reason) assert.match(e.reason, reason);
    return true;
  });
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

function randomEvents(seed: number, n: number, width: number, height: number, t0: number, jump: number): EventBatch {
  const r = rng(seed);
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  let now = t0;
  for (let i = 0; i < n; i++) {
    const k = r(8);
    if (k === 0) now += r(jump);
    else if (k < 5) now += r(100);
    t.push(now), x.push(r(width)), y.push(r(height)), p.push(r(2));
  }
  return batchFrom(t, x, y, p);
}

// ---- hand-built words ---------------------------------------------------

test('EVT2: words before the first TIME_HIGH are dropped; non-CD words are skipped', async () => {
  const words = [
    CD(1, 1, 2, 3), TRIGGER, // before the first TIME_HIGH
    TH(100),
    CD(0, 5, 6, 7), CD(1, 2047, 2047, 63),
    TRIGGER, OTHERS, CONTINUED, 0x30000001, 0x70000000, 0xb0000000, // not CD events
    TH(101), CD(1, 639, 479, 0),
  ];
  const { events, info } = await decode(evt2Reader, raw2(words));
  assert.deepEqual(rows(events), [
    [100 * 64 + 7, 5, 6, 0],
    [100 * 64 + 63, 2047, 2047, 1],
    [101 * 64, 639, 479, 1],
  ]);
  assert.equal(info.format, 'evt2');
  assert.equal(info.width, 640);
  assert.equal(info.meta.geometry_source, 'format');
});

test('EVT2: the 34-bit clock loops only when TIME_HIGH falls by MaxTimestamp - 10000 µs or more', async () => {
  const wrap = await decode(evt2Reader, raw2([TH(TH_MAX), CD(1, 1, 1, 5), TH(0), CD(1, 2, 2, 1), TH(3), CD(0, 3, 3, 0)]));
  assert.deepEqual([...wrap.events.t], [TH_MAX * 64 + 5, 2 ** 34 + 1, 2 ** 34 + 192]);
  // OpenEB EVT2Decoder: loop when base - new >= (2^28 - 1) * 64 - 10000, i.e. a fall of 268435299 TIME_HIGH units
  const at = await decode(evt2Reader, raw2([TH(268435299), CD(1, 1, 1, 0), TH(0), CD(1, 1, 1, 0)]));
  assert.deepEqual([...at.events.t], [268435299 * 64, 2 ** 34]);
  const below = await decode(evt2Reader, raw2([TH(268435298), CD(1, 1, 1, 0), TH(0), CD(1, 1, 1, 0)]));
  assert.deepEqual([...below.events.t], [268435298 * 64, 0], 'a smaller fall is time going back');
  const small = await decode(evt2Reader, raw2([TH(1000), CD(1, 1, 1, 0), TH(10), CD(1, 1, 1, 0)]));
  assert.deepEqual([...small.events.t], [64000, 640]);
});

test('EVT2: a partial trailing word is a truncated error at its offset', async () => {
  const bytes = concat(raw2([TH(1), CD(1, 1, 1, 1)]), Uint8Array.of(1, 2, 3));
  await rejectsWith(decode(evt2Reader, bytes), 'truncated', HEADER.length + 8, /last 3 byte\(s\)/);
  await rejectsWith(decode(evt2Reader, bytes, {}, 7), 'truncated', HEADER.length + 8);
});

test('EVT2: an old header without "% end" ends at the first binary byte', async () => {
  const header = '% Date 2020-09-14 09:03:25\n% system_ID 21\n% evt 2.0\n';
  const { events, info } = await decode(evt2Reader, raw2([TH(2), CD(0, 7, 8, 9)], header));
  assert.deepEqual(rows(events), [[137, 7, 8, 0]]);
  assert.equal(info.width, 640);
  assert.equal(info.meta.geometry_source, 'system_ID');
  assert.equal(info.meta.data_offset, header.length);
});

test('EVT2: data after "% end" that starts with the bytes "% " is data', async () => {
  const word = TH(0x2025); // little-endian bytes 25 20 00 80: "% " then binary
  const { events } = await decode(evt2Reader, raw2([word, CD(1, 1, 1, 1)]));
  assert.deepEqual(rows(events), [[0x2025 * 64 + 1, 1, 1, 1]]);
});

test('EVT2: refuses an EVT 3.0 header, naming the line', async () => {
  await rejectsWith(evt2Reader.open(ByteReader.fromBytes(ascii('% evt 3.0\n% end\n'), 'f.raw')), 'unsupported', 0, /EVT3, not EVT 2\.0/);
});

test('EVT2: 7-byte chunks and small batches give the same events as one chunk', async () => {
  const ev = randomEvents(11, 3000, 640, 480, 1000, 100_000);
  const file = await encode(evt2Writer, { width: 640, height: 480 }, [ev]);
  for (const [chunk, batchSize] of [[0, 65536], [7, 1000], [1, 7], [3, 1]] as const) {
    const part = await decode(evt2Reader, file, { batchSize }, chunk);
    assertSameEvents(part.events, ev);
    part.batches.slice(0, -1).forEach((b) => assert.equal(b.length, batchSize));
  }
});

// ---- writer -------------------------------------------------------------

test('EVT2 writer: random events round-trip across 2^34 µs clock loops', async () => {
  for (const [seed, t0, jump] of [
    [1, 0, 1000],
    [2, 2 ** 34 - 2_000_000, 2 ** 33], // crosses loops, some jumps span whole loops
    [3, 2 * 2 ** 34 + 123, 5000], // starts in loop 2
  ]) {
    const ev = randomEvents(seed, 10_000, 1280, 720, t0, jump);
    const parts = [ev.length / 4, ev.length / 2, ev.length].map((e, k, a) => {
      const s = k === 0 ? 0 : a[k - 1];
      return batchFrom(ev.t.subarray(s, e), ev.x.subarray(s, e), ev.y.subarray(s, e), ev.p.subarray(s, e));
    });
    const file = await encode(evt2Writer, { width: 1280, height: 720 }, parts);
    const back = await decode(evt2Reader, file);
    assertSameEvents(back.events, ev);
    assert.equal(back.info.height, 720);
  }
});

test('EVT2 writer: header, detection and refusals', async () => {
  const file = await encode(evt2Writer, { width: 320, height: 240 }, [batchFrom([5, 70], [1, 2], [3, 4], [1, 0])]);
  const text = Buffer.from(file).toString('latin1');
  assert.ok(text.startsWith('% evt 2.0\n% format EVT2;width=320;height=240\n% geometry 320x240\n% end\n'));
  const words = new Uint32Array(file.slice(text.indexOf('% end\n') + 6).buffer);
  assert.deepEqual([...words], [TH(0), CD(1, 1, 3, 5), TH(1), CD(0, 2, 4, 6)]);
  assert.ok(evt2Reader.detect(file));
  assert.ok(!evt3Reader.detect(file));
  assert.ok(!datReader.detect(file));

  await assert.rejects(evt2Writer.create({ width: 64, height: 64 }, memorySink()).write(batchFrom([10, 9], [0, 0], [0, 0], [0, 0])), RangeError);
  await assert.rejects(evt2Writer.create({ width: 64, height: 64 }, memorySink()).write(batchFrom([-1], [0], [0], [0])), RangeError);
  await assert.rejects(evt2Writer.create({ width: 64, height: 64 }, memorySink()).write(batchFrom([1], [0], [64], [0])), /outside the 64x64 sensor/);
  assert.throws(() => evt2Writer.create({ width: 640.5, height: 480 }, memorySink()), RangeError);
  assert.deepEqual(evt2Writer.extensions, ['.evt2', '.raw']);
});

// ---- the real recording -------------------------------------------------

test('EVT2: the shared sample matches its ground truth; 7-byte chunks decode it the same', { skip: skipWithoutSharedData }, async () => {
  const truth = loadTruth('evt2_sample.raw');
  const bytes = readFileSync(sharedPath('evt2_sample.raw'));
  assert.ok(evt2Reader.detect(bytes.subarray(0, 65536)));
  assert.ok(!evt3Reader.detect(bytes.subarray(0, 65536)));
  assert.ok(!datReader.detect(bytes.subarray(0, 65536)));
  const whole = await decode(evt2Reader, bytes);
  assert.deepEqual(compareWithTruth(whole.events, truth), []);
  assert.equal(whole.info.width, truth.width);
  assert.equal(whole.info.height, truth.height);
  assert.equal(whole.info.meta.plugin_name, 'hal_plugin_gen3_fx3');
  assert.equal(whole.info.meta.geometry_source, 'system_ID');
  // 7-byte chunks over the first 300 kB (the whole file that way is slow, not different)
  const prefix = bytes.subarray(0, 300_000);
  assertSameEvents((await decode(evt2Reader, prefix, {}, 7)).events, (await decode(evt2Reader, prefix)).events);
});

test('EVT2 writer: the shared sample round-trips', { skip: skipWithoutSharedData }, async () => {
  const truth = loadTruth('evt2_sample.raw');
  const { events, info } = await decode(evt2Reader, readFileSync(sharedPath('evt2_sample.raw')));
  const back = await decode(evt2Reader, await encode(evt2Writer, info, [events]));
  assert.deepEqual(compareWithTruth(back.events, truth), []);
});
