// AEDAT 4 with reuseBatches: LZ4 packets are unpacked straight into batch
// columns in the WebAssembly memory and each batch is a view of them. The
// events, batch boundaries and errors must be exactly those of the copying
// WebAssembly path and of the JavaScript path, whatever the batch size.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { batchFrom, concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents } from '../../src-engine/events/stream';
import { type Aedat4StreamOptions, createAedat4Writer, openAedat4Stream } from '../../src-engine/formats/aedat4/aedat4';
import { buildIOHeader } from '../../src-engine/formats/aedat4/ioheader';
import { Lz4FrameEncoder } from '../../src-engine/formats/aedat4/lz4-frame';
import { MAX_DIRECT_BATCH } from '../../src-engine/formats/aedat4/lz4-kernel';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';
import { memorySink } from '../../src-engine/node/file-io';
import { evtsPacket } from '../support/aedat4-evts';
import { SHARED_EVENTS_DIR, skipWithoutSharedData } from '../support/shared-data';

const copyOf = (b: EventBatch): EventBatch => ({ t: b.t.slice(), x: b.x.slice(), y: b.y.slice(), p: b.p.slice(), length: b.length });

/** Every batch, copied as it comes (views are only valid until the next one). */
async function batches(bytes: Uint8Array, opts: Aedat4StreamOptions, chunk = 0): Promise<EventBatch[]> {
  const parts = chunk > 0 ? Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) => bytes.subarray(i * chunk, (i + 1) * chunk)) : [bytes];
  const out: EventBatch[] = [];
  for await (const b of await openAedat4Stream(new ByteReader(parts, 'direct.aedat4'), opts)) out.push(copyOf(b));
  return out;
}

function sampleEvents(n: number, seed: number): EventBatch {
  let a = seed >>> 0;
  const r = () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
  let t = 1_700_000_000_000_000;
  const ts: number[] = [];
  for (let i = 0; i < n; i++) ts.push((t += (r() * 30) | 0));
  return batchFrom(ts, ts.map(() => (r() * 640) | 0), ts.map(() => (r() * 480) | 0), ts.map(() => (r() < 0.5 ? 1 : 0)));
}

async function lz4File(events: EventBatch, packetEvents: number): Promise<Uint8Array> {
  const sink = memorySink();
  const w = createAedat4Writer({ width: 640, height: 480 }, sink, { packetEvents });
  await w.write(events);
  await w.close();
  return sink.bytes();
}

test('reuseBatches (columns in WebAssembly memory) == copying WebAssembly path == JavaScript path, batch by batch', async () => {
  for (const packetEvents of [1, 333, 4096, 10_000]) {
    const events = sampleEvents(packetEvents === 1 ? 1500 : 12_000, packetEvents); // one-event packets are slow to read
    const file = await lz4File(events, packetEvents);
    for (const batchSize of [7, 999, 4096, 65_536, MAX_DIRECT_BATCH, MAX_DIRECT_BATCH + 1]) {
      for (const flushPackets of [false, true]) {
        if (flushPackets && batchSize >= MAX_DIRECT_BATCH) continue; // adds nothing but time
        const direct = await batches(file, { batchSize, reuseBatches: true, flushPackets }, 4093);
        const copied = await batches(file, { batchSize, flushPackets });
        const js = await batches(file, { batchSize, reuseBatches: true, flushPackets, lz4: 'js' });
        const what = `${packetEvents} events a packet, batches of ${batchSize}, flushPackets ${flushPackets}`;
        assert.deepEqual(direct, copied, what);
        assert.deepEqual(js, copied, what);
        assert.deepEqual(concatBatches(direct), events, what);
      }
    }
  }
});

test('reuseBatches: batches are views of one set of columns in the kernel memory, reused batch after batch', async () => {
  const file = await lz4File(sampleEvents(10_000, 3), 4096);
  const kept: EventBatch[] = [];
  const copies: EventBatch[] = [];
  for await (const b of await openAedat4Stream(ByteReader.fromBytes(file), { batchSize: 3000, reuseBatches: true })) {
    kept.push(b);
    copies.push(copyOf(b));
  }
  assert.deepEqual(copies.map((b) => b.length), [3000, 3000, 3000, 1000]);
  assert.equal(new Set(kept.map((b) => b.t.buffer)).size, 1);
  assert.equal(kept[0].t.byteOffset, kept[1].t.byteOffset);
  assert.notDeepEqual(copyOf(kept[0]), copies[0], 'a kept batch is overwritten by the next one');
});

/** An LZ4 file of one EVTS packet holding these raw events. */
function lz4Packet(rows: ReadonlyArray<[bigint, number, number, number]>): Uint8Array {
  const payload = new Lz4FrameEncoder().encode(evtsPacket(rows)).slice();
  const xml = '<dv version="2.0"><node name="outInfo" path="/outInfo/"><node name="0" path="/outInfo/0/"><attr key="typeIdentifier" type="string">EVTS</attr></node></node></dv>';
  const header = buildIOHeader({ compression: 1, dataTablePosition: -1, infoNode: xml }).bytes;
  const size = new Uint8Array(new Uint32Array([header.length]).buffer);
  const packetHead = new Uint8Array(new Int32Array([0, payload.length]).buffer);
  return Buffer.concat([new TextEncoder().encode('#!AER-DAT4.0\r\n'), size, header, packetHead, payload]);
}

test('reuseBatches: events a double cannot hold fail with the same error on every path', async () => {
  const ok: [bigint, number, number, number][] = Array.from({ length: 50 }, (_, i) => [BigInt(i), i, i, i & 1]);
  for (const [bad, kind, reason] of [
    [[2n ** 53n, 1, 1, 1], 'unsupported', /event 37: timestamp 9007199254740992 µs is outside/],
    [[-(2n ** 53n) - 1n, 1, 1, 1], 'unsupported', /event 37: timestamp -9007199254740993 µs/],
    [[5n, 2, -7, 0], 'corrupt', /event 37: negative coordinate \(2, -7\)/],
  ] as const) {
    const file = lz4Packet([...ok.slice(0, 37), bad as [bigint, number, number, number], ...ok.slice(37)]);
    const messages = new Set<string>();
    for (const opts of [{ reuseBatches: true }, { reuseBatches: true, batchSize: 10 }, {}, { lz4: 'js' as const, reuseBatches: true }]) {
      await assert.rejects(
        (async () => {
          for await (const _ of await openAedat4Stream(ByteReader.fromBytes(file, 'bad.aedat4'), opts));
        })(),
        (e: unknown) => {
          assert.ok(e instanceof EventFormatError, String(e));
          assert.equal(e.kind, kind);
          assert.match(e.reason, reason);
          messages.add(`${e.kind} ${e.offset} ${e.reason}`);
          return true;
        },
      );
    }
    assert.equal(messages.size, 1, [...messages].join('\n'));
  }
});

test('the real DVXplorer recording: reuseBatches gives the events of a default read', { skip: skipWithoutSharedData }, async () => {
  const bytes = new Uint8Array(readFileSync(join(SHARED_EVENTS_DIR, 'dvxplorer_sample.aedat4')));
  const expected = await collectEvents(await openAedat4Stream(ByteReader.fromBytes(bytes)));
  for (const batchSize of [1000, 65_536]) {
    const direct = await batches(bytes, { batchSize, reuseBatches: true });
    assert.deepEqual(concatBatches(direct), expected);
  }
});

test('pooled kernel buffers: streams side by side, one after another, after a failed or abandoned one, decode the same', async () => {
  const a = await lz4File(sampleEvents(12_000, 11), 4096);
  const b = await lz4File(sampleEvents(9_000, 12), 333);
  const expectA = await batches(a, { batchSize: 2500 });
  const expectB = await batches(b, { batchSize: 2500 });
  const opts = { batchSize: 2500, reuseBatches: true };
  // side by side: each stream has a buffer of its own
  const ia = (await openAedat4Stream(ByteReader.fromBytes(a), opts))[Symbol.asyncIterator]();
  const ib = (await openAedat4Stream(ByteReader.fromBytes(b), opts))[Symbol.asyncIterator]();
  const gotA: EventBatch[] = [];
  const gotB: EventBatch[] = [];
  for (let doneA = false, doneB = false; !doneA || !doneB; ) {
    if (!doneA) {
      const r = await ia.next();
      if (r.done) doneA = true;
      else gotA.push(copyOf(r.value));
    }
    if (!doneB) {
      const r = await ib.next();
      if (r.done) doneB = true;
      else gotB.push(copyOf(r.value));
    }
  }
  assert.deepEqual(gotA, expectA);
  assert.deepEqual(gotB, expectB);
  // a stream that fails inside an LZ4 block, and one abandoned after its first batch, hand their buffers back
  const broken = a.slice(0, a.length - 9000);
  await assert.rejects(batches(broken, opts), EventFormatError);
  for await (const _ of await openAedat4Stream(ByteReader.fromBytes(b), opts)) break;
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await batches(a, opts), expectA);
    assert.deepEqual(await batches(b, opts), expectB);
  }
});
