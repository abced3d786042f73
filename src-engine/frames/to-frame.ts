// tonic's ToFrame (tonic/transforms.py) and to_frame_numpy with its slicers
// (tonic/functional/to_frame.py, tonic/slicers.py): event counts per
// (slice, polarity, y, x) as int16. Window arithmetic follows tonic step by
// step so the numbers match; deviations are listed in docs/FRAMES.md.
import type { EventBatch } from '../events/batch';
import { checkGeometry } from './spatial';

export interface FrameSensor {
  readonly width: number;
  readonly height: number;
  /** 2 (default): ON and OFF planes; 1: one plane (ON and OFF summed) */
  readonly polarities?: 1 | 2;
}

/** Exactly one of timeWindow, eventCount, nTimeBins, nEventBins. */
export interface ToFrameOptions {
  /** slice length in µs; stride = timeWindow − overlap */
  timeWindow?: number;
  /** events per slice; stride = eventCount − overlap */
  eventCount?: number;
  /** fixed number of slices of (t_last − t_first) // n µs each */
  nTimeBins?: number;
  /** fixed number of slices of N // n events each */
  nEventBins?: number;
  /** µs (timeWindow), events (eventCount) or a fraction of a slice in [0, 1) (the bin modes) */
  overlap?: number;
  /** timeWindow/eventCount: round the slice count up instead of down (ignored by the bin modes, as in tonic) */
  includeIncomplete?: boolean;
}

export interface FrameStack {
  /** counts, int16 wrapping on overflow like numpy's */
  data: Int16Array;
  /** [T, P, H, W] */
  shape: [number, number, number, number];
}

/** Half-open index ranges [start, end) of the slices, as tonic's slicers compute them. */
export type SliceRanges = Array<[number, number]>;

export function toFrame(events: EventBatch, sensor: FrameSensor, opts: ToFrameOptions): FrameStack {
  checkGeometry('sensor', sensor);
  const P = sensor.polarities ?? 2;
  if (P !== 1 && P !== 2) throw new RangeError(`sensor.polarities must be 1 or 2, not ${P}`);
  const mode = checkOptions(opts);
  const W = sensor.width, H = sensor.height;
  const n = events.length;
  if (n === 0) {
    // tonic's ToFrame returns zeros of (1 or n bins, P, W, H) here (note W and H swapped); we keep (T, P, H, W).
    const T = mode === 'nTimeBins' ? opts.nTimeBins! : mode === 'nEventBins' ? opts.nEventBins! : 1;
    return { data: new Int16Array(T * P * H * W), shape: [T, P, H, W] };
  }
  const slices = sliceEvents(events, opts);
  const T = slices.length;
  const plane = H * W;
  if (T * P * plane > MAX_VALUES) throw new RangeError(`toFrame: ${T}×${P}×${H}×${W} counts are more than one array can hold`);
  const data = new Int16Array(T * P * plane);
  const pm = P - 1;
  const { x: X, y: Y, p: Pol } = events;
  for (let s = 0; s < T; s++) {
    const [lo, hi] = slices[s];
    const base = s * P * plane;
    for (let i = lo; i < hi; i++) {
      const x = X[i], y = Y[i];
      if (x >= W || y >= H) throw new RangeError(`toFrame: event ${i} at (${x}, ${y}) lies outside the ${W}×${H} sensor`);
      data[base + (Pol[i] & pm) * plane + y * W + x]++; // Int16Array wraps at 32767 as numpy's int16 does
    }
  }
  return { data, shape: [T, P, H, W] };
}

const MAX_VALUES = 2 ** 31;
const MAX_SLICES = 2 ** 26;

function checkSliceCount(count: number): void {
  if (count > MAX_SLICES) throw new RangeError(`toFrame: ${count} slices is too many (limit ${MAX_SLICES})`);
}

type Mode = 'timeWindow' | 'eventCount' | 'nTimeBins' | 'nEventBins';

function checkOptions(opts: ToFrameOptions): Mode {
  const given = (['timeWindow', 'eventCount', 'nTimeBins', 'nEventBins'] as const).filter((k) => opts[k] !== undefined && opts[k] !== null);
  if (given.length !== 1) {
    throw new RangeError('toFrame: give exactly one of timeWindow, eventCount, nTimeBins or nEventBins');
  }
  const mode = given[0];
  const v = opts[mode]!;
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`toFrame: ${mode} must be a positive number, not ${v}`);
  if ((mode === 'eventCount' || mode === 'nTimeBins' || mode === 'nEventBins') && !Number.isInteger(v)) {
    throw new RangeError(`toFrame: ${mode} must be a whole number, not ${v}`);
  }
  const overlap = opts.overlap ?? 0;
  if (!Number.isFinite(overlap)) throw new RangeError(`toFrame: overlap must be a number, not ${overlap}`);
  if ((mode === 'nTimeBins' || mode === 'nEventBins') && !(overlap >= 0 && overlap < 1)) {
    throw new RangeError(`toFrame: with ${mode}, overlap is a fraction of a bin in [0, 1), not ${overlap}`);
  }
  return mode;
}

/** The slices tonic's slicer for these options cuts from `events` (time-sorted for the time modes). */
export function sliceEvents(events: EventBatch, opts: ToFrameOptions): SliceRanges {
  const mode = checkOptions(opts);
  const n = events.length;
  const overlap = opts.overlap ?? 0;
  const include = opts.includeIncomplete ?? false;
  const out: SliceRanges = [];
  if (n === 0) return out;
  const t = events.t;
  if (mode === 'timeWindow' || mode === 'nTimeBins') {
    for (let i = 1; i < n; i++) if (t[i] < t[i - 1]) throw new RangeError(`toFrame: events must be in time order (event ${i})`);
  }
  if (mode === 'timeWindow') {
    // SliceByTime: slices = floor|ceil((duration − window) / stride) + 1, at least 1.
    const tw = opts.timeWindow!;
    const stride = tw - overlap;
    if (!(stride > 0)) throw new RangeError(`toFrame: timeWindow − overlap must be > 0 (${tw} − ${overlap})`);
    const t0 = t[0];
    const q = (t[n - 1] - t0 - tw) / stride;
    const count = Math.max((include ? Math.ceil(q) : Math.floor(q)) + 1, 1);
    checkSliceCount(count);
    for (let i = 0; i < count; i++) {
      const start = i * stride + t0;
      out.push([lowerBound(t, start), lowerBound(t, start + tw)]);
    }
  } else if (mode === 'eventCount') {
    // SliceByEventCount: the slice length is min(count, N) but the stride uses the requested count.
    const requested = opts.eventCount!;
    const count = Math.min(requested, n);
    const stride = requested - overlap;
    if (!(stride > 0)) throw new RangeError(`toFrame: eventCount − overlap must be > 0 (${requested} − ${overlap})`);
    const q = (n - count) / stride;
    const slices = (include ? Math.ceil(q) : Math.floor(q)) + 1;
    checkSliceCount(slices);
    for (let i = 0; i < slices; i++) {
      const start = Math.trunc(i * stride);
      out.push([Math.min(start, n), Math.min(start + count, n)]);
    }
  } else if (mode === 'nTimeBins') {
    // SliceByTimeBins: window = ((t_last − t_first) // bins) · (1 + overlap); tail events past bins·window drop out.
    const bins = opts.nTimeBins!;
    const t0 = t[0];
    const window = floorDiv(t[n - 1] - t0, bins) * (1 + overlap);
    const stride = window * (1 - overlap);
    for (let i = 0; i < bins; i++) {
      const start = i * stride + t0;
      out.push([lowerBound(t, start), lowerBound(t, start + window)]);
    }
  } else {
    // SliceByEventBins: N // bins · (1 + overlap) events per slice, both truncated to integers.
    const bins = opts.nEventBins!;
    const perSlice = Math.trunc(Math.floor(n / bins) * (1 + overlap));
    const stride = Math.trunc(perSlice * (1 - overlap));
    for (let i = 0; i < bins; i++) {
      const start = i * stride;
      out.push([Math.min(start, n), Math.min(start + perSlice, n)]);
    }
  }
  return out;
}

/** numpy.searchsorted(t, v, side='left'): first index with t[i] ≥ v. */
function lowerBound(t: Float64Array, v: number): number {
  let lo = 0, hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Python's a // b for integers, exact where a / b rounds. */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}
