/**
 * Packet payload compression named by the IOHeader: none, LZ4 frames (our
 * decoder in lz4-frame.ts) or Zstandard frames (fzstd, after a walk over the
 * frame and block headers that bounds the output, because fzstd allocates
 * whatever size a frame header declares).
 */
import { decompress as zstdDecompress } from 'fzstd';
import { decodeLz4Frames, Lz4FrameEncoder, OutputBuffer, u32 } from './lz4-frame';
import { WasmOutputBuffer } from './lz4-kernel';
import { PayloadError } from './payload-error';

/** IOHeader `compression` values (dv-processing CompressionType). */
export const Compression = { NONE: 0, LZ4: 1, LZ4_HIGH: 2, ZSTD: 3, ZSTD_HIGH: 4 } as const;
export type CompressionId = (typeof Compression)[keyof typeof Compression];

/** The names DV writes in the stream XML (`compression` attribute). */
export const COMPRESSION_NAMES: Readonly<Record<CompressionId, string>> = {
  0: 'NONE',
  1: 'LZ4',
  2: 'LZ4_HIGH',
  3: 'ZSTD',
  4: 'ZSTD_HIGH',
};

export function isCompressionId(n: number): n is CompressionId {
  return Number.isInteger(n) && n >= 0 && n <= 4;
}

/** Which LZ4 block decoder runs: the WebAssembly one (lz4-kernel.ts) where available, else the JavaScript one. */
export type Lz4Kernel = 'wasm' | 'js';

/** Decompresses packet payloads, reusing one output buffer for LZ4. */
export class PayloadDecoder {
  private readonly out: OutputBuffer;
  /** the LZ4 block decoder in use */
  readonly kernel: Lz4Kernel;
  /** WebAssembly event extraction for LZ4 payloads (WasmOutputBuffer.events / eventsInPlace), or null */
  readonly wasmEvents: WasmOutputBuffer | null;

  constructor(
    readonly compression: CompressionId,
    readonly limit: number,
    /** 'js' forces the JavaScript LZ4 decoder (tests compare the two); default: WebAssembly where available */
    kernel: Lz4Kernel = 'wasm',
    /** events the WebAssembly columns hold (a whole batch for `eventsInPlace`; default: a scratch chunk) */
    columns?: number,
  ) {
    const isLz4 = compression === Compression.LZ4 || compression === Compression.LZ4_HIGH;
    const wasm = isLz4 && kernel === 'wasm' ? WasmOutputBuffer.create(limit, columns) : null;
    this.out = wasm ?? new OutputBuffer(limit);
    this.kernel = wasm ? 'wasm' : 'js';
    this.wasmEvents = wasm;
  }

  /** Call once the stream is over: lends the WebAssembly buffer to the next decoder. */
  release(): void {
    this.wasmEvents?.release();
  }

  /**
   * The decompressed payload. For LZ4 it is a view of a buffer reused by the
   * next call; for NONE it is `payload` itself.
   */
  decode(payload: Uint8Array): Uint8Array {
    switch (this.compression) {
      case Compression.NONE:
        if (payload.length > this.limit) throw new PayloadError('limit', `payload of ${payload.length} bytes exceeds ${this.limit}`);
        return payload;
      case Compression.LZ4:
      case Compression.LZ4_HIGH: {
        const n = decodeLz4Frames(payload, this.out); // may grow (replace) out.bytes
        return this.out.bytes.subarray(0, n);
      }
      case Compression.ZSTD:
      case Compression.ZSTD_HIGH:
        return decodeZstd(payload, this.limit);
    }
  }
}

/** Little-endian unsigned integer of 1–8 bytes (exact below 2^53; larger sizes fail the limit anyway). */
function uintN(b: Uint8Array, i: number, n: number): number {
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = v * 256 + b[i + k];
  return v;
}

/**
 * Checks every Zstandard frame header and block header in `src` (RFC 8878)
 * and returns an upper bound of the decompressed size, so that a hostile
 * header cannot make the decompressor allocate without limit.
 */
export function zstdOutputBound(src: Uint8Array, limit: number): number {
  let s = 0;
  let total = 0;
  if (src.length === 0) throw new PayloadError('corrupt', 'empty ZSTD payload');
  while (s < src.length) {
    if (src.length - s < 4) throw new PayloadError('corrupt', 'stray bytes after the last ZSTD frame');
    const magic = u32(src, s);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (src.length - s < 8) throw new PayloadError('corrupt', 'skippable ZSTD frame header cut short');
      const n = u32(src, s + 4);
      if (n > src.length - s - 8) throw new PayloadError('corrupt', 'skippable ZSTD frame runs past the payload');
      s += 8 + n;
      continue;
    }
    if (magic !== 0xfd2fb528) throw new PayloadError('corrupt', `no ZSTD frame magic at payload byte ${s} (0x${magic.toString(16)})`);
    s += 4;
    if (s >= src.length) throw new PayloadError('corrupt', 'ZSTD frame header cut short');
    const fhd = src[s++];
    const fcsCode = fhd >>> 6;
    const singleSegment = (fhd & 0x20) !== 0;
    const checksum = (fhd & 0x04) !== 0;
    const dictBytes = [0, 1, 2, 4][fhd & 3];
    if ((fhd & 0x08) !== 0) throw new PayloadError('corrupt', 'reserved ZSTD frame header bit set');
    const fcsBytes = fcsCode === 0 ? (singleSegment ? 1 : 0) : 1 << fcsCode;
    const headerRest = (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
    if (src.length - s < headerRest) throw new PayloadError('corrupt', 'ZSTD frame header cut short');
    let window = 0;
    if (!singleSegment) {
      const wd = src[s++];
      const base = 2 ** (10 + (wd >>> 3));
      window = base + (base / 8) * (wd & 7);
    }
    if (dictBytes > 0 && uintN(src, s, dictBytes) !== 0) throw new PayloadError('unsupported', 'ZSTD frame needs a dictionary');
    s += dictBytes;
    let contentSize = -1;
    if (fcsBytes > 0) {
      contentSize = uintN(src, s, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
      s += fcsBytes;
    }
    if (singleSegment) window = contentSize;
    // fzstd allocates the content size, or the window when none is declared
    const alloc = contentSize >= 0 ? contentSize : window;
    if (alloc > limit) throw new PayloadError('limit', `ZSTD frame needs ${alloc} bytes (limit ${limit})`);
    const blockMax = Math.min(window, 128 << 10);
    let frameBound = 0;
    for (;;) {
      if (src.length - s < 3) throw new PayloadError('corrupt', 'ZSTD block header cut short');
      const bh = src[s] | (src[s + 1] << 8) | (src[s + 2] << 16);
      s += 3;
      const last = (bh & 1) !== 0;
      const type = (bh >>> 1) & 3;
      const size = bh >>> 3;
      if (type === 3) throw new PayloadError('corrupt', 'reserved ZSTD block type');
      if (type === 1) {
        // RLE: one byte repeated `size` times
        if (src.length - s < 1) throw new PayloadError('corrupt', 'ZSTD RLE block cut short');
        s += 1;
        frameBound += size;
      } else {
        if (size > blockMax) throw new PayloadError('corrupt', `ZSTD block of ${size} bytes exceeds the ${blockMax}-byte maximum`);
        if (size > src.length - s) throw new PayloadError('corrupt', 'ZSTD block runs past the payload');
        s += size;
        frameBound += type === 0 ? size : blockMax;
      }
      if (total + frameBound > limit) throw new PayloadError('limit', `ZSTD payload decompresses beyond ${limit} bytes`);
      if (last) break;
    }
    if (checksum) {
      if (src.length - s < 4) throw new PayloadError('corrupt', 'ZSTD content checksum cut short');
      s += 4;
    }
    total += contentSize >= 0 ? Math.min(contentSize, frameBound) : frameBound;
  }
  return total;
}

function decodeZstd(payload: Uint8Array, limit: number): Uint8Array {
  zstdOutputBound(payload, limit);
  try {
    return zstdDecompress(payload);
  } catch (e) {
    throw new PayloadError('corrupt', `ZSTD: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Compresses payloads for the writer. Only NONE and LZ4 are offered: npm has
 * no small, well-kept pure-JS Zstandard compressor (fzstd only decompresses).
 */
export class PayloadEncoder {
  private readonly lz4 = new Lz4FrameEncoder();

  constructor(readonly compression: typeof Compression.NONE | typeof Compression.LZ4) {}

  /** The payload for `bytes`; valid until the next call. */
  encode(bytes: Uint8Array): Uint8Array {
    return this.compression === Compression.LZ4 ? this.lz4.encode(bytes) : bytes;
  }
}
