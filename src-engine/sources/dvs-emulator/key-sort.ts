import type { EventBatch } from '../../events/batch';

// Stable LSD radix sort of event indices by an unsigned 32-bit key (the time
// offset in µs inside one frame interval): O(n) with 16-bit digits, one pass
// when every key is below 2^16 (frame intervals up to 65 ms), two otherwise.
// Stability keeps equal times in generation order (pixel order), so the
// output order is fully determined.

export class KeySorter {
  private counts = new Uint32Array((1 << 16) + 1);
  private loCounts = new Uint32Array(256);
  private tmpKeys = new Uint32Array(0);
  private tmpPix = new Uint32Array(0);
  private tmpPol = new Uint8Array(0);
  private tmp = new Uint32Array(0);
  private order = new Uint32Array(0);

  /**
   * Indices 0…n−1 ordered by keys[i] (ascending, stable). The returned view is
   * scratch, valid until the next call.
   */
  sort(keys: Uint32Array, n: number, maxKey: number): Uint32Array {
    if (this.order.length < n) {
      const cap = Math.max(n, this.order.length * 2, 1024);
      this.order = new Uint32Array(cap);
      this.tmp = new Uint32Array(cap);
    }
    const order = this.order;
    if (maxKey < 1 << 16) {
      this.pass(keys, null, order, n, 0, maxKey + 1);
    } else {
      const tmp = this.tmp;
      this.pass(keys, null, tmp, n, 0, 1 << 16);
      this.pass(keys, tmp, order, n, 16, Math.floor(maxKey / 65536) + 1);
    }
    return order.subarray(0, n);
  }

  /**
   * Writes the events sorted by time into `out` (length n): t = tStart + key,
   * pixel packed as y·2^16 + x. With keys below 2^16 one counting pass
   * scatters the columns straight into place (no index array, no gather).
   */
  sortInto(keys: Uint32Array, pix: Uint32Array, pol: Uint8Array, n: number, maxKey: number, tStart: number, out: EventBatch): void {
    const T = out.t, X = out.x, Y = out.y, P = out.p;
    if (maxKey < 1 << 16) {
      // Two cache-friendly passes instead of one scatter over 65 536 buckets:
      // (1) by the high byte into ≤ 256 runs (few write streams), (2) each run,
      // small enough to stay in cache, by the low byte straight into `out`.
      this.ensure(n);
      const hiCounts = this.counts, loCounts = this.loCounts;
      const tk = this.tmpKeys, tp = this.tmpPix, to = this.tmpPol;
      const hiBuckets = (maxKey >>> 8) + 1;
      hiCounts.fill(0, 0, hiBuckets + 1);
      for (let i = 0; i < n; i++) hiCounts[(keys[i] >>> 8) + 1]++;
      for (let b = 1; b <= hiBuckets; b++) hiCounts[b] += hiCounts[b - 1];
      // hiCounts[b] = start of run b; scatter advances it to the run's end (the next run's start)
      for (let i = 0; i < n; i++) {
        const k = keys[i];
        const j = hiCounts[k >>> 8]++;
        tk[j] = k;
        tp[j] = pix[i];
        to[j] = pol[i];
      }
      let start = 0;
      for (let b = 0; b < hiBuckets; b++) {
        const end = hiCounts[b];
        if (end - start > 1) {
          loCounts.fill(0);
          for (let i = start; i < end; i++) loCounts[tk[i] & 0xff]++;
          let sum = start;
          for (let l = 0; l < 256; l++) {
            const c = loCounts[l];
            loCounts[l] = sum;
            sum += c;
          }
          for (let i = start; i < end; i++) {
            const k = tk[i];
            const j = loCounts[k & 0xff]++;
            const q = tp[i];
            T[j] = tStart + k;
            X[j] = q & 0xffff;
            Y[j] = q >>> 16;
            P[j] = to[i];
          }
        } else if (end > start) {
          const q = tp[start];
          T[start] = tStart + tk[start];
          X[start] = q & 0xffff;
          Y[start] = q >>> 16;
          P[start] = to[start];
        }
        start = end;
      }
      return;
    }
    const order = this.sort(keys, n, maxKey);
    for (let j = 0; j < n; j++) {
      const e = order[j];
      const q = pix[e];
      T[j] = tStart + keys[e];
      X[j] = q & 0xffff;
      Y[j] = q >>> 16;
      P[j] = pol[e];
    }
  }

  private ensure(n: number): void {
    if (this.tmpKeys.length >= n) return;
    const cap = Math.max(n, this.tmpKeys.length * 2, 1024);
    this.tmpKeys = new Uint32Array(cap);
    this.tmpPix = new Uint32Array(cap);
    this.tmpPol = new Uint8Array(cap);
  }

  /** One counting pass on the digit (key >>> shift) & 0xffff; `src` null = identity order. */
  private pass(keys: Uint32Array, src: Uint32Array | null, dst: Uint32Array, n: number, shift: number, buckets: number): void {
    const counts = this.counts;
    counts.fill(0, 0, buckets);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let b = 0; b < buckets; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    if (src === null) {
      for (let i = 0; i < n; i++) dst[counts[(keys[i] >>> shift) & 0xffff]++] = i;
    } else {
      for (let j = 0; j < n; j++) {
        const i = src[j];
        dst[counts[(keys[i] >>> shift) & 0xffff]++] = i;
      }
    }
  }
}
