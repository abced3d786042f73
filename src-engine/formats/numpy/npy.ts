/**
 * The NumPy .npy container (numpy/lib/format.py, "NEP 1"):
 *
 *   "\x93NUMPY", u8 major, u8 minor,
 *   header length: u16 LE (version 1.0) or u32 LE (2.0, 3.0),
 *   header: repr() of a dict {'descr': …, 'fortran_order': bool, 'shape': (…)}
 *           in latin-1 (1.0, 2.0) or UTF-8 (3.0), padded with spaces and a
 *           final '\n' so the data starts at a multiple of 64 bytes,
 *   data:   the array's bytes, C or Fortran order.
 */
import type { ByteReader } from '../byte-reader';
import { EventFormatError, type FormatErrorKind } from '../errors';
import { type NpyDescr, descrFromPy, parseDtypeString, pyRepr } from './dtype';
import { parsePyLiteral, describePy, type PyValue } from './py-literal';

export type { NpyByteOrder, NpyDescr, NpyField, NpyScalar, NpyStruct, NpySubarray, NpyTypeChar } from './dtype';
export { describeDescr, parseDtypeString } from './dtype';

export const NPY_MAGIC: readonly number[] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy aligns the data to this many bytes (numpy ≥ 1.14: ARRAY_ALIGN). */
export const NPY_ALIGN = 64;
/** Longest header text we read (numpy refuses beyond 10,000 characters by default; wide structured dtypes exceed it). */
export const NPY_MAX_HEADER_BYTES = 1 << 20;
/** numpy leaves room for the growth axis to reach this many digits, so the header can be rewritten in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

export interface NpyHeader {
  readonly descr: NpyDescr;
  readonly fortranOrder: boolean;
  readonly shape: number[];
  /** bytes before the data: magic, version, length field and header text */
  readonly headerLength: number;
  readonly version: readonly [number, number];
}

function makeFail(sourceName: string) {
  return (kind: FormatErrorKind, reason: string, offset: number): never => {
    throw new EventFormatError(kind, 'npy', sourceName, offset, reason);
  };
}

/** True when `head` starts like a .npy file of a version we read. */
export function looksLikeNpy(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  for (let i = 0; i < NPY_MAGIC.length; i++) if (head[i] !== NPY_MAGIC[i]) return false;
  return head[6] >= 1 && head[6] <= 3 && head[7] === 0;
}

/** Checks magic and version; returns where the header text starts and how long it is. */
function parsePrefix(bytes: Uint8Array, base: number, fail: ReturnType<typeof makeFail>): { textStart: number; textLength: number; major: number } {
  for (let i = 0; i < NPY_MAGIC.length && i < bytes.length; i++) {
    if (bytes[i] !== NPY_MAGIC[i]) fail('corrupt', 'not a .npy file: the magic string \\x93NUMPY is missing', base + i);
  }
  if (bytes.length < 8) fail('truncated', `the .npy prefix needs 8 bytes, the data ends after ${bytes.length}`, base);
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0) fail('unsupported', `.npy format version ${major}.${minor} (this reader knows 1.0, 2.0 and 3.0)`, base + 6);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) fail('truncated', `the header length field needs ${lenSize} bytes, the data ends after ${bytes.length - 8}`, base + 8);
  const textLength =
    major === 1 ? bytes[8] | (bytes[9] << 8) : (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 0x1000000;
  if (textLength > NPY_MAX_HEADER_BYTES) fail('limit', `header of ${textLength} bytes (limit ${NPY_MAX_HEADER_BYTES})`, base + 8);
  return { textStart: 8 + lenSize, textLength, major };
}

/**
 * Parses a .npy header from the start of a file. `bytes` must hold at least
 * the whole header (the data may follow); offsets in errors are `base` + index.
 */
export function parseNpyHeader(bytes: Uint8Array, sourceName = 'buffer', base = 0): NpyHeader {
  const fail = makeFail(sourceName);
  const { textStart, textLength, major } = parsePrefix(bytes, base, fail);
  const end = textStart + textLength;
  if (bytes.length < end) {
    fail('truncated', `header text needs ${textLength} bytes, the data ends after ${bytes.length - textStart}`, base + textStart);
  }
  const value = parsePyLiteral(bytes, textStart, end, base, major === 3, (reason, at) => fail('corrupt', `header: ${reason}`, at));
  return { ...headerFields(value, fail), headerLength: end, version: [major, 0] };
}

function headerFields(d: PyValue, fail: ReturnType<typeof makeFail>): { descr: NpyDescr; fortranOrder: boolean; shape: number[] } {
  if (d.type !== 'dict') return fail('corrupt', `header is not a dict: ${describePy(d).slice(0, 80)}`, d.at);
  const byKey = new Map<string, PyValue>();
  for (const [k, v] of d.entries) {
    if (k.type !== 'str' || !['descr', 'fortran_order', 'shape'].includes(k.value)) {
      fail('corrupt', `header has an unexpected key ${describePy(k).slice(0, 40)} (numpy writes exactly descr, fortran_order, shape)`, k.at);
    }
    byKey.set(k.value, v);
  }
  const descrValue = byKey.get('descr');
  const orderValue = byKey.get('fortran_order');
  const shapeValue = byKey.get('shape');
  if (!descrValue || !orderValue || !shapeValue) {
    const missing = ['descr', 'fortran_order', 'shape'].filter((k) => !byKey.has(k));
    return fail('corrupt', `header lacks ${missing.join(', ')}`, d.at);
  }
  if (orderValue.type !== 'bool') fail('corrupt', `fortran_order must be True or False, not ${describePy(orderValue).slice(0, 40)}`, orderValue.at);
  if (shapeValue.type !== 'tuple') return fail('corrupt', `shape must be a tuple of ints, not ${describePy(shapeValue).slice(0, 40)}`, shapeValue.at);
  const shape: number[] = [];
  let count = 1;
  for (const dim of shapeValue.items) {
    if (dim.type !== 'int' || dim.value < 0) fail('corrupt', `shape has a bad dimension ${describePy(dim).slice(0, 40)}`, dim.at);
    const n = (dim as { value: number }).value;
    if (!Number.isSafeInteger(n)) fail('limit', `shape dimension ${n} is too large`, dim.at);
    shape.push(n);
    count *= n;
  }
  if (count > Number.MAX_SAFE_INTEGER) fail('limit', `shape (${shape.join(', ')}) holds more than 2^53 elements`, shapeValue.at);
  const descr = descrFromPy(descrValue, (kind, reason, at) => fail(kind, reason, at));
  return { descr, fortranOrder: (orderValue as { value: boolean }).value, shape };
}

/**
 * Reads and parses the header from a ByteReader positioned at the start of a
 * .npy file, leaving it at the first data byte.
 */
export async function readNpyHeader(src: ByteReader): Promise<NpyHeader> {
  const base = src.offset;
  const fail = makeFail(src.sourceName);
  const have = await src.fill(12);
  const peek = src.peek(Math.min(have, 12));
  const { textStart, textLength } = parsePrefix(peek, base, fail);
  const prefix = (await src.readExact(textStart, 'npy prefix')).slice();
  const text = await src.readExact(textLength, 'npy header');
  const all = new Uint8Array(textStart + textLength);
  all.set(prefix, 0);
  all.set(text, textStart);
  return parseNpyHeader(all, src.sourceName, base);
}

/** A field for `encodeNpyHeader`: [name, type string] or [name, type string, shape]. */
export type NpyFieldSpec = readonly [string, string] | readonly [string, string, readonly number[]];

function tupleRepr(dims: readonly number[]): string {
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

function canonicalType(s: string): string {
  const t = parseDtypeString(s);
  if (!t) throw new RangeError(`encodeNpyHeader: '${s}' is not a numpy type string`);
  return t.str;
}

function checkShape(shape: readonly number[], what: string): void {
  for (const d of shape) if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`${what}: bad dimension ${d}`);
}

/**
 * A .npy header exactly as numpy ≥ 1.17 writes it (np.save): the dict with
 * sorted keys, room for the growth axis to reach 21 digits, padded with
 * spaces and '\n' to a multiple of 64 bytes. Version 1.0 unless the header
 * needs a 32-bit length (2.0) or has characters beyond latin-1 (3.0).
 *
 * `descr` is a type string ('<f4', '?', 'u1' — written in numpy's canonical
 * spelling) or a list of fields for a structured dtype.
 */
export function encodeNpyHeader(descr: string | readonly NpyFieldSpec[], shape: readonly number[], fortranOrder = false): Uint8Array {
  checkShape(shape, 'encodeNpyHeader');
  let descrText: string;
  if (typeof descr === 'string') descrText = pyRepr(canonicalType(descr));
  else {
    if (descr.length === 0) throw new RangeError('encodeNpyHeader: a structured dtype needs fields');
    const fields = descr.map((f) => {
      const sub = f.length === 3 ? f[2] : undefined;
      if (sub) checkShape(sub, 'encodeNpyHeader field shape');
      return `(${pyRepr(f[0])}, ${pyRepr(canonicalType(f[1]))}${sub ? `, ${tupleRepr(sub)}` : ''})`;
    });
    descrText = `[${fields.join(', ')}]`;
  }
  let text = `{'descr': ${descrText}, 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${tupleRepr(shape)}, }`;
  if (shape.length > 0) {
    const growth = String(shape[fortranOrder ? shape.length - 1 : 0]);
    text += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - growth.length));
  }
  let latin1 = true;
  for (let i = 0; i < text.length && latin1; i++) if (text.charCodeAt(i) > 0xff) latin1 = false;
  const body = latin1 ? Uint8Array.from(text, (c) => c.charCodeAt(0)) : new TextEncoder().encode(text);
  const wrap = (major: number): Uint8Array | null => {
    const prefix = 8 + (major === 1 ? 2 : 4);
    const hlen = body.length + 1;
    const pad = NPY_ALIGN - ((prefix + hlen) % NPY_ALIGN);
    const total = hlen + pad;
    if (major === 1 && total > 0xffff) return null;
    const out = new Uint8Array(prefix + total);
    out.set(NPY_MAGIC, 0);
    out[6] = major;
    out[7] = 0;
    const dv = new DataView(out.buffer);
    if (major === 1) dv.setUint16(8, total, true);
    else dv.setUint32(8, total, true);
    out.set(body, prefix);
    out.fill(0x20, prefix + body.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  };
  return (latin1 ? wrap(1) ?? wrap(2) : wrap(3))!;
}

export type NpyTypedArray = Uint8Array | Uint16Array | Int16Array | Int32Array | Float32Array | Float64Array;

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian numpy type string for a typed array's elements. */
export function npyTypeOf(data: NpyTypedArray): string {
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  throw new RangeError('encodeNpy: unsupported array type');
}

/** A whole .npy file (C order, little-endian) holding `data` with `shape`. */
export function encodeNpy(data: NpyTypedArray, shape: readonly number[]): Uint8Array {
  checkShape(shape, 'encodeNpy');
  let count = 1;
  for (const d of shape) count *= d;
  if (count !== data.length) throw new RangeError(`encodeNpy: shape (${shape.join(', ')}) holds ${count} elements, the array has ${data.length}`);
  const header = encodeNpyHeader(npyTypeOf(data), shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  out.set(raw, header.length);
  const size = data.BYTES_PER_ELEMENT;
  if (!hostLittleEndian && size > 1) {
    for (let o = header.length; o < out.length; o += size) out.subarray(o, o + size).reverse();
  }
  return out;
}
