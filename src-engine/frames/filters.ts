// Event filters: hot-pixel mask and finder, tonic's background-activity
// denoise, time slicing. The streaming binner runs the very same ActivityFilter
// and mask test, so the batch functions and the binner agree event for event.
import type { EventBatch, Geometry } from '../events/batch';
import { makeBatch } from '../events/batch';
import { checkGeometry, keepFirst } from './spatial';

/**
 * tonic's `denoise_numpy` as a streaming filter. Each pixel remembers
 * t + filterTime of its latest event; an event passes when one of its four
 * neighbours (left, right, up, down; not diagonals, not itself) holds a value
 * greater than the event's t, i.e. fired less than filterTime earlier.
 * Memory starts at filterTime everywhere, as in tonic: a pixel that never fired
 * counts as having fired at t = 0 (see docs/FRAMES.md).
 */
export class ActivityFilter {
  private readonly mem: Float64Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly filterTimeUs: number,
  ) {
    if (!(filterTimeUs > 0) || !Number.isFinite(filterTimeUs)) {
      throw new RangeError(`denoise filter time must be a positive number of µs, not ${filterTimeUs}`);
    }
    this.mem = new Float64Array(width * height).fill(filterTimeUs);
  }

  /** Records the event at (x, y, t) and says whether it passes. x < width, y < height. */
  pass(x: number, y: number, t: number): boolean {
    const w = this.width;
    const m = this.mem;
    const i = y * w + x;
    m[i] = t + this.filterTimeUs;
    return (
      (x > 0 && m[i - 1] > t) ||
      (x < w - 1 && m[i + 1] > t) ||
      (y > 0 && m[i - w] > t) ||
      (y < this.height - 1 && m[i + w] > t)
    );
  }
}

/**
 * Drops events with no neighbour activity within `filterTimeUs` (tonic
 * Denoise(filter_time)). Events outside the sensor are dropped too.
 */
export function denoiseEvents(b: EventBatch, sensor: Geometry, filterTimeUs: number): EventBatch {
  checkGeometry('sensor', sensor);
  const f = new ActivityFilter(sensor.width, sensor.height, filterTimeUs);
  return filterEvents(b, sensor, (x, y, t) => f.pass(x, y, t));
}

/** Pixel mask (W × H, index y·W + x, nonzero = drop), checked for size. */
export function checkMask(sensor: Geometry, mask: Uint8Array): Uint8Array {
  if (!(mask instanceof Uint8Array) || mask.length !== sensor.width * sensor.height) {
    throw new RangeError(`hot-pixel mask must be a Uint8Array of ${sensor.width}×${sensor.height} = ${sensor.width * sensor.height} entries`);
  }
  return mask;
}

/** Drops events on masked pixels (and events outside the sensor). */
export function maskHotPixels(b: EventBatch, sensor: Geometry, mask: Uint8Array): EventBatch {
  checkGeometry('sensor', sensor);
  checkMask(sensor, mask);
  const w = sensor.width;
  return filterEvents(b, sensor, (x, y) => mask[y * w + x] === 0);
}

export interface HotPixelRule {
  /** hot when count > maxRateHz × (t_last − t_first) × 1e-6 — tonic's identify_hot_pixel */
  readonly maxRateHz?: number;
  /** hot when count > mean + sigma · std of the counts of the pixels that fired at least once */
  readonly sigma?: number;
}

/** Finds hot pixels by event count; returns a W × H mask (index y·W + x, 1 = hot). Either rule or both (union). */
export function findHotPixels(b: EventBatch, sensor: Geometry, rule: HotPixelRule): Uint8Array {
  checkGeometry('sensor', sensor);
  const { maxRateHz, sigma } = rule ?? {};
  if (maxRateHz === undefined && sigma === undefined) throw new RangeError('findHotPixels needs maxRateHz or sigma');
  if (maxRateHz !== undefined && !(maxRateHz >= 0 && Number.isFinite(maxRateHz))) throw new RangeError(`maxRateHz must be ≥ 0, not ${maxRateHz}`);
  if (sigma !== undefined && !(sigma >= 0 && Number.isFinite(sigma))) throw new RangeError(`sigma must be ≥ 0, not ${sigma}`);
  const w = sensor.width, h = sensor.height;
  const counts = new Float64Array(w * h);
  for (let i = 0; i < b.length; i++) {
    const x = b.x[i], y = b.y[i];
    if (x < w && y < h) counts[y * w + x]++;
  }
  const mask = new Uint8Array(w * h);
  if (b.length === 0) return mask;
  if (maxRateHz !== undefined) {
    const limit = maxRateHz * (b.t[b.length - 1] - b.t[0]) * 1e-6; // tonic's order of operations
    for (let i = 0; i < counts.length; i++) if (counts[i] > limit) mask[i] = 1;
  }
  if (sigma !== undefined) {
    let n = 0, sum = 0, sumSq = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i];
      if (c > 0) { n++; sum += c; sumSq += c * c; }
    }
    const mean = sum / n;
    const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    const limit = mean + sigma * std;
    for (let i = 0; i < counts.length; i++) if (counts[i] > limit) mask[i] = 1;
  }
  return mask;
}

/** Events with t0 ≤ t < t1, in their order (works on unsorted input too). */
export function timeSlice(b: EventBatch, t0: number, t1: number): EventBatch {
  return filterEvents(b, null, (_x, _y, t) => t >= t0 && t < t1);
}

/** Copies the events `keep` accepts (and, given a sensor, that lie on it). */
function filterEvents(b: EventBatch, sensor: Geometry | null, keep: (x: number, y: number, t: number) => boolean): EventBatch {
  const w = sensor ? sensor.width : Infinity, h = sensor ? sensor.height : Infinity;
  const out = makeBatch(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const x = b.x[i], y = b.y[i], t = b.t[i];
    if (x >= w || y >= h || !keep(x, y, t)) continue;
    out.t[n] = t;
    out.x[n] = x;
    out.y[n] = y;
    out.p[n] = b.p[i];
    n++;
  }
  return keepFirst(out, n);
}
