/**
 * Events in NumPy .npy files, as Python users keep them.
 *
 * Reads:
 * - structured arrays with fields for time (t, ts, timestamp, timestamps),
 *   x, y and polarity (p, polarity, pol, on) — any order, names in any case,
 *   any int/uint/bool/float32/float64 widths, either byte order, other fields
 *   ignored (tonic: [('x','<i8'),('y','<i8'),('t','<i8'),('p','<i8')]);
 * - plain 2-D arrays of shape (N, 4) with columns t, x, y, p, C or Fortran
 *   order. A C-order table streams in constant memory; a Fortran-order one
 *   stores each column whole, so it is read at once (up to
 *   NPY_FORTRAN_MAX_EVENTS events).
 *
 * Values: t is integer microseconds — a float t is also taken as
 * microseconds and must be a whole number (convert seconds before saving);
 * datetime64/timedelta64[us] is accepted. x and y must be integers 0…65535.
 * Polarity > 0 is ON, 0 and negative (−1 in ±1 encodings) OFF.
 *
 * Writes the structured dtype [('t','<i8'),('x','<u2'),('y','<u2'),('p','|u1')]
 * (packed, 13-byte records, p 1 = ON), the record layout of the shared
 * ground-truth sha256 recipe. A .npy has no room for geometry: none is stored,
 * and the reader takes it from the options or reports 0 × 0 ('unknown').
 */
import { BatchBuilder, DEFAULT_BATCH_SIZE, MAX_EXACT_US, type EventBatch, sliceBatch } from '../../events/batch';
import { makeEventStream, type EventStream } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import type { ByteSink, EventWriter, FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../types';
import { describeDescr, type NpyDescr, type NpyStruct } from './dtype';
import { badTimeIndex, type ColumnType, columnType, decodePackedRecords, narrowToU16, polarityToBit, readColumn } from './npy-columns';
import { encodeNpyHeader, looksLikeNpy, type NpyFieldSpec, type NpyHeader, readNpyHeader } from './npy';

/** A Fortran-order (N, 4) table is read whole; beyond this many events it is refused. */
export const NPY_FORTRAN_MAX_EVENTS = 1 << 25;
/** Records larger than this are not event tables. */
const MAX_RECORD_BYTES = 1 << 20;

type Role = 't' | 'x' | 'y' | 'p';
const ROLES: readonly Role[] = ['t', 'x', 'y', 'p'];
const FIELD_NAMES: Readonly<Record<Role, readonly string[]>> = {
  t: ['t', 'ts', 'timestamp', 'timestamps'],
  x: ['x'],
  y: ['y'],
  p: ['p', 'polarity', 'pol', 'on'],
};

interface Column extends ColumnType {
  readonly role: Role;
  /** field name (structured) or column number */
  readonly name: string;
  /** byte offset inside a record */
  readonly offset: number;
}

/** How the events sit in the data section. */
type Layout =
  | { readonly kind: 'records'; readonly itemsize: number; readonly columns: readonly Column[] }
  | { readonly kind: 'columns'; readonly size: number; readonly columns: readonly Column[] };

type Fail = (kind: 'corrupt' | 'unsupported' | 'limit', reason: string) => never;

function structLayout(d: NpyStruct, fail: Fail): Layout {
  const columns: Column[] = [];
  for (const role of ROLES) {
    const f = FIELD_NAMES[role].map((n) => d.fields.find((x) => x.name.toLowerCase() === n)).find((x) => x !== undefined);
    if (!f) {
      fail('unsupported', `structured array without a ${role} field (expected one of ${FIELD_NAMES[role].join('/')}; it has ${d.fields.map((x) => x.name).join(', ')})`);
    }
    if (f.type.kind !== 'scalar') fail('unsupported', `field '${f.name}' is ${describeDescr(f.type)}, not a number`);
    const c = columnType(f.type, role === 't');
    if (typeof c === 'string') fail('unsupported', `field '${f.name}' has type ${c}`);
    if (f.offset + c.size > d.itemsize) fail('unsupported', `field '${f.name}' lies outside the ${d.itemsize}-byte record`);
    columns.push({ ...c, role, name: f.name, offset: f.offset });
  }
  return { kind: 'records', itemsize: d.itemsize, columns };
}

function layoutOf(h: NpyHeader, fail: Fail): { layout: Layout; count: number } {
  const count = h.shape.reduce((a, b) => a * b, 1);
  const d: NpyDescr = h.descr;
  if (d.kind === 'struct') {
    if (h.fortranOrder && h.shape.filter((n) => n > 1).length > 1) {
      fail('unsupported', `a Fortran-order structured array of shape (${h.shape.join(', ')})`);
    }
    if (d.itemsize > MAX_RECORD_BYTES) fail('limit', `records of ${d.itemsize} bytes (limit ${MAX_RECORD_BYTES})`);
    return { layout: structLayout(d, fail), count };
  }
  if (d.kind !== 'scalar' || h.shape.length !== 2 || h.shape[1] !== 4) {
    fail(
      'unsupported',
      `an array of ${describeDescr(d)} with shape (${h.shape.join(', ')}): events must be a structured array or a 2-D (N, 4) table with columns t, x, y, p`,
    );
  }
  const c = columnType(d, true);
  if (typeof c === 'string') fail('unsupported', `a (N, 4) table of ${c}`);
  const columns = ROLES.map((role, i) => ({ ...c, role, name: `column ${i}`, offset: i * c.size }));
  const n = h.shape[0];
  if (h.fortranOrder && n > 1) {
    if (n > NPY_FORTRAN_MAX_EVENTS) {
      fail('limit', `a Fortran-order (N, 4) table is read whole; ${n} events exceed the limit of ${NPY_FORTRAN_MAX_EVENTS} (save it in C order: np.ascontiguousarray)`);
    }
    return { layout: { kind: 'columns', size: c.size, columns }, count: n };
  }
  return { layout: { kind: 'records', itemsize: 4 * c.size, columns }, count: n };
}

/** Checks and narrows one decoded column; throws naming the record and its byte offset. */
class ColumnChecker {
  constructor(
    private readonly src: ByteReader,
    private readonly count: number,
  ) {}

  /** raw[0, n) holds column `c` of events [first, first + n), to go to out[at, at + n). */
  store(c: Column, raw: Float64Array, n: number, out: { readonly x: Uint16Array; readonly y: Uint16Array; readonly p: Uint8Array }, at: number, first: number, offsetOf: (c: Column, event: number) => number): void {
    let bad = -1;
    if (c.role === 'x') bad = narrowToU16(raw, n, out.x, at);
    else if (c.role === 'y') bad = narrowToU16(raw, n, out.y, at);
    else if (c.role === 'p') bad = polarityToBit(raw, n, out.p, at);
    if (bad < 0) return;
    const event = first + bad;
    const v = raw[bad];
    const what = c.role === 'p' ? `${c.name} = ${v} is not a number` : `${c.name} = ${v} does not fit x/y (an integer 0…65535)`;
    throw this.src.error('corrupt', `event ${event} of ${this.count}: ${what}`, offsetOf(c, event));
  }

  /** Time was decoded straight into t[at, at + n). */
  checkTime(c: Column, t: Float64Array, at: number, n: number, first: number, offsetOf: (c: Column, event: number) => number): void {
    const bad = badTimeIndex(t, at, at + n, c.code);
    if (bad < 0) return;
    const event = first + bad - at;
    const v = t[bad];
    const offset = offsetOf(c, event);
    if (v === Math.floor(v)) {
      throw this.src.error('unsupported', `event ${event} of ${this.count}: ${c.name} = ${v} is beyond ±2^53 µs, which a double cannot hold exactly`, offset);
    }
    throw this.src.error('corrupt', `event ${event} of ${this.count}: ${c.name} = ${v} is not a whole number of microseconds (a float t is read as µs)`, offset);
  }
}

/**
 * Bytes after the array (np.save called twice on one file handle leaves a
 * second array there) are ignored, as np.load does; reading them to the end
 * lets the source finish (a file gets closed).
 */
async function skipTrailing(src: ByteReader): Promise<void> {
  while (await src.nextAligned(1));
}

/** The writer's own record layout, which has a fused decoding loop. */
function isPackedLayout(l: Extract<Layout, { kind: 'records' }>): boolean {
  const [t, x, y, p] = l.columns;
  const le = (c: Column, code: string, offset: number) => c.code === code && (c.little || c.size === 1) && c.offset === offset;
  return l.itemsize === 13 && le(t, 'i8', 0) && le(x, 'u2', 8) && le(y, 'u2', 10) && (le(p, 'u1', 12) || le(p, 'b1', 12));
}

async function* streamRecords(src: ByteReader, layout: Extract<Layout, { kind: 'records' }>, count: number, dataStart: number, batchSize: number, reuse: boolean) {
  const { itemsize, columns } = layout;
  const offsetOf = (c: Column, event: number) => dataStart + event * itemsize + c.offset;
  const check = new ColumnChecker(src, count);
  const packed = isPackedLayout(layout);
  const raw = new Float64Array(batchSize);
  const bb = new BatchBuilder(batchSize, reuse);
  let fill = 0;
  let done = 0;
  while (done < count) {
    const chunk = await src.nextAligned(itemsize);
    if (!chunk) {
      throw src.error('truncated', `data ends inside event ${done} of ${count} (${itemsize}-byte records; ${src.buffered} bytes of it present)`, src.offset);
    }
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const inChunk = Math.min(chunk.length / itemsize, count - done);
    for (let k = 0; k < inChunk; ) {
      const n = Math.min(inChunk - k, batchSize - fill);
      const first = done + k;
      if (packed) {
        const bad = decodePackedRecords(chunk, k * itemsize, n, bb.t, bb.x, bb.y, bb.p, fill);
        if (bad >= 0) {
          readColumn(dv, (k + bad) * itemsize, itemsize, 1, columns[0], bb.t, fill + bad);
          check.checkTime(columns[0], bb.t, fill + bad, 1, first + bad, offsetOf);
        }
      } else for (const c of columns) {
        if (c.role === 't') {
          readColumn(dv, k * itemsize + c.offset, itemsize, n, c, bb.t, fill);
          check.checkTime(c, bb.t, fill, n, first, offsetOf);
        } else {
          readColumn(dv, k * itemsize + c.offset, itemsize, n, c, raw, 0);
          check.store(c, raw, n, bb, fill, first, offsetOf);
        }
      }
      fill += n;
      k += n;
      if (fill === batchSize) {
        yield bb.take(fill);
        fill = 0;
      }
    }
    done += inChunk;
  }
  await skipTrailing(src);
  if (fill > 0) yield bb.take(fill);
}

/** Grows a column as its data arrives, so memory follows the bytes present, not the count the header claims. */
function grown<T extends Float64Array | Uint16Array | Uint8Array>(a: T, needed: number, count: number, make: (n: number) => T): T {
  if (a.length >= needed) return a;
  const b = make(Math.min(count, Math.max(needed, 2 * a.length)));
  b.set(a);
  return b;
}

/** A Fortran-order (N, 4) table: each column is contiguous, so all four are read before the first batch. */
async function* streamColumns(src: ByteReader, layout: Extract<Layout, { kind: 'columns' }>, count: number, dataStart: number, batchSize: number) {
  const { size, columns } = layout;
  const offsetOf = (c: Column, event: number) => dataStart + (columns.indexOf(c) * count + event) * size;
  const check = new ColumnChecker(src, count);
  const all = { t: new Float64Array(0), x: new Uint16Array(0), y: new Uint16Array(0), p: new Uint8Array(0) };
  const raw = new Float64Array(Math.min(count, 1 << 16));
  const total = 4 * count;
  let element = 0;
  while (element < total) {
    const chunk = await src.nextAligned(size);
    if (!chunk) {
      throw src.error('truncated', `data ends inside element ${element} of ${total} (column ${Math.floor(element / count)}, event ${element % count})`, src.offset);
    }
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const inChunk = Math.min(chunk.length / size, total - element);
    for (let k = 0; k < inChunk; ) {
      const c = columns[Math.floor(element / count)];
      const row = element % count;
      const n = Math.min(inChunk - k, count - row, raw.length);
      if (c.role === 't') {
        all.t = grown(all.t, row + n, count, (m) => new Float64Array(m));
        readColumn(dv, k * size, size, n, c, all.t, row);
        check.checkTime(c, all.t, row, n, row, offsetOf);
      } else {
        if (c.role === 'x') all.x = grown(all.x, row + n, count, (m) => new Uint16Array(m));
        else if (c.role === 'y') all.y = grown(all.y, row + n, count, (m) => new Uint16Array(m));
        else all.p = grown(all.p, row + n, count, (m) => new Uint8Array(m));
        readColumn(dv, k * size, size, n, c, raw, 0);
        check.store(c, raw, n, all, row, row, offsetOf);
      }
      k += n;
      element += n;
    }
  }
  await skipTrailing(src);
  const events: EventBatch = { ...all, length: count };
  for (let i = 0; i < count; i += batchSize) yield sliceBatch(events, i, i + batchSize);
}

export const npyReader: FormatReader = {
  id: 'npy',
  label: 'NumPy .npy event array',
  detect: (head) => looksLikeNpy(head),
  async open(src: ByteReader, opts: ReadOptions = {}): Promise<EventStream> {
    src.format = 'npy';
    const h = await readNpyHeader(src);
    const fail: Fail = (kind, reason) => {
      throw src.error(kind, reason, 8);
    };
    const { layout, count } = layoutOf(h, fail);
    const dataStart = src.offset;
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    const known = opts.width !== undefined && opts.height !== undefined;
    const info = {
      format: 'npy',
      width: known ? opts.width! : 0,
      height: known ? opts.height! : 0,
      meta: {
        geometry: known ? 'from options' : 'unknown',
        npyVersion: `${h.version[0]}.${h.version[1]}`,
        dtype: describeDescr(h.descr),
        shape: h.shape,
        fortranOrder: h.fortranOrder,
        layout: layout.kind === 'columns' ? 'columns (Fortran order)' : h.descr.kind === 'struct' ? 'structured records' : 'rows (C order)',
        fields: Object.fromEntries(layout.columns.map((c) => [c.role, c.name])),
        events: count,
      },
    };
    return makeEventStream(info, () =>
      layout.kind === 'records' ? streamRecords(src, layout, count, dataStart, batchSize, opts.reuseBatches === true) : streamColumns(src, layout, count, dataStart, batchSize),
    );
  },
};

/** The dtype the writer uses: packed 13-byte records. */
export const NPY_EVENT_FIELDS: readonly NpyFieldSpec[] = [
  ['t', '<i8'],
  ['x', '<u2'],
  ['y', '<u2'],
  ['p', '|u1'],
];
export const NPY_EVENT_RECORD_BYTES = 13;

/**
 * A sink that can overwrite bytes it has already written. With one, the npy
 * writer streams (header first, patched with the final count on close);
 * without one it keeps the encoded records (13 bytes an event) until close,
 * because the header must state the count before the data.
 */
export interface PatchableSink extends ByteSink {
  writeAt(offset: number, chunk: Uint8Array): void | Promise<void>;
}

function isPatchable(sink: ByteSink): sink is PatchableSink {
  return typeof (sink as Partial<PatchableSink>).writeAt === 'function';
}

/** Encodes events as 13-byte records: <i8 t, <u2 x, <u2 y, u1 p. */
export function encodeEventRecords(b: EventBatch): Uint8Array {
  const n = b.length;
  const out = new Uint8Array(n * NPY_EVENT_RECORD_BYTES);
  const { t, x, y, p } = b;
  for (let i = 0, o = 0; i < n; i++, o += NPY_EVENT_RECORD_BYTES) {
    const v = t[i];
    if (!(v === Math.floor(v) && v <= MAX_EXACT_US && v >= -MAX_EXACT_US)) throw new RangeError(`npy writer: event ${i} has t = ${v}, not an integer µs`);
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    out[o] = lo & 0xff;
    out[o + 1] = (lo >>> 8) & 0xff;
    out[o + 2] = (lo >>> 16) & 0xff;
    out[o + 3] = lo >>> 24;
    out[o + 4] = hi & 0xff;
    out[o + 5] = (hi >> 8) & 0xff;
    out[o + 6] = (hi >> 16) & 0xff;
    out[o + 7] = (hi >> 24) & 0xff;
    const xv = x[i];
    const yv = y[i];
    out[o + 8] = xv & 0xff;
    out[o + 9] = xv >>> 8;
    out[o + 10] = yv & 0xff;
    out[o + 11] = yv >>> 8;
    out[o + 12] = p[i];
  }
  return out;
}

export const npyWriter: FormatWriter = {
  id: 'npy',
  label: 'NumPy .npy event array',
  extensions: ['.npy'],
  create(_info: WriterInfo, sink: ByteSink): EventWriter {
    const streaming = isPatchable(sink);
    const held: Uint8Array[] = [];
    let count = 0;
    let started = false;
    let closed = false;
    return {
      async write(batch: EventBatch) {
        if (closed) throw new Error('npy writer: write after close');
        if (batch.length === 0) return;
        const records = encodeEventRecords(batch);
        count += batch.length;
        if (!streaming) {
          held.push(records);
          return;
        }
        if (!started) {
          // Same length as the final header: numpy's growth padding absorbs the count's digits.
          await sink.write(encodeNpyHeader(NPY_EVENT_FIELDS, [0]));
          started = true;
        }
        await sink.write(records);
      },
      async close() {
        if (closed) return;
        closed = true;
        const header = encodeNpyHeader(NPY_EVENT_FIELDS, [count]);
        if (streaming && started) {
          await (sink as PatchableSink).writeAt(0, header);
          return;
        }
        await sink.write(header);
        for (const r of held) await sink.write(r);
        held.length = 0;
      },
    };
  },
};
