/**
 * Live events from iniVation DV's network output (a "TCP server" output
 * module): the AEDAT 4 framing without the version line — an IOHeader, then
 * packets — decoded by the same reader as files (openAedat4Stream with
 * versionLine: false). Any failure (refused, closed, garbage, a stall) closes
 * the socket and reconnects with exponential backoff (capped), showing state
 * 'reconnecting' with the reason; a good connection resets the backoff.
 */
import { connect, type Socket } from 'node:net';
import { openAedat4Stream } from '../../src-engine/formats/aedat4/aedat4';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import type { SourceState, SourceStatus } from '../ipc/contract';
import { readableError, Waker, type EventSource, type SourceSink } from './types';

export interface DvTcpOptions {
  host: string;
  port: number;
  /** first retry delay, ms (default 250), doubling up to maxBackoffMs */
  initialBackoffMs?: number;
  /** default 5000 */
  maxBackoffMs?: number;
  /** no bytes for this long = a stalled stream: reconnect (default 5000) */
  stallMs?: number;
  /** connect timeout, ms (default 3000) */
  connectTimeoutMs?: number;
}

export class DvTcpSource implements EventSource {
  readonly kind = 'dv-tcp' as const;
  private state: SourceState = 'idle';
  private error: string | undefined;
  private sink: SourceSink | null = null;
  private stopped = true;
  private socket: Socket | null = null;
  private readonly waker = new Waker();
  private running: Promise<void> | null = null;
  private width = 0;
  private height = 0;
  /** connections made (1 after the first success) */
  connections = 0;
  /** reasons of the failures since start, most recent last (bounded) */
  readonly failures: string[] = [];
  /** the delay before the next attempt, ms */
  nextBackoffMs: number;
  eventsReceived = 0;

  constructor(private readonly opts: DvTcpOptions) {
    this.nextBackoffMs = opts.initialBackoffMs ?? 250;
  }

  private get where(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  status(): SourceStatus {
    const s: SourceStatus = { kind: 'dv-tcp', state: this.state, label: `DV at ${this.where}`, width: this.width, height: this.height };
    if (this.error !== undefined) s.error = this.error;
    return s;
  }

  async start(sink: SourceSink): Promise<void> {
    if (!this.stopped) throw new Error('this connection is already running');
    this.sink = sink;
    this.stopped = false;
    this.setState('connecting');
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.socket?.destroy();
    this.waker.interrupt();
    await this.running;
    this.running = null;
    this.setState('idle');
  }

  private setState(state: SourceState, error?: string): void {
    this.state = state;
    this.error = error;
    this.sink?.status(this.status());
  }

  private async run(): Promise<void> {
    const max = this.opts.maxBackoffMs ?? 5000;
    while (!this.stopped) {
      let reason: string;
      let delivered = false;
      try {
        delivered = await this.session();
        reason = 'the server closed the connection';
      } catch (e) {
        reason = readableError(e);
      }
      if (this.stopped) return;
      if (delivered) this.nextBackoffMs = this.opts.initialBackoffMs ?? 250;
      this.failures.push(reason);
      if (this.failures.length > 50) this.failures.shift();
      this.setState('reconnecting', `${reason}; retrying in ${(this.nextBackoffMs / 1000).toFixed(1)} s`);
      await this.waker.sleep(this.nextBackoffMs);
      this.nextBackoffMs = Math.min(max, this.nextBackoffMs * 2);
    }
  }

  /** One connection: resolves when the server ends it; throws on errors. Returns whether events arrived. */
  private async session(): Promise<boolean> {
    const socket = await this.connect();
    this.socket = socket;
    const stallMs = this.opts.stallMs ?? 5000;
    let lastData = performance.now();
    let stalled = false;
    const watchdog = setInterval(() => {
      if (performance.now() - lastData > stallMs) {
        stalled = true;
        socket.destroy();
      }
    }, Math.min(1000, Math.max(50, stallMs / 4)));
    const chunks = (async function* () {
      for await (const c of socket) {
        lastData = performance.now();
        yield c as Uint8Array;
      }
    })();
    const reader = new ByteReader(chunks, `DV stream ${this.where}`);
    let delivered = false;
    try {
      const stream = await openAedat4Stream(reader, { versionLine: false, reuseBatches: true, flushPackets: true });
      this.width = stream.info.width;
      this.height = stream.info.height;
      if (!this.width || !this.height) throw new Error('the stream describes no event sensor size');
      this.connections++;
      this.setState('live');
      this.sink?.discontinuity?.();
      for await (const b of stream) {
        if (this.stopped) break;
        if (b.length === 0) continue;
        delivered = true;
        this.eventsReceived += b.length;
        // live: the newest event happened about now
        this.sink?.events(b, { tUs: b.t[b.length - 1], wallMs: performance.now(), speed: 1 });
      }
      if (stalled) throw new Error(`no data for ${(stallMs / 1000).toFixed(1)} s (stream stalled)`);
      return delivered;
    } catch (e) {
      if (stalled) throw new Error(`no data for ${(stallMs / 1000).toFixed(1)} s (stream stalled)`);
      if (this.stopped) return delivered;
      throw e;
    } finally {
      clearInterval(watchdog);
      socket.destroy();
      this.socket = null;
      await reader.close().catch(() => undefined);
    }
  }

  private connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.opts.host, port: this.opts.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no answer from ${this.where} within ${((this.opts.connectTimeoutMs ?? 3000) / 1000).toFixed(1)} s`));
      }, this.opts.connectTimeoutMs ?? 3000);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        s.on('error', () => undefined); // errors surface through the async iterator
        resolve(s);
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        s.destroy();
        reject(new Error(e.code === 'ECONNREFUSED' ? `nothing listens at ${this.where} (connection refused)` : `cannot connect to ${this.where}: ${e.message}`));
      });
      // stop() while connecting destroys the socket: give up instead of waiting forever
      s.once('close', () => {
        clearTimeout(timer);
        reject(new Error(`connection to ${this.where} closed`));
      });
      this.socket = s;
    });
  }
}
