// AEDAT 4.0: the DVXplorer recording against its ground truth, writer → reader
// round trips, the writer's layout checked with the official flatbuffers
// runtime and the lz4 CLI, DV's network framing, ZSTD packets, multi-stream files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Builder, ByteBuffer } from 'flatbuffers';
import { batchFrom, concatBatches, type EventBatch, sliceBatch } from '../../src-engine/events/batch';
import { collectEvents } from '../../src-engine/events/stream';
import { aedat4Reader, aedat4Writer, createAedat4Writer, openAedat4Stream, type PatchableSink } from '../../src-engine/formats/aedat4/aedat4';
import { Compression, PayloadDecoder } from '../../src-engine/formats/aedat4/compression';
import { decodeDataTable } from '../../src-engine/formats/aedat4/data-table';
import { eventStreamXml } from '../../src-engine/formats/aedat4/info-xml';
import { buildIOHeader, parseIOHeader } from '../../src-engine/formats/aedat4/ioheader';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';
import { readFileChunks, memorySink } from '../../src-engine/node/file-io';
import { compareWithTruth, eventsSha256, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';

const DVX = 'dvxplorer_sample.aedat4';
const VERSION = new TextEncoder().encode('#!AER-DAT4.0\r\n');
const hasTool = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;
const skipWithoutLz4Cli = hasTool('lz4') ? false : 'the lz4 command-line tool is not installed: skipping the reference-decoder check';
const skipWithoutZstdCli = hasTool('zstd')
  ? false
  : 'the zstd command-line tool is not installed (npm has no small, well-kept pure-JS ZSTD compressor to make fixtures with): skipping ZSTD packets';

type Txyp = [number, number, number, number];

/** An EVTS payload made with the official flatbuffers runtime, the way generated code builds it. */
function officialEventPacket(events: readonly Txyp[]): Uint8Array {
  const b = new Builder(64 + events.length * 16);
  b.startVector(16, events.length, 8);
  for (let i = events.length - 1; i >= 0; i--) {
    const [t, x, y, p] = events[i];
    b.prep(8, 16);
    b.pad(3);
    b.writeInt8(p);
    b.writeInt16(y);
    b.writeInt16(x);
    b.writeInt64(BigInt(t));
  }
  const vec = b.endVector();
  b.startObject(1);
  b.addFieldOffset(0, vec, 0);
  const root = b.endObject();
  b.finishSizePrefixed(root, 'EVTS');
  return b.asUint8Array().slice();
}

/** A whole file (or, without the version line, a network stream) from parts. */
function assemble(o: { compression: number; xml: string; packets: ReadonlyArray<readonly [number, Uint8Array]>; versionLine?: boolean }): Uint8Array {
  const header = buildIOHeader({ compression: o.compression as 0, dataTablePosition: -1, infoNode: o.xml }).bytes;
  const parts: Uint8Array[] = [];
  if (o.versionLine !== false) parts.push(VERSION);
  const size = new Uint8Array(4);
  new DataView(size.buffer).setUint32(0, header.length, true);
  parts.push(size, header);
  for (const [id, payload] of o.packets) {
    const h = new Uint8Array(8);
    new DataView(h.buffer).setInt32(0, id, true);
    new DataView(h.buffer).setInt32(4, payload.length, true);
    parts.push(h, payload);
  }
  return Buffer.concat(parts);
}

function streamsXml(streams: ReadonlyArray<readonly [number, string]>, width = 320, height = 240): string {
  const nodes = streams
    .map(
      ([id, type]) =>
        `<node name="${id}" path="/outInfo/${id}/"><attr key="typeIdentifier" type="string">${type}</attr>` +
        `<node name="info" path="/outInfo/${id}/info/"><attr key="sizeX" type="int">${width}</attr><attr key="sizeY" type="int">${height}</attr></node></node>`,
    )
    .join('');
  return `<dv version="2.0"><node name="outInfo" path="/outInfo/">${nodes}</node></dv>`;
}

function rows(b: EventBatch): Txyp[] {
  return Array.from({ length: b.length }, (_, i) => [b.t[i], b.x[i], b.y[i], b.p[i]] as Txyp);
}

function sameEvents(a: EventBatch, b: EventBatch, what: string) {
  assert.equal(a.length, b.length, `${what}: event count`);
  assert.equal(eventsSha256(a), eventsSha256(b), `${what}: events differ`);
}

/** Sorted timestamps (some equal), random coordinates and polarities; optionally Unix-epoch sized times. */
function randomEvents(n: number, seed: number, width: number, height: number, t0 = 1_700_000_000_000_000): EventBatch {
  let s = seed >>> 0 || 1;
  const r = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  let now = t0;
  for (let i = 0; i < n; i++) {
    if (r() < 0.7) now += Math.floor(r() * (r() < 0.05 ? 5000 : 30));
    t.push(now);
    x.push(Math.floor(r() * width));
    y.push(Math.floor(r() * height));
    p.push(r() < 0.5 ? 1 : 0);
  }
  return batchFrom(t, x, y, p);
}

async function readAll(bytes: Uint8Array, opts: Parameters<typeof openAedat4Stream>[1] = {}, chunks?: number[]) {
  let source: Iterable<Uint8Array> = [bytes];
  if (chunks) {
    source = (function* () {
      let o = 0;
      for (let k = 0; o < bytes.length; k++) {
        const n = chunks[k % chunks.length];
        yield bytes.subarray(o, o + n);
        o += n;
      }
    })();
  }
  const stream = await openAedat4Stream(new ByteReader(source, 'test.aedat4'), opts);
  return { stream, events: await collectEvents(stream) };
}

async function write(events: EventBatch, opts: Parameters<typeof createAedat4Writer>[2] = {}, splits = [events.length], info = { width: 320, height: 240, source: 'unit test' }) {
  const sink = memorySink();
  const w = createAedat4Writer(info, sink, opts);
  let o = 0;
  for (let k = 0; o < events.length; k++) {
    const n = Math.max(1, splits[k % splits.length]);
    await w.write(sliceBatch(events, o, o + n));
    o += n;
  }
  await w.close();
  return sink.bytes();
}

/** Walks the packets of a file or stream: [offset, streamId, payload]. */
function packetsOf(bytes: Uint8Array, versionLine = true): Array<[number, number, Uint8Array]> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = versionLine ? 14 : 0;
  const hsize = dv.getUint32(o, true);
  const h = parseIOHeader(bytes.subarray(o + 4, o + 4 + hsize));
  o += 4 + hsize;
  const end = h.dataTablePosition >= 0 ? h.dataTablePosition : bytes.length;
  const out: Array<[number, number, Uint8Array]> = [];
  while (o < end) {
    const size = dv.getInt32(o + 4, true);
    out.push([o, dv.getInt32(o, true), bytes.subarray(o + 8, o + 8 + size)]);
    o += 8 + size;
  }
  return out;
}

test('detect looks for the exact AEDAT 4.0 version line', () => {
  assert.equal(aedat4Reader.detect(Buffer.from('#!AER-DAT4.0\r\n\x10\x00')), true);
  assert.equal(aedat4Reader.detect(Buffer.from('#!AER-DAT4.0\r')), false);
  assert.equal(aedat4Reader.detect(Buffer.from('#!AER-DAT3.1\r\n')), false);
  assert.equal(aedat4Reader.detect(new Uint8Array(0)), false);
  assert.deepEqual(aedat4Writer.extensions, ['.aedat4']);
});

test('DVXplorer recording: every event matches the ground truth, and the header facts match its diagnostics', { skip: skipWithoutSharedData }, async () => {
  const truth = loadTruth(DVX);
  const src = new ByteReader(readFileChunks(sharedPath(DVX), 65_537), DVX);
  const stream = await openAedat4Stream(src);
  assert.equal(stream.info.width, truth.width);
  assert.equal(stream.info.height, truth.height);
  const events = await collectEvents(stream);
  assert.deepEqual(compareWithTruth(events, truth), []);
  const diag = truth.diagnostics as Record<string, unknown>;
  const meta = stream.info.meta;
  assert.equal(meta.compression, diag.compression);
  assert.equal(meta.dataTablePosition, diag.data_table_position);
  assert.deepEqual(meta.streams, diag.streams);
  assert.deepEqual(meta.evtsStreamIds, diag.evts_stream_ids);
  assert.deepEqual({ ...(meta.packetsPerStream as object) }, diag.packets_per_stream);
  assert.equal(meta.source, diag.source);
  await src.close(); // the reader stops at the data table: release the file
});

test('DVXplorer recording: small batches and 1-byte to 7-byte chunks give the same events', { skip: skipWithoutSharedData }, async () => {
  const bytes = new Uint8Array(readFileSync(sharedPath(DVX)));
  const { stream, events } = await readAll(bytes, { batchSize: 1000 }, [1, 7, 3, 5, 2, 4099]);
  assert.deepEqual(compareWithTruth(events, loadTruth(DVX)), []);
  assert.ok(events.length > 1000);
  let batches = 0;
  for await (const b of await openAedat4Stream(ByteReader.fromBytes(bytes), { batchSize: 1000 })) {
    assert.ok(b.length <= 1000);
    batches++;
  }
  assert.equal(batches, Math.ceil(events.length / 1000));
  assert.equal(stream.info.meta.geometry, 'from header');
});

test('DVXplorer recording: its data table lists every packet with its payload offset, size, count and time span', { skip: skipWithoutSharedData }, async () => {
  const bytes = new Uint8Array(readFileSync(sharedPath(DVX)));
  const truth = loadTruth(DVX);
  const tablePos = (truth.diagnostics as { data_table_position: number }).data_table_position;
  const table = decodeDataTable(new PayloadDecoder(Compression.LZ4, 1 << 24).decode(bytes.subarray(tablePos)));
  const packets = packetsOf(bytes);
  assert.equal(table.length, packets.length);
  table.forEach((e, i) => {
    const [at, id, payload] = packets[i];
    assert.deepEqual([e.byteOffset, e.streamId, e.size], [at + 8, id, payload.length]);
  });
  const evts = table.filter((e) => e.streamId === 0);
  assert.equal(evts.reduce((s, e) => s + e.numElements, 0), truth.count);
  assert.equal(evts[0].timestampStart, truth.first[0][0]);
  assert.equal(evts[evts.length - 1].timestampEnd, truth.last[truth.last.length - 1][0]);
});

test('round trip: random events through the writer and reader are bit exact (LZ4 and uncompressed, any packet size and batching)', async () => {
  const events = randomEvents(20_000, 42, 640, 480);
  for (const compression of ['lz4', 'none'] as const) {
    for (const [packetEvents, splits] of [[4096, [20_000]], [1, [7, 1, 300]], [1000, [999, 1001, 1]], [65_536, [5000]]] as const) {
      const file = await write(events, { compression, packetEvents }, [...splits], { width: 640, height: 480, source: 'rt' });
      const { stream, events: back } = await readAll(file);
      sameEvents(back, events, `${compression}, ${packetEvents} per packet`);
      assert.equal(stream.info.meta.compression, compression === 'lz4' ? 'LZ4' : 'NONE');
      assert.equal(packetsOf(file).length, Math.ceil(events.length / packetEvents));
    }
  }
});

test('round trip: timestamps near ±2^53, zero, and the full int16 coordinate range survive', async () => {
  const max = Number.MAX_SAFE_INTEGER;
  const events = batchFrom([-max, -1, 0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, max], [0, 1, 32767, 5, 0, 1, 2, 32767], [32767, 0, 1, 2, 3, 4, 5, 0], [1, 0, 1, 0, 1, 0, 1, 1]);
  const file = await write(events, { packetEvents: 3 }, [8], { width: 32768, height: 32768, source: 'edges' });
  sameEvents((await readAll(file)).events, events, 'edge values');
});

test('round trip: the DVXplorer events written by us read back bit exact', { skip: skipWithoutSharedData }, async () => {
  const bytes = new Uint8Array(readFileSync(sharedPath(DVX)));
  const original = (await readAll(bytes)).events;
  const file = await write(original, {}, [65_536], { width: 320, height: 240, source: 'DVXplorer_DXB00010' });
  const { stream, events } = await readAll(file);
  assert.deepEqual(compareWithTruth(events, loadTruth(DVX)), []);
  assert.equal(stream.info.meta.source, 'DVXplorer_DXB00010');
  assert.ok(file.length < original.length * 16, `LZ4 should compress (${file.length} bytes for ${original.length} events)`);
});

test('writer layout: version line, IOHeader (read with the official flatbuffers runtime), DV-style XML, EVTS packets byte-identical to the flatbuffers builder', async () => {
  const events = randomEvents(5000, 3, 346, 260);
  const file = await write(events, { compression: 'none' }, [5000], { width: 346, height: 260, source: 'DAVIS346_00000499' });
  assert.ok(Buffer.from(file.subarray(0, 14)).equals(VERSION));
  const hsize = new DataView(file.buffer, file.byteOffset).getUint32(14, true);
  const bb = new ByteBuffer(file.slice(18, 18 + hsize));
  assert.equal(bb.getBufferIdentifier(), 'IOHE');
  const root = bb.readInt32(bb.position()) + bb.position();
  const slot = (k: number) => bb.__offset(root, 4 + 2 * k);
  assert.equal(bb.readInt32(root + slot(0)), 0); // compression NONE
  assert.equal(bb.readInt64(root + slot(1)), -1n); // no data table: the sink cannot seek
  const xml = bb.__string(root + slot(2)) as string;
  assert.equal(
    xml,
    eventStreamXml({ width: 346, height: 260, source: 'DAVIS346_00000499', compression: 'NONE', moduleName: 'neurolive' }),
  );
  assert.match(xml, /^<dv version="2\.0">\n {4}<node name="outInfo" path="\/outInfo\/">\n {8}<node name="0" path="\/outInfo\/0\/">\n {12}<attr key="compression" type="string">NONE<\/attr>\n/);
  assert.match(xml, /<attr key="typeIdentifier" type="string">EVTS<\/attr>\n {12}<node name="info" path="\/outInfo\/0\/info\/">\n {16}<attr key="sizeX" type="int">346<\/attr>\n {16}<attr key="sizeY" type="int">260<\/attr>\n {16}<attr key="source" type="string">DAVIS346_00000499<\/attr>\n {16}<attr key="tsOffset" type="long">0<\/attr>\n/);
  const packets = packetsOf(file);
  assert.deepEqual(
    packets.map(([, id, p]) => [id, p.length]),
    [
      [0, 32 + 4096 * 16],
      [0, 32 + 904 * 16],
    ],
  );
  assert.ok(Buffer.from(packets[0][2]).equals(officialEventPacket(rows(sliceBatch(events, 0, 4096)))));
  assert.ok(Buffer.from(packets[1][2]).equals(officialEventPacket(rows(sliceBatch(events, 4096)))));
  // and nothing after the last packet
  const [lastAt, , lastPayload] = packets[packets.length - 1];
  assert.equal(lastAt + 8 + lastPayload.length, file.length);
});

test('writer: LZ4 packet payloads decode with the reference lz4 tool', { skip: skipWithoutLz4Cli }, async () => {
  const events = randomEvents(9000, 5, 320, 240);
  const file = await write(events);
  for (const [, , payload] of packetsOf(file)) {
    const r = spawnSync('lz4', ['-d', '-c'], { input: payload });
    assert.equal(r.status, 0, String(r.stderr));
    const bb = new ByteBuffer(new Uint8Array(r.stdout));
    assert.equal(bb.readInt32(0), r.stdout.length - 4);
    assert.equal(String.fromCharCode(...r.stdout.subarray(8, 12)), 'EVTS');
  }
});

test('writer with a patchable sink: a data table is appended and dataTablePosition points at it', async () => {
  const events = randomEvents(10_000, 9, 128, 128);
  const mem = memorySink();
  let patched: [number, Uint8Array] | null = null;
  const sink: PatchableSink = {
    write: (c) => mem.write(c),
    writeAt: (offset, chunk) => {
      patched = [offset, chunk.slice()];
    },
  };
  const w = aedat4Writer.create({ width: 128, height: 128 }, sink);
  await w.write(sliceBatch(events, 0, 3000));
  await w.write(sliceBatch(events, 3000));
  await w.close();
  const file = mem.bytes();
  assert.ok(patched);
  const [at, bytes] = patched as [number, Uint8Array];
  file.set(bytes, at);
  const hsize = new DataView(file.buffer, file.byteOffset).getUint32(14, true);
  const header = parseIOHeader(file.subarray(18, 18 + hsize));
  const packets = packetsOf(file);
  const [lastAt, , lastPayload] = packets[packets.length - 1];
  assert.equal(header.dataTablePosition, lastAt + 8 + lastPayload.length);
  const table = decodeDataTable(new PayloadDecoder(Compression.LZ4, 1 << 24).decode(file.subarray(header.dataTablePosition)));
  assert.equal(table.length, 3);
  table.forEach((e, i) => {
    const [pAt, id, payload] = packets[i];
    const first = i * 4096;
    const last = Math.min(events.length, first + 4096) - 1;
    assert.deepEqual(
      [e.byteOffset, e.streamId, e.size, e.numElements, e.timestampStart, e.timestampEnd],
      [pAt + 8, id, payload.length, last - first + 1, events.t[first], events.t[last]],
    );
  });
  // the reader stops at the table
  const { stream, events: back } = await readAll(file);
  sameEvents(back, events, 'with data table');
  assert.equal(stream.info.meta.dataTablePosition, header.dataTablePosition);
});

test('writer: empty recording, geometry and coordinate checks', async () => {
  const empty = await write(batchFrom([], [], [], []));
  const { events } = await readAll(empty);
  assert.equal(events.length, 0);
  assert.equal(packetsOf(empty).length, 0);
  assert.throws(() => aedat4Writer.create({ width: 0, height: 240 }, memorySink()), /sensor size/);
  const w = aedat4Writer.create({ width: 320, height: 240 }, memorySink());
  await assert.rejects(w.write(batchFrom([1], [40000], [0], [1])), /int16/);
  await assert.rejects(w.write(batchFrom([1.5], [1], [0], [1])), /not an integer/);
});

test("DV's network framing (no version line, no table) decodes from a byte stream cut in odd chunks", { skip: skipWithoutSharedData }, async () => {
  const bytes = new Uint8Array(readFileSync(sharedPath(DVX)));
  const hsize = new DataView(bytes.buffer).getUint32(14, true);
  const h = parseIOHeader(bytes.subarray(18, 18 + hsize));
  const packets = packetsOf(bytes).map(([, id, p]) => [id, p] as const);
  const tcp = assemble({ compression: h.compression, xml: h.infoNode, packets, versionLine: false });
  // odd sizes, tiny and large mixed (all-tiny chunks would only measure ByteReader's joins)
  for (const chunks of [[1, 3, 7, 13, 4093], [8191, 1, 2], [65_537]]) {
    const { stream, events } = await readAll(tcp, { versionLine: false }, chunks);
    assert.deepEqual(compareWithTruth(events, loadTruth(DVX)), [], `chunks ${chunks}`);
    assert.equal(stream.info.meta.framing, 'stream');
    assert.equal(stream.info.meta.dataTablePosition, -1);
  }
});

test('network framing from our writer: strip the version line and read it as a stream', async () => {
  const events = randomEvents(7000, 11, 640, 480);
  const file = await write(events, {}, [7000], { width: 640, height: 480, source: 's' });
  const { events: back } = await readAll(file.subarray(14), { versionLine: false }, [2, 9, 17, 1031]);
  sameEvents(back, events, 'stream framing');
  const small = await write(sliceBatch(events, 0, 300), { packetEvents: 50 }, [300], { width: 640, height: 480, source: 's' });
  sameEvents((await readAll(small.subarray(14), { versionLine: false }, [1])).events, sliceBatch(events, 0, 300), 'one byte at a time');
});

test('every EVTS stream is decoded in file order; IMU and other packets are skipped by size without being decompressed', async () => {
  const a: Txyp[] = [[10, 1, 2, 1], [11, 3, 4, 0]];
  const b: Txyp[] = [[5, 6, 7, 1]];
  const c: Txyp[] = [[12, 8, 9, 0]];
  const file = assemble({
    compression: Compression.NONE,
    xml: streamsXml([[0, 'EVTS'], [2, 'IMUS'], [5, 'EVTS'], [7, 'FRME']]),
    packets: [
      [0, officialEventPacket(a)],
      [2, Uint8Array.of(0xde, 0xad, 0xbe, 0xef)], // not a flatbuffer: must not be looked at
      [5, officialEventPacket(b)],
      [7, new Uint8Array(100)],
      [0, officialEventPacket(c)],
      [2, new Uint8Array(0)],
    ],
  });
  const { stream, events } = await readAll(file);
  assert.deepEqual(rows(events), [...a, ...b, ...c]);
  assert.deepEqual(stream.info.meta.evtsStreamIds, [0, 5]);
  assert.deepEqual({ ...(stream.info.meta.packetsPerStream as object) }, { 0: 2, 2: 2, 5: 1, 7: 1 });
});

test('a packet whose table has no elements vector holds no events', async () => {
  const b = new Builder(64);
  b.startObject(1);
  const root = b.endObject();
  b.finishSizePrefixed(root, 'EVTS');
  const file = assemble({ compression: Compression.NONE, xml: streamsXml([[0, 'EVTS']]), packets: [[0, b.asUint8Array().slice()], [0, officialEventPacket([[1, 2, 3, 1]])]] });
  assert.deepEqual(rows((await readAll(file)).events), [[1, 2, 3, 1]]);
});

test('geometry falls back to the options when the EVTS stream states no size', async () => {
  const xml = '<dv version="2.0"><node name="outInfo"><node name="0"><attr key="typeIdentifier" type="string">EVTS</attr></node></node></dv>';
  const file = assemble({ compression: Compression.NONE, xml, packets: [[0, officialEventPacket([[1, 2, 3, 1]])]] });
  const withOpts = (await readAll(file, { width: 640, height: 480 })).stream.info;
  assert.deepEqual([withOpts.width, withOpts.height, withOpts.meta.geometry], [640, 480, 'from options']);
  const without = (await readAll(file)).stream.info;
  assert.deepEqual([without.width, without.height, without.meta.geometry], [0, 0, 'unknown']);
});

function zstd(input: Uint8Array, args: string[] = []): Uint8Array {
  const r = spawnSync('zstd', ['-c', '-q', ...args], { input });
  assert.equal(r.status, 0, String(r.stderr));
  return new Uint8Array(r.stdout);
}

test('ZSTD packets (fixtures made with the zstd tool) decode, with and without a declared content size', { skip: skipWithoutZstdCli }, async () => {
  const events = randomEvents(9000, 21, 320, 240);
  const all = rows(events);
  const p1 = officialEventPacket(all.slice(0, 4000));
  const p2 = officialEventPacket(all.slice(4000));
  const file = assemble({
    compression: Compression.ZSTD,
    xml: streamsXml([[0, 'EVTS'], [1, 'IMUS']]),
    packets: [
      [0, zstd(p1)],
      [1, zstd(new Uint8Array(64))],
      [0, zstd(p2, ['-19', '--no-content-size', '--check'])],
    ],
  });
  const { stream, events: back } = await readAll(file, {}, [13, 4096]);
  sameEvents(back, events, 'zstd');
  assert.equal(stream.info.meta.compression, 'ZSTD');
  const high = assemble({ compression: Compression.ZSTD_HIGH, xml: streamsXml([[0, 'EVTS']]), packets: [[0, zstd(p1, ['--ultra', '-22'])]] });
  sameEvents((await readAll(high)).events, sliceBatch(events, 0, 4000), 'zstd high');
});

test('a ZSTD frame header declaring a huge content size is a limit error, before any allocation', async () => {
  // magic, FHD: 8-byte content size + single segment, size 2^40, then one raw 1-byte last block
  const frame = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0, 0x09, 0, 0, 0x41);
  const file = assemble({ compression: Compression.ZSTD, xml: streamsXml([[0, 'EVTS']]), packets: [[0, frame]] });
  const packetAt = packetsOf(file)[0][0];
  await assert.rejects(
    readAll(file),
    (e: unknown) => e instanceof EventFormatError && e.kind === 'limit' && e.offset === packetAt && /ZSTD frame needs 1099511627776 bytes/.test(e.reason),
  );
});

test('concatenated batches: a long recording streams in batches of the requested size', async () => {
  const parts = [randomEvents(3000, 1, 64, 64), randomEvents(3000, 2, 64, 64, 1_700_000_000_100_000)];
  const events = concatBatches(parts);
  const file = await write(events, { packetEvents: 700 }, [1234], { width: 64, height: 64, source: 'x' });
  const stream = await openAedat4Stream(ByteReader.fromBytes(file), { batchSize: 512 });
  const sizes: number[] = [];
  for await (const b of stream) sizes.push(b.length);
  assert.ok(sizes.slice(0, -1).every((n) => n === 512));
  assert.equal(sizes.reduce((a, b) => a + b, 0), events.length);
});

test('uncompressed payloads decode the same at every byte alignment of the input buffer', async () => {
  const events = randomEvents(3000, 8, 320, 240);
  const file = await write(events, { compression: 'none', packetEvents: 777 });
  for (let shift = 0; shift < 4; shift++) {
    const host = new Uint8Array(file.length + shift);
    host.set(file, shift);
    sameEvents((await readAll(host.subarray(shift))).events, events, `shift ${shift}`);
  }
});
