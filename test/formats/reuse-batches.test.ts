// ReadOptions.reuseBatches: every reader hands out views of one set of
// columns (no allocation per batch) and still yields exactly the events of a
// default read, batch by batch, when each batch is used before the next.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchBuilder, concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents } from '../../src-engine/events/stream';
import { openEventStream, WRITERS } from '../../src-engine/formats/registry';
import { memorySink } from '../../src-engine/node/file-io';

function sampleEvents(n: number): EventBatch {
  const b = new BatchBuilder(n);
  let t = 1000;
  for (let i = 0; i < n; i++) {
    t += (i * 7919) % 13;
    b.t[i] = t;
    b.x[i] = (i * 31) % 300;
    b.y[i] = (i * 17) % 200;
    b.p[i] = (i >> 2) & 1;
  }
  return b.take(n);
}

const copyOf = (b: EventBatch) => ({ t: b.t.slice(), x: b.x.slice(), y: b.y.slice(), p: b.p.slice(), length: b.length });

for (const writer of WRITERS) {
  test(`${writer.id}: reuseBatches yields the same events from one set of columns`, async () => {
    const events = sampleEvents(2500);
    const sink = memorySink();
    const w = writer.create({ width: 320, height: 240 }, sink);
    await w.write(events);
    await w.close();
    const bytes = sink.bytes();
    const expected = await collectEvents(await openEventStream([bytes], 'x', { format: writer.id, batchSize: 1000 }));
    assert.equal(expected.length, 2500);
    const copies: EventBatch[] = [];
    const buffers = new Set<ArrayBufferLike>();
    const kept: EventBatch[] = [];
    for await (const b of await openEventStream([bytes], 'x', { format: writer.id, batchSize: 1000, reuseBatches: true })) {
      copies.push(copyOf(b));
      kept.push(b);
      buffers.add(b.t.buffer);
    }
    assert.ok(kept.length >= 3, `${kept.length} batches`);
    assert.deepEqual(concatBatches(copies), expected);
    if (writer.id !== 'npy') assert.equal(buffers.size, 1, 'every batch is a view of the same columns'); // npy column files are sliced, not built
    // the point of the option: kept batches are overwritten by later ones
    const firstKept = kept[0];
    if (writer.id !== 'npy') assert.notDeepEqual(copyOf(firstKept), copies[0]);
  });
}

test('BatchBuilder: by default each take hands over columns of its own; with reuse the same ones', () => {
  const fresh = new BatchBuilder(4);
  fresh.t[0] = 1;
  const a = fresh.take(1);
  fresh.t[0] = 2;
  assert.equal(a.t[0], 1);
  assert.equal(fresh.take(1).t[0], 2);
  const reused = new BatchBuilder(4, true);
  reused.t[0] = 1;
  const b = reused.take(1);
  reused.t[0] = 2;
  assert.equal(b.t[0], 2);
  assert.equal(b.t.buffer, reused.take(1).t.buffer);
  // one buffer for all four columns, in place
  assert.equal(b.x.buffer, b.t.buffer);
  assert.deepEqual([b.t.byteOffset, b.x.byteOffset, b.y.byteOffset, b.p.byteOffset], [0, 32, 40, 48]);
});

test('BatchBuilder: columns that start small grow on ensure, keeping what was written', () => {
  const b = new BatchBuilder(100, false, 4);
  assert.equal(b.t.length, 4);
  for (let i = 0; i < 4; i++) [b.t[i], b.x[i], b.y[i], b.p[i]] = [i + 0.5, i, 2 * i, i & 1];
  b.ensure(3);
  assert.equal(b.t.length, 4);
  b.ensure(9);
  assert.equal(b.t.length, 9);
  b.ensure(60);
  assert.equal(b.t.length, 60);
  b.ensure(1000);
  assert.equal(b.t.length, 100, 'never beyond the capacity');
  const got = b.take(4);
  assert.deepEqual([...got.t], [0.5, 1.5, 2.5, 3.5]);
  assert.deepEqual([...got.y], [0, 2, 4, 6]);
  assert.deepEqual([...got.p], [0, 1, 0, 1]);
  assert.equal(b.t.length, 100, 'the next columns keep the grown size');
});

test('EVT 3.0 with reuse: vector words that overrun tiny batches carry over exactly', async () => {
  // Rows of events sharing t, y and polarity make the writer emit VECT_12/VECT_8
  // words; one word can add up to 11 events past a batch's end.
  const n = 4000;
  const b = new BatchBuilder(n);
  for (let i = 0; i < n; i++) {
    b.t[i] = 5000 + Math.floor(i / 40) * 3;
    b.x[i] = (i % 40) * 2 + (Math.floor(i / 40) % 3);
    b.y[i] = Math.floor(i / 40) % 200;
    b.p[i] = Math.floor(i / 80) & 1;
  }
  const events = b.take(n);
  const evt3 = WRITERS.find((w) => w.id === 'evt3')!;
  const sink = memorySink();
  const w = evt3.create({ width: 320, height: 240 }, sink);
  await w.write(events);
  await w.close();
  const bytes = sink.bytes();
  const expected = await collectEvents(await openEventStream([bytes], 'v.raw', { format: 'evt3' }));
  assert.deepEqual(expected, events);
  for (const batchSize of [1, 2, 3, 5, 7, 11, 12, 13, 100]) {
    for (const chunk of [bytes.length, 1001, 7]) {
      const pieces: Uint8Array[] = [];
      for (let o = 0; o < bytes.length; o += chunk) pieces.push(bytes.subarray(o, o + chunk));
      const copies: EventBatch[] = [];
      for await (const batch of await openEventStream(pieces, 'v.raw', { format: 'evt3', batchSize, reuseBatches: true })) {
        assert.ok(batch.length <= batchSize, `batch of ${batch.length} > ${batchSize}`);
        copies.push(copyOf(batch));
      }
      assert.deepEqual(concatBatches(copies), expected, `batchSize ${batchSize}, chunks of ${chunk}`);
    }
  }
});
