/** Median of the last `size` samples (a small ring; sorting 64 numbers at display rate costs nothing). */
export class RecentMedian {
  private readonly ring: Float64Array;
  private n = 0;
  private next = 0;
  private readonly scratch: Float64Array;

  constructor(readonly size = 64) {
    this.ring = new Float64Array(size);
    this.scratch = new Float64Array(size);
  }

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.ring[this.next] = v;
    this.next = (this.next + 1) % this.size;
    if (this.n < this.size) this.n++;
  }

  get count(): number {
    return this.n;
  }

  /** 0 when empty */
  median(): number {
    if (this.n === 0) return 0;
    const s = this.scratch.subarray(0, this.n);
    s.set(this.ring.subarray(0, this.n));
    s.sort();
    const m = this.n >> 1;
    return this.n % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  clear(): void {
    this.n = 0;
    this.next = 0;
  }
}
