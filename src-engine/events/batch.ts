/**
 * The one in-memory form of events: a struct of typed arrays.
 *
 * Timestamps are integer microseconds stored in a Float64Array. A double holds
 * every integer below 2^53 exactly (≈ 285 years of microseconds), so Unix-epoch
 * timestamps from AEDAT 4 (~1.7e15 µs) and unwrapped Prophesee clocks are exact,
 * while the hot loops keep plain double arithmetic. BigInt64Array would cover
 * the full int64 range but costs 10-50× in every loop that touches time; decoders
 * instead reject a timestamp that a double cannot hold exactly (see
 * `MAX_EXACT_US`).
 */
export interface EventBatch {
  /** timestamps, integer µs as stored by the source (no shift) */
  readonly t: Float64Array;
  readonly x: Uint16Array;
  readonly y: Uint16Array;
  /** polarity: 1 = ON (brighter), 0 = OFF */
  readonly p: Uint8Array;
  readonly length: number;
}

export interface Geometry {
  readonly width: number;
  readonly height: number;
}

/** Largest timestamp (µs) a Float64Array stores exactly. */
export const MAX_EXACT_US = Number.MAX_SAFE_INTEGER;

export const DEFAULT_BATCH_SIZE = 1 << 16;

export function emptyBatch(): EventBatch {
  return makeBatch(0);
}

/** A batch of `n` zeroed events. */
export function makeBatch(n: number): EventBatch {
  return {
    t: new Float64Array(n),
    x: new Uint16Array(n),
    y: new Uint16Array(n),
    p: new Uint8Array(n),
    length: n,
  };
}

/** Builds a batch from parallel arrays (copies; for tests and small inputs). */
export function batchFrom(
  t: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  p: ArrayLike<number>,
): EventBatch {
  const n = t.length;
  if (x.length !== n || y.length !== n || p.length !== n) {
    throw new RangeError(`batchFrom: column lengths differ (${n}, ${x.length}, ${y.length}, ${p.length})`);
  }
  const b = makeBatch(n);
  b.t.set(t);
  b.x.set(x);
  b.y.set(y);
  b.p.set(p);
  return b;
}

/** Zero-copy view of events [start, end). */
export function sliceBatch(b: EventBatch, start: number, end: number = b.length): EventBatch {
  const s = Math.max(0, Math.min(start, b.length));
  const e = Math.max(s, Math.min(end, b.length));
  return {
    t: b.t.subarray(s, e),
    x: b.x.subarray(s, e),
    y: b.y.subarray(s, e),
    p: b.p.subarray(s, e),
    length: e - s,
  };
}

export function concatBatches(batches: readonly EventBatch[]): EventBatch {
  let n = 0;
  for (const b of batches) n += b.length;
  const out = makeBatch(n);
  let o = 0;
  for (const b of batches) {
    out.t.set(b.t.subarray(0, b.length), o);
    out.x.set(b.x.subarray(0, b.length), o);
    out.y.set(b.y.subarray(0, b.length), o);
    out.p.set(b.p.subarray(0, b.length), o);
    o += b.length;
  }
  return out;
}

/**
 * Fixed-capacity columns that decoders fill in their hot loops
 * (`t[n] = …; n++`), then hand over with `take(n)`. Taking gives the filled
 * prefix away as a batch and allocates fresh columns, so a consumer may keep
 * every batch it receives.
 */
export class BatchBuilder {
  t: Float64Array;
  x: Uint16Array;
  y: Uint16Array;
  p: Uint8Array;

  constructor(readonly capacity: number = DEFAULT_BATCH_SIZE) {
    if (!(capacity > 0)) throw new RangeError('BatchBuilder capacity must be > 0');
    this.t = new Float64Array(capacity);
    this.x = new Uint16Array(capacity);
    this.y = new Uint16Array(capacity);
    this.p = new Uint8Array(capacity);
  }

  /** Hands over events [0, n) and starts new columns. */
  take(n: number): EventBatch {
    const b: EventBatch = {
      t: this.t.subarray(0, n),
      x: this.x.subarray(0, n),
      y: this.y.subarray(0, n),
      p: this.p.subarray(0, n),
      length: n,
    };
    this.t = new Float64Array(this.capacity);
    this.x = new Uint16Array(this.capacity);
    this.y = new Uint16Array(this.capacity);
    this.p = new Uint8Array(this.capacity);
    return b;
  }
}
