/**
 * Prophesee .dat (openeb sdk/modules/core/python/pypkg/metavision_core/event_io/dat_tools.py):
 * optional "% " text lines (`% Data file containing …`, `% Version 2`,
 * `% Date`, `% Height`, `% Width`), then — only when there was a header —
 * u8 event type (0 Event2D, 12 EventCD) and u8 event size (8), then 8-byte
 * little-endian events: u32 t (µs), u32 w with x = w & 0x3FFF,
 * y = (w >> 14) & 0x3FFF, p = (w >> 28) & 1.
 */
import { BatchBuilder, DEFAULT_BATCH_SIZE, type EventBatch } from '../../events/batch';
import { makeEventStream, type EventStream } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import type { ByteSink, EventWriter, FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../types';
import { kernelBatches, type KernelStep } from './kernel-batches';
import type { PropheseeDecoderKind } from './kernels';
import { datGeometry, HeaderGeometryError, hasRawKeys, headerMeta, headerText, readPercentHeader, scanPercentHeader } from './header';
import { batchSizeOf, copyColumns, SCRATCH_EVENTS, SLICE_BYTES, u32Bytes, WordViews, type Columns } from './words';

const EVENT_BYTES = 8;
const EVENT_TYPE_NAMES: Record<number, string> = { 0: 'Event2D', 12: 'EventCD', 14: 'EventExtTrigger', 40: 'EventOpticalFlow' };
const COORD_MAX = (1 << 14) - 1;
const T_MAX = 2 ** 32 - 1;

function isCdType(type: number, size: number): boolean {
  return (type === 0 || type === 12) && size === EVENT_BYTES;
}

/** How many leading events of a header-less candidate to sanity-check. */
const HEADERLESS_PROBE_EVENTS = 1024;

/**
 * A header-less .dat still carrying its type and size bytes: (0|12, 8), a
 * whole number of events after them when `head` is the whole file, and
 * plausible events (rising time, nothing above the polarity bit). Weak: the
 * registry tries it last.
 */
function detectHeaderless(head: Uint8Array): boolean {
  if (head.length < 2 + EVENT_BYTES || !isCdType(head[0], head[1])) return false;
  const wholeFile = head.length < 64 << 10;
  if (wholeFile && (head.length - 2) % EVENT_BYTES !== 0) return false;
  const dv = new DataView(head.buffer, head.byteOffset, head.length);
  const events = Math.min(HEADERLESS_PROBE_EVENTS, Math.floor((head.length - 2) / EVENT_BYTES));
  let prevT = 0;
  for (let k = 0; k < events; k++) {
    const t = dv.getUint32(2 + k * EVENT_BYTES, true);
    const w = dv.getUint32(6 + k * EVENT_BYTES, true);
    if (t < prevT || w >>> 29 !== 0) return false;
    prevT = t;
  }
  return true;
}

function detectDat(head: Uint8Array): boolean {
  const h = scanPercentHeader(head, false);
  if (h.lines === 0) return detectHeaderless(head);
  if (hasRawKeys(h.fields)) return false;
  const datKeys =
    h.fields.has('Version') || h.fields.has('Height') || h.fields.has('Width') || /^file containing/.test(h.fields.get('Data') ?? '');
  if (h.dataStart < 0 || h.dataStart === head.length) return datKeys; // header only, or longer than we were shown
  if (h.dataStart + 1 >= head.length || !isCdType(head[h.dataStart], head[h.dataStart + 1])) return false;
  return datKeys || !h.fields.has('system_ID');
}

// Hot-loop output (see SCRATCH_EVENTS for why these are module-level).
const sT = new Float64Array(SCRATCH_EVENTS);
const sX = new Uint16Array(SCRATCH_EVENTS);
const sY = new Uint16Array(SCRATCH_EVENTS);
const sP = new Uint8Array(SCRATCH_EVENTS);
const scratch: Columns = { t: sT, x: sX, y: sY, p: sP };

/** Decodes at most `room` (≤ SCRATCH_EVENTS) (t, w) word pairs from words[i…] into the scratch; returns the next index. */
function decodeDat(words: Uint32Array, i: number, room: number): number {
  const end = Math.min(words.length, i + 2 * room);
  for (let n = 0; i < end; i += 2, n++) {
    const w = words[i + 1];
    sT[n] = words[i];
    sX[n] = w & 0x3fff;
    sY[n] = (w >>> 14) & 0x3fff;
    sP[n] = (w >>> 28) & 1;
  }
  return i;
}

async function* datBatches(src: ByteReader, batchSize: number, reuse: boolean): AsyncGenerator<EventBatch> {
  const views = new WordViews();
  const out = new BatchBuilder(batchSize, reuse);
  let n = 0;
  for (;;) {
    const chunk = await src.nextAligned(EVENT_BYTES, SLICE_BYTES);
    if (chunk === null) break;
    const words = views.u32(chunk);
    let i = 0;
    while (i < words.length) {
      const from = i;
      i = decodeDat(words, i, Math.min(SCRATCH_EVENTS, batchSize - n));
      const k = (i - from) >>> 1;
      copyColumns(out, n, scratch, 0, k);
      n += k;
      if (n === batchSize) {
        yield out.take(n);
        n = 0;
      }
    }
  }
  if (n > 0) yield out.take(n);
  if (src.buffered > 0) {
    throw src.error('truncated', `the last ${src.buffered} byte(s) do not make a whole ${EVENT_BYTES}-byte event`);
  }
}

export const datReader: FormatReader = {
  id: 'dat',
  label: 'Prophesee .dat',
  detect: (head) => {
    try {
      return detectDat(head);
    } catch {
      return false;
    }
  },
  open: (src: ByteReader, opts: ReadOptions = {}) => openDatStream(src, opts),
};

/** Opens a .dat stream; `kernel: 'js'` forces the JavaScript decoder (tests compare the two). */
export async function openDatStream(src: ByteReader, opts: ReadOptions = {}, kernel: PropheseeDecoderKind = 'wasm'): Promise<EventStream> {
  src.format = 'dat';
  const header = await readPercentHeader(src, false);
  let geometry;
  try {
    geometry = datGeometry(header, opts);
  } catch (e) {
    if (e instanceof HeaderGeometryError) throw src.error('corrupt', e.reason, e.offset);
    throw e;
  }
  let eventType: number | null = null;
  const have = await src.fill(2);
  const typeAt = src.offset;
  if (header.lines > 0) {
    // dat_tools reads the type and size bytes after any header; a header alone holds no events.
    if (have === 1) throw src.error('truncated', 'event type and size bytes: the file ends after the type byte');
    if (have >= 2) {
      const [type, size] = await src.readExact(2, 'event type and size');
      if (!isCdType(type, size)) {
        const name = EVENT_TYPE_NAMES[type];
        if (name && !(type === 0 || type === 12)) throw src.error('unsupported', `${name} files (event type ${type}) hold no CD events`, typeAt);
        if (name) throw src.error('corrupt', `${name} events are 8 bytes, the header byte says ${size}`, typeAt + 1);
        throw src.error('corrupt', `unknown event type ${type} (size ${size})`, typeAt);
      }
      eventType = type;
    }
  } else if (have >= 2 && isCdType(src.peek(2)[0], src.peek(2)[1])) {
    eventType = (await src.readExact(2, 'event type and size'))[0];
  } else {
    eventType = 0; // OpenEB: no header means Event2D records from the first byte
  }
  const info = {
    format: 'dat',
    width: geometry.width,
    height: geometry.height,
    meta: {
      ...headerMeta(header),
      header_lines: header.lines,
      event_type: eventType === null ? 'none' : EVENT_TYPE_NAMES[eventType],
      data_offset: src.offset,
      geometry: geometry.geometry,
      geometry_source: geometry.geometry_source,
    },
  };
  const batchSize = batchSizeOf(opts.batchSize, DEFAULT_BATCH_SIZE);
  const reuse = opts.reuseBatches === true;
  const step: KernelStep = (dec, e, room, at) => dec.dat(e, room, at);
  return makeEventStream(info, () => {
    const wasm = kernel === 'wasm' ? kernelBatches(src, batchSize, reuse, EVENT_BYTES, step, `do not make a whole ${EVENT_BYTES}-byte event`) : null;
    return wasm ?? datBatches(src, batchSize, reuse);
  });
}

/** Writes `% Version 2` EventCD files as OpenEB's tools read them. */
class DatEventWriter implements EventWriter {
  private headerWritten = false;
  private readonly maxX: number;
  private readonly maxY: number;

  constructor(
    private readonly info: WriterInfo,
    private readonly sink: ByteSink,
  ) {
    for (const [k, v] of [['width', info.width], ['height', info.height]] as const) {
      if (!(Number.isInteger(v) && v >= 0 && v <= COORD_MAX + 1)) {
        throw new RangeError(`.dat writer: ${k} ${v} is not an integer in 0..${COORD_MAX + 1} (14-bit addresses)`);
      }
    }
    this.maxX = info.width > 0 ? info.width - 1 : COORD_MAX;
    this.maxY = info.height > 0 ? info.height - 1 : COORD_MAX;
  }

  private async writeHeader(): Promise<void> {
    if (this.headerWritten) return;
    this.headerWritten = true;
    const lines: [string, string][] = [
      ['Data', 'file containing EventCD events.'],
      ['Version', '2'],
    ];
    if (this.info.width > 0 && this.info.height > 0) {
      lines.push(['Height', String(this.info.height)], ['Width', String(this.info.width)]);
    }
    if (this.info.source) lines.push(['source', this.info.source]);
    const text = headerText(lines);
    const bytes = new Uint8Array(text.length + 2);
    bytes.set(text);
    bytes[text.length] = 12; // EventCD
    bytes[text.length + 1] = EVENT_BYTES;
    await this.sink.write(bytes);
  }

  async write(batch: EventBatch): Promise<void> {
    await this.writeHeader();
    const n = batch.length;
    if (n === 0) return;
    const { t, x, y, p } = batch;
    const maxX = this.maxX, maxY = this.maxY;
    const words = new Uint32Array(2 * n);
    for (let i = 0, o = 0; i < n; i++, o += 2) {
      const ti = t[i], xi = x[i], yi = y[i];
      if (!(ti >= 0 && ti <= T_MAX && Math.floor(ti) === ti)) {
        throw new RangeError(`.dat writer: event ${i}: time ${ti} is not an integer in 0..2^32-1 µs`);
      }
      if (xi > maxX || yi > maxY) {
        throw new RangeError(`.dat writer: event ${i}: (${xi}, ${yi}) outside the ${maxX + 1}x${maxY + 1} sensor`);
      }
      words[o] = ti;
      words[o + 1] = ((p[i] ? 1 : 0) << 28) | (yi << 14) | xi;
    }
    await this.sink.write(u32Bytes(words, 2 * n));
  }

  async close(): Promise<void> {
    await this.writeHeader();
  }
}

export const datWriter: FormatWriter = {
  id: 'dat',
  label: 'Prophesee .dat',
  extensions: ['.dat'],
  create: (info, sink) => new DatEventWriter(info, sink),
};
