/**
 * The host end of the protocol over any HidTransport: one request at a time
 * (the device is serial), numbered by seq; the answer is the message with
 * the same seq and the RESPONSE flag.
 *
 * Lost or damaged reports: a report that fails its CRC or any other check is
 * counted and dropped (its seq cannot be trusted); the request then times
 * out and is sent again with the SAME seq. The device keeps its last answer
 * and replays it for a repeated seq instead of executing twice, so a retried
 * LOAD_CHUNK or STREAM_FRAME never applies twice. After `retries` resends the
 * request fails with ProtocolError('timeout'). An ERROR answer fails at once
 * with ProtocolError('device') carrying the device's code and message.
 */
import { decodeError, DEVICE_ERROR_NAMES } from './messages';
import { fragment, type Message, Op, OP_NAMES, ProtocolError, Reassembler } from './protocol';
import type { HidTransport } from './transport';

export interface RequestOptions {
  /** per attempt (default 1000 ms) */
  timeoutMs?: number;
  /** resends after the first attempt (default 3) */
  retries?: number;
}

export interface ClientCounters {
  requests: number;
  retries: number;
  timeouts: number;
  /** reports dropped as malformed (CRC, length, order …) */
  badReports: number;
  /** answers to a request no longer waited for */
  staleResponses: number;
}

interface Waiting {
  seq: number;
  opcode: number;
  resolve(m: Message): void;
  reject(e: Error): void;
}

export class HidClient {
  private seq = Math.floor(Math.random() * 0x10000);
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: Waiting | null = null;
  private readonly reassembler = new Reassembler();
  private readonly unsubscribe: (() => void)[] = [];
  readonly counters: ClientCounters = { requests: 0, retries: 0, timeouts: 0, badReports: 0, staleResponses: 0 };
  /** the last malformed report's error (diagnostics) */
  lastProtocolError: ProtocolError | null = null;
  private closedReason: Error | null = null;

  constructor(
    readonly transport: HidTransport,
    private readonly defaults: RequestOptions = {},
  ) {
    this.unsubscribe.push(transport.onReport((r) => this.onReport(r)));
    this.unsubscribe.push(
      transport.onClose((reason) => {
        this.closedReason = reason ?? new Error('closed');
        this.waiting?.reject(new ProtocolError('closed', `the device link closed: ${this.closedReason.message}`));
        this.waiting = null;
      }),
    );
  }

  private onReport(bytes: Uint8Array): void {
    let m: Message | null;
    try {
      m = this.reassembler.push(bytes);
    } catch (e) {
      this.counters.badReports++;
      this.lastProtocolError = e instanceof ProtocolError ? e : new ProtocolError('payload', String(e));
      return;
    }
    if (!m) return;
    const w = this.waiting;
    if (!m.response || !w || m.seq !== w.seq) {
      this.counters.staleResponses++;
      return;
    }
    this.waiting = null;
    if (m.opcode === Op.ERROR) {
      let err: ProtocolError;
      try {
        const e = decodeError(m.payload);
        err = new ProtocolError('device', `the device refused ${OP_NAMES[w.opcode] ?? w.opcode}: ${DEVICE_ERROR_NAMES[e.code] ?? `error ${e.code}`}: ${e.message}`, e.code);
      } catch (e) {
        err = e instanceof ProtocolError ? e : new ProtocolError('payload', String(e));
      }
      w.reject(err);
      return;
    }
    const expected = w.opcode === Op.STREAM_FRAME ? Op.RESULT : w.opcode;
    if (m.opcode !== expected) {
      w.reject(new ProtocolError('opcode', `answer to ${OP_NAMES[w.opcode]} has opcode ${OP_NAMES[m.opcode] ?? m.opcode}`));
      return;
    }
    w.resolve(m);
  }

  /** Sends a request and waits for its answer's payload (queued behind earlier requests). */
  request(opcode: number, payload: Uint8Array = new Uint8Array(0), opts: RequestOptions = {}): Promise<Uint8Array> {
    const run = this.queue.then(() => this.exchange(opcode, payload, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async exchange(opcode: number, payload: Uint8Array, opts: RequestOptions): Promise<Uint8Array> {
    const timeoutMs = opts.timeoutMs ?? this.defaults.timeoutMs ?? 1000;
    const retries = opts.retries ?? this.defaults.retries ?? 3;
    this.seq = (this.seq + 1) & 0xffff;
    const seq = this.seq;
    const reports = fragment({ opcode, seq, response: false, payload });
    this.counters.requests++;
    for (let attempt = 0; ; attempt++) {
      if (this.closedReason || this.transport.closed) throw new ProtocolError('closed', `the device link is closed${this.closedReason ? `: ${this.closedReason.message}` : ''}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = new Promise<Message | 'timeout'>((resolve, reject) => {
        this.waiting = { seq, opcode, resolve, reject };
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        for (const r of reports) await this.transport.write(r);
        const m = await answer;
        if (m !== 'timeout') return m.payload;
      } finally {
        clearTimeout(timer);
        if (this.waiting?.seq === seq) this.waiting = null;
      }
      this.counters.timeouts++;
      if (attempt >= retries) {
        throw new ProtocolError('timeout', `no answer to ${OP_NAMES[opcode] ?? opcode} (seq ${seq}) after ${attempt + 1} attempts of ${timeoutMs} ms`);
      }
      this.counters.retries++;
    }
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
  }
}
