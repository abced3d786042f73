import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { batchFrom, concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents, type EventStream } from '../../src-engine/events/stream';
import { aedat2Reader, aedat2Writer } from '../../src-engine/formats/aedat/aedat2';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError, type FormatErrorKind } from '../../src-engine/formats/errors';
import type { ReadOptions } from '../../src-engine/formats/types';
import { memorySink, readFileChunks } from '../../src-engine/node/file-io';
import { compareWithTruth, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';

const DAVIS240C = 'eu.seebetter.ini.chips.davis.DAVIS240C';
const DVS128 = 'ch.unizh.ini.jaer.chip.retina.DVS128';
const TWO_31 = 2 ** 31;
const TWO_32 = 2 ** 32;

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function header(...lines: string[]): Uint8Array {
  return ascii(['#!AER-DAT2.0', ...lines].map((l) => `${l}\r\n`).join(''));
}

/** Big-endian (address, timestamp) words. */
function words(...pairs: [number, number][]): Uint8Array {
  const out = new Uint8Array(pairs.length * 8);
  const dv = new DataView(out.buffer);
  pairs.forEach(([a, t], i) => {
    dv.setInt32(i * 8, a | 0, false);
    dv.setInt32(i * 8 + 4, t | 0, false);
  });
  return out;
}

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.subarray(o, o + size));
  return out;
}

async function open(bytes: Uint8Array, opts: ReadOptions = {}, chunk = 0): Promise<EventStream> {
  return aedat2Reader.open(new ByteReader(chunk ? chunked(bytes, chunk) : [bytes], 'test.aedat'), opts);
}

async function decode(bytes: Uint8Array, opts: ReadOptions = {}, chunk = 0): Promise<EventBatch> {
  return collectEvents(await open(bytes, opts, chunk));
}

function rows(b: EventBatch): number[][] {
  return Array.from({ length: b.length }, (_, i) => [b.t[i], b.x[i], b.y[i], b.p[i]]);
}

async function rejectsWith(p: Promise<unknown>, kind: FormatErrorKind, offset: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EventFormatError, `expected EventFormatError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.offset, offset, e.message);
    assert.equal(e.format, 'aedat2');
    if (message) assert.match(e.message, message);
    return true;
  });
}

const davis = (x: number, y: number, on: boolean, width = 240) => (y << 22) | ((width - 1 - x) << 12) | (on ? 0x800 : 0);
const dvs128 = (x: number, y: number, on: boolean) => (y << 8) | ((127 - x) << 1) | (on ? 0 : 1);

async function writeAedat2(width: number, height: number, ...batches: EventBatch[]): Promise<Uint8Array> {
  const sink = memorySink();
  const w = aedat2Writer.create({ width, height, source: 'unit test' }, sink);
  for (const b of batches) await w.write(b);
  await w.close();
  return sink.bytes();
}

// ------------------------------------------------------------ ground truth

test('dvs128_walking.aedat decodes exactly as jAER (truth sha256)', { skip: skipWithoutSharedData }, async () => {
  const name = 'dvs128_walking.aedat';
  const stream = await aedat2Reader.open(new ByteReader(readFileChunks(sharedPath(name), 4099), name));
  assert.equal(stream.info.width, 128);
  assert.equal(stream.info.height, 128);
  assert.equal(stream.info.meta.chip, DVS128);
  assert.equal(stream.info.meta.layout, 'dvs128');
  const events = await collectEvents(stream);
  assert.deepEqual(compareWithTruth(events, loadTruth(name)), []);
  assert.deepEqual(stream.info.meta.skipped, { imu: 0, aps: 0, external: 0, special: 0 });
});

test('davis240c_translboxes.aedat: 175 kB header, IMU words excluded, exact as jAER', { skip: skipWithoutSharedData }, async () => {
  const name = 'davis240c_translboxes.aedat';
  const truth = loadTruth(name);
  const stream = await aedat2Reader.open(new ByteReader(readFileChunks(sharedPath(name)), name));
  assert.equal(stream.info.width, 240);
  assert.equal(stream.info.height, 180);
  assert.equal(stream.info.meta.chip, DAVIS240C);
  assert.ok((stream.info.meta.headerBytes as number) > 175_000, 'the preferences header is over 175 kB');
  assert.equal(stream.info.meta.headerLines, 2104);
  const events = await collectEvents(stream);
  assert.deepEqual(compareWithTruth(events, truth), []);
  const diag = truth.diagnostics as { words: number; polarity: number; imu_words: number; aps_samples: number; external_input: number };
  assert.deepEqual(stream.info.meta.skipped, { imu: diag.imu_words, aps: diag.aps_samples, external: diag.external_input, special: 0 });
  assert.equal(events.length + diag.imu_words, diag.words);
});

test('the real recordings decode the same in 5-byte chunks', { skip: skipWithoutSharedData }, async () => {
  const name = 'dvs128_walking.aedat';
  const bytes = new Uint8Array(readFileSync(sharedPath(name)));
  assert.deepEqual(compareWithTruth(await decode(bytes, {}, 5), loadTruth(name)), []);
});

test('re-encoding the real recordings reproduces their polarity words byte for byte', { skip: skipWithoutSharedData }, async () => {
  for (const name of ['dvs128_walking.aedat', 'davis240c_translboxes.aedat']) {
    const bytes = new Uint8Array(readFileSync(sharedPath(name)));
    const stream = await aedat2Reader.open(ByteReader.fromBytes(bytes, name));
    const events = await collectEvents(stream);
    const out = await writeAedat2(stream.info.width, stream.info.height, events);
    // the original polarity words, in order (jAER's own rules)
    const body = bytes.subarray(stream.info.meta.headerBytes as number);
    const dv = new DataView(body.buffer, body.byteOffset, body.length);
    const kept: Uint8Array[] = [];
    for (let o = 0; o < body.length; o += 8) {
      const a = dv.getInt32(o, false);
      const isDvs128 = stream.info.meta.layout === 'dvs128';
      const polarity = isDvs128 ? (a & 0x80008000) === 0 : a >= 0 && (a & 0xc00) !== 0x400;
      if (polarity) kept.push(body.subarray(o, o + 8));
    }
    assert.deepEqual(Buffer.from(out.subarray(out.length - events.length * 8)), Buffer.concat(kept), name);
    assert.deepEqual(rows(await decode(out)), rows(events), `${name}: writer → reader`);
  }
});

// ------------------------------------------------------------ hand-built words

test('DAVIS words: polarity decoded with x flipped, IMU / APS / external words skipped', async () => {
  const imu = (type: number, v: number) => 0x80000c00 | (type << 28) | (v << 12);
  const bytes = concat(
    header(`# AEChip: ${DAVIS240C}`),
    words(
      [davis(0, 0, true), 10],
      [imu(0, 123), 11], [imu(1, 5), 11], [imu(6, 9), 11],
      [davis(239, 179, false), 12],
      [0x80000000 | (5 << 22) | (7 << 12) | 0x155, 13], // APS reset read
      [0x80000400 | (5 << 22) | (7 << 12) | 0x2aa, 14], // APS signal read
      [(3 << 22) | (4 << 12) | 0x400, 15], // external input (bits 11–10 = 01)
      [(3 << 22) | (4 << 12) | 0xc00, 16], // bits 11–10 = 11 with bit 31 clear: jAER calls it polarity ON
      [davis(100, 50, true), 17],
    ),
  );
  const stream = await open(bytes);
  const events = await collectEvents(stream);
  assert.deepEqual(rows(events), [
    [10, 0, 0, 1],
    [12, 239, 179, 0],
    [16, 239 - 4, 3, 1],
    [17, 100, 50, 1],
  ]);
  assert.deepEqual(stream.info.meta.skipped, { imu: 3, aps: 2, external: 1, special: 0 });
});

test('DVS128 words: ON when bit 0 is clear, bit-15 external and bit-31 special words skipped', async () => {
  const bytes = concat(
    header(`# AEChip: ${DVS128}`),
    words(
      [dvs128(0, 0, true), 1],
      [dvs128(127, 127, false), 2],
      [0x8000 | dvs128(5, 5, true), 3],
      [0x80000000 | dvs128(6, 6, true), 4],
      [dvs128(64, 3, false), 5],
    ),
  );
  const stream = await open(bytes);
  assert.deepEqual(rows(await collectEvents(stream)), [
    [1, 0, 0, 1],
    [2, 127, 127, 0],
    [5, 64, 3, 0],
  ]);
  assert.deepEqual(stream.info.meta.skipped, { imu: 0, aps: 0, external: 1, special: 1 });
});

test('timestamp wraps add 2^32 each time the int32 turns negative (jAER big wrap)', async () => {
  const bytes = concat(
    header(`# AEChip: ${DVS128}`),
    words(
      [dvs128(1, 1, true), 0x7ffffff0],
      [0x80000000, -0x80000000 + 3], // a special word takes part in the wrap count
      [dvs128(1, 1, true), -0x80000000 + 5],
      [dvs128(1, 1, true), -1],
      [dvs128(1, 1, true), 0],
      [dvs128(1, 1, true), 0x7fffffff],
      [dvs128(1, 1, true), -0x80000000 + 100],
      [dvs128(1, 1, true), -0x80000000 + 50], // a step back that is no wrap (non-monotonic data) is kept as is
    ),
  );
  const t = Array.from((await decode(bytes)).t);
  assert.deepEqual(t, [0x7ffffff0, TWO_31 + 5, TWO_32 - 1, TWO_32, TWO_32 + 0x7fffffff, TWO_32 + TWO_31 + 100, TWO_32 + TWO_31 + 50]);
});

test('a file whose first timestamp is negative reads as unsigned 32-bit', async () => {
  const bytes = concat(header(`# AEChip: ${DVS128}`), words([dvs128(2, 2, true), -5], [dvs128(2, 2, true), 7]));
  assert.deepEqual(Array.from((await decode(bytes)).t), [TWO_32 - 5, TWO_32 + 7]);
});

test('without an AEChip line, 16-bit addresses mean DVS128 (128×128)', async () => {
  const stream = await open(concat(header('# no chip here'), words([dvs128(10, 20, true), 5])));
  assert.equal(stream.info.meta.layout, 'dvs128');
  assert.equal(stream.info.meta.geometryFrom, 'layout');
  assert.equal(stream.info.width, 128);
  assert.deepEqual(rows(await collectEvents(stream)), [[5, 10, 20, 1]]);
});

test('without an AEChip line, DAVIS addresses need the geometry from the caller', async () => {
  const hdr = header('# AEChip: some.unknown.Chip');
  const bytes = concat(hdr, words([davis(3, 100, true, 346), 5]));
  await rejectsWith(open(bytes), 'unsupported', hdr.length, /pass the sensor width and height/);
  const stream = await open(bytes, { width: 346, height: 260 });
  assert.equal(stream.info.meta.layout, 'davis');
  assert.equal(stream.info.meta.geometryFrom, 'options');
  assert.deepEqual(rows(await collectEvents(stream)), [[5, 3, 100, 1]]);
});

test('a Neurolive-Geometry line selects the DAVIS layout with that size', async () => {
  const stream = await open(concat(header('# Neurolive-Geometry: 200x100'), words([davis(199, 99, false, 200), 9])));
  assert.equal(stream.info.width, 200);
  assert.equal(stream.info.height, 100);
  assert.deepEqual(rows(await collectEvents(stream)), [[9, 199, 99, 0]]);
});

test('a 200 kB preferences header in 1000-byte chunks', async () => {
  const entries: string[] = [];
  for (let i = 0, size = 0; size < 200_000; i++) {
    entries.push(`#      <entry key="DAVIS240C.Pref${i}" value="${i * 7}"/>`);
    size += entries[i].length + 2;
  }
  const hdr = header(`# AEChip: ${DAVIS240C}`, '#Start of Preferences for this AEChip', ...entries, '#End of Preferences for this AEChip');
  const stream = await open(concat(hdr, words([davis(1, 2, true), 3], [davis(4, 5, false), 6])), {}, 1000);
  assert.equal(stream.info.meta.headerBytes, hdr.length);
  assert.ok(hdr.length > 200_000);
  assert.deepEqual(rows(await collectEvents(stream)), [[3, 1, 2, 1], [6, 4, 5, 0]]);
});

test('a first event that starts with "#" is data when its line is not text', async () => {
  // 0x23 in the address's top byte: y = 140 for DAVIS240C; the word holds control bytes.
  const a = davis(200, 140, true);
  assert.equal(a >>> 24, 0x23);
  const stream = await open(concat(header(`# AEChip: ${DAVIS240C}`), words([a, 0x0a0b0c0d], [davis(1, 1, false), 0x0a0b0c0e])));
  assert.deepEqual(rows(await collectEvents(stream)), [[0x0a0b0c0d, 200, 140, 1], [0x0a0b0c0e, 1, 1, 0]]);
});

test('a header-only file is an empty recording', async () => {
  assert.equal((await decode(header(`# AEChip: ${DAVIS240C}`))).length, 0);
});

test('batches never exceed the requested size', async () => {
  const pairs: [number, number][] = Array.from({ length: 1000 }, (_, i) => [dvs128(i % 128, 7, i % 2 === 0), i]);
  const stream = await open(concat(header(`# AEChip: ${DVS128}`), words(...pairs)), { batchSize: 64 }, 13);
  const sizes: number[] = [];
  for await (const b of stream) sizes.push(b.length);
  assert.ok(sizes.every((n) => n <= 64 && n > 0));
  assert.equal(sizes.reduce((a, b) => a + b, 0), 1000);
});

// ------------------------------------------------------------ errors

test('errors name kind and offset', async () => {
  const hdr = header(`# AEChip: ${DAVIS240C}`);
  await rejectsWith(open(ascii('hello world, not aedat')), 'corrupt', 0, /first line/);
  await rejectsWith(open(ascii('#!AER-DAT1.0\r\n')), 'unsupported', 0);
  await rejectsWith(open(ascii('#!AER-DAT3.1\r\n#!END-HEADER\r\n')), 'unsupported', 0);
  await rejectsWith(open(header('# AEChip: eu.seebetter.ini.chips.davis.DavisRGBW640')), 'unsupported', 14, /own address layout/);
  const geo = header('# Neurolive-Geometry: wide');
  await rejectsWith(open(geo), 'corrupt', 14, /Neurolive-Geometry/);
  await rejectsWith(open(header('# Neurolive-Geometry: 2000x100')), 'corrupt', 14, /DAVIS address layout/);
  // a partial event at the end: all whole events first, then the error at the partial one
  const truncated = concat(hdr, words([davis(1, 1, true), 1], [davis(2, 2, true), 2]).subarray(0, 13));
  const stream = await open(truncated);
  const seen: number[] = [];
  await rejectsWith(
    (async () => {
      for await (const b of stream) seen.push(b.length);
    })(),
    'truncated',
    hdr.length + 8,
  );
  assert.deepEqual(seen, [1]);
  // an address outside the DAVIS240C array
  const outside = concat(hdr, words([davis(1, 1, true), 1], [(200 << 22) | (5 << 12), 2]));
  await rejectsWith(decode(outside), 'corrupt', hdr.length + 8, /outside the 240×180 sensor/);
});

test('detect looks only at the magic line and never throws', () => {
  assert.equal(aedat2Reader.detect(header()), true);
  assert.equal(aedat2Reader.detect(ascii('#!AER-DAT2.0')), true);
  assert.equal(aedat2Reader.detect(ascii('#!AER-DAT3.1\r\n')), false);
  assert.equal(aedat2Reader.detect(ascii('#!AER-DAT4.0\r\n')), false);
  assert.equal(aedat2Reader.detect(ascii('#!AER-DAT2')), false);
  assert.equal(aedat2Reader.detect(new Uint8Array(0)), false);
});

// ------------------------------------------------------------ writer

function randomEvents(n: number, width: number, height: number, seed: number, t0 = 1000, maxStep = 50): EventBatch {
  let s = seed >>> 0 || 1;
  const rnd = (k: number) => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s % k;
  };
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  let now = t0;
  for (let i = 0; i < n; i++) {
    now += rnd(maxStep);
    t.push(now);
    x.push(rnd(width));
    y.push(rnd(height));
    p.push(rnd(2));
  }
  return batchFrom(t, x, y, p);
}

test('writer → reader round trips exactly for every layout', async () => {
  for (const [w, h, chip] of [[128, 128, DVS128], [240, 180, DAVIS240C], [346, 260, 'eu.seebetter.ini.chips.davis.Davis346B'], [640, 480, 'eu.seebetter.ini.chips.davis.Davis640'], [1024, 512, null], [3, 2, null]] as const) {
    const a = randomEvents(3000, w, h, w * 7 + h);
    const b = randomEvents(500, w, h, w + 1, a.t[a.length - 1]);
    const bytes = await writeAedat2(w, h, a, b);
    const stream = await open(bytes, {}, 777);
    assert.equal(stream.info.meta.chip, chip, `${w}×${h}`);
    assert.equal(stream.info.width, w);
    assert.equal(stream.info.height, h);
    assert.deepEqual(rows(await collectEvents(stream)), rows(concatBatches([a, b])), `${w}×${h}`);
  }
});

test('writer timestamps across 32-bit wraps read back exactly', async () => {
  // steps of up to 2^31 − 1 µs starting just below 2^32: several wraps
  const t = [TWO_32 - 10, TWO_32 - 1, TWO_32, TWO_32 + TWO_31 - 1, TWO_32 + TWO_31, 2 * TWO_32 + 5, 2 * TWO_32 + TWO_31 - 100];
  const events = batchFrom(t, t.map(() => 3), t.map(() => 4), t.map((_, i) => i % 2));
  assert.deepEqual(Array.from((await decode(await writeAedat2(240, 180, events))).t), t);
});

test('writer refuses what AEDAT 2.0 cannot hold, before writing the batch', async () => {
  assert.throws(() => aedat2Writer.create({ width: 1025, height: 100 }, memorySink()), /does not fit the DAVIS address layout/);
  assert.throws(() => aedat2Writer.create({ width: 0, height: 100 }, memorySink()), RangeError);
  const bad: [string, EventBatch, RegExp][] = [
    ['outside', batchFrom([1], [240], [0], [1]), /outside the 240×180 sensor/],
    ['polarity', batchFrom([1], [1], [0], [2]), /polarity 2/],
    ['fraction', batchFrom([1.5], [1], [0], [1]), /timestamp 1\.5/],
    ['negative', batchFrom([-1], [1], [0], [1]), /timestamp -1/],
    ['start ≥ 2^32', batchFrom([TWO_32 + 1], [1], [0], [1]), /cannot be stored in 32 bits/],
    ['gap ≥ 2^31', batchFrom([5, 5 + TWO_32], [1, 1], [0, 0], [1, 1]), /cannot be stored in 32 bits/],
    ['back across a wrap', batchFrom([TWO_31 + 5, 5], [1, 1], [0, 0], [1, 1]), /cannot be stored in 32 bits/],
  ];
  for (const [what, batch, message] of bad) {
    const sink = memorySink();
    const w = aedat2Writer.create({ width: 240, height: 180 }, sink);
    await w.write(batchFrom([1], [1], [1], [1]));
    const before = sink.bytes().length;
    await assert.rejects(w.write(batch), message, what);
    assert.equal(sink.bytes().length, before, `${what}: nothing written`);
  }
});

test('writer header names the source on one safe line', async () => {
  const sink = memorySink();
  const w = aedat2Writer.create({ width: 128, height: 128, source: 'camera\r\n# AEChip: fake' }, sink);
  await w.close();
  const text = new TextDecoder().decode(sink.bytes());
  assert.match(text, /^#!AER-DAT2\.0\r\n/);
  assert.match(text, /\r\n# Source: camera # AEChip: fake\r\n/);
  assert.equal((await decode(sink.bytes())).length, 0);
  assert.equal((await open(sink.bytes())).info.meta.chip, DVS128);
});
