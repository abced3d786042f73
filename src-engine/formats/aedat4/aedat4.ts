/**
 * AEDAT 4.0 (iniVation DV, dv-processing): reader, writer, and the same
 * framing on DV's TCP / Unix-socket output.
 *
 * File: "#!AER-DAT4.0\r\n", u32 LE size + IOHeader flatbuffer (compression,
 * dataTablePosition, stream XML), then packets [i32 streamId][i32 size]
 * [payload compressed as the header says] up to dataTablePosition, where the
 * data table (FTAB) sits. A network stream is the same without the version
 * line and without a table.
 *
 * The reader decodes every EVTS stream's events in file order and skips the
 * other streams' packets by size without decompressing them; it never seeks,
 * so a file streams in constant memory. `info.meta.packetsPerStream` fills
 * in as packets are read (complete once the stream is consumed).
 *
 * The writer emits one EVTS stream (id 0) in packets of up to 4096 events,
 * LZ4 (default) or uncompressed — no Zstandard: npm offers no small,
 * well-kept pure-JS compressor (fzstd only decompresses). A ByteSink can only
 * append, so the header says dataTablePosition −1 ("no table") and no table is
 * written; given a sink with `writeAt` (PatchableSink) the writer appends the
 * table on close and patches the header to point at it, as dv-processing does.
 */
import { BatchBuilder, DEFAULT_BATCH_SIZE, INITIAL_BATCH_EVENTS, type EventBatch } from '../../events/batch';
import { makeEventStream, type EventStream } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import { LIMITS } from '../errors';
import type { ByteSink, EventWriter, FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../types';
import { Compression, COMPRESSION_NAMES, type CompressionId, type Lz4Kernel, PayloadDecoder, PayloadEncoder } from './compression';
import { DataTableRecorder } from './data-table';
import { AEDAT4_VERSION_LINE, buildIOHeader, int64Bytes, type IOHeader, parseIOHeader } from './ioheader';
import { describeStreams, eventStreamXml, type StreamDescription, XmlError } from './info-xml';
import { MAX_DIRECT_BATCH } from './lz4-kernel';
import { EVENT_BYTES, EventPacketEncoder, EventVectorReader, type EventVector, firstBadEvent, locateEvents } from './packets';
import { PayloadError } from './payload-error';

const VERSION_BYTES = new TextEncoder().encode(AEDAT4_VERSION_LINE);
const PACKET_HEADER_BYTES = 8;

export interface Aedat4StreamOptions extends ReadOptions {
  /** false for DV's TCP / Unix-socket output, which has no "#!AER-DAT4.0" line (default true) */
  versionLine?: boolean;
  /** LZ4 block decoder: 'js' forces the JavaScript one (default: WebAssembly where available; both give the same events) */
  lz4?: Lz4Kernel;
  /** yield the events of every packet as it ends, not only full batches: live streams, where waiting for a full batch adds latency (default false) */
  flushPackets?: boolean;
}

function i32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c === 13 ? '\\r' : c === 10 ? '\\n' : '?')).join('');
}

function rethrowPayload(src: ByteReader, e: unknown, where: string, offset: number): never {
  if (e instanceof PayloadError) throw src.error(e.kind, `${where}: ${e.reason}`, offset);
  throw e;
}

/**
 * Opens an AEDAT 4 file (or, with `versionLine: false`, DV's network
 * framing). Parses the header now; events stream lazily.
 */
export async function openAedat4Stream(src: ByteReader, opts: Aedat4StreamOptions = {}): Promise<EventStream> {
  src.format = 'aedat4';
  const framing = opts.versionLine === false ? 'stream' : 'file';
  if (framing === 'file') {
    const line = await src.readExact(VERSION_BYTES.length, 'AEDAT 4.0 version line');
    if (!VERSION_BYTES.every((c, i) => line[i] === c)) {
      throw src.error('corrupt', `first line '${printable(line)}' is not '#!AER-DAT4.0\\r\\n'`, 0);
    }
  }
  const sizeAt = src.offset;
  const sizeBytes = await src.readExact(4, 'IOHeader size');
  const headerSize = i32(sizeBytes, 0) >>> 0;
  if (headerSize > LIMITS.maxHeaderBytes) {
    throw src.error('limit', `IOHeader declares ${headerSize} bytes (limit ${LIMITS.maxHeaderBytes})`, sizeAt);
  }
  const headerAt = src.offset;
  const headerBytes = await src.readExact(headerSize, 'IOHeader');
  let header: IOHeader;
  try {
    header = parseIOHeader(headerBytes);
  } catch (e) {
    rethrowPayload(src, e, 'IOHeader', headerAt);
  }
  const bodyStart = src.offset;
  const tablePos = header.dataTablePosition;
  if (tablePos !== -1 && tablePos < bodyStart) {
    throw src.error('corrupt', `dataTablePosition ${tablePos} lies inside the header (packets start at ${bodyStart})`, headerAt);
  }
  let streams: StreamDescription[];
  try {
    streams = describeStreams(header.infoNode);
  } catch (e) {
    if (e instanceof XmlError) throw src.error('corrupt', `stream description (infoNode XML): ${e.message}`, headerAt);
    throw e;
  }
  const evts = streams.filter((s) => s.type === 'EVTS');
  const sized = evts.find((s) => s.width !== undefined && s.height !== undefined);
  const fromOpts = opts.width !== undefined && opts.height !== undefined;
  const width = sized ? sized.width! : fromOpts ? opts.width! : 0;
  const height = sized ? sized.height! : fromOpts ? opts.height! : 0;
  const packetsPerStream: Record<string, number> = {};
  const info = {
    format: 'aedat4',
    width,
    height,
    meta: {
      framing,
      compression: COMPRESSION_NAMES[header.compression],
      dataTablePosition: tablePos,
      streams: Object.fromEntries(streams.map((s) => [String(s.id), s.type])),
      streamDetails: Object.fromEntries(
        streams.map((s) => [String(s.id), { type: s.type, width: s.width, height: s.height, source: s.info.source, name: s.attrs.originalOutputName }]),
      ),
      evtsStreamIds: evts.map((s) => s.id),
      source: (sized ?? evts[0])?.info.source,
      geometry: sized ? 'from header' : fromOpts ? 'from options' : 'unknown',
      packetsPerStream,
    },
  };
  const body: BodyContext = {
    src,
    compression: header.compression,
    tablePos,
    isEvents: new Map(streams.map((s) => [s.id, s.type === 'EVTS'])),
    packetsPerStream,
    batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
    reuse: opts.reuseBatches === true,
    lz4: opts.lz4 ?? 'wasm',
    flushPackets: opts.flushPackets === true,
  };
  return makeEventStream(info, () => readBody(body));
}

interface BodyContext {
  readonly src: ByteReader;
  readonly compression: CompressionId;
  readonly tablePos: number;
  /** declared stream ids → whether they carry events */
  readonly isEvents: ReadonlyMap<number, boolean>;
  readonly packetsPerStream: Record<string, number>;
  readonly batchSize: number;
  readonly reuse: boolean;
  readonly lz4: Lz4Kernel;
  readonly flushPackets: boolean;
}

async function* readBody(c: BodyContext): AsyncGenerator<EventBatch> {
  // with reuseBatches the WebAssembly columns hold a whole batch, and each batch is a view of them (no copy out)
  const directCols = c.reuse && c.batchSize <= MAX_DIRECT_BATCH ? c.batchSize : undefined;
  const decoder = new PayloadDecoder(c.compression, LIMITS.maxDecompressedBytes, c.lz4, directCols);
  try {
    yield* decodeBody(c, decoder, directCols !== undefined);
  } finally {
    decoder.release();
  }
}

/** The packet loop; `wantDirect`: batches are views of the WebAssembly columns (when the decoder has them). */
async function* decodeBody(c: BodyContext, decoder: PayloadDecoder, wantDirect: boolean): AsyncGenerator<EventBatch> {
  const { src, tablePos } = c;
  const vectors = new EventVectorReader();
  // LZ4 payloads decoded in WebAssembly memory are also unpacked there
  const wasm = decoder.wasmEvents;
  const direct = wantDirect ? wasm : null;
  const builder = direct ? null : new BatchBuilder(c.batchSize, c.reuse, wasm ? INITIAL_BATCH_EVENTS : c.batchSize);
  const cap = c.batchSize;
  let n = 0;
  for (;;) {
    const at = src.offset;
    if (tablePos >= 0 && at === tablePos) break; // the data table follows: the events are over
    if (await src.atEnd()) {
      if (tablePos >= 0) throw src.error('truncated', `file ends at byte ${at}, before its data table at ${tablePos}`, at);
      break;
    }
    const head = await src.readExact(PACKET_HEADER_BYTES, 'packet header');
    const streamId = i32(head, 0);
    const size = i32(head, 4);
    if (size < 0) throw src.error('corrupt', `packet (stream ${streamId}) declares a negative size ${size}`, at);
    if (size > LIMITS.maxPacketBytes) throw src.error('limit', `packet (stream ${streamId}) declares ${size} bytes (limit ${LIMITS.maxPacketBytes})`, at);
    if (tablePos >= 0 && at + PACKET_HEADER_BYTES + size > tablePos) {
      throw src.error('corrupt', `packet of ${size} bytes (stream ${streamId}) runs into the data table at ${tablePos}`, at);
    }
    const events = c.isEvents.get(streamId);
    if (events === undefined) throw src.error('corrupt', `packet for stream ${streamId}, which the header does not declare`, at);
    c.packetsPerStream[streamId] = (c.packetsPerStream[streamId] ?? 0) + 1;
    if (!events) {
      await src.skip(size, `packet payload (stream ${streamId})`);
      continue;
    }
    const payload = await src.readExact(size, `packet payload (stream ${streamId})`);
    let vec: EventVector;
    let bytes: Uint8Array;
    try {
      bytes = decoder.decode(payload);
      vec = locateEvents(bytes);
      if (!wasm) vectors.attach(bytes, vec);
    } catch (e) {
      rethrowPayload(src, e, `packet at byte ${at} (stream ${streamId})`, at);
    }
    let done = 0;
    while (done < vec.count) {
      const k = Math.min(vec.count - done, cap - n);
      let r: number;
      if (direct) r = direct.eventsInPlace(vec.start, done, k, n);
      else if (wasm) {
        builder!.ensure(n + k);
        r = wasm.events(vec.start, done, k, builder!.t, builder!.x, builder!.y, builder!.p, n);
      } else r = vectors.decode(done, k, builder!.t, builder!.x, builder!.y, builder!.p, n);
      if (r < 0) throw badEvent(src, bytes, vec, firstBadEvent(bytes, vec, done, k), at, streamId);
      n = r;
      done += k;
      if (n === cap) {
        yield direct ? direct.view(n) : builder!.take(n);
        n = 0;
      }
    }
    if (c.flushPackets && n > 0) {
      yield direct ? direct.view(n) : builder!.take(n);
      n = 0;
    }
  }
  if (n > 0) yield direct ? direct.view(n) : builder!.take(n);
}

/** The error for the event `decode` refused (timestamp outside a double's exact range, or a negative coordinate). */
function badEvent(src: ByteReader, bytes: Uint8Array, vec: EventVector, index: number, at: number, streamId: number) {
  const i = Math.max(0, index);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = vec.start + i * EVENT_BYTES;
  const t = dv.getBigInt64(o, true);
  const where = `packet at byte ${at} (stream ${streamId}), event ${i}`;
  if (t >= 2n ** 53n || t < -(2n ** 53n)) {
    return src.error('unsupported', `${where}: timestamp ${t} µs is outside [−2^53, 2^53), where doubles hold integers exactly`, at);
  }
  return src.error('corrupt', `${where}: negative coordinate (${dv.getInt16(o + 8, true)}, ${dv.getInt16(o + 10, true)})`, at);
}

export const aedat4Reader: FormatReader = {
  id: 'aedat4',
  label: 'iniVation AEDAT 4.0 (DV)',
  detect(head: Uint8Array): boolean {
    if (head.length < VERSION_BYTES.length) return false;
    for (let i = 0; i < VERSION_BYTES.length; i++) if (head[i] !== VERSION_BYTES[i]) return false;
    return true;
  },
  open: (src: ByteReader, opts?: ReadOptions) => openAedat4Stream(src, opts),
};

/** A sink that can overwrite bytes it already wrote (lets the writer add a data table). */
export interface PatchableSink extends ByteSink {
  writeAt(offset: number, chunk: Uint8Array): void | Promise<void>;
}

function isPatchable(sink: ByteSink): sink is PatchableSink {
  return typeof (sink as Partial<PatchableSink>).writeAt === 'function';
}

export interface Aedat4WriterOptions {
  /** payload compression (default 'lz4') */
  compression?: 'lz4' | 'none';
  /** events per packet (default 4096) */
  packetEvents?: number;
  /** `originalModuleName` in the stream XML */
  moduleName?: string;
}

export const AEDAT4_PACKET_EVENTS = 4096;

/** An AEDAT 4 writer with options (the registry's `aedat4Writer` uses the defaults). */
export function createAedat4Writer(info: WriterInfo, sink: ByteSink, opts: Aedat4WriterOptions = {}): EventWriter {
  const { width, height } = info;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= 32768 && height <= 32768)) {
    throw new RangeError(`AEDAT 4 needs the sensor size (width and height 1…32768), got ${width} × ${height}`);
  }
  const packetEvents = opts.packetEvents ?? AEDAT4_PACKET_EVENTS;
  if (!(Number.isInteger(packetEvents) && packetEvents >= 1 && packetEvents <= 1 << 20)) {
    throw new RangeError(`packetEvents must be 1…${1 << 20}, got ${packetEvents}`);
  }
  const compression = opts.compression === 'none' ? Compression.NONE : Compression.LZ4;
  const infoNode = eventStreamXml({
    width,
    height,
    source: info.source?.trim() || 'Neurolive',
    compression: COMPRESSION_NAMES[compression],
    moduleName: opts.moduleName ?? 'neurolive',
  });
  const header = buildIOHeader({ compression, dataTablePosition: -1, infoNode });
  const patchable = isPatchable(sink);
  const packet = new EventPacketEncoder(packetEvents);
  const encoder = new PayloadEncoder(compression);
  const table = patchable ? new DataTableRecorder() : null;
  let offset = 0;
  let started = false;
  let closed = false;

  const emit = async (chunk: Uint8Array) => {
    await sink.write(chunk);
    offset += chunk.length;
  };

  const start = async () => {
    if (started) return;
    started = true;
    const head = new Uint8Array(VERSION_BYTES.length + 4 + header.bytes.length);
    head.set(VERSION_BYTES, 0);
    new DataView(head.buffer).setUint32(VERSION_BYTES.length, header.bytes.length, true);
    head.set(header.bytes, VERSION_BYTES.length + 4);
    await emit(head);
  };

  /** A packet or table frame as one fresh chunk: [streamId][size] + payload, or the bare payload. */
  const frame = (payload: Uint8Array, withHeader: boolean): Uint8Array => {
    const h = withHeader ? PACKET_HEADER_BYTES : 0;
    const out = new Uint8Array(h + payload.length);
    if (withHeader) new DataView(out.buffer).setInt32(4, payload.length, true); // stream id 0
    out.set(payload, h);
    return out;
  };

  const flushPacket = async () => {
    const count = packet.count;
    if (count === 0) return;
    const { tFirst, tLast } = packet;
    const chunk = frame(encoder.encode(packet.take()), true);
    table?.add({ byteOffset: offset + PACKET_HEADER_BYTES, streamId: 0, size: chunk.length - PACKET_HEADER_BYTES, numElements: count, timestampStart: tFirst, timestampEnd: tLast });
    await emit(chunk);
  };

  return {
    async write(batch: EventBatch) {
      if (closed) throw new Error('AEDAT 4 writer: write after close');
      await start();
      for (let i = 0; i < batch.length; ) {
        i += packet.add(batch, i, batch.length);
        if (packet.full) await flushPacket();
      }
    },
    async close() {
      if (closed) return;
      await start();
      await flushPacket();
      closed = true;
      if (table && patchable) {
        const tablePos = offset;
        await emit(frame(encoder.encode(table.encode()), false));
        await (sink as PatchableSink).writeAt(VERSION_BYTES.length + 4 + header.dataTablePositionAt, int64Bytes(tablePos));
      }
    },
  };
}

export const aedat4Writer: FormatWriter = {
  id: 'aedat4',
  label: 'iniVation AEDAT 4.0 (DV)',
  extensions: ['.aedat4'],
  create: (info: WriterInfo, sink: ByteSink) => createAedat4Writer(info, sink),
};
