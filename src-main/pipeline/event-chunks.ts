/**
 * Collects the event stream into EventChunks for drawing, at most `cap`
 * events per push: once a display interval saw more than `cap` events, the
 * next keeps every k-th (k from the last interval's count), so the renderer
 * gets a fair sample at a bounded size whatever the sensor's rate. The
 * collecting columns are reused; each chunk is a fresh exact-size copy (it
 * leaves the process).
 */
import type { EventBatch } from '../../src-engine/events/batch';
import type { EventChunk } from '../ipc/contract';

/**
 * Events per chunk at most: 100 k a display tick (3 M events/s at 30 Hz) is
 * dense enough for both views (the 3D cloud holds 150 k points), and it halves
 * the cost of a chunk on the page — in Chromium, delivering a 2 MB WebSocket
 * message took 20–35 ms of main-thread CPU at 5 M events/s.
 */
export const MAX_CHUNK_EVENTS = 100_000;

export class EventChunker {
  private readonly t: Float64Array;
  private readonly x: Uint16Array;
  private readonly y: Uint16Array;
  private readonly p: Uint8Array;
  private n = 0;
  private total = 0;
  private stride = 1;
  private phase = 0;
  private width = 0;
  private height = 0;

  constructor(readonly cap = MAX_CHUNK_EVENTS) {
    this.t = new Float64Array(cap);
    this.x = new Uint16Array(cap);
    this.y = new Uint16Array(cap);
    this.p = new Uint8Array(cap);
  }

  get pending(): number {
    return this.total;
  }

  add(b: EventBatch, width: number, height: number): void {
    if (width !== this.width || height !== this.height) {
      this.n = 0;
      this.width = width;
      this.height = height;
    }
    const len = b.length, cap = this.cap, stride = this.stride;
    const bt = b.t, bx = b.x, by = b.y, bp = b.p, t = this.t, x = this.x, y = this.y, p = this.p;
    let n = this.n, phase = this.phase;
    // Every stride-th event is kept (phase: events since the last kept one); this runs on every live
    // event, so it steps by the stride (and copies in bulk at stride 1) instead of visiting each.
    if (n < cap) {
      if (stride === 1) {
        const m = Math.min(len, cap - n);
        t.set(bt.subarray(0, m), n);
        x.set(bx.subarray(0, m), n);
        y.set(by.subarray(0, m), n);
        p.set(bp.subarray(0, m), n);
        n += m;
        if (m > 0) phase = 0;
      } else {
        let i = Math.max(0, stride - 1 - phase);
        if (i >= len) phase += len;
        else {
          for (; i < len && n < cap; i += stride) {
            t[n] = bt[i];
            x[n] = bx[i];
            y[n] = by[i];
            p[n] = bp[i];
            n++;
          }
          phase = n === cap ? 0 : len - 1 - (i - stride);
        }
      }
    }
    this.n = n;
    this.phase = phase;
    this.total += len;
  }

  /** The chunk since the last take (null when nothing arrived). */
  take(): EventChunk | null {
    if (this.total === 0) return null;
    const n = this.n, t0 = n > 0 ? this.t[0] : 0;
    const t = new Float32Array(n);
    for (let i = 0; i < n; i++) t[i] = this.t[i] - t0;
    const chunk: EventChunk = { t0Us: t0, width: this.width, height: this.height, t, x: this.x.slice(0, n), y: this.y.slice(0, n), p: this.p.slice(0, n), total: this.total };
    this.stride = Math.max(1, Math.ceil(this.total / this.cap));
    this.n = 0;
    this.total = 0;
    return chunk;
  }

  clear(): void {
    this.n = 0;
    this.total = 0;
  }
}
