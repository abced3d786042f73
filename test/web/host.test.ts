// The browser host end to end in Node: a real AppCore behind startWebHost on
// an ephemeral port, driven by `ws` clients (raw frames) and by the
// renderer's own WebSocket transport + createApi.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { AppCore } from '../../src-main/app/core';
import { TopicHub } from '../../src-main/app/topics';
import { createApi } from '../../src-main/ipc/client';
import { ApiError, type EventChunk, type MediaName, type MethodName, type TopicName, type Topics } from '../../src-main/ipc/contract';
import { startWebHost, type HostedCore, type WebHost, type WebHostOptions } from '../../src-main/web/host';
import { decodeMessage, encodeMessage } from '../../src-main/web/wire';
import { createWebSocketTransport, type ConnectionInfo, type WebSocketCtor } from '../../src-renderer/src/transport/websocket';

const TOKEN = 'a-long-enough-token-123';
let dir: string;
let core: AppCore;
/** topics come from this hub, so the tests decide exactly what is pushed */
const hub = new TopicHub();
/** the core as the host sees it, recording media */
let hosted: HostedCore & { media_: { name: MediaName; payload: unknown }[] };
const hosts: WebHost[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'neurolive-host-'));
  core = await AppCore.create({ userDataDir: dir, resourcesDir: join(import.meta.dirname, '../../resources'), runtime: 'browser', version: '9.9.9', autoStart: false });
  const media_: { name: MediaName; payload: unknown }[] = [];
  hosted = {
    media_,
    invoke: (m: MethodName, a: unknown) => core.invoke(m, a),
    on: <T extends TopicName>(t: T, l: (p: Topics[T]) => void) => hub.on(t, l),
    media: (name: MediaName, payload: unknown) => {
      media_.push({ name, payload });
      core.media(name, payload);
    },
  };
});
after(async () => {
  for (const h of hosts) await h.close();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

async function host(opts: Partial<WebHostOptions> = {}): Promise<WebHost> {
  const h = await startWebHost({ core: hosted, site: null, port: 0, ...opts });
  hosts.push(h);
  return h;
}

/** a raw client: resolves once open, or rejects with the HTTP status of a refused upgrade */
function connect(h: WebHost, opts: { query?: string; origin?: string; hostHeader?: string } = {}): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/api${opts.query ?? ''}`, {
    headers: { ...(opts.origin ? { Origin: opts.origin } : {}), ...(opts.hostHeader ? { Host: opts.hostHeader } : {}) },
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(new Client(ws)));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

class Client {
  private nextId = 1;
  readonly inbox: unknown[] = [];
  private waiters: { pred: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const m = decodeMessage(isBinary ? (data as Buffer) : data.toString());
      const w = this.waiters.findIndex((x) => x.pred(m));
      if (w >= 0) this.waiters.splice(w, 1)[0].resolve(m);
      else this.inbox.push(m);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }
  next(pred: (m: any) => boolean): Promise<any> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
  call(method: string, arg?: unknown): Promise<any> {
    const id = this.nextId++;
    this.ws.send(encodeMessage({ id, method, arg }));
    return this.next((m) => m.id === id);
  }
  subscribe(...topics: string[]): Promise<void> {
    this.ws.send(JSON.stringify({ subscribe: topics }));
    // a call answered after the subscribe proves the host has processed it (in-order socket)
    return this.call('getState').then(() => undefined);
  }
}

function chunk(n: number): EventChunk {
  const c: EventChunk = { t0Us: 123_456_789, width: 346, height: 260, t: new Float32Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), total: n * 3 };
  for (let i = 0; i < n; i++) {
    c.t[i] = i * 1.25;
    c.x[i] = i % 346;
    c.y[i] = (i * 31) % 260;
    c.p[i] = (i >> 3) & 1;
  }
  return c;
}

test('methods: results, readable invalid-argument errors, unknown methods', async () => {
  const h = await host();
  const c = await connect(h);
  assert.deepEqual((await c.call('appInfo')).result, { name: 'Neurolive', version: '9.9.9', runtime: 'browser', platform: process.platform });
  const bad = await c.call('startSource', { kind: 'file', path: '/x.aedat4', speed: 99 });
  assert.equal(bad.error.code, 'invalid-argument');
  assert.match(bad.error.message, /speed/);
  assert.equal((await c.call('noSuchMethod')).error.code, 'not-found');
  assert.equal((await c.call('updateSettings', { windowMs: 'fast' })).error.code, 'invalid-argument');
  c.ws.close();
});

test('topics: only subscribed ones arrive; a 200k-event EventChunk arrives as one binary frame, exact', async () => {
  const h = await host();
  const c = await connect(h);
  await c.subscribe('events', 'progress');
  const sent = chunk(200_000);
  const frames: boolean[] = [];
  c.ws.on('message', (_d, isBinary) => frames.push(isBinary));
  hub.emit('nsoc', { window: 1, sparsity: [], layerNames: [], opsExecuted: 0, macsDense: 0, inferenceMs: 0, energyMicroJ: 0, powerMilliW: 0 });
  hub.emit('events', sent);
  hub.emit('progress', { jobId: 'j', label: 'x', done: 1, total: 2, finished: false });
  const got = await c.next((m) => m.topic === 'events');
  assert.deepEqual(got.payload, sent);
  assert.ok(got.payload.t instanceof Float32Array && got.payload.x instanceof Uint16Array);
  const progress = await c.next((m) => m.topic === 'progress');
  assert.equal(progress.payload.done, 1);
  assert.deepEqual(frames, [true, false]);
  assert.equal(c.inbox.filter((m: any) => m.topic === 'nsoc').length, 0, 'an unsubscribed topic was pushed');
  // the host holds a core subscription only while a client wants the topic (the core skips unwanted work)
  assert.equal(hub.has('nsoc'), false);
  assert.equal(hub.has('events'), true);
  await c.subscribe('progress');
  assert.equal(hub.has('events'), false);
  c.ws.close();
});

test('media: binary webcam frames reach the core with their bytes', async () => {
  const h = await host();
  const c = await connect(h);
  const luma = new Uint8Array(64 * 48).map((_, i) => i * 7);
  const before = hosted.media_.length;
  c.ws.send(encodeMessage({ media: 'video', payload: { timestampUs: 5, width: 64, height: 48, luma } }));
  c.ws.send(encodeMessage({ media: 'audio', payload: { timestampUs: 6, sampleRate: 16000, pcm: new Float32Array([0.5, -0.25]) } }));
  await c.call('getState'); // in-order: both media frames were handled before this answer
  const got = hosted.media_.slice(before);
  assert.equal(got.length, 2);
  assert.equal(got[0].name, 'video');
  assert.deepEqual((got[0].payload as { luma: Uint8Array }).luma, luma);
  assert.deepEqual((got[1].payload as { pcm: Float32Array }).pcm, new Float32Array([0.5, -0.25]));
  assert.equal(core.mediaDrops.size, 0, [...core.mediaDrops.keys()].join('; '));
  c.ws.close();
});

test('beyond loopback a token is required; wrong or missing tokens are refused', async () => {
  await assert.rejects(startWebHost({ core: hosted, site: null, port: 0, host: '0.0.0.0' }), /refusing to listen on 0\.0\.0\.0 without a token/);
  await assert.rejects(startWebHost({ core: hosted, site: null, port: 0, host: '0.0.0.0', token: 'short' }), /at least 16 characters/);
  const h = await host({ host: '0.0.0.0', token: TOKEN });
  await assert.rejects(connect(h), { status: 401 });
  await assert.rejects(connect(h, { query: '?token=wrong-token-wrong-token' }), { status: 401 });
  const c = await connect(h, { query: `?token=${TOKEN}` });
  assert.equal((await c.call('appInfo')).result.runtime, 'browser');
  c.ws.close();
});

test('a foreign Origin, and a non-loopback Host on a loopback host (DNS rebinding), are refused', async () => {
  const h = await host();
  await assert.rejects(connect(h, { origin: 'http://evil.example' }), { status: 403 });
  await assert.rejects(connect(h, { origin: `http://127.0.0.1:${h.port}`, hostHeader: `evil.example:${h.port}` }), { status: 403 });
  await assert.rejects(connect(h, { origin: `http://evil.example:${h.port}`, hostHeader: `evil.example:${h.port}` }), { status: 403 });
  const same = await connect(h, { origin: `http://127.0.0.1:${h.port}` });
  same.ws.close();
  const allowedHost = await host({ allowedOrigins: ['http://controller.local:8080'] });
  const other = await connect(allowedHost, { origin: 'http://controller.local:8080' });
  other.ws.close();
  // sandboxed iframes and file:// pages send Origin: null
  await assert.rejects(connect(h, { origin: 'null' }), { status: 403 });
});

test('oversize and malformed frames close that connection only', async () => {
  const h = await host({ maxTextBytes: 1000, maxBinaryBytes: 64 * 1024 });
  const a = await connect(h);
  a.ws.send(JSON.stringify({ id: 1, method: 'appInfo', arg: 'x'.repeat(2000) }));
  assert.equal((await a.closed).code, 1009);
  const b = await connect(h);
  b.ws.send(encodeMessage({ media: 'video', payload: { luma: new Uint8Array(100_000) } }));
  assert.equal((await b.closed).code, 1009);
  const c = await connect(h);
  c.ws.send('{"id": 1, "meth');
  const closed = await c.closed;
  assert.equal(closed.code, 1002);
  assert.match(closed.reason, /not valid JSON/);
  const d = await connect(h);
  assert.equal((await d.call('appInfo')).result.name, 'Neurolive');
  assert.equal(h.stats().badFrames, 2);
  d.ws.close();
});

test('backpressure: display-rate pushes are skipped for a client that stops reading; progress still arrives', async () => {
  const h = await host({ highWaterBytes: 1 << 20 });
  const c = await connect(h);
  await c.subscribe('events', 'progress');
  const received: string[] = [];
  c.ws.on('message', (data, isBinary) => received.push((decodeMessage(isBinary ? (data as Buffer) : data.toString()) as { topic: string }).topic));
  // stop reading: the kernel buffers fill and the host's socket backs up
  (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  const big = chunk(200_000); // ~1.8 MB a push
  for (let i = 0; i < 40; i++) hub.emit('events', big);
  hub.emit('progress', { jobId: 'j', label: 'done', done: 2, total: 2, finished: true });
  const skipped = h.stats().skippedPushes;
  assert.ok(skipped > 0, 'nothing was skipped');
  (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  const done = await c.next((m) => m.topic === 'progress');
  assert.equal(done.payload.finished, true);
  assert.equal(received.filter((t) => t === 'events').length, 40 - skipped);
  c.ws.close();
});

test('the renderer transport: named API, ApiError codes, topics, media, and reconnection with subscriptions restored', async () => {
  let h = await host();
  const port = h.port;
  const transport = createWebSocketTransport({ url: `ws://127.0.0.1:${port}/api`, WebSocket: WebSocket as unknown as WebSocketCtor, initialBackoffMs: 20, maxBackoffMs: 200 });
  const api = createApi(transport);
  const states: ConnectionInfo['state'][] = [];
  const waitState = (s: ConnectionInfo['state']): Promise<void> =>
    new Promise((resolve) => {
      if (transport.info().state === s) return resolve();
      const off = transport.onState((i) => {
        if (i.state === s) {
          off();
          resolve();
        }
      });
    });
  transport.onState((i) => states.push(i.state));
  assert.equal((await api.appInfo()).runtime, 'browser'); // queued until open, then answered
  await assert.rejects(api.startSource({ kind: 'dv-tcp', host: 'x', port: 70000 }), (e: unknown) => e instanceof ApiError && e.code === 'invalid-argument' && /port/.test(e.message));

  const chunks: EventChunk[] = [];
  const off = api.on('events', (c) => chunks.push(c));
  await api.getState(); // subscription processed
  const sent = chunk(1000);
  hub.emit('events', sent);
  await api.getState();
  assert.deepEqual(chunks, [sent]);

  const before = hosted.media_.length;
  api.send('audio', { timestampUs: 1, sampleRate: 16000, pcm: new Float32Array([1, 2, 3]) });
  await api.getState();
  assert.deepEqual((hosted.media_[before].payload as { pcm: Float32Array }).pcm, new Float32Array([1, 2, 3]));

  // the host goes away and comes back on the same port
  await h.close();
  await waitState('reconnecting');
  h = await host({ port });
  await waitState('open');
  await api.getState();
  hub.emit('events', sent);
  await api.getState();
  assert.equal(chunks.length, 2, 'subscriptions were not restored after reconnecting');
  assert.deepEqual(states.slice(0, 1), ['open']);
  assert.ok(states.includes('reconnecting'));

  off();
  await api.getState();
  hub.emit('events', sent);
  await api.getState();
  assert.equal(chunks.length, 2);
  transport.close();
  await waitState('closed');
  await assert.rejects(api.appInfo(), (e: unknown) => e instanceof ApiError && e.code === 'unavailable');
});
