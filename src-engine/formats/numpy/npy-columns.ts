/**
 * Column decoding for .npy event tables: reads one numeric field of many
 * records (a strided column) into doubles, then checks and narrows the values
 * into an EventBatch column. One tight loop per type; the type switch is
 * outside the loops.
 */
import { MAX_EXACT_US } from '../../events/batch';
import type { NpyScalar } from './dtype';

/** The element types an event column may have. */
export type ColumnCode = 'b1' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f4' | 'f8';

export interface ColumnType {
  readonly code: ColumnCode;
  readonly little: boolean;
  readonly size: number;
}

/**
 * The column type for a scalar field, or a reason it cannot hold event values.
 * datetime64/timedelta64 in microseconds count as int64 (for t only).
 */
export function columnType(t: NpyScalar, allowTime: boolean): ColumnType | string {
  const little = t.byteOrder !== '>';
  if (t.typeChar === 'b') return { code: 'b1', little, size: 1 };
  if (t.typeChar === 'i' || t.typeChar === 'u') return { code: `${t.typeChar}${t.itemsize}` as ColumnCode, little, size: t.itemsize };
  if (t.typeChar === 'f' && (t.itemsize === 4 || t.itemsize === 8)) return { code: `f${t.itemsize}` as ColumnCode, little, size: t.itemsize };
  if ((t.typeChar === 'M' || t.typeChar === 'm') && allowTime) {
    if (t.unit === 'us') return { code: 'i8', little, size: 8 };
    return `${t.str} (only microsecond datetime64/timedelta64 is read)`;
  }
  return `${t.str} (not an integer, bool or float32/64 type)`;
}

const TWO32 = 4294967296;

/**
 * out[outAt + i] = value of element i, for i < n; element i starts at byte
 * `start + i * stride` of `dv`.
 */
export function readColumn(dv: DataView, start: number, stride: number, n: number, c: ColumnType, out: Float64Array, outAt: number): void {
  const le = c.little;
  let o = start;
  const end = outAt + n;
  switch (c.code) {
    case 'b1':
    case 'u1':
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getUint8(o);
      break;
    case 'i1':
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getInt8(o);
      break;
    case 'u2':
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getUint16(o, le);
      break;
    case 'i2':
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getInt16(o, le);
      break;
    case 'u4':
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getUint32(o, le);
      break;
    case 'i4':
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getInt32(o, le);
      break;
    case 'u8': {
      const lo = le ? 0 : 4;
      const hi = le ? 4 : 0;
      // exact below 2^53; larger values come out approximate but still > 2^53, and are rejected
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getUint32(o + hi, le) * TWO32 + dv.getUint32(o + lo, le);
      break;
    }
    case 'i8': {
      const lo = le ? 0 : 4;
      const hi = le ? 4 : 0;
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getInt32(o + hi, le) * TWO32 + dv.getUint32(o + lo, le);
      break;
    }
    case 'f4':
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getFloat32(o, le);
      break;
    case 'f8':
      for (let i = outAt; i < end; i++, o += stride) out[i] = dv.getFloat64(o, le);
      break;
  }
}

/** Index of the first t in [from, to) that is not an integer within ±(2^53 − 1), or −1. */
export function badTimeIndex(t: Float64Array, from: number, to: number, code: ColumnCode): number {
  if (code === 'i8' || code === 'u8') {
    for (let i = from; i < to; i++) {
      const v = t[i];
      if (v > MAX_EXACT_US || v < -MAX_EXACT_US) return i;
    }
  } else if (code === 'f4' || code === 'f8') {
    for (let i = from; i < to; i++) {
      const v = t[i];
      if (!(v === Math.floor(v)) || v > MAX_EXACT_US || v < -MAX_EXACT_US) return i;
    }
  }
  return -1;
}

/** Copies src[0, n) into dst[at, at + n) as uint16; returns the first index that is not an integer 0…65535, or −1. */
export function narrowToU16(src: Float64Array, n: number, dst: Uint16Array, at: number): number {
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (!(v >= 0 && v <= 0xffff && v === Math.floor(v))) return i;
    dst[at + i] = v;
  }
  return -1;
}

/** Polarity: positive is ON, zero and negative (the −1 of ±1 encodings) OFF; returns the index of a NaN, or −1. */
export function polarityToBit(src: Float64Array, n: number, dst: Uint8Array, at: number): number {
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (v !== v) return i;
    dst[at + i] = v > 0 ? 1 : 0;
  }
  return -1;
}

/**
 * Fast path for the writer's own layout (packed 13-byte records: <i8 t, <u2 x,
 * <u2 y, u1/b1 p): one fused loop over bytes. Returns the index of the first
 * record whose t is beyond ±(2^53 − 1), or −1.
 */
export function decodePackedRecords(
  b: Uint8Array, start: number, n: number,
  t: Float64Array, x: Uint16Array, y: Uint16Array, p: Uint8Array, at: number,
): number {
  for (let i = 0, o = start; i < n; i++, o += 13) {
    const lo = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
    const hi = b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24);
    const v = hi * TWO32 + lo;
    if (v > MAX_EXACT_US || v < -MAX_EXACT_US) return i;
    const k = at + i;
    t[k] = v;
    x[k] = b[o + 8] | (b[o + 9] << 8);
    y[k] = b[o + 10] | (b[o + 11] << 8);
    p[k] = b[o + 12] === 0 ? 0 : 1;
  }
  return -1;
}
