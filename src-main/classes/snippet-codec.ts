// The raw events of a shot, as stored in shots.events: a small, versioned,
// columnar encoding (no compression: a shot is one model window, typically
// 1–50 k events, and must be written inside the enrollment's 20 ms budget).
//
//   offset  size         field
//   0       4            magic "NLSN"
//   4       1            version = 1
//   5       1            flags: bit 0 = timestamps stored as f64 absolute
//                        (otherwise u32 deltas from the previous event)
//   6       2            0
//   8       4            n = event count (u32)
//   12      4            0
//   16      8            t0: first timestamp, µs (f64)
//   24      4n or 8n     t: u32 delta from the previous event (first = 0), or f64 absolute
//   …       2n           x (u16)
//   …       2n           y (u16)
//   …       ⌈n/8⌉        p: polarity bits, event i at bit (i mod 8) of byte ⌊i/8⌋
// All little-endian. Deltas are used when timestamps are non-decreasing
// integers with gaps below 2^32 µs (always, for a real shot), which makes an
// event 4 + 2 + 2 + ⅛ bytes.
import { makeBatch, type EventBatch } from '../../src-engine/events/batch';

const MAGIC = [0x4e, 0x4c, 0x53, 0x4e]; // NLSN
const VERSION = 1;
const HEADER = 24;
/** the most events a stored shot may hold (≈ 130 MB as f64; far above one window) */
export const MAX_SNIPPET_EVENTS = 8_000_000;

export class SnippetError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`event snippet, byte ${offset}: ${reason}`);
    this.name = 'SnippetError';
  }
}

function deltasFit(t: Float64Array, n: number): boolean {
  for (let i = 1; i < n; i++) {
    const d = t[i] - t[i - 1];
    if (!(d >= 0 && d <= 0xffffffff && Number.isInteger(d))) return false;
  }
  return n === 0 || Number.isInteger(t[0]);
}

export function encodeSnippet(b: EventBatch): Uint8Array {
  const n = b.length;
  if (n > MAX_SNIPPET_EVENTS) throw new RangeError(`a shot holds at most ${MAX_SNIPPET_EVENTS} events, this one has ${n}`);
  const deltas = deltasFit(b.t, n);
  const tBytes = deltas ? 4 : 8;
  const out = new Uint8Array(HEADER + n * (tBytes + 4) + ((n + 7) >> 3));
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  out[5] = deltas ? 0 : 1;
  dv.setUint32(8, n, true);
  dv.setFloat64(16, n > 0 ? b.t[0] : 0, true);
  let o = HEADER;
  if (deltas) {
    for (let i = 0; i < n; i++, o += 4) dv.setUint32(o, i === 0 ? 0 : b.t[i] - b.t[i - 1], true);
  } else {
    for (let i = 0; i < n; i++, o += 8) dv.setFloat64(o, b.t[i], true);
  }
  for (let i = 0; i < n; i++, o += 2) dv.setUint16(o, b.x[i], true);
  for (let i = 0; i < n; i++, o += 2) dv.setUint16(o, b.y[i], true);
  for (let i = 0; i < n; i++) if (b.p[i]) out[o + (i >> 3)] |= 1 << (i & 7);
  return out;
}

/** Decodes and validates a stored snippet; SnippetError names the offset and what is wrong. */
export function decodeSnippet(bytes: Uint8Array): EventBatch {
  if (bytes.length < HEADER) throw new SnippetError(0, `${bytes.length} bytes, shorter than the ${HEADER}-byte header`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) throw new SnippetError(0, 'not an event snippet (magic is not NLSN)');
  if (bytes[4] !== VERSION) throw new SnippetError(4, `version ${bytes[4]}, this build reads version ${VERSION}`);
  const flags = bytes[5];
  if (flags & ~1) throw new SnippetError(5, `unknown flags 0x${flags.toString(16)}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(8, true);
  if (n > MAX_SNIPPET_EVENTS) throw new SnippetError(8, `${n} events, more than a shot may hold (${MAX_SNIPPET_EVENTS})`);
  const deltas = (flags & 1) === 0;
  const want = HEADER + n * ((deltas ? 4 : 8) + 4) + ((n + 7) >> 3);
  if (bytes.length !== want) throw new SnippetError(bytes.length < want ? bytes.length : want, `${n} events need ${want} bytes, the snippet has ${bytes.length}`);
  const b = makeBatch(n);
  const t = b.t as Float64Array, x = b.x as Uint16Array, y = b.y as Uint16Array, p = b.p as Uint8Array;
  let o = HEADER;
  if (deltas) {
    let acc = dv.getFloat64(16, true);
    if (!Number.isFinite(acc)) throw new SnippetError(16, 'first timestamp is not a finite number');
    for (let i = 0; i < n; i++, o += 4) {
      acc += dv.getUint32(o, true);
      t[i] = acc;
    }
  } else {
    for (let i = 0; i < n; i++, o += 8) {
      t[i] = dv.getFloat64(o, true);
      if (!Number.isFinite(t[i])) throw new SnippetError(o, `timestamp of event ${i} is not a finite number`);
    }
  }
  for (let i = 0; i < n; i++, o += 2) x[i] = dv.getUint16(o, true);
  for (let i = 0; i < n; i++, o += 2) y[i] = dv.getUint16(o, true);
  for (let i = 0; i < n; i++) p[i] = (bytes[o + (i >> 3)] >> (i & 7)) & 1;
  return b;
}
