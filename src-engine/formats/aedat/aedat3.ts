/**
 * AEDAT 3.1, the format cAER writes and the IBM DVS128 Gesture dataset uses
 * (inivation-docs "AEDAT file formats", section AEDAT 3.1).
 *
 * Header: '#' lines with CRLF, `#!AER-DAT3.1`, `#Format: RAW`, `#Source N:
 * DEVICE`, `#Start-Time: …`, ending with `#!END-HEADER`. Then event packets,
 * all little-endian: a 28-byte header (i16 eventType, i16 eventSource, i32
 * eventSize, i32 eventTSOffset, i32 eventTSOverflow, i32 eventCapacity, i32
 * eventNumber, i32 eventValid) and eventCapacity × eventSize bytes of events.
 *
 * We decode polarity packets (type 1, 8-byte events: u32 data with bit 0
 * valid, bit 1 polarity (1 = ON), bits 2–16 y, bits 17–31 x, origin upper
 * left; i32 timestamp) and skip every other packet by its size. Events with
 * the valid bit clear are skipped. t = eventTSOverflow · 2^31 + timestamp.
 *
 * Geometry: the first `#Source` naming a device we know, else our own
 * `#Neurolive-Geometry: WxH` line, else opts.width/height, else 0×0 (unknown;
 * coordinates are stored explicitly, so decoding does not need it).
 */
import { BatchBuilder, DEFAULT_BATCH_SIZE, type EventBatch, type Geometry } from '../../events/batch';
import { makeEventStream, type EventStream, type EventStreamInfo } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import { LIMITS } from '../errors';
import type { ByteSink, EventWriter, FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../types';
import { caerSourceForSize, caerSourceGeometry } from './chips';
import { encodeHeader, GEOMETRY_KEY, parseGeometryLine, readHashHeader, startsWithAscii } from './text-header';

const FORMAT = 'aedat3';
const MAGIC = '#!AER-DAT3.';
const END_HEADER = '#!END-HEADER';
const PACKET_HEADER_BYTES = 28;
const POLARITY_EVENT = 1;
const POLARITY_BYTES = 8;
const TWO_31 = 2147483648;
/** An overflow count from which every timestamp exceeds 2^53 − 1 µs. */
const MAX_OVERFLOW = 1 << 22;
/** Largest x / y the 15-bit fields hold, plus one. */
const MAX_COORD = 1 << 15;

export interface Aedat3Skipped {
  /** polarity events whose valid bit is clear */
  invalidEvents: number;
  /** packets of other event types (special, frame, IMU, …) */
  otherPackets: number;
}

export interface Aedat3Source {
  readonly id: number;
  readonly name: string;
}

interface ParsedHeader {
  sources: Aedat3Source[];
  startTime?: string;
  geometry?: Geometry | null;
  geometryOffset: number;
  end: number;
}

async function parseHeader(src: ByteReader): Promise<ParsedHeader> {
  const header = await readHashHeader(src, END_HEADER);
  const first = header.lines[0];
  const m = first ? /^#!AER-DAT(\d+)\.(\d+)/.exec(first.text) : null;
  if (!m) throw src.error('corrupt', 'not an AEDAT 3 file: the first line is not #!AER-DAT3.x', 0);
  if (m[1] !== '3' || m[2] !== '1') throw src.error('unsupported', `AEDAT ${m[1]}.${m[2]} (this reader knows AEDAT 3.1)`, 0);
  if (header.stop === 'eof') throw src.error('truncated', `the header ends without ${END_HEADER}`, header.end);
  if (header.stop === 'binary') throw src.error('corrupt', `binary data before ${END_HEADER}`, header.end);
  const out: ParsedHeader = { sources: [], geometryOffset: 0, end: header.end };
  for (const line of header.lines) {
    const f = /^#Format:\s*(\S+)/.exec(line.text);
    if (f) {
      if (f[1].toUpperCase() !== 'RAW') throw src.error('unsupported', `AEDAT 3.1 format ${f[1]} (this reader knows RAW)`, line.offset);
      continue;
    }
    const s = /^#Source\s+(\d+):\s*(.*)$/.exec(line.text);
    if (s) {
      out.sources.push({ id: Number(s[1]), name: s[2].trim() });
      continue;
    }
    const st = /^#Start-Time:\s*(.*)$/.exec(line.text);
    if (st) {
      out.startTime = st[1].trim();
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

function geometryFor(src: ByteReader, h: ParsedHeader, opts: ReadOptions): Geometry & { from: string } {
  for (const s of h.sources) {
    const g = caerSourceGeometry(s.name);
    if (g) return { ...g, from: `source ${s.id}` };
  }
  if (h.geometry === null) throw src.error('corrupt', `malformed ${GEOMETRY_KEY} line (expected WIDTHxHEIGHT)`, h.geometryOffset);
  if (h.geometry) {
    const { width, height } = h.geometry;
    if (width < 1 || height < 1 || width > MAX_COORD || height > MAX_COORD) {
      throw src.error('corrupt', `${GEOMETRY_KEY} ${width}×${height} does not fit 15-bit coordinates`, h.geometryOffset);
    }
    return { width, height, from: 'header' };
  }
  if (opts.width !== undefined && opts.height !== undefined) return { width: opts.width, height: opts.height, from: 'options' };
  return { width: 0, height: 0, from: 'unknown' };
}

interface PacketHeader {
  type: number;
  size: number;
  tsOffset: number;
  overflow: number;
  capacity: number;
  number: number;
}

function readPacketHeader(bytes: Uint8Array): PacketHeader {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, PACKET_HEADER_BYTES);
  return {
    type: dv.getInt16(0, true),
    size: dv.getInt32(4, true),
    tsOffset: dv.getInt32(8, true),
    overflow: dv.getInt32(12, true),
    capacity: dv.getInt32(16, true),
    number: dv.getInt32(20, true),
  };
}

/** Checks a packet header; returns the byte length of its event area. */
function checkPacketHeader(src: ByteReader, h: PacketHeader, at: number): number {
  if (h.size <= 0) throw src.error('corrupt', `event packet of type ${h.type} declares eventSize ${h.size}`, at + 4);
  if (h.capacity < 0) throw src.error('corrupt', `event packet declares eventCapacity ${h.capacity}`, at + 16);
  if (h.number < 0 || h.number > h.capacity) {
    throw src.error('corrupt', `event packet declares eventNumber ${h.number} with eventCapacity ${h.capacity}`, at + 20);
  }
  const bytes = h.capacity * h.size;
  if (bytes > LIMITS.maxPacketBytes) {
    throw src.error('limit', `event packet declares ${h.capacity} × ${h.size} bytes (limit ${LIMITS.maxPacketBytes})`, at + 16);
  }
  if (h.type === POLARITY_EVENT) {
    if (h.size !== POLARITY_BYTES) throw src.error('corrupt', `polarity packet declares eventSize ${h.size} (expected 8)`, at + 4);
    if (h.tsOffset !== 4) throw src.error('corrupt', `polarity packet declares eventTSOffset ${h.tsOffset} (expected 4)`, at + 8);
    if (h.overflow < 0) throw src.error('corrupt', `polarity packet declares eventTSOverflow ${h.overflow}`, at + 12);
    if (h.overflow >= MAX_OVERFLOW && h.number > 0) {
      throw src.error('unsupported', `eventTSOverflow ${h.overflow} puts timestamps beyond 2^53 µs, which a double cannot hold exactly`, at + 12);
    }
  }
  return bytes;
}

/** Decoding state carried across packets, chunks and batches. */
class BodyState {
  readonly builder: BatchBuilder;
  n = 0;
  /** exclusive coordinate bounds; with an unknown geometry only the 15-bit fields bound them */
  readonly maxX: number;
  readonly maxY: number;

  constructor(
    readonly src: ByteReader,
    readonly geometry: Geometry,
    readonly skipped: Aedat3Skipped,
    batchSize: number,
    reuse: boolean,
  ) {
    this.builder = new BatchBuilder(batchSize, reuse);
    this.maxX = geometry.width > 0 ? geometry.width : MAX_COORD;
    this.maxY = geometry.height > 0 ? geometry.height : MAX_COORD;
  }
}

/**
 * Polarity events from chunk bytes [o, end) into the current batch, until the
 * chunk ends or the batch is full; returns where it stopped. A plain function
 * rather than the generator's body, which V8 optimises less well.
 */
function runPolarity(s: BodyState, dv: DataView, o: number, end: number, tsBase: number, chunkStart: number): number {
  const b = s.builder;
  const T = b.t, X = b.x, Y = b.y, P = b.p, cap = b.capacity;
  const maxX = s.maxX, maxY = s.maxY;
  let n = s.n, invalid = 0;
  for (; o < end && n < cap; o += POLARITY_BYTES) {
    const data = dv.getInt32(o, true);
    if ((data & 1) === 0) {
      invalid++;
      continue;
    }
    const ts = dv.getInt32(o + 4, true);
    if (ts < 0) throw s.src.error('corrupt', `polarity event timestamp ${ts >>> 0} has bit 31 set`, chunkStart + o + 4);
    const x = data >>> 17;
    const y = (data >>> 2) & 0x7fff;
    if (x >= maxX || y >= maxY) {
      throw s.src.error('corrupt', `polarity event at (${x}, ${y}) is outside the ${s.geometry.width}×${s.geometry.height} sensor`, chunkStart + o);
    }
    T[n] = tsBase + ts;
    X[n] = x;
    Y[n] = y;
    P[n] = (data >>> 1) & 1;
    n++;
  }
  s.n = n;
  s.skipped.invalidEvents += invalid;
  return o;
}

async function* decodePackets(s: BodyState): AsyncGenerator<EventBatch> {
  const src = s.src;
  for (;;) {
    const at = src.offset;
    if ((await src.fill(1)) === 0) break;
    const h = readPacketHeader(await src.readExact(PACKET_HEADER_BYTES, 'event packet header'));
    const areaBytes = checkPacketHeader(src, h, at);
    if (h.type !== POLARITY_EVENT) {
      s.skipped.otherPackets++;
      await src.skip(areaBytes, `event packet of type ${h.type}`);
      continue;
    }
    const tsBase = h.overflow * TWO_31;
    let left = h.number * POLARITY_BYTES;
    while (left > 0) {
      let avail = src.buffered;
      if (avail < POLARITY_BYTES) avail = await src.fill(POLARITY_BYTES);
      if (avail < POLARITY_BYTES) throw src.error('truncated', `polarity packet at byte ${at}: ${left} bytes of events missing`);
      const take = Math.min(left, avail - (avail % POLARITY_BYTES));
      const chunkStart = src.offset;
      const chunk = await src.readExact(take, 'polarity events');
      left -= take;
      const dv = new DataView(chunk.buffer, chunk.byteOffset, take);
      for (let o = 0; o < take; ) {
        o = runPolarity(s, dv, o, take, tsBase, chunkStart);
        if (s.n === s.builder.capacity) {
          yield s.builder.take(s.n);
          s.n = 0;
        }
      }
    }
    await src.skip(areaBytes - h.number * POLARITY_BYTES, 'unused event slots');
  }
  if (s.n > 0) yield s.builder.take(s.n);
}

export const aedat3Reader: FormatReader = {
  id: 'aedat3',
  label: 'AEDAT 3.1 (cAER)',
  detect(head: Uint8Array): boolean {
    return startsWithAscii(head, MAGIC);
  },
  async open(src: ByteReader, opts: ReadOptions = {}): Promise<EventStream> {
    src.format = FORMAT;
    const header = await parseHeader(src);
    const geometry = geometryFor(src, header, opts);
    const skipped: Aedat3Skipped = { invalidEvents: 0, otherPackets: 0 };
    const info: EventStreamInfo = {
      format: FORMAT,
      width: geometry.width,
      height: geometry.height,
      meta: {
        version: '3.1',
        sources: header.sources,
        startTime: header.startTime ?? null,
        geometryFrom: geometry.from,
        headerBytes: header.end,
        skipped,
      },
    };
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    return makeEventStream(info, () => decodePackets(new BodyState(src, geometry, skipped, batchSize, opts.reuseBatches === true)));
  },
};

// ---------------------------------------------------------------- writer

/** Events per polarity packet (cAER's default packet size is similar). */
export const AEDAT3_PACKET_EVENTS = 4096;

function headerLines(info: WriterInfo): string[] {
  const { width, height } = info;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= MAX_COORD && height <= MAX_COORD)) {
    throw new RangeError(`AEDAT 3.1 writer: a ${width}×${height} sensor does not fit 15-bit coordinates`);
  }
  const device = caerSourceForSize(width, height);
  // The spec also asks for #Start-Time; we have no wall-clock start, and readers ignore it.
  const lines = ['#!AER-DAT3.1', '#Format: RAW', `#Source 0: ${device ?? 'File'}`];
  if (!device) lines.push(`#${GEOMETRY_KEY}: ${width}x${height}`);
  lines.push(END_HEADER);
  return lines;
}

function checkBatch(batch: EventBatch, width: number, height: number): void {
  const { t, x, y, p } = batch;
  for (let i = 0; i < batch.length; i++) {
    if (x[i] >= width || y[i] >= height) throw new RangeError(`AEDAT 3.1 writer: event ${i} at (${x[i]}, ${y[i]}) is outside the ${width}×${height} sensor`);
    if (p[i] > 1) throw new RangeError(`AEDAT 3.1 writer: event ${i} has polarity ${p[i]} (expected 0 or 1)`);
    const ti = t[i];
    if (!(Number.isInteger(ti) && ti >= 0 && ti <= Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`AEDAT 3.1 writer: event ${i} has timestamp ${ti} (expected a non-negative integer number of µs)`);
    }
  }
}

class Aedat3EventWriter implements EventWriter {
  private readonly packet = new Uint8Array(PACKET_HEADER_BYTES + AEDAT3_PACKET_EVENTS * POLARITY_BYTES);
  private readonly dv = new DataView(this.packet.buffer);
  private count = 0;
  private overflow = 0;
  private headerWritten = false;
  private readonly header: string[];

  constructor(
    private readonly info: WriterInfo,
    private readonly sink: ByteSink,
  ) {
    this.header = headerLines(info);
  }

  private async writeHeader(): Promise<void> {
    if (this.headerWritten) return;
    this.headerWritten = true;
    await this.sink.write(encodeHeader(this.header));
  }

  private async flush(): Promise<void> {
    const n = this.count;
    if (n === 0) return;
    const dv = this.dv;
    dv.setInt16(0, POLARITY_EVENT, true);
    dv.setInt16(2, 0, true);
    dv.setInt32(4, POLARITY_BYTES, true);
    dv.setInt32(8, 4, true);
    dv.setInt32(12, this.overflow, true);
    dv.setInt32(16, n, true);
    dv.setInt32(20, n, true);
    dv.setInt32(24, n, true);
    this.count = 0;
    await this.sink.write(this.packet.slice(0, PACKET_HEADER_BYTES + n * POLARITY_BYTES));
  }

  async write(batch: EventBatch): Promise<void> {
    checkBatch(batch, this.info.width, this.info.height);
    await this.writeHeader();
    const { t, x, y, p } = batch;
    const dv = this.dv;
    for (let i = 0; i < batch.length; i++) {
      const ti = t[i];
      const overflow = Math.floor(ti / TWO_31);
      if (this.count > 0 && (overflow !== this.overflow || this.count === AEDAT3_PACKET_EVENTS)) await this.flush();
      if (this.count === 0) this.overflow = overflow;
      const o = PACKET_HEADER_BYTES + this.count * POLARITY_BYTES;
      dv.setInt32(o, (x[i] << 17) | (y[i] << 2) | (p[i] << 1) | 1, true);
      dv.setInt32(o + 4, ti - overflow * TWO_31, true);
      this.count++;
    }
  }

  async close(): Promise<void> {
    await this.writeHeader();
    await this.flush();
  }
}

export const aedat3Writer: FormatWriter = {
  id: 'aedat3',
  label: 'AEDAT 3.1 (cAER)',
  extensions: ['.aedat3'],
  create(info: WriterInfo, sink: ByteSink): EventWriter {
    return new Aedat3EventWriter(info, sink);
  },
};
