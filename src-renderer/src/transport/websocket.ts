/**
 * The contract's Transport over the browser host's WebSocket (wire format:
 * src-main/web/wire.ts). Calls made while disconnected wait (bounded) for the
 * connection; calls in flight when it drops fail with 'unavailable' (they may
 * or may not have run). Reconnects with capped exponential backoff and
 * re-sends the topic subscriptions. Media frames are dropped, not queued,
 * while disconnected or backed up: they are real-time.
 *
 * No DOM types: the WebSocket constructor is injected (the browser's by
 * default, the `ws` package's in Node tests), so this file typechecks and
 * runs in both.
 */
import { ApiError, type ApiErrorShape, type MediaName, type MethodName, type TopicName, type Transport } from '../../../src-main/ipc/contract';
import { decodeMessage, encodeMessage } from '../../../src-main/web/wire';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The part of the WebSocket API used here (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** ws://host:port/api (without the token) */
  url: string;
  token?: string;
  WebSocket?: WebSocketCtor;
  /** first retry delay, doubled per failure up to maxBackoffMs (default 250 / 5000) */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** calls waiting for a connection (default 256); beyond it calls fail at once */
  maxQueuedCalls?: number;
  /** media frames are dropped while more than this is buffered (default 4 MiB) */
  mediaHighWaterBytes?: number;
}

export interface ConnectionInfo {
  state: ConnectionState;
  /** failed attempts since the last open connection */
  attempts: number;
  /** why the last connection closed, if it did */
  lastClose?: { code: number; reason: string };
  /** media frames dropped because the socket was closed or backed up */
  droppedMedia: number;
}

export interface WebSocketTransport extends Transport {
  info(): ConnectionInfo;
  onState(listener: (info: ConnectionInfo) => void): () => void;
  /** stop for good (no reconnect) */
  close(): void;
}

const OPEN = 1;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export function apiErrorFrom(shape: unknown): ApiError {
  const s = (shape ?? {}) as Partial<ApiErrorShape>;
  const code = typeof s.code === 'string' ? (s.code as ApiErrorShape['code']) : 'internal';
  return new ApiError(code, typeof s.message === 'string' ? s.message : 'the host reported an error without a message');
}

export function createWebSocketTransport(opts: WebSocketTransportOptions): WebSocketTransport {
  const found = opts.WebSocket ?? (globalThis as unknown as { WebSocket?: WebSocketCtor }).WebSocket;
  if (!found) throw new Error('no WebSocket implementation available');
  const Ctor: WebSocketCtor = found;
  const initialBackoff = opts.initialBackoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 5000;
  const maxQueued = opts.maxQueuedCalls ?? 256;
  const mediaHighWater = opts.mediaHighWaterBytes ?? 4 * 1024 * 1024;
  const url = opts.token ? `${opts.url}${opts.url.includes('?') ? '&' : '?'}token=${encodeURIComponent(opts.token)}` : opts.url;

  let ws: WebSocketLike | null = null;
  let nextId = 1;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const info: ConnectionInfo = { state: 'connecting', attempts: 0, droppedMedia: 0 };
  const stateListeners = new Set<(info: ConnectionInfo) => void>();
  const pending = new Map<number, Pending>();
  /** calls made while disconnected, sent on open */
  const queued: { id: number; frame: string | Uint8Array }[] = [];
  const topicListeners = new Map<TopicName, Set<(payload: unknown) => void>>();

  function setState(state: ConnectionState): void {
    info.state = state;
    const snapshot = { ...info };
    for (const l of stateListeners) l(snapshot);
  }

  function sendSubscriptions(): void {
    if (ws?.readyState === OPEN) ws.send(JSON.stringify({ subscribe: [...topicListeners.keys()] }));
  }

  function connect(): void {
    const socket = new Ctor(url);
    ws = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      info.attempts = 0;
      setState('open');
      sendSubscriptions();
      for (const q of queued.splice(0)) socket.send(q.frame);
    };
    socket.onmessage = (ev) => onFrame(ev.data);
    socket.onerror = () => undefined; // onclose follows and decides
    socket.onclose = (ev) => {
      if (ws !== socket) return;
      ws = null;
      info.lastClose = { code: ev.code, reason: ev.reason };
      // calls already sent may or may not have run: fail them rather than guess
      // calls still queued were never sent and keep waiting for the next connection
      const waiting = new Set(queued.map((q) => q.id));
      for (const [id, p] of pending) {
        if (waiting.has(id)) continue;
        pending.delete(id);
        p.reject(new ApiError('unavailable', 'the connection to the Neurolive host was lost; try again'));
      }
      if (stopped) return setState('closed');
      info.attempts++;
      setState('reconnecting');
      const delay = Math.min(maxBackoff, initialBackoff * 2 ** Math.min(info.attempts - 1, 16));
      retryTimer = setTimeout(connect, delay * (0.75 + Math.random() * 0.5));
    };
  }

  function onFrame(data: unknown): void {
    let msg: Record<string, unknown>;
    try {
      msg = decodeMessage(typeof data === 'string' ? data : data instanceof ArrayBuffer ? data : (data as Uint8Array)) as Record<string, unknown>;
    } catch {
      return; // a host of another version; nothing sensible to do with the frame
    }
    if (msg === null || typeof msg !== 'object') return;
    if (typeof msg['topic'] === 'string') {
      const set = topicListeners.get(msg['topic'] as TopicName);
      if (set) for (const l of [...set]) l(msg['payload']);
      return;
    }
    if (typeof msg['id'] === 'number') {
      const p = pending.get(msg['id']);
      if (!p) return;
      pending.delete(msg['id']);
      if ('error' in msg) p.reject(apiErrorFrom(msg['error']));
      else p.resolve(msg['result']);
    }
  }

  connect();

  return {
    invoke(method: MethodName, arg: unknown): Promise<unknown> {
      if (stopped) return Promise.reject(new ApiError('unavailable', 'the connection to the Neurolive host is closed'));
      const id = nextId++;
      let frame: string | Uint8Array;
      try {
        frame = encodeMessage({ id, method, arg });
      } catch (e) {
        return Promise.reject(new ApiError('invalid-argument', `${method}: ${(e as Error).message}`));
      }
      return new Promise((resolve, reject) => {
        if (ws?.readyState === OPEN) ws.send(frame);
        else if (queued.length < maxQueued) queued.push({ id, frame });
        else return reject(new ApiError('unavailable', 'not connected to the Neurolive host, and too many calls are waiting'));
        pending.set(id, { resolve, reject });
      });
    },
    subscribe(topic: TopicName, listener: (payload: unknown) => void): () => void {
      let set = topicListeners.get(topic);
      const first = !set;
      if (!set) topicListeners.set(topic, (set = new Set()));
      set.add(listener);
      if (first) sendSubscriptions();
      return () => {
        const s = topicListeners.get(topic);
        if (!s?.delete(listener) || s.size > 0) return;
        topicListeners.delete(topic);
        sendSubscriptions();
      };
    },
    send(media: MediaName, payload: unknown): void {
      if (ws?.readyState !== OPEN || ws.bufferedAmount > mediaHighWater) {
        info.droppedMedia++;
        return;
      }
      ws.send(encodeMessage({ media, payload }));
    },
    info: () => ({ ...info }),
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (ws) ws.close(1000, 'closed by the page');
      else setState('closed');
    },
  };
}
