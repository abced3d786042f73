// AEDAT 4 on bad input: every failure is an EventFormatError with the right kind
// and the byte offset of the part that is wrong (the packet's offset for
// anything inside a packet), never another exception, never a hang.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchFrom, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents } from '../../src-engine/events/stream';
import { createAedat4Writer, openAedat4Stream, type PatchableSink } from '../../src-engine/formats/aedat4/aedat4';
import { buildIOHeader, parseIOHeader } from '../../src-engine/formats/aedat4/ioheader';
import { xxh32 } from '../../src-engine/formats/aedat4/xxh32';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError, LIMITS } from '../../src-engine/formats/errors';
import { memorySink } from '../../src-engine/node/file-io';
import { evtsPacket } from '../support/aedat4-evts';

const VERSION = new TextEncoder().encode('#!AER-DAT4.0\r\n');
const XML = '<dv version="2.0"><node name="outInfo" path="/outInfo/"><node name="0" path="/outInfo/0/"><attr key="typeIdentifier" type="string">EVTS</attr><node name="info" path="/outInfo/0/info/"><attr key="sizeX" type="int">64</attr><attr key="sizeY" type="int">64</attr></node></node><node name="2" path="/outInfo/2/"><attr key="typeIdentifier" type="string">IMUS</attr></node></node></dv>';

function events(n: number): EventBatch {
  return batchFrom(
    Array.from({ length: n }, (_, i) => 1_000_000 + i * 3),
    Array.from({ length: n }, (_, i) => (i * 7) % 64),
    Array.from({ length: n }, (_, i) => (i * 13) % 64),
    Array.from({ length: n }, (_, i) => i & 1),
  );
}

async function written(compression: 'lz4' | 'none', withTable = false): Promise<Uint8Array> {
  const mem = memorySink();
  let patch: [number, Uint8Array] | null = null;
  const sink: PatchableSink | ReturnType<typeof memorySink> = withTable
    ? { write: (c: Uint8Array) => mem.write(c), writeAt: (o: number, c: Uint8Array) => void (patch = [o, c.slice()]) }
    : mem;
  const w = createAedat4Writer({ width: 64, height: 64, source: 'errors' }, sink, { compression, packetEvents: 100 });
  await w.write(events(250));
  await w.close();
  const bytes = mem.bytes();
  if (patch) bytes.set((patch as [number, Uint8Array])[1], (patch as [number, Uint8Array])[0]);
  return bytes;
}

/** A file from a header (compression, XML, table position) and raw packets. */
function assemble(packets: ReadonlyArray<readonly [number, Uint8Array]>, o: { compression?: number; xml?: string; dataTablePosition?: number } = {}): Uint8Array {
  const header = buildIOHeader({ compression: (o.compression ?? 0) as 0, dataTablePosition: o.dataTablePosition ?? -1, infoNode: o.xml ?? XML }).bytes;
  const parts: Uint8Array[] = [VERSION, new Uint8Array(new Uint32Array([header.length]).buffer), header];
  for (const [id, payload] of packets) parts.push(new Uint8Array(new Int32Array([id, payload.length]).buffer), payload);
  return Buffer.concat(parts);
}

function bodyStart(file: Uint8Array): number {
  return 18 + new DataView(file.buffer, file.byteOffset).getUint32(14, true);
}

/** [offset, streamId, size] of each packet, up to the data table if there is one. */
function packets(file: Uint8Array): Array<[number, number, number]> {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const table = parseIOHeader(file.subarray(18, bodyStart(file))).dataTablePosition;
  const end = table >= 0 ? table : file.length;
  const out: Array<[number, number, number]> = [];
  for (let o = bodyStart(file); o + 8 <= end; ) {
    const size = dv.getInt32(o + 4, true);
    out.push([o, dv.getInt32(o, true), size]);
    o += 8 + size;
  }
  return out;
}

async function decode(bytes: Uint8Array, chunk = 0, versionLine = true): Promise<EventBatch> {
  const source = chunk > 0 ? Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) => bytes.subarray(i * chunk, (i + 1) * chunk)) : [bytes];
  return collectEvents(await openAedat4Stream(new ByteReader(source, 'bad.aedat4'), { versionLine }));
}

async function fails(bytes: Uint8Array, kind: string, offset: number, reason: RegExp, versionLine = true) {
  for (const chunk of [0, 7]) {
    await assert.rejects(decode(bytes, chunk, versionLine), (e: unknown) => {
      assert.ok(e instanceof EventFormatError, `expected EventFormatError, got ${String(e)}`);
      assert.equal(e.kind, kind, e.message);
      assert.equal(e.offset, offset, e.message);
      assert.match(e.reason, reason);
      assert.equal(e.format, 'aedat4');
      return true;
    });
  }
}

function patched(file: Uint8Array, at: number, bytes: ArrayLike<number>): Uint8Array {
  const out = file.slice();
  out.set(bytes, at);
  return out;
}

const le32 = (n: number) => new Uint8Array(new Int32Array([n]).buffer);

test('the written fixtures themselves decode (so every failure below comes from the damage)', async () => {
  for (const c of ['lz4', 'none'] as const) {
    assert.equal((await decode(await written(c))).length, 250);
    assert.equal((await decode(await written(c, true))).length, 250);
  }
});

test('header errors: version line, empty input, header size, truncated or corrupt IOHeader', async () => {
  const file = await written('lz4');
  await fails(Buffer.concat([Buffer.from('#!AER-DAT3.1\r\n'), file.subarray(14)]), 'corrupt', 0, /first line '#!AER-DAT3\.1\\r\\n' is not/);
  await fails(new Uint8Array(0), 'truncated', 0, /version line: needs 14 bytes, file ends after 0/);
  await fails(patched(file, 14, [0xff, 0xff, 0xff, 0xff]), 'limit', 14, /IOHeader declares 4294967295 bytes/);
  await fails(file.subarray(0, 40), 'truncated', 18, /IOHeader: needs \d+ bytes, file ends after 22/);
  await fails(patched(file, 18, le32(1 << 20)), 'corrupt', 18, /IOHeader: .*outside/);
  await fails(patched(file, 22, [0x58, 0x58, 0x58, 0x58]), 'corrupt', 18, /identifier is 'XXXX', expected 'IOHE'/);
  // the version line is optional only when asked: a network stream read as a file
  await fails(file.subarray(14), 'corrupt', 0, /is not '#!AER-DAT4\.0/);
});

test('unknown compression type is unsupported, at the IOHeader', async () => {
  await fails(assemble([], { compression: 7 }), 'unsupported', 18, /unknown compression type 7/);
  await fails(assemble([], { compression: -1 }), 'unsupported', 18, /unknown compression type -1/);
});

test('a bad stream description or table position is corrupt, at the IOHeader', async () => {
  await fails(assemble([], { xml: 'not xml' }), 'corrupt', 18, /stream description \(infoNode XML\): text outside/);
  await fails(assemble([], { xml: '<dv><node name="outInfo"/></dv>' }), 'corrupt', 18, /declares no streams/);
  await fails(assemble([], { dataTablePosition: 5 }), 'corrupt', 18, /dataTablePosition 5 lies inside the header/);
});

test('truncated packets: inside the packet header, inside the payload, and before a declared data table', async () => {
  const file = await written('lz4');
  const [[p0, , s0], [p1]] = packets(file);
  await fails(file.subarray(0, p0 + 5), 'truncated', p0, /packet header: needs 8 bytes, file ends after 5/);
  await fails(file.subarray(0, p0 + 8 + Math.floor(s0 / 2)), 'truncated', p0 + 8, /packet payload \(stream 0\): needs/);
  const tabled = await written('lz4', true);
  const [, [q1]] = packets(tabled);
  await fails(tabled.subarray(0, q1), 'truncated', q1, new RegExp(`file ends at byte ${q1}, before its data table`));
  assert.ok(p1 > p0);
});

test('packet sizes: huge is a limit error, negative or running into the data table is corrupt', async () => {
  const file = await written('lz4');
  const [, [p1]] = packets(file);
  await fails(patched(file, p1 + 4, le32(0x7fffffff)), 'limit', p1, /declares 2147483647 bytes \(limit 268435456\)/);
  await fails(patched(file, p1 + 4, le32(-8)), 'corrupt', p1, /negative size -8/);
  // a skipped (non-event) stream is checked the same way
  const imu = assemble([[2, new Uint8Array(4)]]);
  await fails(patched(imu, bodyStart(imu) + 4, le32(0x20000000)), 'limit', bodyStart(imu), /\(stream 2\) declares 536870912 bytes/);
  const tabled = await written('lz4', true);
  const [[q0, , qs0]] = packets(tabled);
  const tablePos = packets(tabled).reduce((end, [o, , s]) => Math.max(end, o + 8 + s), 0);
  assert.ok(LIMITS.maxPacketBytes > tablePos);
  await fails(patched(tabled, q0 + 4, le32(tablePos - q0 - 8 + 1)), 'corrupt', q0, new RegExp(`runs into the data table at ${tablePos}`));
  assert.ok(qs0 > 0);
});

test('a packet for a stream the header does not declare is corrupt', async () => {
  const file = await written('none');
  const [, [p1]] = packets(file);
  await fails(patched(file, p1, le32(9)), 'corrupt', p1, /stream 9, which the header does not declare/);
});

test('corrupt LZ4 payloads are corrupt at the packet offset', async () => {
  const file = await written('lz4');
  const [, [p1, , s1]] = packets(file);
  await fails(patched(file, p1 + 8 + 6, [file[p1 + 8 + 6] ^ 0xff]), 'corrupt', p1, /packet at byte \d+ \(stream 0\): LZ4 frame header checksum mismatch/);
  await fails(patched(file, p1 + 8, [0, 0, 0, 0]), 'corrupt', p1, /no LZ4 frame magic/);
  // a block cut short: shrink the first block's declared size by 3
  const blockSize = new DataView(file.buffer, file.byteOffset).getUint32(p1 + 8 + 7, true);
  await fails(patched(file, p1 + 8 + 7, le32(blockSize - 3)), 'corrupt', p1, /LZ4/);
  // a hand-made block whose match reaches before the output start
  const head = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40];
  const frame = Uint8Array.from([...head, (xxh32(Uint8Array.from(head), 4, 6) >>> 8) & 0xff, 9, 0, 0, 0, 0x40, 1, 2, 3, 4, 9, 0, 0x10, 5, 0, 0, 0, 0]);
  const bad = assemble([[0, frame]], { compression: 1 });
  await fails(bad, 'corrupt', bodyStart(bad), /match refers to data before the start/);
  // a frame declaring a content size beyond the decompression limit
  const big = [0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0, 0, 0, 0, 0, 1, 0, 0];
  const bigFrame = Uint8Array.from([...big, (xxh32(Uint8Array.from(big), 4, 14) >>> 8) & 0xff, 0, 0, 0, 0]);
  const huge = assemble([[0, bigFrame]], { compression: 1 });
  await fails(huge, 'limit', bodyStart(huge), /declares 1099511627776 bytes/);
  assert.ok(s1 > 0);
});

test('corrupt flatbuffer offsets in an EVTS payload are corrupt at the packet offset, never a RangeError', async () => {
  const good = evtsPacket([[5n, 1, 2, 1], [6n, 3, 4, 0]]);
  // layout: 0 size prefix, 4 root offset, 8 'EVTS', vtable, table (soffset, vector offset), vector count, events
  const dv = new DataView(good.buffer);
  const root = 4 + dv.getUint32(4, true);
  const vecField = root + 4;
  const vec = vecField + dv.getUint32(vecField, true);
  const cases: Array<[string, number, number, RegExp]> = [
    ['root offset beyond the buffer', 4, 0x7ffffff0, /outside/],
    ['misaligned root', 4, 13, /not 4-byte aligned/],
    ['vtable outside', root, -0x100000, /vtable.*outside/],
    ['vtable size 2', root, dv.getInt32(root, true), /./], // patched below
    ['vector offset beyond', vecField, 0x10000, /outside/],
    ['vector count too large', vec, 1000, /1000 elements of 16 bytes .* overrun/],
    ['size prefix too large', 0, 10_000, /size prefix says 10000 bytes/],
  ];
  const first = evtsPacket([[1n, 0, 0, 0]]);
  for (const [what, at, value, reason] of cases) {
    const bad = good.slice();
    new DataView(bad.buffer).setInt32(at, value, true);
    if (what === 'vtable size 2') new DataView(bad.buffer).setUint16(root - dv.getInt32(root, true), 2, true);
    const file = assemble([[0, first], [0, bad]]);
    const [, [p1]] = packets(file);
    await fails(file, 'corrupt', p1, what === 'vtable size 2' ? /vtable size 2 is invalid/ : reason);
  }
  const wrongId = good.slice();
  wrongId.set([0x49, 0x4d, 0x55, 0x53], 8); // IMUS
  const f2 = assemble([[0, wrongId]]);
  await fails(f2, 'corrupt', bodyStart(f2), /identifier is 'IMUS', expected 'EVTS'/);
  const f3 = assemble([[0, Uint8Array.of(1, 2)]]);
  await fails(f3, 'corrupt', bodyStart(f3), /cannot hold a size prefix/);
});

test('events AEDAT 4 allows but a double cannot hold: timestamp beyond 2^53 is unsupported; a negative coordinate is corrupt', async () => {
  const f1 = assemble([[0, evtsPacket([[1n, 0, 0, 0], [2n ** 53n, 1, 1, 1]])]]);
  await fails(f1, 'unsupported', bodyStart(f1), /event 1: timestamp 9007199254740992 µs is outside/);
  const f2 = assemble([[0, evtsPacket([[-(2n ** 60n), 0, 0, 0]])]]);
  await fails(f2, 'unsupported', bodyStart(f2), /event 0: timestamp -1152921504606846976/);
  const f3 = assemble([[0, evtsPacket([[1n, -3, 0, 0]])]]);
  await fails(f3, 'corrupt', bodyStart(f3), /event 0: negative coordinate \(-3, 0\)/);
});

/** xorshift32 */
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

test('mutated files (bit flips, overwritten words, cuts, insertions) decode or fail with EventFormatError only, quickly', async () => {
  const seeds = [await written('lz4'), await written('none'), await written('lz4', true)];
  const r = rng(20240601);
  let rejected = 0;
  let decoded = 0;
  for (let i = 0; i < 600; i++) {
    let b = seeds[r(seeds.length)].slice();
    for (let k = 1 + r(3); k > 0; k--) {
      const at = r(b.length);
      switch (r(5)) {
        case 0:
          b[at] ^= 1 << r(8);
          break;
        case 1:
          b.set(le32([0, -1, 0x7fffffff, 0x80000000, 0x10000, 16, 4][r(7)]).subarray(0, Math.min(4, b.length - at)), at);
          break;
        case 2:
          b = b.subarray(0, at);
          break;
        case 3:
          b = Buffer.concat([b.subarray(0, at), Uint8Array.from({ length: 1 + r(8) }, () => r(256)), b.subarray(at)]);
          break;
        default:
          b[at] = r(256);
      }
    }
    const t0 = performance.now();
    try {
      await decode(b, 1 + r(600));
      decoded++;
    } catch (e) {
      if (!(e instanceof EventFormatError)) assert.fail(`case ${i}: ${String(e)}\n${Buffer.from(b).toString('base64')}`);
      rejected++;
    }
    assert.ok(performance.now() - t0 < 2000, `case ${i} was slow`);
  }
  assert.ok(rejected > 100 && decoded > 20, `rejected ${rejected}, decoded ${decoded}`);
});
