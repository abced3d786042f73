/**
 * LZ4 frame format (lz4/lz4 doc/lz4_Frame_format.md), as AEDAT 4 packets use it:
 * magic 0x184D2204, FLG (version 01, block independence, block checksum,
 * content size, content checksum, dictionary ID), BD (max block size 64 KB,
 * 256 KB, 1 MB or 4 MB), [content size u64], [dict ID u32], header checksum
 * byte; then blocks (u32 size, high bit = stored uncompressed, 0 = end mark)
 * each with an optional u32 checksum; then an optional content checksum.
 * DV writes FLG 0x40 (linked blocks, no checksums) with 64 KB blocks.
 * Several frames (and skippable frames) may follow each other.
 */
import { decodeLz4Block, encodeLz4Block, lz4BlockBound, lz4BlockErrorText, LZ4_HASH_LOG, LZ4_OUTPUT_OVERRUN } from './lz4-block';
import { PayloadError } from './payload-error';
import { xxh32 } from './xxh32';

const MAGIC = 0x184d2204;
const LEGACY_MAGIC = 0x184c2102;
const BLOCK_SIZES = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/** Little-endian u32 at `i` (the caller checks that 4 bytes are there). */
export function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/**
 * A growable output buffer reused from packet to packet, so the hot path does
 * not allocate. Grows only up to `limit` bytes. Decodes LZ4 blocks into
 * itself with the JavaScript decoder; `WasmOutputBuffer` (lz4-kernel.ts)
 * overrides `stage` and `block` to run the WebAssembly one.
 */
export class OutputBuffer {
  bytes: Uint8Array;
  constructor(readonly limit: number) {
    this.bytes = new Uint8Array(Math.min(1 << 16, limit));
  }

  /** Makes room for `n` bytes from `used`, keeping bytes [0, used). */
  ensure(used: number, n: number): void {
    const need = used + n;
    if (need <= this.bytes.length) return;
    if (need > this.limit) throw new PayloadError('limit', `payload decompresses beyond ${this.limit} bytes (LIMITS.maxDecompressedBytes)`);
    let cap = this.bytes.length;
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(Math.min(cap, this.limit));
    grown.set(this.bytes.subarray(0, used));
    this.bytes = grown;
  }

  /** Called with a payload before its blocks are decoded (lets a subclass copy it where its decoder reads). */
  stage(_src: Uint8Array): void {}

  /** `decodeLz4Block(src, sPos, sEnd, this.bytes, dPos, dEnd, dMin)`: same contract and results. */
  block(src: Uint8Array, sPos: number, sEnd: number, dPos: number, dEnd: number, dMin: number): number {
    return decodeLz4Block(src, sPos, sEnd, this.bytes, dPos, dEnd, dMin);
  }
}

/**
 * Decodes every frame in `src` into `out` (from byte 0); returns the total
 * decoded length. Corrupt input throws a PayloadError.
 */
export function decodeLz4Frames(src: Uint8Array, out: OutputBuffer): number {
  let s = 0;
  let d = 0;
  if (src.length === 0) throw new PayloadError('corrupt', 'empty LZ4 payload');
  out.stage(src);
  while (s < src.length) {
    if (src.length - s < 4) throw new PayloadError('corrupt', `${src.length - s} stray bytes after the last LZ4 frame`);
    const magic = u32(src, s);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // skippable frame: u32 length, then that many bytes
      if (src.length - s < 8) throw new PayloadError('corrupt', 'skippable LZ4 frame header cut short');
      const n = u32(src, s + 4);
      if (n > src.length - s - 8) throw new PayloadError('corrupt', 'skippable LZ4 frame runs past the payload');
      s += 8 + n;
      continue;
    }
    if (magic === LEGACY_MAGIC) throw new PayloadError('unsupported', 'legacy LZ4 frame format');
    if (magic !== MAGIC) throw new PayloadError('corrupt', `no LZ4 frame magic at payload byte ${s} (0x${magic.toString(16)})`);
    [s, d] = decodeFrame(src, s, out, d);
  }
  return d;
}

function decodeFrame(src: Uint8Array, frameStart: number, out: OutputBuffer, dStart: number): [number, number] {
  let s = frameStart + 4;
  if (src.length - s < 3) throw new PayloadError('corrupt', 'LZ4 frame descriptor cut short');
  const flg = src[s];
  const bd = src[s + 1];
  if (flg >>> 6 !== 1) throw new PayloadError('unsupported', `LZ4 frame version ${flg >>> 6}`);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw new PayloadError('corrupt', 'reserved LZ4 frame descriptor bits set');
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const hasDictId = (flg & 0x01) !== 0;
  const maxBlock = BLOCK_SIZES[(bd >>> 4) & 7];
  if (maxBlock === 0) throw new PayloadError('corrupt', `invalid LZ4 block size code ${(bd >>> 4) & 7}`);
  const descLen = 2 + (hasContentSize ? 8 : 0) + (hasDictId ? 4 : 0);
  if (src.length - s < descLen + 1) throw new PayloadError('corrupt', 'LZ4 frame descriptor cut short');
  if (((xxh32(src, s, s + descLen) >>> 8) & 0xff) !== src[s + descLen]) throw new PayloadError('corrupt', 'LZ4 frame header checksum mismatch');
  if (hasDictId) throw new PayloadError('unsupported', 'LZ4 frame needs a dictionary');
  let contentSize = -1;
  if (hasContentSize) {
    const lo = u32(src, s + 2);
    const hi = u32(src, s + 6);
    if (hi !== 0 || lo > out.limit) throw new PayloadError('limit', `LZ4 frame declares ${hi * 4294967296 + lo} bytes (limit ${out.limit})`);
    contentSize = lo;
  }
  s += descLen + 1;
  let d = dStart;
  for (;;) {
    if (src.length - s < 4) throw new PayloadError('corrupt', 'LZ4 frame ends without its end mark');
    const word = u32(src, s);
    s += 4;
    if (word === 0) break;
    const stored = word >= 0x80000000;
    const size = word & 0x7fffffff;
    if (size > maxBlock) throw new PayloadError('corrupt', `LZ4 block of ${size} bytes exceeds the frame's ${maxBlock}-byte blocks`);
    if (size > src.length - s) throw new PayloadError('corrupt', `LZ4 block of ${size} bytes runs past the payload`);
    if (blockChecksum) {
      if (src.length - s - size < 4) throw new PayloadError('corrupt', 'LZ4 block checksum cut short');
      if (xxh32(src, s, s + size) !== u32(src, s + size)) throw new PayloadError('corrupt', 'LZ4 block checksum mismatch');
    }
    if (stored) {
      out.ensure(d, size);
      out.bytes.set(src.subarray(s, s + size), d);
      d += size;
    } else {
      // an LZ4 block expands at most ~255× (each length byte adds ≤ 255)
      const room = Math.min(maxBlock, size * 255 + 64);
      const avail = Math.min(room, out.limit - d);
      out.ensure(d, avail);
      const r = out.block(src, s, s + size, d, d + avail, independent ? d : dStart);
      if (r === LZ4_OUTPUT_OVERRUN && avail < room) throw new PayloadError('limit', `payload decompresses beyond ${out.limit} bytes (LIMITS.maxDecompressedBytes)`);
      if (r < 0) throw new PayloadError('corrupt', `LZ4 block at payload byte ${s - 4}: ${lz4BlockErrorText(r)}`);
      d = r;
    }
    s += size + (blockChecksum ? 4 : 0);
  }
  if (contentSize >= 0 && d - dStart !== contentSize) {
    throw new PayloadError('corrupt', `LZ4 frame declares ${contentSize} bytes but decodes to ${d - dStart}`);
  }
  if (contentChecksum) {
    if (src.length - s < 4) throw new PayloadError('corrupt', 'LZ4 content checksum cut short');
    if (xxh32(out.bytes, dStart, d) !== u32(src, s)) throw new PayloadError('corrupt', 'LZ4 content checksum mismatch');
    s += 4;
  }
  return [s, d];
}

/** Frame parameters of the encoder: version 01, independent blocks, no checksums, 64 KB blocks. */
const ENC_FLG = 0x60;
const ENC_BD = 0x40;
const ENC_BLOCK = 64 << 10;

/** Largest frame `encodeLz4Frame` can produce for n bytes. */
export function lz4FrameBound(n: number): number {
  const blocks = Math.max(1, Math.ceil(n / ENC_BLOCK));
  return 7 + blocks * (4 + lz4BlockBound(ENC_BLOCK)) + 4;
}

/** Encodes bytes as one LZ4 frame, reusing scratch space between calls. */
export class Lz4FrameEncoder {
  private table = new Int32Array(1 << LZ4_HASH_LOG);
  private out = new Uint8Array(0);

  /** The frame for `src`; the returned view is valid until the next call. */
  encode(src: Uint8Array): Uint8Array {
    const bound = lz4FrameBound(src.length);
    if (this.out.length < bound) this.out = new Uint8Array(bound);
    const o = this.out;
    o[0] = 0x04;
    o[1] = 0x22;
    o[2] = 0x4d;
    o[3] = 0x18;
    o[4] = ENC_FLG;
    o[5] = ENC_BD;
    o[6] = (xxh32(o, 4, 6) >>> 8) & 0xff;
    let d = 7;
    for (let s = 0; s < src.length; s += ENC_BLOCK) {
      const end = Math.min(src.length, s + ENC_BLOCK);
      const n = end - s;
      const c = encodeLz4Block(src, s, end, o, d + 4, this.table) - (d + 4);
      let word: number;
      if (c >= n) {
        o.set(src.subarray(s, end), d + 4); // incompressible: store it
        word = (n | 0x80000000) >>> 0;
      } else {
        word = c;
      }
      const size = word & 0x7fffffff;
      o[d] = word & 0xff;
      o[d + 1] = (word >>> 8) & 0xff;
      o[d + 2] = (word >>> 16) & 0xff;
      o[d + 3] = word >>> 24;
      d += 4 + size;
    }
    o[d] = o[d + 1] = o[d + 2] = o[d + 3] = 0; // end mark
    return o.subarray(0, d + 4);
  }
}
