/**
 * Reusable output columns for a source that re-times events (a replay puts
 * each loop after the previous one so time never runs backwards). Grows to
 * the largest slice seen, then allocates nothing.
 */
import type { EventBatch } from '../../src-engine/events/batch';

export class ShiftedBatch {
  private t = new Float64Array(0);
  private x = new Uint16Array(0);
  private y = new Uint16Array(0);
  private p = new Uint8Array(0);

  /** events [start, end) of `b` with `offsetUs` added to every timestamp; valid until the next call */
  shift(b: EventBatch, start: number, end: number, offsetUs: number): EventBatch {
    const n = end - start;
    if (this.t.length < n) {
      const cap = Math.max(n, this.t.length * 2, 1024);
      this.t = new Float64Array(cap);
      this.x = new Uint16Array(cap);
      this.y = new Uint16Array(cap);
      this.p = new Uint8Array(cap);
    }
    const t = this.t, bt = b.t;
    for (let i = 0; i < n; i++) t[i] = bt[start + i] + offsetUs;
    this.x.set(b.x.subarray(start, end));
    this.y.set(b.y.subarray(start, end));
    this.p.set(b.p.subarray(start, end));
    return { t: t.subarray(0, n), x: this.x.subarray(0, n), y: this.y.subarray(0, n), p: this.p.subarray(0, n), length: n };
  }
}

/** First index in [lo, hi) whose t is > limit (t sorted; a slightly unsorted file still gets a valid split). */
export function upperBound(t: Float64Array, limit: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
