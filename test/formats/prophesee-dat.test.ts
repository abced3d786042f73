import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { batchFrom, concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';
import { datReader, datWriter } from '../../src-engine/formats/prophesee/dat';
import { evt2Reader } from '../../src-engine/formats/prophesee/evt2';
import { evt3Reader } from '../../src-engine/formats/prophesee/evt3';
import type { FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../../src-engine/formats/types';
import { memorySink } from '../../src-engine/node/file-io';
import { compareWithTruth, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';

// ---- helpers -------------------------------------------------------------

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const HEADER = '% Data file containing EventCD events.\n% Version 2\n% Height 100\n% Width 120\n';

/** .dat records: u32 t, u32 (p << 28 | y << 14 | x) */
function records(events: [number, number, number, number][]): Uint8Array {
  const w = new Uint32Array(events.length * 2);
  events.forEach(([t, x, y, p], i) => {
    w[2 * i] = t;
    w[2 * i + 1] = (p << 28) | (y << 14) | x;
  });
  return new Uint8Array(w.buffer);
}

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

// ---- reader -------------------------------------------------------------

test('dat: header, type and size bytes, then records (x bits 13-0, y 27-14, p bit 28)', async () => {
  const file = concat(ascii(HEADER), Uint8Array.of(12, 8), records([[0, 0, 0, 0], [5, 119, 99, 1], [2 ** 32 - 1, 16383, 16383, 1]]));
  const { events, info } = await decode(datReader, file);
  assert.deepEqual(rows(events), [[0, 0, 0, 0], [5, 119, 99, 1], [2 ** 32 - 1, 16383, 16383, 1]]);
  assert.equal(info.format, 'dat');
  assert.equal(info.width, 120);
  assert.equal(info.height, 100);
  assert.equal(info.meta.event_type, 'EventCD');
  assert.equal(info.meta.Version, '2');
  assert.equal(info.meta.data_offset, HEADER.length + 2);
});

test('dat: bits above the polarity bit are ignored, as dat_tools masks them', async () => {
  const file = concat(ascii(HEADER), Uint8Array.of(0, 8), new Uint8Array(Uint32Array.of(7, 0xe0000000 | (3 << 14) | 4).buffer));
  assert.deepEqual(rows((await decode(datReader, file)).events), [[7, 4, 3, 0]]);
});

test('dat: a header with nothing after it has no events', async () => {
  const { events, info } = await decode(datReader, ascii(HEADER));
  assert.equal(events.length, 0);
  assert.equal(info.meta.event_type, 'none');
});

test('dat: truncation and bad type bytes are errors naming their offset', async () => {
  await rejectsWith(decode(datReader, concat(ascii(HEADER), Uint8Array.of(12))), 'truncated', HEADER.length, /type byte/);
  const partial = concat(ascii(HEADER), Uint8Array.of(12, 8), records([[1, 2, 3, 1], [4, 5, 6, 0]]), Uint8Array.of(9, 9, 9));
  await rejectsWith(decode(datReader, partial), 'truncated', HEADER.length + 2 + 16, /last 3 byte\(s\)/);
  await rejectsWith(decode(datReader, partial, {}, 7), 'truncated', HEADER.length + 2 + 16);
  await rejectsWith(decode(datReader, concat(ascii(HEADER), Uint8Array.of(14, 16))), 'unsupported', HEADER.length, /EventExtTrigger/);
  await rejectsWith(decode(datReader, concat(ascii(HEADER), Uint8Array.of(12, 16))), 'corrupt', HEADER.length + 1, /8 bytes/);
  await rejectsWith(decode(datReader, concat(ascii(HEADER), Uint8Array.of(0x41, 0x42, 0x43))), 'corrupt', HEADER.length, /unknown event type 65/);
  await rejectsWith(decode(datReader, ascii('% Version 2\n% Width wide\n')), 'corrupt', 12, /Width 'wide'/);
});

test('dat: a header-less file, with or without the type and size bytes', async () => {
  const body = records([[10, 1, 2, 1], [20, 3, 4, 0]]);
  const withType = concat(Uint8Array.of(12, 8), body);
  assert.ok(datReader.detect(withType));
  assert.deepEqual(rows((await decode(datReader, withType)).events), [[10, 1, 2, 1], [20, 3, 4, 0]]);
  // OpenEB's dat_tools: no header means Event2D records from the first byte
  const bare = await decode(datReader, body);
  assert.deepEqual(rows(bare.events), [[10, 1, 2, 1], [20, 3, 4, 0]]);
  assert.equal(bare.info.meta.geometry, 'unknown');
  assert.equal((await decode(datReader, body, { width: 4, height: 5 })).info.width, 4);
});

test('dat: detection', async () => {
  const file = concat(ascii(HEADER), Uint8Array.of(12, 8), records([[1, 2, 3, 1]]));
  assert.ok(datReader.detect(file));
  assert.ok(!evt2Reader.detect(file) && !evt3Reader.detect(file));
  assert.ok(datReader.detect(ascii(HEADER)), 'a header alone');
  assert.ok(!datReader.detect(concat(ascii(HEADER), Uint8Array.of(40, 36))), 'not a CD event type');
  assert.ok(!datReader.detect(ascii('% evt 3.0\n% end\n')));
  assert.ok(!datReader.detect(ascii('hello, world\n')));
  assert.ok(!datReader.detect(new Uint8Array(0)));
  // header-less guesses: a whole number of records, time rising, nothing above bit 28
  const body = records([[1, 2, 3, 1], [2, 2, 3, 1]]);
  assert.ok(datReader.detect(concat(Uint8Array.of(0, 8), body)));
  assert.ok(!datReader.detect(concat(Uint8Array.of(0, 8), body, Uint8Array.of(1))), 'not a whole number of records');
  assert.ok(!datReader.detect(concat(Uint8Array.of(0, 8), records([[5, 2, 3, 1], [4, 2, 3, 1]]))), 'time going back');
  assert.ok(!datReader.detect(concat(Uint8Array.of(0, 8), new Uint8Array(Uint32Array.of(1, 0x40000000).buffer))), 'high bits set');
});

test('dat: 7-byte chunks and small batches give the same events', async () => {
  const r = rng(3);
  const n = 5000;
  const ev = batchFrom(
    Array.from({ length: n }, (_, i) => i * 3 + r(3)),
    Array.from({ length: n }, () => r(304)),
    Array.from({ length: n }, () => r(240)),
    Array.from({ length: n }, () => r(2)),
  );
  const file = await encode(datWriter, { width: 304, height: 240 }, [ev]);
  const whole = (await decode(datReader, file)).events;
  assert.deepEqual(rows(whole), rows(ev));
  for (const [chunk, batchSize] of [[7, 1000], [1, 3]] as const) {
    const part = await decode(datReader, file, { batchSize }, chunk);
    assert.deepEqual(rows(part.events), rows(ev));
    part.batches.slice(0, -1).forEach((b) => assert.equal(b.length, batchSize));
  }
});

// ---- writer -------------------------------------------------------------

test('dat writer: header, records and refusals', async () => {
  const file = await encode(datWriter, { width: 120, height: 100 }, [batchFrom([3, 1], [119, 0], [99, 5], [1, 0])]);
  const head = '% Data file containing EventCD events.\n% Version 2\n% Height 100\n% Width 120\n';
  assert.equal(Buffer.from(file.subarray(0, head.length)).toString('latin1'), head);
  assert.deepEqual([...file.subarray(head.length, head.length + 2)], [12, 8]);
  assert.deepEqual(file.subarray(head.length + 2), records([[3, 119, 99, 1], [1, 0, 5, 0]]), 'time need not rise in .dat');
  const back = await decode(datReader, file);
  assert.deepEqual(rows(back.events), [[3, 119, 99, 1], [1, 0, 5, 0]]);
  assert.equal(back.info.meta.geometry, '120x100');

  const empty = await encode(datWriter, { width: 0, height: 0 }, []);
  assert.equal((await decode(datReader, empty)).events.length, 0);
  assert.equal((await decode(datReader, empty)).info.meta.geometry, 'unknown');

  await assert.rejects(datWriter.create({ width: 0, height: 0 }, memorySink()).write(batchFrom([2 ** 32], [0], [0], [0])), RangeError);
  await assert.rejects(datWriter.create({ width: 10, height: 10 }, memorySink()).write(batchFrom([1], [10], [0], [0])), /outside the 10x10 sensor/);
  assert.throws(() => datWriter.create({ width: 20000, height: 10 }, memorySink()), RangeError);
});

// ---- real recordings ----------------------------------------------------

test('dat: the shared N-CARS sample matches its ground truth and round-trips', { skip: skipWithoutSharedData }, async () => {
  const truth = loadTruth('ncars_sample.dat');
  const bytes = readFileSync(sharedPath('ncars_sample.dat'));
  assert.ok(datReader.detect(bytes));
  assert.ok(!evt2Reader.detect(bytes) && !evt3Reader.detect(bytes));
  const { events, info } = await decode(datReader, bytes);
  assert.deepEqual(compareWithTruth(events, truth), []);
  assert.equal(info.meta.event_type, 'Event2D');
  assert.equal(info.meta.geometry, 'unknown', 'the header states no size');
  assert.equal(info.width, 0);
  assert.deepEqual(compareWithTruth((await decode(datReader, bytes, {}, 7)).events, truth), []);
  const back = await decode(datReader, await encode(datWriter, { width: 120, height: 100 }, [events]));
  assert.deepEqual(compareWithTruth(back.events, truth), []);
});

test('dat writer: the shared EVT 2.0 sample round-trips', { skip: skipWithoutSharedData }, async () => {
  const truth = loadTruth('evt2_sample.raw');
  const { events, info } = await decode(evt2Reader, readFileSync(sharedPath('evt2_sample.raw')));
  const back = await decode(datReader, await encode(datWriter, info, [events]));
  assert.deepEqual(compareWithTruth(back.events, truth), []);
  assert.equal(back.info.width, 640);
});
