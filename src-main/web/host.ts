/**
 * The browser host: serves the built renderer and the same typed API the
 * Electron preload exposes, over one WebSocket at /api (wire format in
 * wire.ts). It wraps the same AppCore as the desktop app, so the whole app
 * runs in a plain browser — how the UI is tested here, and how a kiosk screen
 * can be driven from another machine.
 *
 * Safety (docs/SECURITY.md): loopback by default, a token required beyond it,
 * Origin and Host checked on the upgrade (access.ts), frame sizes bounded,
 * calls in flight per connection bounded, and display-rate topic pushes
 * skipped for a connection whose socket is backed up, so a slow client never
 * makes the host buffer without bound.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { TOPICS, type MediaName, type MethodName, type TopicName, type Topics } from '../ipc/contract';
import { checkHostHeader, checkListenConfig, checkUpgrade, type AccessPolicy } from './access';
import { toErrorShape } from './error-shape';
import { lookup, type StaticSite } from './static-site';
export { toErrorShape } from './error-shape';
import { CLOSE, decodeMessage, encodeMessage, WireError } from './wire';

/** What the host needs of the app: AppCore satisfies it (a fake does in tests). */
export interface HostedCore {
  invoke(method: MethodName, arg: unknown): Promise<unknown>;
  on<T extends TopicName>(topic: T, listener: (payload: Topics[T]) => void): () => void;
  media(name: MediaName, payload: unknown): void;
}

export interface WebHostOptions {
  core: HostedCore;
  /** the built renderer, loaded with loadStaticSite; null serves the API only */
  site: StaticSite | null;
  /** default 127.0.0.1 */
  host?: string;
  /** default 5190; 0 picks a free port */
  port?: number;
  /** required when host is not loopback */
  token?: string;
  allowedOrigins?: string[];
  /** largest binary frame accepted (webcam frames), default 8 MiB */
  maxBinaryBytes?: number;
  /** largest text frame accepted (method calls), default 1 MiB */
  maxTextBytes?: number;
  /** skip display-rate pushes while a socket has more than this queued, default 8 MiB */
  highWaterBytes?: number;
  /** method calls awaiting a result per connection, default 64 */
  maxInFlight?: number;
  log?: (line: string) => void;
}

export interface WebHostStats {
  connections: number;
  /** display-rate pushes skipped because a client's socket was backed up */
  skippedPushes: number;
  /** frames refused as malformed */
  badFrames: number;
}

export interface WebHost {
  /** http://host:port/ (no token) */
  url: string;
  host: string;
  port: number;
  stats(): WebHostStats;
  close(): Promise<void>;
}

/** Topics superseded by the next push: safe to skip for a slow client. The others always go out. */
const DROPPABLE: ReadonlySet<TopicName> = new Set<TopicName>(['state', 'prediction', 'nsoc', 'events']);
const MEDIA_NAMES: ReadonlySet<string> = new Set<MediaName>(['video', 'audio']);
const PING_MS = 30_000;

interface Connection {
  ws: WebSocket;
  topics: Set<TopicName>;
  inFlight: number;
  alive: boolean;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(self), microphone=(self), geolocation=(), usb=(), hid=(), serial=()',
};

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const listenHost = opts.host ?? '127.0.0.1';
  checkListenConfig(listenHost, opts.token);
  const policy: AccessPolicy = { listenHost, token: opts.token, allowedOrigins: opts.allowedOrigins };
  const maxBinary = opts.maxBinaryBytes ?? 8 * 1024 * 1024;
  const maxText = opts.maxTextBytes ?? 1024 * 1024;
  const highWater = opts.highWaterBytes ?? 8 * 1024 * 1024;
  const maxInFlight = opts.maxInFlight ?? 64;
  const log = opts.log ?? (() => undefined);
  const { core, site } = opts;

  const connections = new Set<Connection>();
  const stats = { skippedPushes: 0, badFrames: 0 };

  const server: Server = createServer((req, res) => servePage(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(maxBinary, maxText), perMessageDeflate: false });

  function servePage(req: IncomingMessage, res: ServerResponse): void {
    const respond = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const host = checkHostHeader(policy, req.headers.host);
    if (!host.ok) return respond(host.status, host.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return respond(405, 'method not allowed', { Allow: 'GET, HEAD' });
    if (!site) return respond(404, 'this host serves the API only (/api)');
    const pathname = (req.url ?? '/').split('?')[0];
    const file = lookup(site, pathname);
    if (!file) return respond(404, 'not found');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': file.type,
      'Content-Length': String(file.body.length),
      'Content-Security-Policy': site.csp,
      // hashed asset names change with each build; index.html must not be cached
      'Cache-Control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const decision = checkUpgrade(policy, { url: req.url ?? '/', host: req.headers.host, origin: req.headers.origin });
    if (!decision.ok) {
      log(`refused a WebSocket from ${req.socket.remoteAddress}: ${decision.reason}`);
      const text = decision.reason;
      socket.end(`HTTP/1.1 ${decision.status} ${decision.status === 401 ? 'Unauthorized' : decision.status === 403 ? 'Forbidden' : decision.status === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket): void {
    const conn: Connection = { ws, topics: new Set(), inFlight: 0, alive: true };
    connections.add(conn);
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => onMessage(conn, data, isBinary));
    ws.on('close', () => {
      connections.delete(conn);
      refreshCoreSubscriptions();
    });
    ws.on('error', (e) => log(`WebSocket error: ${e.message}`));
  }

  function send(conn: Connection, message: unknown): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    let frame: string | Uint8Array;
    try {
      frame = encodeMessage(message);
    } catch (e) {
      log(`could not encode a message: ${(e as Error).message}`);
      return;
    }
    conn.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  function onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!isBinary && bytes.length > maxText) {
      stats.badFrames++;
      conn.ws.close(CLOSE.tooBig, `text frames are limited to ${maxText} bytes`);
      return;
    }
    let msg: unknown;
    try {
      msg = decodeMessage(isBinary ? bytes : bytes.toString('utf8'));
    } catch (e) {
      stats.badFrames++;
      conn.ws.close(CLOSE.protocol, e instanceof WireError ? e.message.slice(0, 120) : 'malformed frame');
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      stats.badFrames++;
      conn.ws.close(CLOSE.protocol, 'a message is a JSON object');
      return;
    }
    const m = msg as Record<string, unknown>;
    if ('method' in m) return void call(conn, m);
    if ('media' in m) {
      // fire-and-forget; the core checks shapes and sizes and counts what it drops
      if (typeof m['media'] === 'string' && MEDIA_NAMES.has(m['media'])) core.media(m['media'] as MediaName, m['payload']);
      else stats.badFrames++;
      return;
    }
    if ('subscribe' in m && Array.isArray(m['subscribe'])) {
      conn.topics = new Set((m['subscribe'] as unknown[]).filter((t): t is TopicName => typeof t === 'string' && (TOPICS as readonly string[]).includes(t)));
      refreshCoreSubscriptions();
      return;
    }
    stats.badFrames++;
    conn.ws.close(CLOSE.protocol, 'unknown message');
  }

  async function call(conn: Connection, m: Record<string, unknown>): Promise<void> {
    const id = m['id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      stats.badFrames++;
      conn.ws.close(CLOSE.protocol, 'a call needs an integer id');
      return;
    }
    if (typeof m['method'] !== 'string') return send(conn, { id, error: { code: 'not-found', message: 'the method name must be a string' } });
    if (conn.inFlight >= maxInFlight) {
      return send(conn, { id, error: { code: 'unavailable', message: `too many calls in flight (at most ${maxInFlight}); wait for answers before sending more` } });
    }
    conn.inFlight++;
    try {
      const result = await core.invoke(m['method'] as MethodName, m['arg']);
      send(conn, { id, result });
    } catch (e) {
      send(conn, { id, error: toErrorShape(e) });
    } finally {
      conn.inFlight--;
    }
  }

  // One subscription per topic on the core, held only while some connection
  // wants the topic (the core skips work, e.g. event decimation, nobody
  // listens to). Each push is encoded once, then fanned out.
  const coreSubs = new Map<TopicName, () => void>();
  function push(topic: TopicName, payload: unknown): void {
    let frame: string | Uint8Array | null = null;
    for (const conn of connections) {
      if (!conn.topics.has(topic) || conn.ws.readyState !== conn.ws.OPEN) continue;
      if (DROPPABLE.has(topic) && conn.ws.bufferedAmount > highWater) {
        stats.skippedPushes++;
        continue;
      }
      if (frame === null) {
        try {
          frame = encodeMessage({ topic, payload });
        } catch (e) {
          log(`could not encode topic ${topic}: ${(e as Error).message}`);
          return;
        }
      }
      conn.ws.send(frame, { binary: typeof frame !== 'string' });
    }
  }
  function refreshCoreSubscriptions(): void {
    const wanted = new Set<TopicName>();
    for (const conn of connections) for (const t of conn.topics) wanted.add(t);
    for (const [topic, off] of coreSubs) {
      if (wanted.has(topic)) continue;
      off();
      coreSubs.delete(topic);
    }
    for (const topic of wanted) {
      if (!coreSubs.has(topic)) coreSubs.set(topic, core.on(topic, (payload) => push(topic, payload)));
    }
  }

  // Drop connections that stopped answering pings (a kiosk controller that lost its network).
  const pinger = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }, PING_MS);
  pinger.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 5190, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${address.port}/`;

  let closing: Promise<void> | null = null;
  return {
    url,
    host: address.address,
    port: address.port,
    stats: () => ({ connections: connections.size, ...stats }),
    close: () =>
      (closing ??= (async () => {
        clearInterval(pinger);
        for (const off of coreSubs.values()) off();
        coreSubs.clear();
        for (const conn of connections) conn.ws.close(CLOSE.goingAway, 'the host is shutting down');
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        for (const conn of connections) conn.ws.terminate();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
