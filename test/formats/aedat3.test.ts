import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { batchFrom, concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents, type EventStream } from '../../src-engine/events/stream';
import { aedat2Reader } from '../../src-engine/formats/aedat/aedat2';
import { AEDAT3_PACKET_EVENTS, aedat3Reader, aedat3Writer } from '../../src-engine/formats/aedat/aedat3';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError, LIMITS, type FormatErrorKind } from '../../src-engine/formats/errors';
import type { ReadOptions } from '../../src-engine/formats/types';
import { memorySink } from '../../src-engine/node/file-io';
import { sharedPath, skipWithoutSharedData } from '../support/shared-data';

const TWO_31 = 2 ** 31;

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

const GESTURE_HEADER = ['#!AER-DAT3.1', '#Format: RAW', '#Source 1: DVS128', '#Start-Time: 2017-04-06 15:50:46 (TZ-0700)', '#!END-HEADER'];

function header(lines: string[] = GESTURE_HEADER, eol = '\r\n'): Uint8Array {
  return ascii(lines.map((l) => l + eol).join(''));
}

interface PacketOptions {
  type?: number;
  source?: number;
  size?: number;
  tsOffset?: number;
  overflow?: number;
  capacity?: number;
  number?: number;
}

/** One event packet: 28-byte little-endian header, then the events' bytes (padded to capacity). */
function packet(events: Uint8Array[], o: PacketOptions = {}): Uint8Array {
  const size = o.size ?? 8;
  const number = o.number ?? events.length;
  const capacity = o.capacity ?? number;
  const out = new Uint8Array(28 + Math.max(0, capacity * size));
  const dv = new DataView(out.buffer);
  dv.setInt16(0, o.type ?? 1, true);
  dv.setInt16(2, o.source ?? 1, true);
  dv.setInt32(4, size, true);
  dv.setInt32(8, o.tsOffset ?? 4, true);
  dv.setInt32(12, o.overflow ?? 0, true);
  dv.setInt32(16, capacity, true);
  dv.setInt32(20, number, true);
  dv.setInt32(24, number, true);
  events.forEach((e, i) => out.set(e, 28 + i * size));
  return out;
}

/** A polarity event: x, y, ON/OFF, timestamp, valid bit. */
function pol(x: number, y: number, on: boolean, ts: number, valid = true): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, ((x << 17) | (y << 2) | (on ? 2 : 0) | (valid ? 1 : 0)) >>> 0, true);
  dv.setInt32(4, ts, true);
  return out;
}

/** A special event (type 0 packets): valid bit, 7-bit type, 24-bit data. */
function special(kind: number, ts: number): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, (kind << 1) | 1, true);
  dv.setInt32(4, ts, true);
  return out;
}

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.subarray(o, o + size));
  return out;
}

async function open(bytes: Uint8Array | Uint8Array[], opts: ReadOptions = {}): Promise<EventStream> {
  return aedat3Reader.open(new ByteReader(Array.isArray(bytes) ? bytes : [bytes], 'user01_test.aedat'), opts);
}

async function decode(bytes: Uint8Array | Uint8Array[], opts: ReadOptions = {}): Promise<EventBatch> {
  return collectEvents(await open(bytes, opts));
}

function rows(b: EventBatch): number[][] {
  return Array.from({ length: b.length }, (_, i) => [b.t[i], b.x[i], b.y[i], b.p[i]]);
}

async function rejectsWith(p: Promise<unknown>, kind: FormatErrorKind, offset: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EventFormatError, `expected EventFormatError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.offset, offset, e.message);
    assert.equal(e.format, 'aedat3');
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** A DVS Gesture-like file exercising every packet feature. */
function sampleFile(): { bytes: Uint8Array; expected: number[][] } {
  const bytes = concat(
    header(),
    packet([special(1, 0)], { type: 0 }), // timestamp reset
    packet([pol(0, 0, true, 10), pol(127, 127, false, 11), pol(5, 6, true, 12, false), pol(64, 32, false, 13)]),
    packet([new Uint8Array(40)], { type: 3, size: 40, tsOffset: 36 }), // IMU6, skipped by size
    packet([special(0, 0x7fffffff)], { type: 0 }), // timestamp wrap
    packet([pol(1, 2, true, 3), pol(3, 4, false, 0x7ffffffe)], { overflow: 1 }),
    packet([pol(9, 9, true, 20)], { overflow: 2, capacity: 3 }), // unused slots after the events
    packet([], { overflow: 2 }), // an empty packet
  );
  const expected = [
    [10, 0, 0, 1],
    [11, 127, 127, 0],
    [13, 64, 32, 0],
    [TWO_31 + 3, 1, 2, 1],
    [TWO_31 + 0x7ffffffe, 3, 4, 0],
    [2 * TWO_31 + 20, 9, 9, 1],
  ];
  return { bytes, expected };
}

// ------------------------------------------------------------ reading

test('hand-built packets: overflow, invalid events, special and IMU packets skipped', async () => {
  const { bytes, expected } = sampleFile();
  const stream = await open(bytes);
  assert.equal(stream.info.format, 'aedat3');
  assert.equal(stream.info.width, 128);
  assert.equal(stream.info.height, 128);
  assert.deepEqual(stream.info.meta.sources, [{ id: 1, name: 'DVS128' }]);
  assert.equal(stream.info.meta.startTime, '2017-04-06 15:50:46 (TZ-0700)');
  assert.deepEqual(rows(await collectEvents(stream)), expected);
  assert.deepEqual(stream.info.meta.skipped, { invalidEvents: 1, otherPackets: 3 });
});

test('packets split across chunks decode the same, down to 5-byte and 1-byte chunks', async () => {
  const { bytes, expected } = sampleFile();
  for (const size of [1, 5, 7, 28, 29, 64]) {
    assert.deepEqual(rows(await decode(chunked(bytes, size))), expected, `chunks of ${size}`);
  }
});

test('bare LF header lines (third-party writers) and batches of a chosen size', async () => {
  const events = Array.from({ length: 300 }, (_, i) => pol(i % 128, (i * 7) % 128, i % 3 === 0, 1000 + i));
  const bytes = concat(header(['#!AER-DAT3.1', '#Format: RAW', '#Source 1: DVS128', '#!END-HEADER'], '\n'), packet(events.slice(0, 100)), packet(events.slice(100)));
  const stream = await open(chunked(bytes, 33), { batchSize: 64 });
  const sizes: number[] = [];
  const all: EventBatch[] = [];
  for await (const b of stream) {
    sizes.push(b.length);
    all.push(b);
  }
  assert.ok(sizes.every((n) => n > 0 && n <= 64));
  const got = concatBatches(all);
  assert.equal(got.length, 300);
  assert.deepEqual(rows(got)[299], [1299, 299 % 128, (299 * 7) % 128, 0]);
});

test('geometry: #Source device, our geometry line, caller options, or unknown (0×0)', async () => {
  const body = packet([pol(3, 2, true, 1)]);
  const withLines = async (lines: string[], opts: ReadOptions = {}) => (await open(concat(header(['#!AER-DAT3.1', ...lines, '#!END-HEADER']), body), opts)).info;
  assert.deepEqual([(await withLines(['#Source 0: DAVIS346B'])).width, (await withLines(['#Source 0: DAVIS346B'])).height], [346, 260]);
  assert.equal((await withLines(['#-Source 0: DAVIS640', '#Source 1: DAVIS240C'])).width, 240);
  const geo = await withLines(['#Source 0: File', '#Neurolive-Geometry: 200x100']);
  assert.deepEqual([geo.width, geo.height, geo.meta.geometryFrom], [200, 100, 'header']);
  const given = await withLines(['#Source 0: Network'], { width: 64, height: 48 });
  assert.deepEqual([given.width, given.height, given.meta.geometryFrom], [64, 48, 'options']);
  const unknown = await withLines([]);
  assert.deepEqual([unknown.width, unknown.height, unknown.meta.geometryFrom], [0, 0, 'unknown']);
  // an unknown geometry still decodes
  assert.deepEqual(rows(await decode(concat(header(['#!AER-DAT3.1', '#!END-HEADER']), packet([pol(30000, 20000, false, 5)])))), [[5, 30000, 20000, 0]]);
});

// ------------------------------------------------------------ errors

test('truncated packet header and truncated packet body', async () => {
  const hdr = header();
  const p = packet([pol(1, 1, true, 1), pol(2, 2, true, 2)]);
  await rejectsWith(decode(concat(hdr, p.subarray(0, 10))), 'truncated', hdr.length, /event packet header/);
  // the body ends 3 bytes into the second event
  await rejectsWith(decode(chunked(concat(hdr, p.subarray(0, 28 + 8 + 3)), 5)), 'truncated', hdr.length + 28 + 8, /5 bytes of events missing|8 bytes of events missing/);
  // unused slots (capacity > number) cut short
  const slots = packet([pol(1, 1, true, 1)], { capacity: 4 });
  await rejectsWith(decode(concat(hdr, slots.subarray(0, slots.length - 1))), 'truncated', hdr.length + slots.length - 1, /unused event slots/);
  // a skipped packet cut short
  const imu = packet([new Uint8Array(40)], { type: 3, size: 40 });
  await rejectsWith(decode(concat(hdr, imu.subarray(0, 50))), 'truncated', hdr.length + 50, /event packet of type 3/);
});

test('bogus packet headers: eventSize 0 or absurd, bad counts, bad polarity fields', async () => {
  const hdr = header();
  const at = hdr.length;
  await rejectsWith(decode(concat(hdr, packet([], { size: 0, capacity: 1, number: 1 }))), 'corrupt', at + 4, /eventSize 0/);
  await rejectsWith(decode(concat(hdr, packet([], { type: 2, size: -5, capacity: 0 }))), 'corrupt', at + 4);
  // 2^30 × 2^30 bytes: refused before any allocation or skip
  const absurd = packet([], { type: 2, size: 1 << 30, capacity: 0, number: 0 });
  new DataView(absurd.buffer).setInt32(16, 1 << 30, true);
  await rejectsWith(decode(concat(hdr, absurd)), 'limit', at + 16, new RegExp(`limit ${LIMITS.maxPacketBytes}`));
  await rejectsWith(decode(concat(hdr, packet([], { capacity: 1, number: 2 }))), 'corrupt', at + 20, /eventNumber 2 with eventCapacity 1/);
  await rejectsWith(decode(concat(hdr, packet([], { capacity: -1, number: 0 }))), 'corrupt', at + 16);
  await rejectsWith(decode(concat(hdr, packet([new Uint8Array(12)], { size: 12 }))), 'corrupt', at + 4, /expected 8/);
  await rejectsWith(decode(concat(hdr, packet([pol(1, 1, true, 1)], { tsOffset: 0 }))), 'corrupt', at + 8, /eventTSOffset 0/);
  await rejectsWith(decode(concat(hdr, packet([pol(1, 1, true, 1)], { overflow: -1 }))), 'corrupt', at + 12);
  await rejectsWith(decode(concat(hdr, packet([pol(1, 1, true, 1)], { overflow: 1 << 22 }))), 'unsupported', at + 12, /2\^53/);
  // the largest overflow that stays exact
  assert.deepEqual(Array.from((await decode(concat(hdr, packet([pol(1, 1, true, 0x7fffffff)], { overflow: (1 << 22) - 1 })))).t), [Number.MAX_SAFE_INTEGER]);
});

test('bad events: timestamp bit 31, coordinates outside the sensor', async () => {
  const hdr = header();
  const at = hdr.length + 28;
  await rejectsWith(decode(concat(hdr, packet([pol(1, 1, true, 1), pol(1, 1, true, -1)]))), 'corrupt', at + 8 + 4, /bit 31/);
  await rejectsWith(decode(concat(hdr, packet([pol(1, 1, true, 1), pol(128, 1, true, 2)]))), 'corrupt', at + 8, /outside the 128×128 sensor/);
  // invalid events are not checked
  assert.equal((await decode(concat(hdr, packet([pol(500, 500, true, -1, false)])))).length, 0);
});

test('header errors: version, format, missing end marker, garbage', async () => {
  await rejectsWith(open(ascii('#!AER-DAT3.0\r\n#!END-HEADER\r\n')), 'unsupported', 0, /AEDAT 3\.0/);
  await rejectsWith(open(ascii('#!AER-DAT2.0\r\n')), 'unsupported', 0);
  await rejectsWith(open(ascii('RIFF....garbage')), 'corrupt', 0, /first line/);
  await rejectsWith(open(header(['#!AER-DAT3.1', '#Format: SerializedTS', '#!END-HEADER'])), 'unsupported', 14, /SerializedTS/);
  const noEnd = header(['#!AER-DAT3.1', '#Format: RAW']);
  await rejectsWith(open(noEnd), 'truncated', noEnd.length, /#!END-HEADER/);
  await rejectsWith(open(concat(noEnd, packet([pol(1, 1, true, 1)]))), 'corrupt', noEnd.length, /before #!END-HEADER/);
  await rejectsWith(open(header(['#!AER-DAT3.1', '#Neurolive-Geometry: 0x5', '#!END-HEADER'])), 'corrupt', 14, /15-bit/);
});

test('random garbage after the header fails with an EventFormatError or decodes, never anything else', async () => {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0), s >>> 24);
  for (let round = 0; round < 200; round++) {
    const junk = Uint8Array.from({ length: 1 + (rnd() % 200) }, rnd);
    try {
      await decode(chunked(concat(header(), junk), 1 + (round % 13)));
    } catch (e) {
      assert.ok(e instanceof EventFormatError, String(e));
    }
  }
});

test('detect accepts AEDAT 3.x headers only', () => {
  assert.equal(aedat3Reader.detect(header()), true);
  assert.equal(aedat3Reader.detect(ascii('#!AER-DAT3.0\r\n')), true); // open() then explains it is unsupported
  assert.equal(aedat3Reader.detect(ascii('#!AER-DAT2.0\r\n')), false);
  assert.equal(aedat3Reader.detect(ascii('#!AER-DAT4.0\r\n')), false);
  assert.equal(aedat3Reader.detect(new Uint8Array(3)), false);
});

// ------------------------------------------------------------ writer

async function writeAedat3(width: number, height: number, ...batches: EventBatch[]): Promise<Uint8Array> {
  const sink = memorySink();
  const w = aedat3Writer.create({ width, height }, sink);
  for (const b of batches) await w.write(b);
  await w.close();
  return sink.bytes();
}

/** The packet headers of a file: [type, overflow, capacity, number]. */
function packetHeaders(bytes: Uint8Array): number[][] {
  const end = bytes.indexOf(0x0a, new TextDecoder().decode(bytes).indexOf('#!END-HEADER')) + 1;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: number[][] = [];
  for (let o = end; o < bytes.length; ) {
    const size = dv.getInt32(o + 4, true), cap = dv.getInt32(o + 16, true);
    out.push([dv.getInt16(o, true), dv.getInt32(o + 12, true), cap, dv.getInt32(o + 20, true)]);
    o += 28 + size * cap;
  }
  return out;
}

test('writer → reader round trips exactly; packets of ≤ 4096 events, a new packet per overflow', async () => {
  let s = 99;
  const rnd = (k: number) => ((s = (s * 1103515245 + 12345) >>> 0), s % k);
  const n = 10_000;
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  let now = TWO_31 - 3000;
  for (let i = 0; i < n; i++) {
    now += rnd(3) + (i === 6000 ? 3 * TWO_31 : 0); // crosses 2^31, then jumps three overflow periods
    t.push(now);
    x.push(rnd(128));
    y.push(rnd(128));
    p.push(rnd(2));
  }
  const all = batchFrom(t, x, y, p);
  // written in uneven batches
  const parts = [[0, 1], [1, 4000], [4000, 4001], [4001, n]].map(([a, b]) => batchFrom(t.slice(a, b), x.slice(a, b), y.slice(a, b), p.slice(a, b)));
  const bytes = await writeAedat3(128, 128, ...parts);
  assert.match(new TextDecoder().decode(bytes.subarray(0, 80)), /^#!AER-DAT3\.1\r\n#Format: RAW\r\n#Source 0: DVS128\r\n#!END-HEADER\r\n/);
  const heads = packetHeaders(bytes);
  assert.ok(heads.every(([type, , cap, num]) => type === 1 && cap === num && num > 0 && num <= AEDAT3_PACKET_EVENTS));
  assert.equal(heads.reduce((a, h) => a + h[3], 0), n);
  const overflows = heads.map((h) => h[1]);
  assert.deepEqual([...new Set(overflows)], [0, 1, 4]);
  for (const chunk of [0, 5]) {
    assert.deepEqual(rows(await decode(chunk ? chunked(bytes, chunk) : bytes)), rows(all), `chunks of ${chunk}`);
  }
});

test('writer geometry: device names for known sizes, a geometry line otherwise; refusals', async () => {
  for (const [w, h, device] of [[346, 260, 'DAVIS346B'], [240, 180, 'DAVIS240C'], [640, 480, 'DAVIS640'], [200, 100, 'File']] as const) {
    const events = batchFrom([1, 2, 3], [0, w - 1, 7], [0, h - 1, 3], [1, 0, 1]);
    const bytes = await writeAedat3(w, h, events);
    const stream = await open(bytes);
    assert.deepEqual(stream.info.meta.sources, [{ id: 0, name: device }]);
    assert.deepEqual([stream.info.width, stream.info.height], [w, h]);
    assert.deepEqual(rows(await collectEvents(stream)), rows(events));
  }
  assert.throws(() => aedat3Writer.create({ width: 40000, height: 10 }, memorySink()), /15-bit/);
  const sink = memorySink();
  const w = aedat3Writer.create({ width: 128, height: 128 }, sink);
  await assert.rejects(w.write(batchFrom([1], [128], [0], [1])), /outside the 128×128 sensor/);
  await assert.rejects(w.write(batchFrom([-3], [1], [0], [1])), /timestamp -3/);
  await assert.rejects(w.write(batchFrom([1], [1], [0], [7])), /polarity 7/);
  assert.equal(sink.bytes().length, 0, 'nothing written for refused batches');
  await w.close();
  assert.equal((await decode(sink.bytes())).length, 0, 'an empty recording is a header only');
});

test('the real AEDAT 2.0 recordings survive AEDAT 3.1 round trips', { skip: skipWithoutSharedData }, async () => {
  for (const name of ['dvs128_walking.aedat', 'davis240c_translboxes.aedat']) {
    const src = await aedat2Reader.open(ByteReader.fromBytes(new Uint8Array(readFileSync(sharedPath(name))), name));
    const events = await collectEvents(src);
    const bytes = await writeAedat3(src.info.width, src.info.height, events);
    const back = await open(bytes);
    assert.deepEqual([back.info.width, back.info.height], [src.info.width, src.info.height]);
    assert.deepEqual(rows(await collectEvents(back)), rows(events), name);
  }
});
