import { EventFormatError, LIMITS } from './errors';

const EMPTY = new Uint8Array(0);

/**
 * Pull-based reader over a stream of byte chunks (a file read in pieces, a
 * socket, a Blob stream) that keeps the absolute byte offset, so every error
 * can say where it happened. Decoders use `readExact` / `readLine` for headers
 * and `nextAligned` for their bulk loops.
 */
export class ByteReader {
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  /** absolute offset of buf[0] */
  private base = 0;
  private ended = false;
  /** the unread rest of a chunk whose head was joined onto `buf` (see `gather`) */
  private next: Uint8Array = EMPTY;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    /** name used in error messages (a file name or a stream description) */
    readonly sourceName: string,
    /** format name used in error messages until the decoder sets its own */
    public format = 'events',
  ) {
    const s = source as AsyncIterable<Uint8Array> & Iterable<Uint8Array>;
    if (typeof s[Symbol.asyncIterator] === 'function') this.it = s[Symbol.asyncIterator]();
    else {
      const sync = s[Symbol.iterator]();
      this.it = { next: async () => sync.next() };
    }
  }

  static fromBytes(bytes: Uint8Array, sourceName = 'buffer'): ByteReader {
    return new ByteReader([bytes], sourceName);
  }

  /**
   * Stops reading and releases the source (a file handle, a socket): decoders
   * may stop before the end (AEDAT 4 stops at its data table) and consumers
   * may abandon a stream. Idempotent.
   */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.it.return?.();
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes buffered and not yet consumed. */
  get buffered(): number {
    return this.buf.length - this.pos;
  }

  /** True once the source is exhausted (buffered bytes may remain; `fill` makes sure). */
  get sourceEnded(): boolean {
    return this.ended;
  }

  error(kind: EventFormatError['kind'], reason: string, offset = this.offset): EventFormatError {
    return new EventFormatError(kind, this.format, this.sourceName, offset, reason);
  }

  /** The next unread piece of the source: the rest of a part-stitched chunk, else the next chunk; null at the end. */
  private async nextPiece(): Promise<Uint8Array | null> {
    if (this.next.length > 0) {
      const piece = this.next;
      this.next = EMPTY;
      return piece;
    }
    if (this.ended) return null;
    for (;;) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return null;
      }
      if (r.value.length > 0) return r.value;
    }
  }

  /**
   * Buffers at least `n` bytes (fewer only at the end of the source); false
   * when nothing could be added. With nothing left over the next chunk
   * becomes the buffer as it is. Otherwise the leftover and the pieces that
   * follow are joined, but only up to `n` bytes (the rest of the last piece
   * waits in `next`), so a partial word left at a chunk's end costs a copy of
   * a few bytes rather than of the whole next chunk, and a long read over
   * many chunks is joined once instead of once per chunk. `whole` joins the
   * last piece entirely (readLine scans on through it).
   */
  private async gather(n: number, whole = false): Promise<boolean> {
    const rest = this.buffered;
    const first = await this.nextPiece();
    if (first === null) return false;
    if (rest === 0 && (first.length >= n || whole)) {
      this.base += this.buf.length;
      this.buf = first;
      this.pos = 0;
      return true;
    }
    const parts = [first];
    let total = rest + first.length;
    while (total < n) {
      const piece = await this.nextPiece();
      if (piece === null) break;
      parts.push(piece);
      total += piece.length;
    }
    const size = whole || total <= n ? total : n;
    const joined = new Uint8Array(size);
    joined.set(this.buf.subarray(this.pos), 0);
    let o = rest;
    for (const piece of parts) {
      const k = Math.min(piece.length, size - o);
      joined.set(k === piece.length ? piece : piece.subarray(0, k), o);
      o += k;
      if (k < piece.length) this.next = piece.subarray(k); // only the last piece can be cut
    }
    this.base += this.pos;
    this.buf = joined;
    this.pos = 0;
    return true;
  }

  /** Buffers at least `n` bytes if the source has them; returns how many are buffered. */
  async fill(n: number): Promise<number> {
    if (this.buffered < n) await this.gather(n);
    return this.buffered;
  }

  /** View of up to `n` buffered bytes without consuming them (call `fill` first). */
  peek(n: number): Uint8Array {
    return this.buf.subarray(this.pos, this.pos + Math.min(n, this.buffered));
  }

  /** True when nothing is left, buffered or upstream. */
  async atEnd(): Promise<boolean> {
    return (await this.fill(1)) === 0;
  }

  /** Consumes exactly `n` bytes, or throws a `truncated` error naming `what`. */
  async readExact(n: number, what: string): Promise<Uint8Array> {
    if (n > LIMITS.maxPacketBytes) throw this.error('limit', `${what} declares ${n} bytes (limit ${LIMITS.maxPacketBytes})`);
    const have = await this.fill(n);
    if (have < n) throw this.error('truncated', `${what}: needs ${n} bytes, file ends after ${have}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skips `n` bytes (throws `truncated` if the source ends first). */
  async skip(n: number, what: string): Promise<void> {
    while (n > 0) {
      if (this.buffered === 0 && !(await this.gather(1))) throw this.error('truncated', `${what}: ${n} bytes missing`);
      const k = Math.min(n, this.buffered);
      this.pos += k;
      n -= k;
    }
  }

  /**
   * Consumes one line including its '\n' (or up to the end of the source).
   * Returns null at the end. Lines longer than `maxLength` are an error.
   */
  async readLine(maxLength: number = LIMITS.maxHeaderBytes): Promise<Uint8Array | null> {
    let scanned = 0;
    for (;;) {
      const nl = this.buf.indexOf(10, this.pos + scanned);
      if (nl >= 0) {
        const line = this.buf.subarray(this.pos, nl + 1);
        this.pos = nl + 1;
        return line;
      }
      scanned = this.buffered;
      if (scanned > maxLength) throw this.error('limit', `header line longer than ${maxLength} bytes`);
      if (!(await this.gather(this.buffered + 1, true))) {
        if (this.buffered === 0) return null;
        const line = this.buf.subarray(this.pos);
        this.pos = this.buf.length;
        return line;
      }
    }
  }

  /**
   * The next run of whole `align`-byte words: everything buffered (pulling a
   * chunk if needed), cut down to a multiple of `align`. A partial word stays
   * buffered and is joined with the next chunk. Returns null when fewer than
   * `align` bytes remain in the whole source; check `buffered` for a
   * truncated tail. `maxBytes` caps the run (rounded down to whole words,
   * at least one), e.g. so that a decoder copying misaligned words into an
   * aligned scratch copies cache-sized pieces.
   */
  async nextAligned(align: number, maxBytes = Infinity): Promise<Uint8Array | null> {
    if (this.buffered < align) {
      await this.fill(align);
      if (this.buffered < align) return null;
    }
    let n = this.buffered - (this.buffered % align);
    if (n > maxBytes) n = Math.max(align, maxBytes - (maxBytes % align));
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
