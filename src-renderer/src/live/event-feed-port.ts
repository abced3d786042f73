/**
 * The wire between the page's event feed (event-feed.ts) and a view worker.
 * A chunk travels as one ArrayBuffer holding all four columns back to back
 * (t: f32 at 0, x: u16 at 4n, y: u16 at 6n, p: u8 at 8n), transferred, never
 * cloned. A worker hands the buffer back on the same port when it has used
 * the chunk; the page passes it to the next view, then reuses it. So at 5 M
 * events/s the page allocates no buffer per chunk: the earlier per-view
 * copies (about 1 MB each, twice per chunk) drove the page's garbage
 * collector into 30 ms pauses.
 *
 * No DOM or page imports: the workers and Node tests use this file too.
 */
import type { EventChunk } from '../../../src-main/ipc/contract';

/** bytes per event in a packed buffer: f32 + u16 + u16 + u8 */
export const PACKED_BYTES_PER_EVENT = 9;

/** A packed chunk: its geometry and count, and the buffer with the columns. */
export interface PackedChunk {
  t0Us: number;
  width: number;
  height: number;
  /** events the chunk stands for (≥ n when the source sampled) */
  total: number;
  /** events in the buffer */
  n: number;
  buffer: ArrayBuffer;
}

/** The one message a feed port carries in each direction. */
export type FeedMessage = { type: 'chunk'; chunk: PackedChunk };

/** Copy `c`'s columns into `buffer` (which must hold 9 bytes per event). */
export function packChunk(c: EventChunk, buffer: ArrayBuffer): PackedChunk {
  const n = c.t.length;
  if (buffer.byteLength < n * PACKED_BYTES_PER_EVENT) throw new RangeError(`a packed chunk of ${n} events needs ${n * PACKED_BYTES_PER_EVENT} bytes, the buffer has ${buffer.byteLength}`);
  new Float32Array(buffer, 0, n).set(c.t);
  new Uint16Array(buffer, 4 * n, n).set(c.x);
  new Uint16Array(buffer, 6 * n, n).set(c.y);
  new Uint8Array(buffer, 8 * n, n).set(c.p);
  return { t0Us: c.t0Us, width: c.width, height: c.height, total: c.total, n, buffer };
}

/** Column views onto a packed chunk's buffer (no copy). */
export function unpackChunk(k: PackedChunk): EventChunk {
  const { n, buffer } = k;
  return {
    t0Us: k.t0Us,
    width: k.width,
    height: k.height,
    total: k.total,
    t: new Float32Array(buffer, 0, n),
    x: new Uint16Array(buffer, 4 * n, n),
    y: new Uint16Array(buffer, 6 * n, n),
    p: new Uint8Array(buffer, 8 * n, n),
  };
}

/** The part of a MessagePort a feed uses (the DOM's and Node's both fit). */
export interface FeedPort {
  onmessage: ((e: { data: FeedMessage }) => void) | null;
  postMessage(message: FeedMessage, transfer: ArrayBuffer[]): void;
  close(): void;
}

/**
 * Worker side: call `use` with every chunk arriving on `port`, then hand its
 * buffer back. `use` must not keep the columns (they are views onto the
 * buffer that leaves); both views copy what they draw.
 */
export function receiveEventFeed(port: FeedPort, use: (c: EventChunk) => void): void {
  port.onmessage = (e) => {
    const m = e.data;
    if (m.type !== 'chunk') return;
    try {
      use(unpackChunk(m.chunk));
    } finally {
      port.postMessage(m, [m.chunk.buffer]);
    }
  };
}
