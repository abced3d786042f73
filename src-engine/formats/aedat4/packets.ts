/**
 * EVTS packets (fbs/events.fbs): a size-prefixed flatbuffer whose root table
 * holds one vector of 16-byte Event structs {t: i64, x: i16, y: i16, on: bool,
 * 3 bytes padding}. The decoder checks the flatbuffer's offsets, then reads
 * the struct vector straight through an Int32Array (4 words an event); the
 * encoder writes the same bytes DV's flatbuffers builder produces.
 */
import type { EventBatch } from '../../events/batch';
import { FlatbufferError, sizePrefixed } from './flatbuffer-view';
import { PayloadError } from './payload-error';

export const EVENT_BYTES = 16;
export const EVTS_IDENTIFIER = 'EVTS';
const TWO_32 = 4294967296;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Where the events of one decompressed EVTS payload are. */
export interface EventVector {
  /** byte offset of the first event inside the payload */
  readonly start: number;
  readonly count: number;
}

/** Checks a decompressed EVTS payload and finds its event vector; throws PayloadError. */
export function locateEvents(payload: Uint8Array): EventVector {
  try {
    const v = sizePrefixed(payload);
    const root = v.root();
    const id = v.identifier();
    if (id !== EVTS_IDENTIFIER) throw new PayloadError('corrupt', `packet identifier is '${id.replace(/[^\x20-\x7e]/g, '?')}', expected 'EVTS'`);
    const vec = v.vectorField(root, 0, EVENT_BYTES, 'EventPacket.elements');
    // positions in the view are relative to the flatbuffer, 4 bytes past the size prefix
    return vec ? { start: vec.start + 4, count: vec.count } : { start: 0, count: 0 };
  } catch (e) {
    if (e instanceof FlatbufferError) throw new PayloadError('corrupt', `EventPacket: ${e.message}`);
    throw e;
  }
}

/** Decodes event ranges, copying misaligned payloads into an aligned scratch buffer first. */
export class EventVectorReader {
  private scratch: Int32Array = new Int32Array(0);
  private words: Int32Array = new Int32Array(0);
  private lastPayload: Uint8Array | null = null;
  private lastStart = -1;

  /** Must be called once per payload before `decode` (sets up the word view). */
  attach(payload: Uint8Array, vec: EventVector): void {
    this.lastPayload = payload;
    this.lastStart = vec.start;
    const byteStart = payload.byteOffset + vec.start;
    const nWords = vec.count * 4;
    if (byteStart % 4 === 0) {
      this.words = new Int32Array(payload.buffer, byteStart, nWords);
    } else {
      if (this.scratch.length < nWords) this.scratch = new Int32Array(Math.max(nWords, this.scratch.length * 2));
      new Uint8Array(this.scratch.buffer, 0, nWords * 4).set(payload.subarray(vec.start, vec.start + nWords * 4));
      this.words = this.scratch;
    }
  }

  /**
   * Events [first, first + count) of the attached payload into the columns
   * from index `n`; returns the new index, or −1 when some event of the range
   * cannot be represented (see `firstBadEvent`).
   */
  decode(first: number, count: number, t: Float64Array, x: Uint16Array, y: Uint16Array, p: Uint8Array, n: number): number {
    if (!LITTLE_ENDIAN) return decodeWithDataView(this.lastPayload!, this.lastStart, first, count, t, x, y, p, n);
    const w = this.words;
    let k = first * 4;
    let bad = 0;
    const end = n + count;
    // branch-free body (the polarity test and range checks would mispredict on
    // DVS data); a bad event only sets `bad`, and the range is then refused whole
    for (; n < end; n++, k += 4) {
      const hi = w[k + 1];
      const xy = w[k + 2];
      // t ∈ [−2^53, 2^53), exact in a double ⇔ −2^21 ≤ hi < 2^21; x, y are int16 and must not be negative
      bad |= ((hi + 0x200000) >>> 22) | (xy & 0x80008000);
      t[n] = hi * TWO_32 + (w[k] >>> 0);
      x[n] = xy; // the store keeps the low 16 bits
      y[n] = xy >>> 16;
      p[n] = ((w[k + 3] & 0xff) + 0xff) >>> 8; // 1 when the `on` byte is non-zero
    }
    return bad === 0 ? n : -1;
  }
}

/** Index (within the vector) of the first event in [first, first + count) that `decode` refuses, or −1. */
export function firstBadEvent(payload: Uint8Array, vec: EventVector, first: number, count: number): number {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  for (let i = first; i < first + count; i++) {
    const o = vec.start + i * EVENT_BYTES;
    const hi = dv.getInt32(o + 4, true);
    if (hi > 0x1fffff || hi < -0x200000 || dv.getInt16(o + 8, true) < 0 || dv.getInt16(o + 10, true) < 0) return i;
  }
  return -1;
}

/** The same decode on a big-endian host. */
function decodeWithDataView(
  payload: Uint8Array,
  start: number,
  first: number,
  count: number,
  t: Float64Array,
  x: Uint16Array,
  y: Uint16Array,
  p: Uint8Array,
  n: number,
): number {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let o = start + first * EVENT_BYTES;
  for (let i = 0; i < count; i++, o += EVENT_BYTES) {
    const hi = dv.getInt32(o + 4, true);
    const ex = dv.getInt16(o + 8, true);
    const ey = dv.getInt16(o + 10, true);
    if (hi > 0x1fffff || hi < -0x200000 || ex < 0 || ey < 0) return -1;
    t[n] = hi * TWO_32 + dv.getUint32(o, true);
    x[n] = ex;
    y[n] = ey;
    p[n] = payload[o + 12] !== 0 ? 1 : 0;
    n++;
  }
  return n;
}

/** Bytes before the first event in an encoded packet. */
export const EVTS_HEADER_BYTES = 32;

/**
 * Fills EVTS packets of up to `capacity` events. The layout is what the
 * flatbuffers builder makes for an EventPacket (and what DV writes):
 *   0 u32 size prefix · 4 u32 root offset (16) · 8 "EVTS" · 12 2 bytes padding
 *   14 vtable {6, 8, 4} · 20 table: i32 vtable distance (6), u32 vector offset (4)
 *   28 u32 event count · 32 events.
 */
export class EventPacketEncoder {
  readonly bytes: Uint8Array;
  private readonly words: Int32Array;
  count = 0;
  tFirst = 0;
  tLast = 0;

  constructor(readonly capacity: number) {
    if (!LITTLE_ENDIAN) throw new Error('the AEDAT 4 writer needs a little-endian host');
    this.bytes = new Uint8Array(EVTS_HEADER_BYTES + capacity * EVENT_BYTES);
    this.words = new Int32Array(this.bytes.buffer);
    const w = this.words;
    w[1] = 16;
    this.bytes.set([0x45, 0x56, 0x54, 0x53], 8); // EVTS
    this.bytes.set([0, 0, 6, 0, 8, 0, 4, 0], 12);
    w[5] = 6;
    w[6] = 4;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /**
   * Appends events [from, to) of `b` (at most the free room); returns how many
   * it took. Throws RangeError for events AEDAT 4 cannot store.
   */
  add(b: EventBatch, from: number, to: number): number {
    const k = Math.min(to - from, this.capacity - this.count);
    const w = this.words;
    const { t, x, y, p } = b;
    let o = (EVTS_HEADER_BYTES >> 2) + this.count * 4;
    for (let i = from; i < from + k; i++, o += 4) {
      const ti = t[i];
      if (!Number.isSafeInteger(ti)) throw new RangeError(`AEDAT 4: event ${i} has timestamp ${ti}, not an integer below 2^53 µs`);
      const xi = x[i];
      const yi = y[i];
      if (xi > 0x7fff || yi > 0x7fff) throw new RangeError(`AEDAT 4: event ${i} at (${xi}, ${yi}) does not fit int16 coordinates`);
      const hi = Math.floor(ti / TWO_32);
      w[o] = ti - hi * TWO_32;
      w[o + 1] = hi;
      w[o + 2] = xi | (yi << 16);
      w[o + 3] = p[i] !== 0 ? 1 : 0;
    }
    if (k > 0) {
      if (this.count === 0) this.tFirst = t[from];
      this.tLast = t[from + k - 1];
    }
    this.count += k;
    return k;
  }

  /** The finished packet (a view, valid until the next `add`); then starts a new one. */
  take(): Uint8Array {
    const n = this.count;
    const w = this.words;
    w[0] = EVTS_HEADER_BYTES - 4 + n * EVENT_BYTES;
    w[7] = n;
    this.count = 0;
    return this.bytes.subarray(0, EVTS_HEADER_BYTES + n * EVENT_BYTES);
  }
}
