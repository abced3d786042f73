/**
 * YUV4MPEG2 (.y4m): the raw video container of mjpegtools/ffmpeg, and what
 * Chromium's fake camera plays (`--use-file-for-fake-video-capture=clip.y4m`,
 * 4:2:0 only). Layout:
 *
 *   "YUV4MPEG2" { " " tag } "\n"         tags: W<width> H<height> F<num>:<den>
 *                                        I<interlace> A<num>:<den> C<colour> X<comment>
 *   { "FRAME" { " " tag } "\n" Y-plane [Cb-plane Cr-plane] }
 *
 * Only progressive video is read (I p, or I absent/? taken as p). Colour
 * spaces: 420jpeg (default), 420mpeg2, 420paldv, 420 (chroma W/2 × H/2,
 * rounded up), 444, mono (luma only). The reader is push-based (bytes in any
 * chunks, frames out) and keeps offsets for errors; luma is all the encoders
 * use, so frames expose the Y plane without copying when they can.
 */

export type Y4mColorSpace = '420jpeg' | '420mpeg2' | '420paldv' | '420' | '444' | 'mono';
const COLOR_SPACES: readonly string[] = ['420jpeg', '420mpeg2', '420paldv', '420', '444', 'mono'];

export const Y4M_MAGIC = 'YUV4MPEG2';
/** Longest header or FRAME line read (real files: < 100 bytes). */
export const Y4M_MAX_LINE = 4096;
/** Largest frame accepted (width, height and pixels): refuses absurd headers before allocating. */
export const Y4M_MAX_SIDE = 16384;
export const Y4M_MAX_PIXELS = 8192 * 8192;

export type Y4mErrorKind = 'corrupt' | 'truncated' | 'unsupported' | 'limit';

export class Y4mError extends Error {
  constructor(
    readonly kind: Y4mErrorKind,
    readonly source: string,
    /** byte offset in the stream where the problem is */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${source}: y4m ${kind} at byte ${offset}: ${reason}`);
    this.name = 'Y4mError';
  }
}

export interface Y4mHeader {
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  colorSpace: Y4mColorSpace;
  /** pixel aspect ratio when given (A tag), else [0, 0] (unknown) */
  aspect: [number, number];
  /** X tags, in order */
  comments: string[];
  /** bytes of the stream header line, '\n' included */
  headerLength: number;
  /** bytes of one frame's planes (after its FRAME line) */
  frameBytes: number;
}

export interface Y4mFrame {
  index: number;
  /** presentation time from the frame rate, whole µs */
  tUs: number;
  /** width × height luma (a view valid until the next push unless `copy` was set) */
  luma: Uint8Array;
  /** tags on the FRAME line, if any */
  params: string[];
  /** stream offset of the FRAME line */
  offset: number;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function chromaBytes(cs: Y4mColorSpace, w: number, h: number): number {
  if (cs === 'mono') return 0;
  if (cs === '444') return 2 * w * h;
  return 2 * Math.ceil(w / 2) * Math.ceil(h / 2);
}

function ratio(tag: string, what: string, fail: (reason: string) => never): [number, number] {
  const m = /^(\d{1,10}):(\d{1,10})$/.exec(tag);
  if (!m) return fail(`${what} '${tag}' is not <num>:<den>`);
  return [Number(m[1]), Number(m[2])];
}

/** Parses the stream header line (the bytes up to and including its '\n', found by the caller). */
export function parseY4mHeaderLine(line: string, headerLength: number, source = 'y4m', base = 0): Y4mHeader {
  if (!line.startsWith(Y4M_MAGIC) || (line.length > Y4M_MAGIC.length && line[Y4M_MAGIC.length] !== ' ')) {
    throw new Y4mError('corrupt', source, base, `not a YUV4MPEG2 stream: it starts with ${JSON.stringify(line.slice(0, 12))}`);
  }
  let width = -1, height = -1, fpsNum = 0, fpsDen = 0;
  let colorSpace: Y4mColorSpace = '420jpeg';
  let aspect: [number, number] = [0, 0];
  const comments: string[] = [];
  let at = base + Y4M_MAGIC.length;
  for (const tag of line.slice(Y4M_MAGIC.length).split(' ')) {
    const tagAt = at;
    at += tag.length + 1;
    if (tag === '') continue;
    const fail = (reason: string): never => {
      throw new Y4mError('corrupt', source, tagAt, `header tag '${tag.slice(0, 40)}': ${reason}`);
    };
    const v = tag.slice(1);
    switch (tag[0]) {
      case 'W':
      case 'H': {
        if (!/^\d{1,9}$/.test(v)) fail('not a whole number');
        const n = Number(v);
        if (n < 1) fail('must be at least 1');
        if (n > Y4M_MAX_SIDE) throw new Y4mError('limit', source, tagAt, `${tag[0] === 'W' ? 'width' : 'height'} ${n} exceeds ${Y4M_MAX_SIDE}`);
        if (tag[0] === 'W') width = n;
        else height = n;
        break;
      }
      case 'F':
        [fpsNum, fpsDen] = ratio(v, 'frame rate', fail);
        if (fpsNum === 0 || fpsDen === 0) fail('frame rate must be positive');
        break;
      case 'I':
        if (v !== 'p' && v !== '?') throw new Y4mError('unsupported', source, tagAt, `interlacing '${v}' (only progressive video, I p, is read)`);
        break;
      case 'A':
        aspect = ratio(v, 'pixel aspect', fail);
        break;
      case 'C':
        if (!COLOR_SPACES.includes(v)) throw new Y4mError('unsupported', source, tagAt, `colour space '${v}' (read: ${COLOR_SPACES.join(', ')})`);
        colorSpace = v as Y4mColorSpace;
        break;
      case 'X':
        comments.push(v);
        break;
      default:
        fail('unknown tag');
    }
  }
  if (width < 0 || height < 0) throw new Y4mError('corrupt', source, base, `header lacks ${width < 0 ? 'W (width)' : 'H (height)'}`);
  if (fpsNum === 0) throw new Y4mError('corrupt', source, base, 'header lacks F (frame rate)');
  if (width * height > Y4M_MAX_PIXELS) throw new Y4mError('limit', source, base, `${width}×${height} frames exceed ${Y4M_MAX_PIXELS} pixels`);
  return { width, height, fpsNum, fpsDen, colorSpace, aspect, comments, headerLength, frameBytes: width * height + chromaBytes(colorSpace, width, height) };
}

/**
 * Push-based reader: feed bytes in any chunks, get whole frames back.
 * Call end() at the end of the stream to learn about a truncated last frame.
 */
export class Y4mDecoder {
  header: Y4mHeader | null = null;
  private buf = new Uint8Array(0);
  private len = 0;
  /** stream offset of buf[0] */
  private base = 0;
  private index = 0;

  constructor(
    readonly source = 'y4m',
    /** copy each frame's luma (default: a view into the decoder's buffer, valid until the next push) */
    private readonly copy = false,
  ) {}

  get framesRead(): number {
    return this.index;
  }

  push(chunk: Uint8Array): Y4mFrame[] {
    this.append(chunk);
    const frames: Y4mFrame[] = [];
    let pos = 0;
    if (!this.header) {
      const nl = this.lineEnd(0, 'stream header');
      if (nl < 0) return frames;
      this.header = parseY4mHeaderLine(ascii(this.buf, 0, nl), nl + 1, this.source, this.base);
      pos = nl + 1;
    }
    const h = this.header;
    for (;;) {
      if (this.len - pos < 5) break;
      if (ascii(this.buf, pos, pos + 5) !== 'FRAME') {
        throw new Y4mError('corrupt', this.source, this.base + pos, `expected 'FRAME' (frame ${this.index}), found ${JSON.stringify(ascii(this.buf, pos, Math.min(this.len, pos + 12)))}`);
      }
      const nl = this.lineEnd(pos, `FRAME line of frame ${this.index}`);
      if (nl < 0) break;
      if (this.len - (nl + 1) < h.frameBytes) break;
      const tail = ascii(this.buf, pos + 5, nl);
      if (tail !== '' && tail[0] !== ' ') throw new Y4mError('corrupt', this.source, this.base + pos, `bad FRAME line ${JSON.stringify(ascii(this.buf, pos, nl).slice(0, 40))}`);
      const start = nl + 1;
      const lumaView = this.buf.subarray(start, start + h.width * h.height);
      frames.push({
        index: this.index,
        tUs: Math.round((this.index * 1e6 * h.fpsDen) / h.fpsNum),
        luma: this.copy ? lumaView.slice() : lumaView,
        params: tail.split(' ').filter((s) => s !== ''),
        offset: this.base + pos,
      });
      this.index++;
      pos = start + h.frameBytes;
    }
    this.consume(pos, frames);
    return frames;
  }

  /** Checks the stream ended on a frame boundary. */
  end(): void {
    if (!this.header) {
      throw new Y4mError('truncated', this.source, this.base + this.len, this.len === 0 ? 'empty stream (no YUV4MPEG2 header)' : 'the stream header line has no end (\\n)');
    }
    if (this.len > 0) {
      const h = this.header;
      throw new Y4mError('truncated', this.source, this.base, `frame ${this.index} is cut short: ${this.len} bytes of its FRAME line and ${h.frameBytes} data bytes remain (${h.width}×${h.height} ${h.colorSpace})`);
    }
  }

  /** Index of the '\n' ending the line at `pos`, or −1 if not yet here; refuses overlong lines. */
  private lineEnd(pos: number, what: string): number {
    const lim = Math.min(this.len, pos + Y4M_MAX_LINE);
    for (let i = pos; i < lim; i++) if (this.buf[i] === 0x0a) return i;
    if (this.len - pos >= Y4M_MAX_LINE) throw new Y4mError('limit', this.source, this.base + pos, `${what} is longer than ${Y4M_MAX_LINE} bytes`);
    return -1;
  }

  private append(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.len + chunk.length, this.buf.length * 2, 1 << 16));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  /** Drops consumed bytes; frames that are views keep the old buffer alive (they are valid until the next push). */
  private consume(pos: number, frames: Y4mFrame[]): void {
    if (pos === 0) return;
    const rest = this.buf.subarray(pos, this.len);
    if (frames.length > 0 && !this.copy) {
      // the returned views point into this.buf: move the rest to a new buffer instead of overwriting
      const next = new Uint8Array(Math.max(rest.length, 1 << 16));
      next.set(rest);
      this.buf = next;
    } else this.buf.copyWithin(0, pos, this.len);
    this.len = rest.length;
    this.base += pos;
  }
}

/** A whole .y4m in memory: header and every frame's luma (copied). */
export function readY4m(bytes: Uint8Array, source = 'y4m'): { header: Y4mHeader; frames: Y4mFrame[] } {
  const d = new Y4mDecoder(source, true);
  const frames = d.push(bytes);
  d.end();
  return { header: d.header!, frames };
}

export interface Y4mWriterOptions {
  width: number;
  height: number;
  /** frames per second, or an exact ratio [num, den] (e.g. [30000, 1001]) */
  fps: number | [number, number];
  /** default '420jpeg' (what Chromium's fake camera needs) */
  colorSpace?: Y4mColorSpace;
  comments?: string[];
}

/** Writes a stream: header() once, then frame() per picture; chroma is neutral grey unless given. */
export class Y4mWriter {
  readonly colorSpace: Y4mColorSpace;
  private readonly chroma: number;
  private readonly fps: [number, number];

  constructor(private readonly opts: Y4mWriterOptions) {
    const { width: w, height: h } = opts;
    if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1 || w > Y4M_MAX_SIDE || h > Y4M_MAX_SIDE) {
      throw new RangeError(`y4m writer: frame size must be whole pixels from 1 to ${Y4M_MAX_SIDE}, not ${w}×${h}`);
    }
    this.colorSpace = opts.colorSpace ?? '420jpeg';
    if (!COLOR_SPACES.includes(this.colorSpace)) throw new RangeError(`y4m writer: unknown colour space '${this.colorSpace}'`);
    this.chroma = chromaBytes(this.colorSpace, w, h);
    if (typeof opts.fps === 'number') {
      if (!(opts.fps > 0) || !Number.isFinite(opts.fps)) throw new RangeError(`y4m writer: fps must be positive, not ${opts.fps}`);
      this.fps = Number.isInteger(opts.fps) ? [opts.fps, 1] : [Math.round(opts.fps * 1000), 1000];
    } else this.fps = opts.fps;
    for (const c of opts.comments ?? []) if (/[\s]/.test(c)) throw new RangeError(`y4m writer: comment '${c}' must not contain spaces or newlines`);
  }

  header(): Uint8Array {
    const o = this.opts;
    const tags = [`W${o.width}`, `H${o.height}`, `F${this.fps[0]}:${this.fps[1]}`, 'Ip', 'A1:1', `C${this.colorSpace}`, ...(o.comments ?? []).map((c) => `X${c}`)];
    return new TextEncoder().encode(`${Y4M_MAGIC} ${tags.join(' ')}\n`);
  }

  /** One frame: FRAME line, luma, chroma (given planes, Cb then Cr, or grey 128). */
  frame(luma: Uint8Array, chroma?: Uint8Array): Uint8Array {
    const n = this.opts.width * this.opts.height;
    if (luma.length !== n) throw new RangeError(`y4m writer: luma must be ${this.opts.width}×${this.opts.height} = ${n} bytes, got ${luma.length}`);
    if (chroma && chroma.length !== this.chroma) throw new RangeError(`y4m writer: ${this.colorSpace} chroma must be ${this.chroma} bytes, got ${chroma.length}`);
    const out = new Uint8Array(6 + n + this.chroma);
    out.set([0x46, 0x52, 0x41, 0x4d, 0x45, 0x0a]); // "FRAME\n"
    out.set(luma, 6);
    if (chroma) out.set(chroma, 6 + n);
    else out.fill(128, 6 + n);
    return out;
  }
}

/** A whole .y4m from luma frames. */
export function encodeY4m(frames: readonly Uint8Array[], opts: Y4mWriterOptions): Uint8Array {
  const w = new Y4mWriter(opts);
  const parts = [w.header(), ...frames.map((f) => w.frame(f))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
