/**
 * The live event feed: one subscription to the `events` topic for every
 * view worker of the page (2D raster, 3D cloud). Each chunk is
 * packed once into a pooled buffer and handed from view to view — to the
 * first worker by transfer; when a worker hands it back, to the next; after
 * the last, back into the pool. The wire format and the view side are in
 * event-feed-port.ts. Runs in the feed worker (event-feed-worker.ts), which
 * has its own connection to the host, or on the page where the runtime
 * delivers events only there (live-event-feed.ts).
 */
import type { EventChunk } from '../../../src-main/ipc/contract';
import { PACKED_BYTES_PER_EVENT, packChunk, type FeedMessage, type FeedPort } from './event-feed-port';

/** buffers kept for reuse */
const POOL_MAX = 8;
/** chunks a view may have unreturned before it skips new ones (~100 ms at 30 chunks/s) */
const MAX_IN_FLIGHT = 3;
/** smallest buffer allocated: a sampled chunk of a slow scene still reuses it */
const MIN_BUFFER = 1 << 16;

export interface EventFeedDeps {
  /** subscribe to event chunks; returns the unsubscribe */
  subscribe(listener: (c: EventChunk) => void): () => void;
}

/** one view on the feed */
interface Sink {
  port: FeedPort;
  /** chunks sent and not yet handed back */
  inFlight: number;
  /** chunks skipped because the view was behind */
  skipped: number;
}

export class EventFeed {
  private readonly sinks: Sink[] = [];
  private readonly pool: ArrayBuffer[] = [];
  private unsubscribe: (() => void) | null = null;
  /** buffers allocated so far (for tests and diagnostics) */
  allocated = 0;

  constructor(private readonly deps: EventFeedDeps) {}

  /** Feed a view through `port` (its other end is in the view's worker); returns the detach. */
  attach(port: FeedPort): () => void {
    const sink: Sink = { port, inFlight: 0, skipped: 0 };
    port.onmessage = (e) => this.returned(sink, e.data);
    this.sinks.push(sink);
    this.unsubscribe ??= this.deps.subscribe((c) => this.push(c));
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.sinks.splice(this.sinks.indexOf(sink), 1);
      port.onmessage = null;
      port.close();
      if (this.sinks.length === 0) {
        this.unsubscribe?.();
        this.unsubscribe = null;
      }
    };
  }

  /** chunks each view skipped because it was behind, in attach order */
  skipped(): number[] {
    return this.sinks.map((s) => s.skipped);
  }

  private push(c: EventChunk): void {
    const n = c.t.length;
    if (n === 0 || this.sinks.length === 0) return;
    this.forward({ type: 'chunk', chunk: packChunk(c, this.take(n * PACKED_BYTES_PER_EVENT)) }, 0);
  }

  /** a worker is done with a chunk: on to the next view */
  private returned(from: Sink, m: FeedMessage): void {
    from.inFlight--;
    const at = this.sinks.indexOf(from);
    this.forward(m, at < 0 ? this.sinks.length : at + 1);
  }

  /**
   * To the first view from `index` on that is keeping up, else back to the
   * pool. A view that has MAX_IN_FLIGHT chunks unreturned (its worker is
   * slow — software WebGL under load) skips this one: its queue, and the
   * memory and work behind it, stay bounded, and it draws the newest
   * events when it catches up instead of a growing backlog.
   */
  private forward(m: FeedMessage, index: number): void {
    for (let i = index; i < this.sinks.length; i++) {
      const sink = this.sinks[i];
      if (sink.inFlight >= MAX_IN_FLIGHT) {
        sink.skipped++;
        continue;
      }
      sink.inFlight++;
      sink.port.postMessage(m, [m.chunk.buffer]);
      return;
    }
    if (this.pool.length < POOL_MAX) this.pool.push(m.chunk.buffer);
  }

  private take(bytes: number): ArrayBuffer {
    for (let i = 0; i < this.pool.length; i++) {
      if (this.pool[i].byteLength >= bytes) return this.pool.splice(i, 1)[0];
    }
    this.allocated++;
    // a power of two, so chunks of varying size keep fitting the same buffers
    return new ArrayBuffer(Math.max(MIN_BUFFER, 2 ** Math.ceil(Math.log2(bytes))));
  }
}
