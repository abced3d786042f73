// DV network client against a local TCP server replaying a real AEDAT 4
// recording with DV's framing (IOHeader then packets, no version line), with
// fault injection: disconnects, garbage, a stall, a refused port.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { collectEvents } from '../../src-engine/events/stream';
import { createAedat4Writer } from '../../src-engine/formats/aedat4/aedat4';
import { memorySink } from '../../src-engine/node/file-io';
import { openEventFile } from '../../src-engine/node/open-file';
import type { SourceStatus } from '../../src-main/ipc/contract';
import { DvTcpSource } from '../../src-main/sources/dv-tcp';
import type { SourceSink } from '../../src-main/sources/types';
import { waitFor } from '../pipeline/wait';
import { loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';

const NAME = 'dvxplorer_sample.aedat4';
/** the stream as DV sends it, and where each packet starts */
let stream: Uint8Array;
let packetStarts: number[] = [];

async function dvStream(): Promise<void> {
  const file = await openEventFile(sharedPath(NAME));
  const events = await collectEvents(file);
  const sink = memorySink();
  const w = createAedat4Writer({ width: file.info.width, height: file.info.height, source: 'test' }, sink);
  await w.write(events);
  await w.close();
  const bytes = sink.bytes();
  stream = bytes.subarray(14); // no "#!AER-DAT4.0\r\n" on the network
  const dv = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let o = 4 + dv.getUint32(0, true);
  while (o < stream.length) {
    packetStarts.push(o);
    o += 8 + dv.getInt32(o + 4, true);
  }
  assert.equal(o, stream.length);
}

type Behaviour = 'full' | 'half-close' | 'garbage' | 'stall' | 'full-open';

/** A server whose n-th connection behaves as plan[n] (the last repeats). */
async function server(plan: Behaviour[]): Promise<{ port: number; server: Server; connections: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const s = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    const b = plan[Math.min(state.connections, plan.length - 1)];
    state.connections++;
    const halfAt = packetStarts[Math.floor(packetStarts.length / 2)];
    if (b === 'full') sock.end(stream);
    else if (b === 'full-open') sock.write(stream);
    else if (b === 'half-close') sock.end(stream.subarray(0, halfAt));
    else if (b === 'stall') sock.write(stream.subarray(0, packetStarts[2]));
    else if (b === 'garbage') {
      const junk = new Uint8Array(4096);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff;
      sock.end(junk);
    }
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const state = {
    port: (s.address() as { port: number }).port,
    server: s,
    connections: 0,
    close: async () => {
      for (const k of sockets) k.destroy();
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
  return state;
}

function sink() {
  const statuses: SourceStatus[] = [];
  let events = 0, first = NaN, last = NaN, discontinuities = 0;
  const k: SourceSink = {
    events(b) {
      if (Number.isNaN(first)) first = b.t[0];
      last = b.t[b.length - 1];
      events += b.length;
    },
    video() {},
    audio() {},
    status(s) {
      statuses.push(s);
    },
    discontinuity() {
      discontinuities++;
    },
  };
  return { k, statuses, get events() { return events; }, get first() { return first; }, get last() { return last; }, get discontinuities() { return discontinuities; } };
}

describe('DV TCP source', { skip: skipWithoutSharedData }, () => {
  before(dvStream);
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup) await c();
  });

  it('receives every event of a recording sent with DV framing, geometry from the IOHeader', async () => {
    const truth = loadTruth(NAME);
    const srv = await server(['full-open']);
    cleanup.push(srv.close);
    const src = new DvTcpSource({ host: '127.0.0.1', port: srv.port });
    const s = sink();
    await src.start(s.k);
    await waitFor(() => s.events === truth.count, 'all events');
    assert.equal(src.status().state, 'live');
    assert.deepEqual([src.status().width, src.status().height], [320, 240]);
    assert.equal(s.first, truth.first[0][0]);
    assert.equal(s.last, truth.last[truth.last.length - 1][0]);
    assert.deepEqual(s.statuses.map((x) => x.state).slice(0, 2), ['connecting', 'live']);
    await src.stop();
    assert.equal(src.status().state, 'idle');
  });

  it('a dropped connection shows reconnecting with the reason, then reconnects', async () => {
    const srv = await server(['half-close', 'full-open']);
    cleanup.push(srv.close);
    const src = new DvTcpSource({ host: '127.0.0.1', port: srv.port, initialBackoffMs: 20 });
    const s = sink();
    await src.start(s.k);
    const r = await waitFor(() => s.statuses.find((x) => x.state === 'reconnecting'), 'reconnecting');
    assert.match(r.error!, /closed the connection|ends|truncated/i);
    await waitFor(() => src.connections === 2 && src.status().state === 'live', 'the second connection');
    assert.ok(s.discontinuities >= 2, 'the pipeline restarts its windows on each connection');
    await src.stop();
  });

  it('garbage from the server: a readable reason, no crash, and recovery when the stream is good again', async () => {
    const srv = await server(['garbage', 'garbage', 'full-open']);
    cleanup.push(srv.close);
    const src = new DvTcpSource({ host: '127.0.0.1', port: srv.port, initialBackoffMs: 10 });
    const s = sink();
    await src.start(s.k);
    const r = await waitFor(() => s.statuses.find((x) => x.state === 'reconnecting'), 'reconnecting after garbage');
    assert.match(r.error!, /DV stream 127\.0\.0\.1:\d+/);
    assert.match(r.error!, /IOHeader|byte|limit|corrupt|flatbuffer/i);
    await waitFor(() => src.status().state === 'live' && s.events > 0, 'live after the garbage');
    assert.equal(src.failures.length, 2);
    await src.stop();
  });

  it('a stalled stream (socket open, no bytes) is detected and reconnected', async () => {
    const srv = await server(['stall', 'full-open']);
    cleanup.push(srv.close);
    const src = new DvTcpSource({ host: '127.0.0.1', port: srv.port, stallMs: 200, initialBackoffMs: 10 });
    const s = sink();
    await src.start(s.k);
    const r = await waitFor(() => s.statuses.find((x) => x.state === 'reconnecting'), 'stall detection');
    assert.match(r.error!, /no data for 0\.2 s \(stream stalled\)/);
    await waitFor(() => srv.connections === 2 && src.status().state === 'live', 'the reconnection');
    await src.stop();
  });

  it('nothing listening: reconnecting with exponential backoff, capped', async () => {
    const srv = await server(['full']);
    const port = srv.port;
    await srv.close(); // the port is now closed
    const src = new DvTcpSource({ host: '127.0.0.1', port, initialBackoffMs: 5, maxBackoffMs: 40 });
    const s = sink();
    await src.start(s.k);
    await waitFor(() => src.failures.length >= 6, 'six failed attempts');
    assert.match(src.status().error!, /nothing listens at 127\.0\.0\.1:\d+ \(connection refused\); retrying in/);
    assert.equal(src.nextBackoffMs, 40, 'the backoff doubles up to its cap');
    await src.stop();
    assert.equal(src.status().state, 'idle');
  });
});
