/**
 * Prophesee EVT 2.0 (.raw): `%` text header, then little-endian 32-bit words,
 * type in bits 31–28.
 *
 *   0 CD_OFF / 1 CD_ON   y bits 10–0, x bits 21–11, timestamp low bits 27–22
 *   8 EVT_TIME_HIGH      timestamp bits 33–6 in bits 27–0
 *   0xA EXT_TRIGGER, 0xE OTHERS, 0xF CONTINUED and the rest: not CD events
 *
 * Semantics of OpenEB's EVT2Decoder (hal/cpp/include/metavision/hal/decoders/
 * evt2/evt2_decoder.h) without its optional time shift: words before the
 * first TIME_HIGH are dropped; t = TIME_HIGH·64 + low; the 34-bit clock
 * loops (+2^34 µs) when a TIME_HIGH falls by at least MaxTimestamp − 10000 µs.
 */
import { BatchBuilder, DEFAULT_BATCH_SIZE, MAX_EXACT_US, type EventBatch } from '../../events/batch';
import { makeEventStream, type EventStream } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import type { ByteSink, EventWriter, FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../types';
import { kernelBatches, type KernelStep } from './kernel-batches';
import type { PropheseeDecoderKind } from './kernels';
import { checkRawWriterInfo, detectRaw, openRawHeader, rawHeaderBytes } from './raw';
import { batchSizeOf, copyColumns, SCRATCH_EVENTS, SLICE_BYTES, u32Bytes, WordViews, type Columns } from './words';

const TYPE_TIME_HIGH = 8;
/** TIME_HIGH field: 28 bits of timestamp bits 33–6 */
const TH_MAX = (1 << 28) - 1;
const TH_UNIT = 64;
const TIME_LOOP = 2 ** 34;
/** OpenEB: a TIME_HIGH that falls by at least this many µs is a loop of the clock */
const LOOP_DROP_US = TH_MAX * TH_UNIT - 10000;

// Hot-loop output (see SCRATCH_EVENTS for why these are module-level).
const sT = new Float64Array(SCRATCH_EVENTS);
const sX = new Uint16Array(SCRATCH_EVENTS);
const sY = new Uint16Array(SCRATCH_EVENTS);
const sP = new Uint8Array(SCRATCH_EVENTS);
const scratch: Columns = { t: sT, x: sX, y: sY, p: sP };

/** Decoder state carried across chunks; `run` is the hot loop. */
class Evt2Decoder {
  started = false;
  /** current time base in µs, loops included */
  base = 0;
  /** µs added for the loops seen so far */
  loopShift = 0;
  /** events the last run left in the scratch columns */
  count = 0;
  /** word index where the clock ran past exact doubles, or -1 */
  overflowAt = -1;

  /**
   * Decodes at most `room` (≤ SCRATCH_EVENTS) words from words[i…] into the
   * scratch (one word makes at most one event); returns the next index.
   */
  run(words: Uint32Array, i: number, room: number): number {
    let end = words.length;
    this.count = 0;
    if (!this.started) {
      // OpenEB skips everything before the first TIME_HIGH (no time base yet).
      while (i < end && words[i] >>> 28 !== TYPE_TIME_HIGH) i++;
      if (i === end) return end;
      this.started = true;
      this.base = (words[i] & TH_MAX) * TH_UNIT;
    }
    if (end - i > room) end = i + room;
    let n = 0, base = this.base, loopShift = this.loopShift;
    for (; i < end; i++) {
      const w = words[i];
      const type = w >>> 28;
      if (type < 2) {
        sT[n] = base + ((w >>> 22) & 63);
        sX[n] = (w >>> 11) & 2047;
        sY[n] = w & 2047;
        sP[n] = type;
        n++;
      } else if (type === TYPE_TIME_HIGH) {
        let th = (w & TH_MAX) * TH_UNIT + loopShift;
        if (th < base && base - th >= LOOP_DROP_US) {
          loopShift += TIME_LOOP;
          th += TIME_LOOP;
          if (th > MAX_EXACT_US - TH_UNIT) {
            this.overflowAt = i;
            break;
          }
        }
        base = th;
      }
    }
    this.count = n;
    this.base = base;
    this.loopShift = loopShift;
    return i;
  }
}

async function* evt2Batches(src: ByteReader, batchSize: number, reuse: boolean): AsyncGenerator<EventBatch> {
  const dec = new Evt2Decoder();
  const views = new WordViews();
  const out = new BatchBuilder(batchSize, reuse);
  let n = 0;
  for (;;) {
    const chunk = await src.nextAligned(4, SLICE_BYTES);
    if (chunk === null) break;
    const chunkOffset = src.offset - chunk.length;
    const words = views.u32(chunk);
    let i = 0;
    while (i < words.length) {
      i = dec.run(words, i, Math.min(SCRATCH_EVENTS, batchSize - n));
      if (dec.overflowAt >= 0) {
        throw src.error('unsupported', 'timestamp beyond 2^53 µs after repeated clock loops', chunkOffset + dec.overflowAt * 4);
      }
      copyColumns(out, n, scratch, 0, dec.count);
      n += dec.count;
      if (n === batchSize) {
        yield out.take(n);
        n = 0;
      }
    }
  }
  if (n > 0) yield out.take(n);
  if (src.buffered > 0) {
    throw src.error('truncated', `the last ${src.buffered} byte(s) do not make a whole 4-byte EVT 2.0 word`);
  }
}

/** Opens an EVT 2.0 stream; `kernel: 'js'` forces the JavaScript decoder (tests compare the two). */
export async function openEvt2Stream(src: ByteReader, opts: ReadOptions = {}, kernel: PropheseeDecoderKind = 'wasm'): Promise<EventStream> {
  src.format = 'evt2';
  const info = await openRawHeader(src, 'EVT2', opts);
  const batchSize = batchSizeOf(opts.batchSize, DEFAULT_BATCH_SIZE);
  const reuse = opts.reuseBatches === true;
  const step: KernelStep = (dec, i, room, at, chunkOffset) => {
    const next = dec.evt2(i, room, at);
    if (dec.overflowAt >= 0) {
      throw src.error('unsupported', 'timestamp beyond 2^53 µs after repeated clock loops', chunkOffset + dec.overflowAt * 4);
    }
    return next;
  };
  return makeEventStream(info, () => {
    const wasm = kernel === 'wasm' ? kernelBatches(src, batchSize, reuse, 4, step, 'do not make a whole 4-byte EVT 2.0 word') : null;
    return wasm ?? evt2Batches(src, batchSize, reuse);
  });
}

export const evt2Reader: FormatReader = {
  id: 'evt2',
  label: 'Prophesee EVT 2.0',
  detect: (head) => detectRaw(head, 'EVT2'),
  open: (src: ByteReader, opts: ReadOptions = {}) => openEvt2Stream(src, opts),
};

/**
 * Writes CD words, with a TIME_HIGH word whenever bits 33–6 of the time
 * change. A clock loop is written as TIME_HIGH max then 0, which any OpenEB
 * decoder counts as one loop, so every timestamp reads back exactly.
 */
class Evt2EventWriter implements EventWriter {
  private headerWritten = false;
  private lastT = 0;
  /** floor(t / 64) of the last TIME_HIGH written (loops included), -1 before any */
  private high = -1;
  /** the 28-bit field of the last TIME_HIGH word written */
  private lastField = -1;
  private readonly maxX: number;
  private readonly maxY: number;

  constructor(
    private readonly info: WriterInfo,
    private readonly sink: ByteSink,
  ) {
    checkRawWriterInfo(info, 'EVT 2.0');
    this.maxX = info.width > 0 ? info.width - 1 : 2047;
    this.maxY = info.height > 0 ? info.height - 1 : 2047;
  }

  private async writeHeader(): Promise<void> {
    if (this.headerWritten) return;
    this.headerWritten = true;
    await this.sink.write(rawHeaderBytes('EVT2', this.info));
  }

  async write(batch: EventBatch): Promise<void> {
    await this.writeHeader();
    const n = batch.length;
    if (n === 0) return;
    const { t, x, y, p } = batch;
    let words = new Uint32Array(n + (n >>> 3) + 16);
    let o = 0;
    let lastT = this.lastT, high = this.high, field = this.lastField;
    const maxX = this.maxX, maxY = this.maxY;
    for (let i = 0; i < n; i++) {
      const ti = t[i], xi = x[i], yi = y[i];
      if (!(ti >= lastT && ti <= MAX_EXACT_US && Math.floor(ti) === ti)) {
        throw new RangeError(`EVT 2.0 writer: event ${i}: time ${ti} is not an integer ≥ the previous ${lastT} µs`);
      }
      if (xi > maxX || yi > maxY) {
        throw new RangeError(`EVT 2.0 writer: event ${i}: (${xi}, ${yi}) outside the ${maxX + 1}x${maxY + 1} sensor`);
      }
      lastT = ti;
      const h = Math.floor(ti / TH_UNIT);
      if (h !== high) {
        // Room for the loop words (2 per loop crossed) and this event.
        const loops = Math.floor(h / (TH_MAX + 1)) - (high < 0 ? 0 : Math.floor(high / (TH_MAX + 1)));
        const need = o + 2 * loops + 4 + (n - i);
        if (need > words.length) {
          const grown = new Uint32Array(Math.max(need, 2 * words.length));
          grown.set(words.subarray(0, o));
          words = grown;
        }
        if (high < 0) {
          // The reader's first TIME_HIGH sets loop 0: start there and count loops up.
          field = loops === 0 ? h : 0;
          words[o++] = (TYPE_TIME_HIGH << 28) | field;
        }
        for (let k = 0; k < loops; k++) {
          if (field !== TH_MAX) words[o++] = (TYPE_TIME_HIGH << 28) | TH_MAX;
          words[o++] = TYPE_TIME_HIGH << 28;
          field = 0;
        }
        const f = h % (TH_MAX + 1);
        if (f !== field) words[o++] = (TYPE_TIME_HIGH << 28) | f;
        field = f;
        high = h;
      }
      words[o++] = ((p[i] ? 1 : 0) << 28) | ((ti - h * TH_UNIT) << 22) | (xi << 11) | yi;
    }
    this.lastT = lastT;
    this.high = high;
    this.lastField = field;
    await this.sink.write(u32Bytes(words, o));
  }

  async close(): Promise<void> {
    await this.writeHeader();
  }
}

export const evt2Writer: FormatWriter = {
  id: 'evt2',
  label: 'Prophesee EVT 2.0',
  extensions: ['.evt2', '.raw'],
  create: (info, sink) => new Evt2EventWriter(info, sink),
};
