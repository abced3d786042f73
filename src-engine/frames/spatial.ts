// Spatial transforms: region of interest (crop) and downsampling, as pure
// functions on batches and as lookup tables the streaming binner uses.
import type { EventBatch, Geometry } from '../events/batch';
import { makeBatch, sliceBatch } from '../events/batch';

/** The first `n` events of a scratch batch, in columns of their own size (a filtered result keeps no oversized buffer alive). */
export function keepFirst(b: EventBatch, n: number): EventBatch {
  if (n === b.length) return b;
  const v = sliceBatch(b, 0, n);
  return { t: v.t.slice(), x: v.x.slice(), y: v.y.slice(), p: v.p.slice(), length: n };
}

/** A rectangle in sensor pixels: columns [x, x + width), rows [y, y + height). */
export interface Roi {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

const MAX_SIDE = 65536; // x and y are Uint16

function checkSide(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > MAX_SIDE) throw new RangeError(`${what} must be a whole number from 1 to ${MAX_SIDE}, not ${v}`);
}

export function checkGeometry(what: string, g: Geometry): void {
  if (!g || typeof g !== 'object') throw new RangeError(`${what} is required`);
  checkSide(`${what}.width`, g.width);
  checkSide(`${what}.height`, g.height);
}

/** Validates a ROI against the sensor; the whole sensor when `roi` is absent. */
export function resolveRoi(sensor: Geometry, roi?: Roi): Roi {
  if (!roi) return { x: 0, y: 0, width: sensor.width, height: sensor.height };
  checkSide('roi.width', roi.width);
  checkSide('roi.height', roi.height);
  if (!Number.isInteger(roi.x) || !Number.isInteger(roi.y) || roi.x < 0 || roi.y < 0) {
    throw new RangeError(`roi.x and roi.y must be whole numbers ≥ 0, not ${roi.x}, ${roi.y}`);
  }
  if (roi.x + roi.width > sensor.width || roi.y + roi.height > sensor.height) {
    throw new RangeError(
      `roi ${roi.x},${roi.y} ${roi.width}×${roi.height} reaches beyond the ${sensor.width}×${sensor.height} sensor`,
    );
  }
  return { x: roi.x, y: roi.y, width: roi.width, height: roi.height };
}

/** floor(a · b / c) for non-negative integers, exact (no rounding of b / c as a factor). */
export function scaleCoord(a: number, outLen: number, inLen: number): number {
  return Math.floor((a * outLen) / inLen); // a·outLen < 2^32, so the quotient is exact enough to floor
}

/**
 * Lookup table sensor coordinate → output coordinate × `stride`, or −1 outside
 * [start, start + len). Output coordinate = floor((v − start) · outLen / len).
 */
export function axisTable(sensorLen: number, start: number, len: number, outLen: number, stride: number): Int32Array {
  const table = new Int32Array(sensorLen).fill(-1);
  for (let v = start; v < start + len && v < sensorLen; v++) table[v] = scaleCoord(v - start, outLen, len) * stride;
  return table;
}

/**
 * Keeps the events inside `roi` and moves them to ROI coordinates
 * (x − roi.x, y − roi.y), as tonic's crop does for a given box.
 */
export function cropEvents(b: EventBatch, roi: Roi): EventBatch {
  resolveRoi({ width: MAX_SIDE, height: MAX_SIDE }, roi); // whole numbers, x, y ≥ 0, positive size
  const x0 = roi.x, y0 = roi.y, x1 = roi.x + roi.width, y1 = roi.y + roi.height;
  const out = makeBatch(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const x = b.x[i], y = b.y[i];
    if (x < x0 || x >= x1 || y < y0 || y >= y1) continue;
    out.t[n] = b.t[i];
    out.x[n] = x - x0;
    out.y[n] = y - y0;
    out.p[n] = b.p[i];
    n++;
  }
  return keepFirst(out, n);
}

/**
 * Maps every event from a `sensor`-sized frame to a `size`-sized one:
 * x' = floor(x · size.width / sensor.width), likewise y. Drops no event except
 * those outside the sensor (which would land outside the output).
 */
export function downsampleEvents(b: EventBatch, sensor: Geometry, size: Size): EventBatch {
  checkGeometry('sensor', sensor);
  checkGeometry('size', size);
  const xs = axisTable(sensor.width, 0, sensor.width, size.width, 1);
  const ys = axisTable(sensor.height, 0, sensor.height, size.height, 1);
  const out = makeBatch(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const x = b.x[i], y = b.y[i];
    if (x >= sensor.width || y >= sensor.height) continue;
    out.t[n] = b.t[i];
    out.x[n] = xs[x];
    out.y[n] = ys[y];
    out.p[n] = b.p[i];
    n++;
  }
  return keepFirst(out, n);
}
