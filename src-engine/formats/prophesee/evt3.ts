/**
 * Prophesee EVT 3.0 (.raw): `%` text header, then little-endian 16-bit words,
 * type in bits 15–12. The encoding is stateful: words set y, time and a
 * vector base, and CD events come from ADDR_X words or vector masks.
 *
 *   0 ADDR_Y       y (bits 10–0); bit 11 = master/slave system, not an event
 *   1              EM (exposure) ADDR_Y: what follows is not a CD event
 *   2 ADDR_X       one event at x (bits 10–0), polarity bit 11
 *   3 VECT_BASE_X  base x for vectors (bits 10–0), their polarity bit 11
 *   4 VECT_12      event at base+i for each set bit i of 12, then base += 12
 *   5 VECT_8       event at base+i for each set bit i of 8, then base += 8
 *   6 TIME_LOW     time bits 11–0
 *   8 TIME_HIGH    time bits 23–12
 *   7/0xF CONTINUED, 0xA EXT_TRIGGER, 0xD IMU, 0xE OTHERS: not CD events
 *
 * Semantics follow OpenEB (standalone_samples/metavision_evt3_raw_file_decoder
 * and hal/.../evt3/evt3_decoder.h) without the optional time shift:
 * - words before the first TIME_HIGH are dropped (no time base yet);
 * - the 24-bit clock loops (+2^24 µs) only when TIME_HIGH falls by at least
 *   MaxTimestampBase − LoopThreshold = (4095 − 10)·4096 µs (the standalone
 *   decoder's rule); a smaller fall is time going back, and a TIME_LOW going
 *   back is never a loop;
 * - a TIME_HIGH with a new value resets the time low to 0, a repeated one
 *   keeps it (the HAL decoder's rule);
 * - CD events need a preceding ADDR_Y, vector events a VECT_BASE_X (HAL).
 */
import { BatchBuilder, DEFAULT_BATCH_SIZE, INITIAL_BATCH_EVENTS, MAX_EXACT_US, type EventBatch } from '../../events/batch';
import { makeEventStream, type EventStream } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import type { ByteSink, EventWriter, FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../types';
import { MAX_DIRECT_BATCH, type PropheseeDecoderKind, WordKernel } from './kernels';
import { checkRawWriterInfo, detectRaw, openRawHeader, rawHeaderBytes } from './raw';
import { batchSizeOf, copyColumns, makeColumns, SCRATCH_EVENTS, SLICE_BYTES, u16Bytes, WordViews, type Columns } from './words';

const ADDR_Y = 0x0;
const ADDR_Y_EM = 0x1;
const ADDR_X = 0x2;
const VECT_BASE_X = 0x3;
const VECT_12 = 0x4;
const VECT_8 = 0x5;
const TIME_LOW = 0x6;
const TIME_HIGH = 0x8;

const HIGH_UNIT = 4096;
const FIELD_MAX = 4095;
const TIME_LOOP = 2 ** 24;
/** OpenEB standalone decoder: MaxTimestampBase − LoopThreshold, in µs */
const LOOP_DROP_US = FIELD_MAX * HIGH_UNIT - (10 << 12);
/**
 * A jump of k clock loops is written as k (TIME_HIGH 4095, TIME_HIGH 0)
 * pairs; past this many words (2^19 loops, 101 days) the writer refuses.
 */
const MAX_LOOP_WORDS = 1 << 20;
/** most events one word can produce (VECT_12) */
const MAX_EVENTS_PER_WORD = 12;

// Hot-loop output (see SCRATCH_EVENTS for why these are module-level), with
// room for the vector word that crosses the limit.
const sT = new Float64Array(SCRATCH_EVENTS + MAX_EVENTS_PER_WORD);
const sX = new Uint16Array(SCRATCH_EVENTS + MAX_EVENTS_PER_WORD);
const sY = new Uint16Array(SCRATCH_EVENTS + MAX_EVENTS_PER_WORD);
const sP = new Uint8Array(SCRATCH_EVENTS + MAX_EVENTS_PER_WORD);
const scratch: Columns = { t: sT, x: sX, y: sY, p: sP };

/** Word types the hot loop does not fold in: the rare ones and the vector words. */
const SLOW_TYPES = (1 << ADDR_Y_EM) | (1 << VECT_BASE_X) | (1 << VECT_12) | (1 << VECT_8) | (1 << TIME_HIGH);

/**
 * Decoder state carried across chunks. `run` drives two loops: `scan`, the
 * hot one, handles ADDR_X, ADDR_Y, TIME_LOW, TIME_HIGH and EM words and stops
 * at a vector word; `vectors` expands a run of VECT_BASE_X / VECT_12 /
 * VECT_8 words. With the vector loop (or a call) inside the hot loop, V8's
 * code for it measured about half as fast, even on files with few vectors.
 */
class Evt3Decoder {
  started = false;
  /** µs of the time-high part, loops included */
  highTime = 0;
  /** the last TIME_HIGH 12-bit field */
  lastHigh = 0;
  loopShift = 0;
  low = 0;
  y = 0;
  /** 1 once an ADDR_Y (CD) was seen and no EM ADDR_Y since */
  cdOk = 0;
  baseX = 0;
  vecPol = 0;
  /** 1 once a VECT_BASE_X was seen */
  vecOk = 0;
  /** events in the scratch columns */
  count = 0;
  overflowAt = -1;

  /**
   * Decodes words[i…] into the scratch until the words end or SCRATCH_EVENTS
   * events are there (a vector may add up to 11 more); returns the next word
   * index. Events go to scratch[0, count).
   */
  run(words: Uint16Array, i: number): number {
    this.count = 0;
    if (!this.started) {
      while (i < words.length && words[i] >>> 12 !== TIME_HIGH) i++;
      if (i === words.length) return i;
      this.started = true;
      this.lastHigh = words[i] & 0xfff;
      this.highTime = this.lastHigh * HIGH_UNIT;
      this.low = 0;
      i++;
    }
    while (i < words.length && this.count < SCRATCH_EVENTS && this.overflowAt < 0) {
      i = this.scan(words, i);
      if (i < words.length && this.count < SCRATCH_EVENTS && this.overflowAt < 0) i = this.vectors(words, i);
    }
    return i;
  }

  /** The hot loop: up to the next vector word. */
  private scan(words: Uint16Array, i: number): number {
    const end = words.length;
    let n = this.count, highTime = this.highTime, lastHigh = this.lastHigh, loopShift = this.loopShift;
    let low = this.low, yy = this.y, cdOk = this.cdOk;
    for (; i < end; i++) {
      const w = words[i];
      const type = w >>> 12;
      const v = w & 0x7ff;
      // Word types arrive in no predictable order, so the common three are
      // folded in with arithmetic (is… = 1 or 0) instead of branches: every
      // word writes a candidate event that only an ADDR_X keeps.
      const isX = ((type ^ ADDR_X) - 1) >>> 31;
      const isY = (type - 1) >>> 31;
      const isLow = ((type ^ TIME_LOW) - 1) >>> 31;
      low ^= (low ^ (w & 0xfff)) & (0 - isLow);
      sT[n] = highTime + low;
      sX[n] = v;
      sY[n] = yy;
      sP[n] = (w >>> 11) & 1;
      n += isX & cdOk;
      yy ^= (yy ^ v) & (0 - isY);
      cdOk |= isY;
      if ((SLOW_TYPES >>> type) & 1) {
        if (type === TIME_HIGH) {
          const h = w & 0xfff;
          let ht = h * HIGH_UNIT + loopShift;
          if (ht < highTime && highTime - ht >= LOOP_DROP_US) {
            loopShift += TIME_LOOP;
            ht += TIME_LOOP;
            if (ht > MAX_EXACT_US - HIGH_UNIT) {
              this.overflowAt = i;
              break;
            }
          }
          if (h !== lastHigh) low = 0;
          lastHigh = h;
          highTime = ht;
        } else if (type === ADDR_Y_EM) {
          cdOk = 0; // exposure-measurement events, not CD
        } else {
          break; // a vector word: `vectors` takes it from here
        }
      }
      if (n >= SCRATCH_EVENTS) {
        i++;
        break;
      }
    }
    this.count = n;
    this.highTime = highTime;
    this.lastHigh = lastHigh;
    this.loopShift = loopShift;
    this.low = low;
    this.y = yy;
    this.cdOk = cdOk;
    return i;
  }

  /** A run of VECT_BASE_X / VECT_12 / VECT_8 words. */
  private vectors(words: Uint16Array, i: number): number {
    const end = words.length;
    const t = this.highTime + this.low, yy = this.y, on = this.cdOk;
    let n = this.count, baseX = this.baseX, vecPol = this.vecPol, vecOk = this.vecOk;
    for (; i < end && n < SCRATCH_EVENTS; i++) {
      const w = words[i];
      const type = w >>> 12;
      if (type === VECT_BASE_X) {
        baseX = w & 0x7ff;
        vecPol = (w >>> 11) & 1;
        vecOk = 1;
      } else if (type === VECT_12 || type === VECT_8) {
        if ((on & vecOk) !== 0) {
          let m = type === VECT_12 ? w & 0xfff : w & 0xff;
          while (m !== 0) {
            const bit = m & (0 - m);
            sT[n] = t;
            sX[n] = baseX + 31 - Math.clz32(bit);
            sY[n] = yy;
            sP[n] = vecPol;
            n++;
            m ^= bit;
          }
        }
        baseX = (baseX + (type === VECT_12 ? 12 : 8)) & 0xffff;
      } else {
        break;
      }
    }
    this.count = n;
    this.baseX = baseX;
    this.vecPol = vecPol;
    this.vecOk = vecOk;
    return i;
  }
}

async function* evt3Batches(src: ByteReader, batchSize: number, reuse: boolean): AsyncGenerator<EventBatch> {
  const dec = new Evt3Decoder();
  const views = new WordViews();
  const out = new BatchBuilder(batchSize, reuse);
  let n = 0;
  // Scratch events that did not fit in the batch wait here (the scratch is shared, a yield lets others run).
  let carry: Columns | null = null;
  for (;;) {
    const chunk = await src.nextAligned(2, SLICE_BYTES);
    if (chunk === null) break;
    const chunkOffset = src.offset - chunk.length;
    const words = views.u16(chunk);
    let i = 0;
    while (i < words.length) {
      i = dec.run(words, i);
      if (dec.overflowAt >= 0) {
        throw src.error('unsupported', 'timestamp beyond 2^53 µs after repeated clock loops', chunkOffset + dec.overflowAt * 2);
      }
      const k = dec.count;
      if (n + k <= batchSize) {
        copyColumns(out, n, scratch, 0, k);
        n += k;
        if (n === batchSize) {
          yield out.take(n);
          n = 0;
        }
        continue;
      }
      carry ??= makeColumns(SCRATCH_EVENTS + MAX_EVENTS_PER_WORD);
      copyColumns(carry, 0, scratch, 0, k);
      for (let from = 0; from < k; ) {
        const m = Math.min(k - from, batchSize - n);
        copyColumns(out, n, carry, from, m);
        n += m;
        from += m;
        if (n === batchSize) {
          yield out.take(n);
          n = 0;
        }
      }
    }
  }
  if (n > 0) yield out.take(n);
  if (src.buffered > 0) throw src.error('truncated', 'the last byte does not make a whole 2-byte EVT 3.0 word');
}

/** The same stream decoded by the WebAssembly kernel (kernels.ts), about 1.5× as fast. */
async function* evt3BatchesWasm(src: ByteReader, batchSize: number, reuse: boolean, dec: WordKernel): AsyncGenerator<EventBatch> {
  try {
    const out = new BatchBuilder(batchSize, reuse, INITIAL_BATCH_EVENTS);
    let n = 0;
    for (;;) {
      const chunk = await src.nextAligned(2, dec.maxBytes);
      if (chunk === null) break;
      const chunkOffset = src.offset - chunk.length;
      const words = dec.load(chunk, 2);
      let i = 0;
      while (i < words) {
        i = dec.evt3(i);
        if (dec.overflowAt >= 0) {
          throw src.error('unsupported', 'timestamp beyond 2^53 µs after repeated clock loops', chunkOffset + dec.overflowAt * 2);
        }
        // the kernel's columns are this stream's own: they wait unchanged across a yield
        const k = dec.count;
        for (let from = 0; from < k; ) {
          const m = Math.min(k - from, batchSize - n);
          out.ensure(n + m);
          copyColumns(out, n, dec.columns, from, m);
          n += m;
          from += m;
          if (n === batchSize) {
            yield out.take(n);
            n = 0;
          }
        }
      }
    }
    if (n > 0) yield out.take(n);
    if (src.buffered > 0) throw src.error('truncated', 'the last byte does not make a whole 2-byte EVT 3.0 word');
  } finally {
    dec.release();
  }
}

/**
 * With reuseBatches: the kernel decodes straight into columns of batch size
 * (plus the 11 a vector word may add past it) in its own memory and each
 * batch is a view of them (no copy out), valid until the next iteration as
 * the reuse contract says. Events past a full batch move to the front once
 * the consumer is done with it.
 */
async function* evt3BatchesDirect(src: ByteReader, batchSize: number, dec: WordKernel): AsyncGenerator<EventBatch> {
  try {
    let n = 0;
    for (;;) {
      const chunk = await src.nextAligned(2, dec.maxBytes);
      if (chunk === null) break;
      const chunkOffset = src.offset - chunk.length;
      const words = dec.load(chunk, 2);
      let i = 0;
      while (i < words) {
        i = dec.evt3(i, batchSize - n, n);
        if (dec.overflowAt >= 0) {
          throw src.error('unsupported', 'timestamp beyond 2^53 µs after repeated clock loops', chunkOffset + dec.overflowAt * 2);
        }
        n += dec.count;
        // a vector word may cross the batch end (and, with tiny batches, more than one batch)
        while (n >= batchSize) {
          yield dec.view(batchSize);
          n -= batchSize;
          if (n > 0) dec.moveToFront(batchSize, n);
        }
      }
    }
    if (n > 0) yield dec.view(n);
    if (src.buffered > 0) throw src.error('truncated', 'the last byte does not make a whole 2-byte EVT 3.0 word');
  } finally {
    dec.release();
  }
}

/** Opens an EVT 3.0 stream; `kernel: 'js'` forces the JavaScript decoder (tests compare the two). */
export async function openEvt3Stream(src: ByteReader, opts: ReadOptions = {}, kernel: PropheseeDecoderKind = 'wasm'): Promise<EventStream> {
  src.format = 'evt3';
  const info = await openRawHeader(src, 'EVT3', opts);
  const batchSize = batchSizeOf(opts.batchSize, DEFAULT_BATCH_SIZE);
  const reuse = opts.reuseBatches === true;
  return makeEventStream(info, () => {
    if (kernel === 'wasm' && reuse && batchSize <= MAX_DIRECT_BATCH) {
      const direct = WordKernel.create(batchSize, SLICE_BYTES);
      if (direct) return evt3BatchesDirect(src, batchSize, direct);
    }
    const wasm = kernel === 'wasm' ? WordKernel.create(SCRATCH_EVENTS, SLICE_BYTES) : null;
    return wasm ? evt3BatchesWasm(src, batchSize, reuse, wasm) : evt3Batches(src, batchSize, reuse);
  });
}

export const evt3Reader: FormatReader = {
  id: 'evt3',
  label: 'Prophesee EVT 3.0',
  detect: (head) => detectRaw(head, 'EVT3'),
  open: (src: ByteReader, opts: ReadOptions = {}) => openEvt3Stream(src, opts),
};

/** Events in a run worth a vector: VECT_BASE_X + 3 words vs one ADDR_X each. */
const MIN_RUN_NEW_BASE = 5;
/** …and when the decoder's base already points there: 3 words. */
const MIN_RUN_CHAINED = 4;

/**
 * Writes the way IMX636-class sensors do: TIME_HIGH / TIME_LOW / ADDR_Y only
 * when they change, and runs of events sharing time, y and polarity within
 * 32 pixels as VECT_BASE_X + VECT_12 + VECT_12 + VECT_8 (OpenEB's HAL decodes
 * vectors only as that 32-pixel triplet, with base + 32 ≤ width), other
 * events as ADDR_X. A clock loop is written as TIME_HIGH 4095 then 0.
 */
class Evt3EventWriter implements EventWriter {
  private headerWritten = false;
  private lastT = 0;
  /** floor(t / 4096) of the last TIME_HIGH written (loops included), -1 before any */
  private high = -1;
  /** the 12-bit field of the last TIME_HIGH word */
  private lastField = -1;
  private curT = -1;
  private lastLow = -1;
  private lastY = -1;
  /** the decoder's vector base after our last vector (-1: none) and its polarity */
  private vecBase = -1;
  private vecPol = 0;
  private readonly maxX: number;
  private readonly maxY: number;
  /** vectors need base + 32 ≤ width; 0 when the width is unknown (no limit) */
  private readonly width: number;

  constructor(
    private readonly info: WriterInfo,
    private readonly sink: ByteSink,
  ) {
    checkRawWriterInfo(info, 'EVT 3.0');
    this.width = info.width;
    this.maxX = info.width > 0 ? info.width - 1 : 2047;
    this.maxY = info.height > 0 ? info.height - 1 : 2047;
  }

  private async writeHeader(): Promise<void> {
    if (this.headerWritten) return;
    this.headerWritten = true;
    await this.sink.write(rawHeaderBytes('EVT3', this.info));
  }

  async write(batch: EventBatch): Promise<void> {
    await this.writeHeader();
    const n = batch.length;
    if (n === 0) return;
    const { t, x, y, p } = batch;
    const maxX = this.maxX, maxY = this.maxY, width = this.width;
    let words: Uint16Array<ArrayBuffer> = new Uint16Array(2 * n + 64);
    let o = 0;
    let lastT = this.lastT, curT = this.curT, high = this.high, field = this.lastField, lastLow = this.lastLow;
    let lastY = this.lastY, vecBase = this.vecBase, vecPol = this.vecPol;
    for (let i = 0; i < n; ) {
      const ti = t[i], xi = x[i], yi = y[i], pi = p[i] ? 1 : 0;
      if (!(ti >= lastT && ti <= MAX_EXACT_US && Math.floor(ti) === ti)) {
        throw new RangeError(`EVT 3.0 writer: event ${i}: time ${ti} is not an integer ≥ the previous ${lastT} µs`);
      }
      if (xi > maxX || yi > maxY) {
        throw new RangeError(`EVT 3.0 writer: event ${i}: (${xi}, ${yi}) outside the ${maxX + 1}x${maxY + 1} sensor`);
      }
      lastT = ti;
      // At most TIME_HIGH + TIME_LOW + ADDR_Y + 4 vector words here; loops need more.
      if (o + 8 > words.length) words = grow(words, o, 8 + 2 * (n - i));
      if (ti !== curT) {
        const h = Math.floor(ti / HIGH_UNIT);
        const low = ti - h * HIGH_UNIT;
        if (h !== high) {
          const loops = Math.floor(h / (FIELD_MAX + 1)) - (high < 0 ? 0 : Math.floor(high / (FIELD_MAX + 1)));
          if (loops > MAX_LOOP_WORDS / 2) {
            throw new RangeError(
              `EVT 3.0 writer: event ${i}: time ${ti} µs is ${loops} loops of the 24-bit clock further on, ` +
                'more than the writer spells out (Unix-epoch times? shift them to start near 0)',
            );
          }
          if (o + 2 * loops + 8 > words.length) words = grow(words, o, 2 * loops + 8 + 2 * (n - i));
          if (high < 0) {
            // The reader's first TIME_HIGH sets loop 0: start there and count loops up.
            field = loops === 0 ? h : 0;
            words[o++] = (TIME_HIGH << 12) | field;
          }
          for (let k = 0; k < loops; k++) {
            if (field !== FIELD_MAX) words[o++] = (TIME_HIGH << 12) | FIELD_MAX;
            words[o++] = TIME_HIGH << 12;
            field = 0;
          }
          const f = h % (FIELD_MAX + 1);
          if (f !== field) words[o++] = (TIME_HIGH << 12) | f;
          field = f;
          high = h;
          // Always restate the low after a new TIME_HIGH, whatever a decoder resets it to.
          words[o++] = (TIME_LOW << 12) | low;
        } else if (low !== lastLow) {
          words[o++] = (TIME_LOW << 12) | low;
        }
        lastLow = low;
        curT = ti;
      }
      if (yi !== lastY) {
        words[o++] = (ADDR_Y << 12) | yi;
        lastY = yi;
      }
      // A run: following events with the same t, y and polarity and rising x.
      let base = -1;
      let minRun = 0;
      if (vecBase >= 0 && pi === vecPol && xi >= vecBase && xi < vecBase + 32 && (width === 0 || vecBase + 32 <= width)) {
        base = vecBase;
        minRun = MIN_RUN_CHAINED;
      } else if (width === 0 || width >= 32) {
        base = width === 0 ? xi : Math.min(xi, width - 32);
        minRun = MIN_RUN_NEW_BASE;
      }
      let j = i + 1;
      if (base >= 0) {
        const limit = base + 32;
        let prevX = xi;
        while (j < n && j - i < 32 && t[j] === ti && y[j] === yi && (p[j] ? 1 : 0) === pi) {
          const xj = x[j];
          if (!(xj > prevX && xj < limit && xj <= maxX)) break;
          prevX = xj;
          j++;
        }
      }
      if (j - i >= minRun && base >= 0) {
        let mask = 0;
        for (let k = i; k < j; k++) mask |= 1 << (x[k] - base);
        if (base !== vecBase || pi !== vecPol) words[o++] = (VECT_BASE_X << 12) | (pi << 11) | base;
        words[o++] = (VECT_12 << 12) | (mask & 0xfff);
        words[o++] = (VECT_12 << 12) | ((mask >>> 12) & 0xfff);
        words[o++] = (VECT_8 << 12) | ((mask >>> 24) & 0xff);
        vecBase = base + 32;
        vecPol = pi;
        i = j;
      } else {
        words[o++] = (ADDR_X << 12) | (pi << 11) | xi;
        i++;
      }
    }
    this.lastT = lastT;
    this.curT = curT;
    this.high = high;
    this.lastField = field;
    this.lastLow = lastLow;
    this.lastY = lastY;
    this.vecBase = vecBase;
    this.vecPol = vecPol;
    await this.sink.write(u16Bytes(words, o));
  }

  async close(): Promise<void> {
    await this.writeHeader();
  }
}

function grow(words: Uint16Array, used: number, extra: number): Uint16Array<ArrayBuffer> {
  const out = new Uint16Array(Math.max(used + extra, words.length * 2));
  out.set(words.subarray(0, used));
  return out;
}

export const evt3Writer: FormatWriter = {
  id: 'evt3',
  label: 'Prophesee EVT 3.0',
  extensions: ['.evt3'],
  create: (info, sink) => new Evt3EventWriter(info, sink),
};
