import type { EventBatch } from './batch';

/** Running facts about a stream: count, first/last events, extent. Allocation-free per batch. */
export class EventScan {
  count = 0;
  first: [number, number, number, number] | null = null;
  last: [number, number, number, number] | null = null;
  tMin = Infinity;
  tMax = -Infinity;
  maxX = -1;
  maxY = -1;
  on = 0;
  /** events whose t is smaller than their predecessor's */
  outOfOrder = 0;
  private prevT = -Infinity;

  add(b: EventBatch): void {
    const n = b.length;
    if (n === 0) return;
    const { t, x, y, p } = b;
    if (!this.first) this.first = [t[0], x[0], y[0], p[0]];
    let tMin = this.tMin, tMax = this.tMax, mx = this.maxX, my = this.maxY, on = this.on, ooo = this.outOfOrder, prev = this.prevT;
    for (let i = 0; i < n; i++) {
      const ti = t[i];
      if (ti < prev) ooo++;
      prev = ti;
      if (ti < tMin) tMin = ti;
      if (ti > tMax) tMax = ti;
      if (x[i] > mx) mx = x[i];
      if (y[i] > my) my = y[i];
      on += p[i];
    }
    this.tMin = tMin; this.tMax = tMax; this.maxX = mx; this.maxY = my; this.on = on; this.outOfOrder = ooo; this.prevT = prev;
    this.count += n;
    this.last = [t[n - 1], x[n - 1], y[n - 1], p[n - 1]];
  }

  /** tLast − tFirst in µs (0 for fewer than two events). */
  get durationUs(): number {
    return this.first && this.last ? this.last[0] - this.first[0] : 0;
  }

  /** Mean event rate over the recording, events per second. */
  get meanRate(): number {
    const d = this.durationUs;
    return d > 0 ? (this.count * 1e6) / d : 0;
  }
}
