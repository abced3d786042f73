import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchFrom } from '../../src-engine/events/batch';
import { openEventStream, writerForPath } from '../../src-engine/formats/registry';
import { EventFormatError } from '../../src-engine/formats/errors';
import { memorySink } from '../../src-engine/node/file-io';

/** A byte source that records whether it was released (as a file handle would be). */
function trackedSource(bytes: Uint8Array, chunk = 64) {
  const state = { released: false, pulled: 0 };
  const iterable: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let o = 0;
      return {
        async next() {
          if (o >= bytes.length) {
            state.released = true;
            return { done: true, value: undefined };
          }
          state.pulled++;
          const c = bytes.subarray(o, o + chunk);
          o += chunk;
          return { done: false, value: c };
        },
        async return() {
          state.released = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, state };
}

async function aedat4Bytes(n: number): Promise<Uint8Array> {
  const sink = memorySink();
  const w = writerForPath('x.aedat4').create({ width: 32, height: 32 }, sink);
  const idx = Array.from({ length: n }, (_, i) => i);
  await w.write(batchFrom(idx.map((i) => 1000 + i), idx.map((i) => i % 32), idx.map((i) => (i * 7) % 32), idx.map((i) => i & 1)));
  await w.close();
  return sink.bytes();
}

test('a consumer that stops early releases the byte source', async () => {
  const { iterable, state } = trackedSource(await aedat4Bytes(200_000), 4096);
  const stream = await openEventStream(iterable, 'early.aedat4', { batchSize: 1000 });
  for await (const b of stream) {
    assert.ok(b.length > 0);
    break;
  }
  assert.equal(state.released, true);
});

test('a header error releases the byte source', async () => {
  const bytes = new TextEncoder().encode('#!AER-DAT4.0\r\n\xff\xff');
  const { iterable, state } = trackedSource(bytes);
  await assert.rejects(openEventStream(iterable, 'bad.aedat4'), EventFormatError);
  assert.equal(state.released, true);
});

test('a fully read stream has released its source', async () => {
  const { iterable, state } = trackedSource(await aedat4Bytes(5_000), 1000);
  let n = 0;
  for await (const b of await openEventStream(iterable, 'all.aedat4')) n += b.length;
  assert.equal(n, 5_000);
  assert.equal(state.released, true);
});

test('unknown output extensions are refused with the list of known ones', () => {
  assert.throws(() => writerForPath('out.mp4'), /cannot tell the output format from 'out\.mp4': use one of .*\.aedat4/);
  assert.equal(writerForPath('x.AEDAT').id, 'aedat4');
  assert.equal(writerForPath('x.raw').id, 'evt3');
  assert.equal(writerForPath('x.evt2').id, 'evt2');
});

test('a stream reads its source once: a second iteration is refused', async () => {
  const stream = await openEventStream([await aedat4Bytes(100)], 'twice.aedat4');
  let n = 0;
  for await (const b of stream) n += b.length;
  assert.equal(n, 100);
  assert.throws(() => stream[Symbol.asyncIterator](), /twice\.aedat4: an event stream can be iterated only once/);
});
