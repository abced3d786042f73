// The page's live event feed (src-renderer/src/live/event-feed.ts and
// event-feed-port.ts) over real MessageChannels: every view gets every chunk
// intact and in order, the page's chunk is never touched, buffers go round
// and are reused instead of allocated per chunk, and views can come and go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventChunk } from '../../src-main/ipc/contract';
import { EventFeed } from '../../src-renderer/src/live/event-feed';
import { packChunk, PACKED_BYTES_PER_EVENT, receiveEventFeed, unpackChunk, type FeedPort } from '../../src-renderer/src/live/event-feed-port';

function chunk(seed: number, n: number, w = 346, h = 260): EventChunk {
  const c: EventChunk = { t0Us: seed * 1000, width: w, height: h, total: n * 2, t: new Float32Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    c.t[i] = i * 0.5 + seed;
    c.x[i] = (i * 7 + seed) % w;
    c.y[i] = (i * 13 + seed) % h;
    c.p[i] = (i + seed) & 1;
  }
  return c;
}

const plain = (c: EventChunk) => ({ t0Us: c.t0Us, width: c.width, height: c.height, total: c.total, t: [...c.t], x: [...c.x], y: [...c.y], p: [...c.p] });

/** a feed whose `events` topic the test drives, with one simulated view per attach (same thread, real ports) */
function harness() {
  let listener: ((c: EventChunk) => void) | null = null;
  const feed = new EventFeed({
    subscribe: (l) => {
      listener = l;
      return () => (listener = null);
    },
  });
  const view = () => {
    const got: ReturnType<typeof plain>[] = [];
    const { port1, port2 } = new MessageChannel();
    const link = { detach: feed.attach(port1 as unknown as FeedPort) };
    receiveEventFeed(port2 as unknown as FeedPort, (c) => got.push(plain(c)));
    return { got, link };
  };
  return { feed, view, emit: (c: EventChunk) => listener?.(c), subscribed: () => listener !== null };
}

const settle = () => new Promise((r) => setTimeout(r, 20));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await settle();
  assert.ok(cond(), 'timed out waiting');
}

test('pack / unpack: one buffer, columns at their offsets, views from a larger buffer copied exactly', () => {
  const c = chunk(3, 11);
  // columns that are views into larger buffers, as the wire decoder hands them out
  const t = new Float32Array(40);
  t.set(c.t, 7);
  const view: EventChunk = { ...c, t: t.subarray(7, 18) };
  const k = packChunk(view, new ArrayBuffer(11 * PACKED_BYTES_PER_EVENT));
  assert.equal(k.n, 11);
  assert.deepEqual(plain(unpackChunk(k)), plain(c));
  assert.throws(() => packChunk(c, new ArrayBuffer(11 * PACKED_BYTES_PER_EVENT - 1)), /needs 99 bytes/);
});

test('every view gets every chunk in order, intact; the page chunk is untouched', async () => {
  const h = harness();
  const a = h.view();
  const b = h.view();
  const sent: EventChunk[] = [];
  for (let k = 0; k < 30; k++) {
    const c = chunk(k, 100 + ((k * 997) % 3000));
    sent.push(c);
    h.emit(c);
    // bursts of up to three: within what a view may have in flight
    if (k % 3 === 2) await until(() => b.got.length === k + 1);
  }
  await until(() => b.got.length === 30);
  assert.deepEqual(h.feed.skipped(), [0, 0]);
  assert.equal(a.got.length, 30);
  assert.deepEqual(a.got, sent.map(plain));
  assert.deepEqual(b.got, sent.map(plain));
  assert.equal(sent[29].x.length, sent[29].t.length, 'the page chunk is not detached');
  a.link.detach();
  b.link.detach();
});

test('buffers are reused: a steady stream allocates a handful, not one per chunk', async () => {
  const h = harness();
  const a = h.view();
  const b = h.view();
  for (let k = 0; k < 201; k++) {
    h.emit(chunk(k, 5000));
    // views that keep up: three chunks in flight at most, then everything is handed back
    if (k % 3 === 2) {
      await until(() => b.got.length === k + 1);
      await settle();
    }
  }
  await settle();
  assert.equal(a.got.length, 201);
  assert.equal(b.got.length, 201);
  assert.ok(h.feed.allocated <= 8, `allocated ${h.feed.allocated} buffers for 201 chunks`);
  assert.ok(h.feed.allocated >= 1);
  a.link.detach();
  b.link.detach();
});

test('views come and go: a detached view gets nothing more, the others go on, the topic is dropped with the last', async () => {
  const h = harness();
  const a = h.view();
  const b = h.view();
  assert.ok(h.subscribed());
  h.emit(chunk(1, 50));
  await settle();
  a.link.detach();
  a.link.detach(); // twice is harmless
  h.emit(chunk(2, 50));
  await settle();
  assert.equal(a.got.length, 1);
  assert.equal(b.got.length, 2, 'the second view still gets chunks after the first left the chain');
  const c = h.view();
  h.emit(chunk(3, 50));
  await settle();
  assert.deepEqual(c.got, [plain(chunk(3, 50))]);
  b.link.detach();
  c.link.detach();
  assert.equal(h.subscribed(), false, 'no view: no subscription');
  h.emit(chunk(4, 50)); // nobody listens: nothing happens
});

test('a view that falls behind skips chunks instead of queueing them; the others still get every chunk', async () => {
  const h = harness();
  const fast = h.view();
  // a stalled view: receives, but hands nothing back until released
  const { port1, port2 } = new MessageChannel();
  const detachSlow = h.feed.attach(port1 as unknown as FeedPort);
  const held: { data: unknown }[] = [];
  (port2 as unknown as FeedPort).onmessage = (e) => void held.push(e);
  for (let k = 0; k < 20; k++) {
    h.emit(chunk(k, 100));
    await until(() => fast.got.length === k + 1);
  }
  await settle();
  assert.equal(held.length, 3, 'the stalled view holds 3 chunks at most');
  assert.deepEqual(h.feed.skipped(), [0, 17]);
  assert.deepEqual(fast.got, Array.from({ length: 20 }, (_, k) => plain(chunk(k, 100))));
  assert.ok(h.feed.allocated <= 20);
  fast.link.detach();
  detachSlow();
});
