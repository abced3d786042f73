/**
 * Events as text, one per line: `t,x,y,p` (fields may also be separated by
 * blanks or ';').
 *
 * - An optional header line names the columns in any order (t/ts/timestamp/
 *   timestamps, x, y, p/polarity/pol/on, any case; other columns are ignored).
 *   Without one the columns are t, x, y, p.
 * - t written as an integer is microseconds. t written with a decimal point or
 *   an exponent is seconds (the RPG event-camera datasets' events.txt:
 *   'timestamp x y polarity', t in seconds), converted exactly to µs, rounding
 *   half away from zero. One file uses one unit: once a row gave integer µs, a
 *   t with a fraction is an error; once a row gave seconds, an integer t is
 *   seconds too. (Rows with t = 0 decide nothing.)
 * - p > 0 is ON; 0 and negative (−1 in ±1 encodings) OFF; true/false accepted.
 * - x and y are integers 0…65535 ("12.0" accepted).
 * - Lines starting with '#' and blank lines are skipped; CRLF is fine.
 *
 * Geometry has no place in the text: the reader takes it from the options or
 * reports 0 × 0 with meta.geometry 'unknown'. The writer writes the header
 * `t,x,y,p` and integer rows.
 */
import { BatchBuilder, DEFAULT_BATCH_SIZE, type EventBatch, MAX_EXACT_US } from '../../events/batch';
import { makeEventStream, type EventStream } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import type { ByteSink, EventWriter, FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../types';
import { isNumber, LineFields, parseInteger, parsePolarity, TimeParser, TimeStatus } from './csv-fields';

/** Longest line we accept (a longer one is not an event row). */
export const CSV_MAX_LINE_BYTES = 1 << 16;

type Role = 't' | 'x' | 'y' | 'p';
const ROLES: readonly Role[] = ['t', 'x', 'y', 'p'];
const COLUMN_NAMES: Readonly<Record<Role, readonly string[]>> = {
  t: ['t', 'ts', 'timestamp', 'timestamps'],
  x: ['x'],
  y: ['y'],
  p: ['p', 'polarity', 'pol', 'on'],
};

interface Columns {
  readonly t: number;
  readonly x: number;
  readonly y: number;
  readonly p: number;
  /** fields per line */
  readonly count: number;
  readonly names: readonly string[];
}

const DEFAULT_COLUMNS: Columns = { t: 0, x: 1, y: 2, p: 3, count: 4, names: ['t', 'x', 'y', 'p'] };

function text(b: Uint8Array, s: number, e: number, max = 40): string {
  let out = '';
  for (let i = s; i < e && i < s + max; i++) out += b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '?';
  return e - s > max ? `${out}…` : out;
}

/** True when every field of the split line is a number. */
function allNumbers(b: Uint8Array, f: LineFields): boolean {
  for (let k = 0; k < f.count; k++) if (!isNumber(b, f.starts[k], f.ends[k])) return false;
  return true;
}

/** Column positions from a header line, or why it is not one. */
function headerColumns(b: Uint8Array, f: LineFields): Columns | string {
  const names: string[] = [];
  const at: Partial<Record<Role, number>> = {};
  for (let k = 0; k < f.count; k++) {
    let s = f.starts[k];
    let e = f.ends[k];
    if (e - s >= 2 && (b[s] === 0x22 || b[s] === 0x27) && b[e - 1] === b[s]) (s++, e--);
    const name = text(b, s, e, 64).toLowerCase();
    names.push(name);
    const role = ROLES.find((r) => COLUMN_NAMES[r].includes(name));
    if (!role) continue;
    if (at[role] !== undefined) return `two columns for ${role} ('${names[at[role]!]}' and '${name}')`;
    at[role] = k;
  }
  const missing = ROLES.filter((r) => at[r] === undefined);
  if (missing.length) return `no column for ${missing.join(', ')} (known names: ${ROLES.map((r) => COLUMN_NAMES[r].join('/')).join('; ')})`;
  return { t: at.t!, x: at.x!, y: at.y!, p: at.p!, count: f.count, names };
}

/** Index of the first non-blank byte of b[s, e), or e. */
function skipBlanks(b: Uint8Array, s: number, e: number): number {
  while (s < e && (b[s] === 0x20 || b[s] === 0x09)) s++;
  return s;
}

/** End of a line's content: before '\n' and a '\r' preceding it. */
function contentEnd(b: Uint8Array, s: number, e: number): number {
  if (e > s && b[e - 1] === 0x0a) e--;
  if (e > s && b[e - 1] === 0x0d) e--;
  return e;
}

function hasBom(b: Uint8Array, s: number): boolean {
  return b[s] === 0xef && b[s + 1] === 0xbb && b[s + 2] === 0xbf;
}

/** Control bytes other than tab and CR: a binary file, not text. */
function isText(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i];
    if ((c < 0x20 && c !== 0x09 && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

function detectCsv(head: Uint8Array): boolean {
  const fields = new LineFields();
  let s = hasBom(head, 0) ? 3 : 0;
  while (s < head.length) {
    const nl = head.indexOf(0x0a, s);
    const lineEnd = nl < 0 ? head.length : nl;
    const e = contentEnd(head, s, lineEnd);
    if (!isText(head, s, e)) return false;
    const i = skipBlanks(head, s, e);
    if (i < e && head[i] !== 0x23) {
      if (!fields.split(head, i, e)) return false;
      if (allNumbers(head, fields)) return fields.count === 4;
      return typeof headerColumns(head, fields) !== 'string';
    }
    s = lineEnd + 1;
  }
  return false;
}

const UNIT_UNDECIDED = 0;
const UNIT_US = 1;
const UNIT_S = 2;

/** Parses data lines into batches; keeps line count and the file's time unit. */
class CsvParser {
  lineNo = 0;
  columns: Columns = DEFAULT_COLUMNS;
  /** columns are exactly t, x, y, p (the fast row parser applies) */
  private inOrder = true;
  private unit = UNIT_UNDECIDED;
  private readonly fields = new LineFields();
  private readonly time = new TimeParser();
  private bb: BatchBuilder;
  fill = 0;

  constructor(
    private readonly src: ByteReader,
    readonly batchSize: number,
    private readonly reuse = false,
  ) {
    this.bb = new BatchBuilder(batchSize, reuse);
  }

  private fail(kind: 'corrupt' | 'unsupported', reason: string, offset: number): never {
    throw this.src.error(kind, `line ${this.lineNo}: ${reason}`, offset);
  }

  /**
   * The first significant line: a header, or the first data row (parsed).
   * b[s, e) is the line's content; `base` is the absolute offset of b[0].
   */
  firstLine(b: Uint8Array, s: number, e: number, base: number): void {
    const f = this.fields;
    if (!f.split(b, s, e)) this.fail('corrupt', f.problem, base + f.problemAt);
    if (allNumbers(b, f)) {
      this.dataLine(b, s, e, base);
      return;
    }
    const cols = headerColumns(b, f);
    if (typeof cols === 'string') this.fail('corrupt', `neither a header naming t, x, y, p nor ${this.columns.count} numbers: ${cols}`, base + s);
    this.columns = cols;
    this.inOrder = cols.count === 4 && cols.t === 0 && cols.x === 1 && cols.y === 2 && cols.p === 3;
  }

  /**
   * The common row shapes in one pass: integer fields in t,x,y,p order with
   * single separators, t as integer µs or as seconds with a decimal point
   * ("0.000123000"). The row must end with '\n' or '\r\n' — or at `limit`
   * when `complete` says b[s, limit) is a whole line. Returns where the next
   * line starts, or −1 when the row needs the general parser (which also
   * reports any error).
   */
  private fastRow(b: Uint8Array, s: number, limit: number, complete: boolean): number {
    let i = s;
    let t = 0;
    let c = 0;
    while (i < limit && (c = b[i]) >= 0x30 && c <= 0x39) (t = t * 10 + (c - 0x30), i++);
    const intDigits = i - s;
    if (intDigits === 0 || intDigits > 16 || t > MAX_EXACT_US || i === limit) return -1;
    if (c === 0x2e) {
      // seconds: µs = whole seconds · 10^6 + six decimals, rounded at the seventh
      if (this.unit === UNIT_US || intDigits > 10) return -1;
      i++;
      let frac = 0;
      let k = 0;
      while (i < limit && (c = b[i]) >= 0x30 && c <= 0x39) {
        if (k < 6) frac = frac * 10 + (c - 0x30);
        else if (k === 6 && c >= 0x35) frac++;
        k++;
        i++;
      }
      for (; k < 6; k++) frac *= 10;
      t = t * 1e6 + frac;
      if (t > MAX_EXACT_US) return -1;
      // (deciding the unit before the row is complete is safe: the general parser decides the same from this t)
      this.unit = UNIT_S;
    } else if (this.unit === UNIT_S) return -1;
    else if (t !== 0) this.unit = UNIT_US;
    const sep = b[i];
    if (i === limit || (sep !== 0x2c && sep !== 0x20 && sep !== 0x09 && sep !== 0x3b)) return -1;
    i++;
    let x = 0;
    const x0 = i;
    while (i < limit && (c = b[i]) >= 0x30 && c <= 0x39) (x = x * 10 + (c - 0x30), i++);
    if (i === x0 || i - x0 > 5 || x > 0xffff || i === limit || b[i] !== sep) return -1;
    i++;
    let y = 0;
    const y0 = i;
    while (i < limit && (c = b[i]) >= 0x30 && c <= 0x39) (y = y * 10 + (c - 0x30), i++);
    if (i === y0 || i - y0 > 5 || y > 0xffff || i === limit || b[i] !== sep) return -1;
    i++;
    if (i === limit) return -1;
    const p = b[i++];
    if (p !== 0x30 && p !== 0x31) return -1;
    let next: number;
    if (i === limit) {
      if (!complete) return -1;
      next = limit;
    } else if (b[i] === 0x0a) next = i + 1;
    else if (b[i] === 0x0d && i + 1 < limit && b[i + 1] === 0x0a) next = i + 2;
    else return -1;
    const bb = this.bb;
    const n = this.fill++;
    bb.t[n] = t;
    bb.x[n] = x;
    bb.y[n] = y;
    bb.p[n] = p - 0x30;
    return next;
  }

  /** One data row, content b[s, e) without the line break, first byte not blank. */
  dataLine(b: Uint8Array, s: number, e: number, base: number): void {
    if (this.inOrder && this.fastRow(b, s, e, true) === e) return;
    const f = this.fields;
    const c = this.columns;
    if (!f.split(b, s, e)) this.fail('corrupt', f.problem, base + f.problemAt);
    if (f.count !== c.count) this.fail('corrupt', `${f.count} fields, expected ${c.count} (${c.names.join(',')})`, base + s);
    // t
    let ts = f.starts[c.t];
    let te = f.ends[c.t];
    const status = this.time.parse(b, ts, te);
    if (status !== TimeStatus.Ok) {
      if (status === TimeStatus.TooLarge) this.fail('unsupported', `t ${text(b, ts, te)} is beyond 2^53 µs, which a double cannot hold exactly`, base + ts);
      this.fail('corrupt', `t '${text(b, ts, te)}' is not a number`, base + ts);
    }
    let t = this.time.value;
    if (this.time.seconds) {
      if (this.unit === UNIT_US) this.fail('corrupt', `t ${text(b, ts, te)} is in seconds but earlier rows gave integer microseconds`, base + ts);
      this.unit = UNIT_S;
    } else if (this.unit === UNIT_S) {
      t *= 1e6;
      if (t > MAX_EXACT_US || t < -MAX_EXACT_US) this.fail('unsupported', `t ${text(b, ts, te)} s is beyond 2^53 µs`, base + ts);
    } else if (t !== 0) this.unit = UNIT_US;
    // x, y, p
    ts = f.starts[c.x];
    te = f.ends[c.x];
    const x = parseInteger(b, ts, te);
    if (!(x >= 0 && x <= 0xffff)) this.fail('corrupt', `x '${text(b, ts, te)}' is not an integer 0…65535`, base + ts);
    ts = f.starts[c.y];
    te = f.ends[c.y];
    const y = parseInteger(b, ts, te);
    if (!(y >= 0 && y <= 0xffff)) this.fail('corrupt', `y '${text(b, ts, te)}' is not an integer 0…65535`, base + ts);
    ts = f.starts[c.p];
    te = f.ends[c.p];
    const p = parsePolarity(b, ts, te);
    if (p < 0) this.fail('corrupt', `polarity '${text(b, ts, te)}' is not a number or true/false`, base + ts);
    const bb = this.bb;
    const n = this.fill++;
    bb.t[n] = t;
    bb.x[n] = x;
    bb.y[n] = y;
    bb.p[n] = p;
  }

  /** One line of the body (b[s, e), the '\n' excluded). */
  line(b: Uint8Array, s: number, e: number, base: number): void {
    this.lineNo++;
    if (e > s && b[e - 1] === 0x0d) e--;
    const i = skipBlanks(b, s, e);
    if (i === e || b[i] === 0x23) return;
    this.dataLine(b, i, e, base);
  }

  take(): EventBatch {
    const out = this.bb.take(this.fill);
    this.fill = 0;
    return out;
  }

  async *body(): AsyncGenerator<EventBatch> {
    const src = this.src;
    let carry: Uint8Array | null = null;
    let carryBase = 0;
    if (this.fill === this.batchSize) yield this.take(); // the first row, read by open()
    for (;;) {
      const chunkBase = src.offset;
      const chunk = await src.nextAligned(1);
      if (!chunk) break;
      let buf = chunk;
      let base = chunkBase;
      if (carry) {
        buf = new Uint8Array(carry.length + chunk.length);
        buf.set(carry, 0);
        buf.set(chunk, carry.length);
        base = carryBase;
      }
      let s = 0;
      const n = buf.length;
      while (s < n) {
        let next = this.inOrder ? this.fastRow(buf, s, n, false) : -1;
        if (next >= 0) this.lineNo++;
        else {
          const nl = buf.indexOf(0x0a, s);
          if (nl < 0) break;
          this.line(buf, s, nl, base);
          next = nl + 1;
        }
        s = next;
        if (this.fill === this.batchSize) yield this.take();
      }
      carry = s < buf.length ? buf.slice(s) : null;
      carryBase = base + s;
      if (carry && carry.length > CSV_MAX_LINE_BYTES) {
        throw src.error('limit', `line ${this.lineNo + 1} is longer than ${CSV_MAX_LINE_BYTES} bytes`, carryBase);
      }
    }
    if (carry) this.line(carry, 0, carry.length, carryBase);
    if (this.fill > 0) yield this.take();
  }
}

export const csvReader: FormatReader = {
  id: 'csv',
  label: 'CSV / text events (t,x,y,p)',
  detect(head: Uint8Array): boolean {
    try {
      return detectCsv(head);
    } catch {
      return false;
    }
  },
  async open(src: ByteReader, opts: ReadOptions = {}): Promise<EventStream> {
    src.format = 'csv';
    const parser = new CsvParser(src, opts.batchSize ?? DEFAULT_BATCH_SIZE, opts.reuseBatches === true);
    let header = false;
    // Comments, blank lines and the header (or first row) are read now, so a wrong file fails here.
    for (;;) {
      const base = src.offset;
      const line = await src.readLine(CSV_MAX_LINE_BYTES);
      if (!line) break;
      parser.lineNo++;
      const s0 = parser.lineNo === 1 && hasBom(line, 0) ? 3 : 0;
      const e = contentEnd(line, s0, line.length);
      const s = skipBlanks(line, s0, e);
      if (s === e || line[s] === 0x23) continue;
      parser.firstLine(line, s, e, base);
      header = parser.fill === 0;
      break;
    }
    const known = opts.width !== undefined && opts.height !== undefined;
    const info = {
      format: 'csv',
      width: known ? opts.width! : 0,
      height: known ? opts.height! : 0,
      meta: {
        geometry: known ? 'from options' : 'unknown',
        header,
        columns: parser.columns.names,
      },
    };
    return makeEventStream(info, () => parser.body());
  },
};

const HEADER = new Uint8Array([0x74, 0x2c, 0x78, 0x2c, 0x79, 0x2c, 0x70, 0x0a]); // "t,x,y,p\n"
/** Longest row: t up to 17 characters (sign + 16 digits), x and y 5, p 1, 3 commas, '\n'. */
const MAX_ROW_BYTES = 32;

function digitCount(v: number): number {
  return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

/** Writes v (an integer 0 … 2^31 − 1) in decimal at out[o…], zero-padded to `width` digits; returns the end. */
function writeDigits(out: Uint8Array, o: number, v: number, width: number): number {
  let u = v | 0; // int32 arithmetic: division by 10 becomes a multiply
  const n = Math.max(width, digitCount(u));
  let i = o + n;
  while (i > o) {
    const q = (u / 10) | 0;
    out[--i] = 0x30 + u - q * 10;
    u = q;
  }
  return o + n;
}

/** Encodes rows "t,x,y,p\n" for a batch. */
export function encodeCsvRows(b: EventBatch): Uint8Array {
  const n = b.length;
  const out = new Uint8Array(n * MAX_ROW_BYTES);
  const { t, x, y, p } = b;
  let o = 0;
  for (let i = 0; i < n; i++) {
    let v = t[i];
    if (!(v === Math.floor(v) && v <= MAX_EXACT_US && v >= -MAX_EXACT_US)) throw new RangeError(`csv writer: event ${i} has t = ${v}, not an integer µs`);
    if (v < 0) {
      out[o++] = 0x2d;
      v = -v;
    }
    // two int32-sized halves: digits above and below 10^8
    const hi = Math.floor(v / 1e8);
    o = hi > 0 ? writeDigits(out, writeDigits(out, o, hi, 1), v - hi * 1e8, 8) : writeDigits(out, o, v, 1);
    out[o++] = 0x2c;
    o = writeDigits(out, o, x[i], 1);
    out[o++] = 0x2c;
    o = writeDigits(out, o, y[i], 1);
    out[o++] = 0x2c;
    out[o++] = p[i] ? 0x31 : 0x30;
    out[o++] = 0x0a;
  }
  return out.subarray(0, o);
}

export const csvWriter: FormatWriter = {
  id: 'csv',
  label: 'CSV events (t,x,y,p; t in µs)',
  extensions: ['.csv', '.txt'],
  create(_info: WriterInfo, sink: ByteSink): EventWriter {
    let started = false;
    const start = async () => {
      if (started) return;
      started = true;
      await sink.write(HEADER.slice());
    };
    return {
      async write(batch: EventBatch) {
        await start();
        if (batch.length) await sink.write(encodeCsvRows(batch));
      },
      async close() {
        await start();
      },
    };
  },
};
