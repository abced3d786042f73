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

/** First column size of decoders that grow their BatchBuilder on demand (see `BatchBuilder.ensure`). */
export const INITIAL_BATCH_EVENTS = 1 << 12;

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

/** Bytes per event in a builder's columns: t (8) + x (2) + y (2) + p (1). */
const EVENT_COLUMN_BYTES = 13;

/**
 * Columns of up to `capacity` events that decoders fill in their hot loops
 * (`t[n] = …; n++`), then hand over with `take(n)`.
 *
 * By default taking gives the filled prefix away as a batch and allocates
 * fresh columns, so a consumer may keep every batch it receives (as
 * `collectEvents` does). With `reuse` the builder keeps its columns and every
 * batch is a view of them, valid only until the decoder resumes (the next
 * iteration of the stream): for streaming consumers (binning, info scans,
 * conversion) that finish with a batch before asking for the next one. It
 * saves allocating and zeroing ~850 kB per 65 536-event batch.
 *
 * The four columns share one ArrayBuffer (one allocation instead of four); a
 * kept batch keeps that buffer alive, as it kept its four before.
 *
 * With `initial` below `capacity` the columns start that small and grow (up
 * to `capacity`) when a decoder asks with `ensure(n)` before writing, so a
 * 2 000-event file does not pay for 65 536-event columns. Only decoders that
 * call `ensure` may pass `initial`; the others write up to `capacity`.
 */
export class BatchBuilder {
  t!: Float64Array;
  x!: Uint16Array;
  y!: Uint16Array;
  p!: Uint8Array;

  constructor(
    readonly capacity: number = DEFAULT_BATCH_SIZE,
    /** hand out views of the same columns every time (see the class comment) */
    readonly reuse = false,
    /** events the columns hold at first (default: capacity); see `ensure` */
    initial: number = capacity,
  ) {
    if (!(capacity > 0)) throw new RangeError('BatchBuilder capacity must be > 0');
    this.allocate(Math.max(1, Math.min(capacity, initial)));
  }

  /** Makes the columns hold at least `n` (≤ capacity) events, keeping their contents. */
  ensure(n: number): void {
    const have = this.t.length;
    if (n <= have) return;
    const { t, x, y, p } = this;
    this.allocate(Math.min(this.capacity, Math.max(n, 2 * have)));
    this.t.set(t);
    this.x.set(x);
    this.y.set(y);
    this.p.set(p);
  }

  private allocate(n: number): void {
    const buf = new ArrayBuffer(n * EVENT_COLUMN_BYTES);
    this.t = new Float64Array(buf, 0, n);
    this.x = new Uint16Array(buf, 8 * n, n);
    this.y = new Uint16Array(buf, 10 * n, n);
    this.p = new Uint8Array(buf, 12 * n, n);
  }

  /** Hands over events [0, n) and starts new columns (or, with `reuse`, refills the same ones). */
  take(n: number): EventBatch {
    const b: EventBatch = {
      t: this.t.subarray(0, n),
      x: this.x.subarray(0, n),
      y: this.y.subarray(0, n),
      p: this.p.subarray(0, n),
      length: n,
    };
    if (!this.reuse) this.allocate(this.t.length);
    return b;
  }
}
