/**
 * AEDAT 2.0, the format jAER writes (inivation-docs "AEDAT file formats";
 * SensorsINI/jaer AEFileInputStream, DVS128 and DavisBaseCamera extractors).
 *
 * A '#' text header (jAER writes ~200 kB of preferences XML into it), then
 * events of 8 bytes: big-endian int32 address, int32 timestamp (µs). The
 * address layout depends on the jAER chip class named by `# AEChip:`:
 *
 *   DVS128: bit 15 external event, bit 31 special (both skipped);
 *           x = 127 − bits 7–1, y = bits 14–8, ON when bit 0 is 0.
 *   DAVIS:  bit 31 set = APS sample or IMU word ((a & 0x80000C00) == 0x80000C00),
 *           bits 11–10 = 01 external input (all skipped);
 *           x = width − 1 − bits 21–12, y = bits 30–22 (no flip), ON = bit 11.
 *
 * Without a chip we know, the geometry comes from our own
 * `# Neurolive-Geometry: WxH` line (DAVIS layout), or else the layout is
 * guessed from the first 64 KiB of events — DAVIS when any address uses bits
 * 16–30, which a DVS128 address never does (bit 31 marks specials in both
 * layouts, so it decides nothing) — with the DAVIS geometry taken from
 * `opts.width/height` and DVS128 always 128×128.
 *
 * Timestamps: jAER keeps them as signed int32 and counts a "big wrap" when a
 * timestamp turns negative after a non-negative one (AEFileInputStream
 * isWrappedTime / WrappedTimeException: add 2^32 µs per wrap). We do the same
 * over every word (events, IMU and special words alike) and add 2^32 for each
 * wrap, so t = stored value + k·2^32. A file whose first timestamp is already
 * negative therefore reads as the unsigned 32-bit value. Unlike jAER's viewer
 * we keep words whose timestamp is 0 (it drops them as glitches).
 */
import { BatchBuilder, DEFAULT_BATCH_SIZE, type EventBatch } from '../../events/batch';
import { makeEventStream, type EventStream, type EventStreamInfo } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import type { ByteSink, EventWriter, FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../types';
import {
  type AddressLayout,
  DAVIS_MAX_HEIGHT,
  DAVIS_MAX_WIDTH,
  type JaerChip,
  jaerChipFor,
  jaerChipForSize,
} from './chips';
import { encodeHeader, GEOMETRY_KEY, headerSafe, parseGeometryLine, readHashHeader, startsWithAscii } from './text-header';

const FORMAT = 'aedat2';
const MAGIC = '#!AER-DAT2.';
const EVENT_BYTES = 8;
const TWO_32 = 4294967296;
/** Largest wrap count offset that keeps every timestamp exact in a double. */
const MAX_BASE = Number.MAX_SAFE_INTEGER - 0x7fffffff;
/** How many body bytes the layout guess looks at. */
const LAYOUT_SCAN_BYTES = 64 << 10;

/** Words skipped so far, by kind; the reader fills it in as the body is read. */
export interface Aedat2Skipped {
  /** DAVIS: bit 31 with bits 11–10 = 11 */
  imu: number;
  /** DAVIS: bit 31 set, not IMU */
  aps: number;
  /** DAVIS: bits 11–10 = 01; DVS128: bit 15 */
  external: number;
  /** DVS128: bit 31 */
  special: number;
}

interface BodyPlan {
  layout: AddressLayout;
  width: number;
  height: number;
}

interface ParsedHeader {
  version: string;
  chipClass?: string;
  chipOffset: number;
  geometry?: { width: number; height: number } | null;
  geometryOffset: number;
  hardwareInterface?: string;
  lineCount: number;
  end: number;
}

async function parseHeader(src: ByteReader): Promise<ParsedHeader> {
  const header = await readHashHeader(src);
  const first = header.lines[0];
  const m = first ? /^#!AER-DAT(\d+)\.(\d+)/.exec(first.text) : null;
  if (!m) throw src.error('corrupt', 'not an AEDAT 2.0 file: the first line is not #!AER-DAT2.x', 0);
  if (m[1] !== '2') throw src.error('unsupported', `AEDAT ${m[1]}.${m[2]} is not AEDAT 2.0`, 0);
  const out: ParsedHeader = { version: `${m[1]}.${m[2]}`, chipOffset: 0, geometryOffset: 0, lineCount: header.lineCount, end: header.end };
  for (const line of header.lines) {
    const chip = /^#\s*AEChip:\s*(\S+)/.exec(line.text);
    if (chip && out.chipClass === undefined) {
      out.chipClass = chip[1];
      out.chipOffset = line.offset;
      continue;
    }
    const hw = /^#\s*HardwareInterface:\s*(.*)$/.exec(line.text);
    if (hw && out.hardwareInterface === undefined) {
      out.hardwareInterface = hw[1].trim();
      continue;
    }
    const g = parseGeometryLine(line.text);
    if (g !== undefined && out.geometry === undefined) {
      out.geometry = g;
      out.geometryOffset = line.offset;
    }
  }
  return out;
}

function checkDavisGeometry(src: ByteReader, width: number, height: number, what: string, offset: number): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= DAVIS_MAX_WIDTH && height <= DAVIS_MAX_HEIGHT)) {
    throw src.error('corrupt', `${what} ${width}×${height} does not fit the DAVIS address layout (at most ${DAVIS_MAX_WIDTH}×${DAVIS_MAX_HEIGHT})`, offset);
  }
}

/** True when some address among the first events uses bits 16–30 (DAVIS layout). */
async function bodyLooksDavis(src: ByteReader): Promise<boolean> {
  const have = await src.fill(LAYOUT_SCAN_BYTES);
  const view = src.peek(Math.min(have, LAYOUT_SCAN_BYTES));
  const words = view.length - (view.length % EVENT_BYTES);
  for (let o = 0; o < words; o += EVENT_BYTES) {
    // bits 30–16 live in the address's first two bytes
    if ((view[o] & 0x7f) !== 0 || view[o + 1] !== 0) return true;
  }
  return false;
}

async function planBody(src: ByteReader, h: ParsedHeader, opts: ReadOptions): Promise<BodyPlan & { chip?: JaerChip; geometryFrom: string }> {
  if (h.chipClass !== undefined) {
    const chip = jaerChipFor(h.chipClass);
    if (chip === 'unsupported') {
      throw src.error('unsupported', `jAER chip ${h.chipClass} uses its own address layout, which this reader does not decode`, h.chipOffset);
    }
    if (chip) return { layout: chip.layout, width: chip.width, height: chip.height, chip, geometryFrom: 'AEChip' };
  }
  if (h.geometry === null) throw src.error('corrupt', `malformed ${GEOMETRY_KEY} line (expected WIDTHxHEIGHT)`, h.geometryOffset);
  if (h.geometry) {
    checkDavisGeometry(src, h.geometry.width, h.geometry.height, `${GEOMETRY_KEY}`, h.geometryOffset);
    return { layout: 'davis', ...h.geometry, geometryFrom: 'header' };
  }
  if (!(await bodyLooksDavis(src))) return { layout: 'dvs128', width: 128, height: 128, geometryFrom: 'layout' };
  const chipNote = h.chipClass ? `the chip ${h.chipClass} is not one we know` : 'the header names no AEChip';
  if (opts.width === undefined || opts.height === undefined) {
    throw src.error('unsupported', `${chipNote} and the addresses use the DAVIS layout: pass the sensor width and height`, h.end);
  }
  checkDavisGeometry(src, opts.width, opts.height, 'the given geometry', h.end);
  return { layout: 'davis', width: opts.width, height: opts.height, geometryFrom: 'options' };
}

function trailingBytesError(src: ByteReader): Error {
  return src.error('truncated', `the file ends inside an event: ${src.buffered} trailing bytes`, src.offset);
}

function wrapLimitError(src: ByteReader, offset: number): Error {
  return src.error('unsupported', 'timestamps wrap beyond 2^53 µs, which a double cannot hold exactly', offset);
}

/**
 * Decoding state carried across chunks and batches. The hot loops below are
 * plain functions (not generator bodies, which V8 optimises less well) that
 * fill the current batch from one chunk until either runs out.
 */
class BodyState {
  readonly builder: BatchBuilder;
  n = 0;
  /** previous stored (signed) timestamp, for jAER's wrap rule */
  prev = 0;
  /** 2^32 × wraps seen */
  base = 0;

  constructor(
    readonly src: ByteReader,
    readonly plan: BodyPlan,
    readonly skipped: Aedat2Skipped,
    batchSize: number,
    reuse: boolean,
  ) {
    this.builder = new BatchBuilder(batchSize, reuse);
  }
}

/** DAVIS words from chunk bytes [o, end); returns where it stopped (end, or earlier when the batch filled). */
function runDavis(s: BodyState, dv: DataView, o: number, end: number, chunkStart: number): number {
  const b = s.builder;
  const T = b.t, X = b.x, Y = b.y, P = b.p, cap = b.capacity;
  const wm1 = s.plan.width - 1, height = s.plan.height;
  let n = s.n, prev = s.prev, base = s.base;
  let imu = 0, aps = 0, ext = 0;
  for (; o < end && n < cap; o += EVENT_BYTES) {
    const a = dv.getInt32(o, false);
    const ts = dv.getInt32(o + 4, false);
    if (ts < 0 && prev >= 0) {
      base += TWO_32;
      if (base > MAX_BASE) throw wrapLimitError(s.src, chunkStart + o + 4);
    }
    prev = ts;
    if (a < 0) {
      if ((a & 0xc00) === 0xc00) imu++;
      else aps++;
      continue;
    }
    if ((a & 0xc00) === 0x400) {
      ext++;
      continue;
    }
    const rx = (a >>> 12) & 0x3ff;
    const ry = a >>> 22;
    if (rx > wm1 || ry >= height) throw outsideError(s, a, rx, ry, chunkStart + o);
    T[n] = base + ts;
    X[n] = wm1 - rx;
    Y[n] = ry;
    P[n] = (a >>> 11) & 1;
    n++;
  }
  s.n = n; s.prev = prev; s.base = base;
  s.skipped.imu += imu; s.skipped.aps += aps; s.skipped.external += ext;
  return o;
}

/** DVS128 words from chunk bytes [o, end); as runDavis. */
function runDvs128(s: BodyState, dv: DataView, o: number, end: number, chunkStart: number): number {
  const b = s.builder;
  const T = b.t, X = b.x, Y = b.y, P = b.p, cap = b.capacity;
  let n = s.n, prev = s.prev, base = s.base;
  let ext = 0, special = 0;
  for (; o < end && n < cap; o += EVENT_BYTES) {
    const a = dv.getInt32(o, false);
    const ts = dv.getInt32(o + 4, false);
    if (ts < 0 && prev >= 0) {
      base += TWO_32;
      if (base > MAX_BASE) throw wrapLimitError(s.src, chunkStart + o + 4);
    }
    prev = ts;
    if ((a & 0x80008000) !== 0) {
      if (a < 0) special++;
      else ext++;
      continue;
    }
    T[n] = base + ts;
    X[n] = 127 - ((a >>> 1) & 0x7f);
    Y[n] = (a >>> 8) & 0x7f;
    P[n] = (a & 1) ^ 1;
    n++;
  }
  s.n = n; s.prev = prev; s.base = base;
  s.skipped.external += ext; s.skipped.special += special;
  return o;
}

function outsideError(s: BodyState, a: number, rx: number, ry: number, offset: number): Error {
  const { width, height } = s.plan;
  return s.src.error('corrupt', `address 0x${(a >>> 0).toString(16).padStart(8, '0')} is outside the ${width}×${height} sensor (raw x ${rx}, y ${ry})`, offset);
}

async function* decodeBody(s: BodyState): AsyncGenerator<EventBatch> {
  const run = s.plan.layout === 'davis' ? runDavis : runDvs128;
  const src = s.src;
  for (;;) {
    const chunk = await src.nextAligned(EVENT_BYTES);
    if (chunk === null) break;
    const chunkStart = src.offset - chunk.length;
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let o = 0; o < chunk.length; ) {
      o = run(s, dv, o, chunk.length, chunkStart);
      if (s.n === s.builder.capacity) {
        yield s.builder.take(s.n);
        s.n = 0;
      }
    }
  }
  if (s.n > 0) yield s.builder.take(s.n);
  if (src.buffered > 0) throw trailingBytesError(src);
}

export const aedat2Reader: FormatReader = {
  id: 'aedat2',
  label: 'AEDAT 2.0 (jAER)',
  detect(head: Uint8Array): boolean {
    return startsWithAscii(head, MAGIC);
  },
  async open(src: ByteReader, opts: ReadOptions = {}): Promise<EventStream> {
    src.format = FORMAT;
    const header = await parseHeader(src);
    const plan = await planBody(src, header, opts);
    const skipped: Aedat2Skipped = { imu: 0, aps: 0, external: 0, special: 0 };
    const info: EventStreamInfo = {
      format: FORMAT,
      width: plan.width,
      height: plan.height,
      meta: {
        version: header.version,
        chip: header.chipClass ?? null,
        layout: plan.layout,
        geometryFrom: plan.geometryFrom,
        hardwareInterface: header.hardwareInterface ?? null,
        headerBytes: header.end,
        headerLines: header.lineCount,
        skipped,
      },
    };
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    return makeEventStream(info, () => decodeBody(new BodyState(src, plan, skipped, batchSize, opts.reuseBatches === true)));
  },
};

// ---------------------------------------------------------------- writer

interface WritePlan extends BodyPlan {
  headerLines: string[];
}

function planWrite(info: WriterInfo): WritePlan {
  const { width, height } = info;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new RangeError(`AEDAT 2.0 writer: invalid sensor size ${width}×${height}`);
  }
  const lines = [
    '#!AER-DAT2.0',
    '# This is a raw AE data file created by Neurolive',
    '# Data format is int32 address, int32 timestamp (8 bytes total), repeated for each event',
    '# Timestamps tick is 1 us',
  ];
  if (info.source) lines.push(`# Source: ${headerSafe(info.source)}`);
  const chip = jaerChipForSize(width, height);
  if (chip) {
    lines.push(`# AEChip: ${chip.className}`);
    return { layout: chip.layout, width, height, headerLines: lines };
  }
  if (width > DAVIS_MAX_WIDTH || height > DAVIS_MAX_HEIGHT) {
    throw new RangeError(
      `AEDAT 2.0 writer: a ${width}×${height} sensor does not fit the DAVIS address layout (10-bit x, 9-bit y: at most ${DAVIS_MAX_WIDTH}×${DAVIS_MAX_HEIGHT})`,
    );
  }
  // No jAER chip has this size: DAVIS layout, with the size in a line our reader understands.
  lines.push(`# ${GEOMETRY_KEY}: ${width}x${height}`);
  return { layout: 'davis', width, height, headerLines: lines };
}

/**
 * Encodes a batch; throws RangeError (before anything is written) for events
 * the format cannot hold or times the reader could not recover exactly.
 */
function encodeBatch(plan: BodyPlan, batch: EventBatch, clock: { prev: number; base: number }): Uint8Array {
  const n = batch.length;
  const out = new Uint8Array(n * EVENT_BYTES);
  const dv = new DataView(out.buffer);
  const { t, x, y, p } = batch;
  const w = plan.width, h = plan.height, davis = plan.layout === 'davis';
  let prev = clock.prev, base = clock.base;
  for (let i = 0; i < n; i++) {
    const ti = t[i], xi = x[i], yi = y[i], pi = p[i];
    if (xi >= w || yi >= h) throw new RangeError(`AEDAT 2.0 writer: event ${i} at (${xi}, ${yi}) is outside the ${w}×${h} sensor`);
    if (pi > 1) throw new RangeError(`AEDAT 2.0 writer: event ${i} has polarity ${pi} (expected 0 or 1)`);
    if (!(Number.isInteger(ti) && ti >= 0 && ti <= Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`AEDAT 2.0 writer: event ${i} has timestamp ${ti} (expected a non-negative integer number of µs)`);
    }
    // Store the low 32 bits and check that the reader's wrap rule gives t back.
    const low = ti % TWO_32;
    const stored = low >= 0x80000000 ? low - TWO_32 : low;
    if (stored < 0 && prev >= 0) base += TWO_32;
    prev = stored;
    if (base + stored !== ti) {
      throw new RangeError(
        `AEDAT 2.0 writer: timestamp ${ti} µs of event ${i} cannot be stored in 32 bits so that a reader recovers it ` +
          '(AEDAT 2.0 starts below 2^32 µs and needs gaps under 2^31 µs and no steps back across a wrap)',
      );
    }
    const o = i * EVENT_BYTES;
    const addr = davis ? (yi << 22) | ((w - 1 - xi) << 12) | (pi << 11) : (yi << 8) | ((127 - xi) << 1) | (pi ^ 1);
    dv.setInt32(o, addr, false);
    dv.setInt32(o + 4, stored, false);
  }
  clock.prev = prev;
  clock.base = base;
  return out;
}

export const aedat2Writer: FormatWriter = {
  id: 'aedat2',
  label: 'AEDAT 2.0 (jAER)',
  extensions: ['.aedat2'],
  create(info: WriterInfo, sink: ByteSink): EventWriter {
    const plan = planWrite(info);
    const clock = { prev: 0, base: 0 };
    let headerWritten = false;
    const writeHeader = async () => {
      if (headerWritten) return;
      headerWritten = true;
      await sink.write(encodeHeader(plan.headerLines));
    };
    return {
      async write(batch: EventBatch): Promise<void> {
        const trial = { ...clock };
        const bytes = encodeBatch(plan, batch, trial);
        await writeHeader();
        if (bytes.length) await sink.write(bytes);
        clock.prev = trial.prev;
        clock.base = trial.base;
      },
      async close(): Promise<void> {
        await writeHeader();
      },
    };
  },
};
