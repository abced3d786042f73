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

/** buffers kept for reuse; more are in flight only while a view lags */
const POOL_MAX = 8;
/** smallest buffer allocated: a sampled chunk of a slow scene still reuses it */
const MIN_BUFFER = 1 << 16;

export interface EventFeedDeps {
  /** subscribe to event chunks; returns the unsubscribe */
  subscribe(listener: (c: EventChunk) => void): () => void;
}

export class EventFeed {
  private readonly sinks: FeedPort[] = [];
  private readonly pool: ArrayBuffer[] = [];
  private unsubscribe: (() => void) | null = null;
  /** buffers allocated so far (for tests and diagnostics) */
  allocated = 0;

  constructor(private readonly deps: EventFeedDeps) {}

  /** Feed a view through `port` (its other end is in the view's worker); returns the detach. */
  attach(port: FeedPort): () => void {
    port.onmessage = (e) => this.returned(port, e.data);
    this.sinks.push(port);
    this.unsubscribe ??= this.deps.subscribe((c) => this.push(c));
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.sinks.splice(this.sinks.indexOf(port), 1);
      port.onmessage = null;
      port.close();
      if (this.sinks.length === 0) {
        this.unsubscribe?.();
        this.unsubscribe = null;
      }
    };
  }
  private push(c: EventChunk): void {
    const n = c.t.length;
    if (n === 0 || this.sinks.length === 0) return;
    const chunk = packChunk(c, this.take(n * PACKED_BYTES_PER_EVENT));
    this.sinks[0].postMessage({ type: 'chunk', chunk }, [chunk.buffer]);
  }

  /** a worker is done with a chunk: on to the next view, or back to the pool */
  private returned(from: FeedPort, m: FeedMessage): void {
    const at = this.sinks.indexOf(from);
    const next = at < 0 ? undefined : this.sinks[at + 1];
    if (next) next.postMessage(m, [m.chunk.buffer]);
    else if (this.pool.length < POOL_MAX) this.pool.push(m.chunk.buffer);
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
