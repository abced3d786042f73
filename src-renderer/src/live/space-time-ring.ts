/**
 * The 3D cloud's data: a ring of the most recent events as point positions
 * (x, y on the sensor plane centred on 0, z = time) and colours, in
 * preallocated Float32Arrays that three.js uploads directly. Chunks are
 * decimated so one span holds about `pointBudget` points; `takeDirty` says
 * which range changed since the last upload. No three.js and no DOM, so it
 * runs in the worker and in tests alike; no allocation per event.
 */
import type { EventChunk } from '../../../src-main/ipc/contract';

export const CAPACITY = 150_000;
/** scene units per millisecond along the time axis */
export const Z_PER_MS = 0.5;
/** the smallest point budget the adaptive loop goes down to */
export const MIN_BUDGET = 5_000;

/** the columns of an EventChunk the cloud needs (times relative to t0Us, µs) */
export type EventColumns = Omit<EventChunk, 'total'>;

export type Rgb = readonly [number, number, number];

export class SpaceTimeRing {
  readonly positions = new Float32Array(CAPACITY * 3);
  readonly colours = new Float32Array(CAPACITY * 3);
  width = 0;
  height = 0;
  spanMs = 300;
  /** newest event time, ms since `epochUs` */
  nowMs = 0;
  /** points written so far, up to `ring` */
  filled = 0;
  /** points kept per span (adapted to frame time by the cloud) */
  pointBudget = 60_000;
  /** ring length in use: ~1.5 spans of points, so the GPU only walks points that can be visible */
  ring = 90_000;
  onRgb: Rgb = [0.35, 0.65, 1];
  offRgb: Rgb = [0.94, 0.53, 0.24];
  private head = 0;
  private epochUs = NaN;
  private pendingFrom = -1;
  private pendingTo = -1;

  reset(): void {
    this.head = 0;
    this.filled = 0;
    this.epochUs = NaN;
    this.nowMs = 0;
    this.pendingFrom = -1;
    this.pendingTo = -1;
  }

  /**
   * Append a chunk, decimated to the budget. Returns true when the sensor
   * size changed (the ring was reset; the caller redraws the frame box).
   */
  add(c: EventColumns): boolean {
    const n = c.t.length;
    if (n === 0) return false;
    let resized = false;
    if (c.width !== this.width || c.height !== this.height) {
      this.width = c.width;
      this.height = c.height;
      this.reset();
      resized = true;
    }
    // a chunk far older than what we hold: the source restarted or seeked back
    if (Number.isNaN(this.epochUs) || c.t0Us + c.t[0] < this.epochUs + this.nowMs * 1000 - 1_000_000) {
      this.reset();
      this.epochUs = c.t0Us + c.t[0];
    }
    const chunkMs = Math.max(1, (c.t[n - 1] - c.t[0]) / 1000);
    const budget = Math.max(500, Math.round((this.pointBudget * Math.min(chunkMs, this.spanMs)) / this.spanMs));
    const step = n > budget ? n / budget : 1;
    const pos = this.positions;
    const col = this.colours;
    const w2 = this.width / 2;
    const h2 = this.height / 2;
    const base = (c.t0Us - this.epochUs) / 1000;
    const [onR, onG, onB] = this.onRgb;
    const [offR, offG, offB] = this.offRgb;
    let newest = this.nowMs;
    if (this.pendingFrom < 0) this.pendingFrom = this.head;
    for (let f = 0; f < n; f += step) {
      const i = f | 0;
      const k = this.head * 3;
      const tMs = base + c.t[i] / 1000;
      pos[k] = c.x[i] - w2;
      pos[k + 1] = h2 - c.y[i];
      pos[k + 2] = tMs * Z_PER_MS;
      if (c.p[i]) {
        col[k] = onR;
        col[k + 1] = onG;
        col[k + 2] = onB;
      } else {
        col[k] = offR;
        col[k + 1] = offG;
        col[k + 2] = offB;
      }
      if (tMs > newest) newest = tMs;
      if (++this.head >= this.ring) {
        // wrapped: everything up to the ring's end is new
        this.head = 0;
        this.pendingFrom = 0;
        this.pendingTo = this.ring;
      }
      if (this.filled < this.ring) this.filled++;
    }
    this.nowMs = newest;
    this.pendingTo = Math.max(this.pendingTo, this.head);
    return resized;
  }

  /** points (not floats) written since the last call, as one range to upload; null when nothing changed */
  takeDirty(): { from: number; count: number } | null {
    if (this.pendingFrom < 0) return null;
    const wrapped = this.pendingTo <= this.pendingFrom;
    const range = wrapped ? { from: 0, count: this.ring } : { from: this.pendingFrom, count: this.pendingTo - this.pendingFrom };
    this.pendingFrom = -1;
    this.pendingTo = -1;
    return range;
  }

  setBudget(points: number): void {
    this.pointBudget = points;
    this.ring = Math.min(CAPACITY, Math.round(points * 1.5));
    if (this.head >= this.ring) this.head = 0;
    this.filled = Math.min(this.filled, this.ring);
  }
}
