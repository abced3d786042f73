// The preload bundle and the main side's IPC wiring, joined by fake Electron
// IPC: the bridge exposes three functions only, calls reach a real AppCore
// through the sender check and come back as ApiErrors with their codes,
// topics are pushed only when subscribed, media frames travel over the
// MessagePort with their buffers transferred, and event chunks reach the
// page's event-feed worker over their own port, handed over on request.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { build } from 'esbuild';
import { AppCore } from '../../src-main/app/core';
import { TopicHub } from '../../src-main/app/topics';
import { CHANNEL, type NeuroliveBridge } from '../../src-main/electron/channels';
import { wireIpc } from '../../src-main/electron/ipc';
import { createApi } from '../../src-main/ipc/client';
import { ApiError, type MediaName, type MethodName, type NeuroliveApi, type TopicName, type Topics } from '../../src-main/ipc/contract';
import { bridgeTransport, requestEventsPort, type PortWindow } from '../../src-renderer/src/transport/electron';

type Listener = (event: unknown, ...args: unknown[]) => unknown;

/** Electron's MessagePortMain emits {data}; wrap a Node port to look like it. */
class FakeChannelMain {
  readonly port1: { on(ev: 'message', l: (e: { data: unknown }) => void): void; start(): void; close(): void; postMessage(m: unknown): void };
  readonly port2: MessagePort;
  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port1 = {
      on: (_ev, l) => void port1.on('message', (data) => l({ data })),
      start: () => port1.start(),
      close: () => port1.close(),
      postMessage: (m) => port1.postMessage(m),
    };
    this.port2 = port2;
  }
}

let dir: string;
let core: AppCore;
const hub = new TopicHub();
const media: { name: MediaName; payload: unknown }[] = [];
let mediaArrived: (() => void) | null = null;
let bridge: NeuroliveBridge;
let api: NeuroliveApi;
let frame = { url: 'app://neurolive/index.html' };
const rendererListeners = new Map<string, Set<Listener>>();
const sentToMain: string[] = [];
/** the page's window as the preload and the page see it: window messages are delivered as tasks, like a browser's */
type WindowListener = (e: { source: unknown; data: unknown; ports: readonly object[] }) => void;
const windowListeners = new Set<WindowListener>();
const fakeWindow: PortWindow & { postMessage(m: unknown, origin: string, transfer?: object[]): void } = {
  addEventListener: (_t, l) => void windowListeners.add(l),
  removeEventListener: (_t, l) => void windowListeners.delete(l),
  postMessage: (data: unknown, _origin: string, transfer: object[] = []) => setImmediate(() => { for (const l of [...windowListeners]) l({ source: fakeWindow, data, ports: transfer }); }),
};
let dispose: () => void;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'neurolive-bridge-'));
  core = await AppCore.create({ userDataDir: dir, resourcesDir: join(import.meta.dirname, '../../resources'), runtime: 'electron', version: '1.2.3', autoStart: false });

  const handlers = new Map<string, Listener>();
  const mainListeners = new Map<string, Listener[]>();
  const webContents = {
    get mainFrame() {
      return frame;
    },
    isDestroyed: () => false,
    send: (channel: string, payload: unknown) => emitToRenderer(channel, {}, payload),
    postMessage: (channel: string, message: unknown, ports: MessagePort[]) => emitToRenderer(channel, { ports }, message),
  };
  function emitToRenderer(channel: string, event: unknown, ...args: unknown[]): void {
    for (const l of rendererListeners.get(channel) ?? []) l(event, ...args);
  }
  const event = () => ({ sender: webContents, senderFrame: frame });
  const ipcMain = {
    handle: (ch: string, fn: Listener) => void handlers.set(ch, fn),
    on: (ch: string, fn: Listener) => {
      mainListeners.set(ch, [...(mainListeners.get(ch) ?? []), fn]);
      return ipcMain;
    },
    removeHandler: (ch: string) => void handlers.delete(ch),
    removeAllListeners: (ch: string) => {
      mainListeners.delete(ch);
      return ipcMain;
    },
  };
  const ipcRenderer = {
    invoke: async (ch: string, ...args: unknown[]) => handlers.get(ch)!(event(), ...args),
    send: (ch: string, ...args: unknown[]) => {
      sentToMain.push(ch);
      for (const l of mainListeners.get(ch) ?? []) l(event(), ...args);
    },
    on: (ch: string, l: Listener) => {
      if (!rendererListeners.has(ch)) rendererListeners.set(ch, new Set());
      rendererListeners.get(ch)!.add(l);
    },
    removeListener: (ch: string, l: Listener) => rendererListeners.get(ch)?.delete(l),
  };
  const exposed: Record<string, unknown> = {};
  const contextBridge = { exposeInMainWorld: (key: string, value: unknown) => void (exposed[key] = value) };

  dispose = wireIpc({
    ipcMain: ipcMain as never,
    MessageChannelMain: FakeChannelMain as never,
    core: {
      invoke: (m: MethodName, a: unknown) => core.invoke(m, a),
      on: <T extends TopicName>(t: T, l: (p: Topics[T]) => void) => hub.on(t, l),
      media: (name: MediaName, payload: unknown) => {
        media.push({ name, payload });
        mediaArrived?.();
      },
    },
    contents: () => webContents as never,
    trustedOrigins: ['app://neurolive'],
    log: () => undefined,
  });

  // the preload exactly as shipped: one CommonJS bundle needing only 'electron'
  const out = await build({ entryPoints: [join(import.meta.dirname, '../../src-main/preload.ts')], bundle: true, format: 'cjs', platform: 'browser', external: ['electron'], write: false, logLevel: 'silent' });
  const code = out.outputFiles[0].text;
  const required: string[] = [];
  const fakeRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', 'globalThis', code)(fakeRequire, module, module.exports, fakeWindow);
  assert.deepEqual(required, ['electron']);
  assert.deepEqual(Object.keys(exposed), ['neurolive']);
  bridge = exposed['neurolive'] as NeuroliveBridge;
  api = createApi(bridgeTransport(bridge));
});

after(async () => {
  dispose?.();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the bridge is three functions and nothing else; the preload said hello and got its media port', () => {
  assert.deepEqual(Object.keys(bridge).sort(), ['invoke', 'send', 'subscribe']);
  for (const v of Object.values(bridge)) assert.equal(typeof v, 'function');
  assert.equal(sentToMain[0], CHANNEL.hello);
});

test('calls reach the core; errors keep their code across the bridge', async () => {
  assert.deepEqual(await api.appInfo(), { name: 'Neurolive', version: '1.2.3', runtime: 'electron', platform: process.platform });
  await assert.rejects(api.renameClass({ classId: -1, name: '' }), (e: unknown) => e instanceof ApiError && e.code === 'invalid-argument' && /classId|name/.test(e.message));
  // the raw envelope, as the page sees it
  assert.deepEqual(await bridge.invoke('nope', undefined), { ok: false, error: { code: 'not-found', message: 'unknown method "nope"' } });
});

test('a page from another origin is refused before its arguments are looked at', async () => {
  frame = { url: 'https://evil.example/' };
  try {
    await assert.rejects(api.appInfo(), (e: unknown) => e instanceof ApiError && e.code === 'forbidden');
  } finally {
    frame = { url: 'app://neurolive/index.html' };
  }
  assert.equal((await api.appInfo()).runtime, 'electron');
});

test('topics are pushed only while subscribed, to the listener only (never the IPC event)', async () => {
  const got: unknown[][] = [];
  const off = api.on('prediction', (...args: unknown[]) => got.push(args));
  const p = { tUs: 1, window: 2, labels: ['a'], colours: ['#ffffff'], scores: [1], top: 0, unknown: false };
  hub.emit('nsoc', { window: 1, sparsity: [], layerNames: [], opsExecuted: 0, macsDense: 0, inferenceMs: 0, energyMicroJ: 0, powerMilliW: 0 });
  hub.emit('prediction', p);
  assert.deepEqual(got, [[p]]);
  assert.equal(rendererListeners.get(CHANNEL.topicPrefix + 'nsoc')?.size ?? 0, 0);
  assert.equal(hub.has('prediction'), true);
  assert.equal(hub.has('nsoc'), false, 'main holds core subscriptions only for what the page listens to');
  off();
  assert.equal(hub.has('prediction'), false);
  hub.emit('prediction', p);
  assert.equal(got.length, 1);
  assert.equal(rendererListeners.get(CHANNEL.topicPrefix + 'prediction')?.size, 0);
});

test('media frames go over the MessagePort with their buffers transferred', async () => {
  const luma = new Uint8Array(32 * 24).map((_, i) => i);
  const copy = luma.slice();
  const arrived = new Promise<void>((resolve) => (mediaArrived = resolve));
  api.send('video', { timestampUs: 9, width: 32, height: 24, luma });
  assert.equal(luma.byteLength, 0, 'the buffer was copied, not transferred');
  await arrived;
  assert.equal(media[0].name, 'video');
  assert.deepEqual((media[0].payload as { luma: Uint8Array }).luma, copy);
  // unknown media streams are dropped by the main side
  api.send('files' as MediaName, { path: '/etc/passwd' } as never);
  api.send('audio', { timestampUs: 10, sampleRate: 16000, pcm: new Float32Array([0.25]) });
  await new Promise<void>((resolve) => (mediaArrived = resolve));
  assert.deepEqual(media.map((m) => m.name), ['video', 'audio']);
});

test('event chunks go to the page over their own port, handed over when the page asks, flowing only while subscribed', async () => {
  // main answered hello with the port before the page asked: the preload kept it
  const port = (await requestEventsPort(fakeWindow)) as MessagePort;
  const got: Topics['events'][] = [];
  let arrived: (() => void) | null = null;
  port.on('message', (c: Topics['events']) => {
    got.push(c);
    arrived?.();
  });
  const chunk = (k: number): Topics['events'] => ({ t0Us: k, width: 4, height: 3, total: 2, t: new Float32Array([0, k]), x: new Uint16Array([1, 2]), y: new Uint16Array([0, 2]), p: new Uint8Array([1, 0]) });
  hub.emit('events', chunk(1));
  assert.equal(hub.has('events'), false, 'nothing flows before the worker subscribes');
  port.postMessage({ subscribe: true });
  await until(() => hub.has('events'));
  const first = new Promise<void>((r) => (arrived = r));
  hub.emit('events', chunk(2));
  await first;
  assert.deepEqual(got, [chunk(2)]);
  assert.equal(rendererListeners.get(CHANNEL.topicPrefix + 'events')?.size ?? 0, 0, 'not over the page\'s topic channel');
  port.postMessage({ subscribe: false });
  await until(() => !hub.has('events'));
  hub.emit('events', chunk(3));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(got.length, 1);
  port.close();
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'timed out waiting');
}
