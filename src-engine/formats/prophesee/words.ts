/**
 * Little-endian word views over byte chunks for the decoders' hot loops.
 *
 * A chunk whose offset is aligned is viewed in place (no copy) on a
 * little-endian host. Otherwise it is copied once into a reusable aligned
 * scratch buffer (a memcpy, far cheaper than decoding through a DataView in
 * the loop); on a big-endian host words are assembled from bytes. The view
 * is only valid until the next call.
 */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class WordViews {
  private scratch = new ArrayBuffer(0);

  private scratchFor(bytes: number): ArrayBuffer {
    if (this.scratch.byteLength < bytes) this.scratch = new ArrayBuffer(Math.max(bytes, 2 * this.scratch.byteLength));
    return this.scratch;
  }

  /** `chunk` (a multiple of 4 bytes) as little-endian u32 words. */
  u32(chunk: Uint8Array): Uint32Array {
    const n = chunk.length >>> 2;
    if (HOST_IS_LITTLE_ENDIAN) {
      if ((chunk.byteOffset & 3) === 0) return new Uint32Array(chunk.buffer, chunk.byteOffset, n);
      const buf = this.scratchFor(n * 4);
      new Uint8Array(buf, 0, n * 4).set(chunk.subarray(0, n * 4));
      return new Uint32Array(buf, 0, n);
    }
    const out = new Uint32Array(this.scratchFor(n * 4), 0, n);
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      out[i] = (chunk[o] | (chunk[o + 1] << 8) | (chunk[o + 2] << 16) | (chunk[o + 3] << 24)) >>> 0;
    }
    return out;
  }

  /** `chunk` (a multiple of 2 bytes) as little-endian u16 words. */
  u16(chunk: Uint8Array): Uint16Array {
    const n = chunk.length >>> 1;
    if (HOST_IS_LITTLE_ENDIAN) {
      if ((chunk.byteOffset & 1) === 0) return new Uint16Array(chunk.buffer, chunk.byteOffset, n);
      const buf = this.scratchFor(n * 2);
      new Uint8Array(buf, 0, n * 2).set(chunk.subarray(0, n * 2));
      return new Uint16Array(buf, 0, n);
    }
    const out = new Uint16Array(this.scratchFor(n * 2), 0, n);
    for (let i = 0, o = 0; i < n; i++, o += 2) out[i] = chunk[o] | (chunk[o + 1] << 8);
    return out;
  }
}

/**
 * Most bytes a decoder takes from the reader at a time: a misaligned chunk is
 * copied into the WordViews scratch, which then stays this small (cache-sized)
 * instead of growing to the chunk (a whole file given as one chunk).
 */
export const SLICE_BYTES = 1 << 18;

/** Normalised batch size from read options. */
export function batchSizeOf(requested: number | undefined, fallback: number): number {
  if (requested === undefined || !Number.isFinite(requested) || requested < 1) return fallback;
  return Math.min(Math.floor(requested), 1 << 24);
}

/** The first `count` words as little-endian bytes (a fresh array the sink may keep). */
export function u32Bytes(words: Uint32Array, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  if (HOST_IS_LITTLE_ENDIAN) out.set(new Uint8Array(words.buffer, words.byteOffset, count * 4));
  else for (let i = 0; i < count; i++) new DataView(out.buffer).setUint32(i * 4, words[i], true);
  return out;
}

/** The first `count` words as little-endian bytes (a fresh array the sink may keep). */
export function u16Bytes(words: Uint16Array, count: number): Uint8Array {
  const out = new Uint8Array(count * 2);
  if (HOST_IS_LITTLE_ENDIAN) out.set(new Uint8Array(words.buffer, words.byteOffset, count * 2));
  else for (let i = 0; i < count; i++) new DataView(out.buffer).setUint16(i * 2, words[i], true);
  return out;
}

/**
 * Size of the decoders' scratch columns. Each decoder module keeps its hot
 * loop's output columns as module-level constants, which measured about
 * twice as fast as the same loop writing to columns passed in (V8 can then
 * treat the arrays as fixed); a scratch this size stays in cache for the copy
 * into the batch. A run is copied out before any await, so concurrent
 * streams never see each other's scratch.
 */
export const SCRATCH_EVENTS = 8192;

/** Event columns, as in a BatchBuilder. */
export interface Columns {
  t: Float64Array;
  x: Uint16Array;
  y: Uint16Array;
  p: Uint8Array;
}

/** Copies events [from, from + count) of `src` into `dst` at `at`. */
export function copyColumns(dst: Columns, at: number, src: Columns, from: number, count: number): void {
  if (count <= 0) return;
  dst.t.set(src.t.subarray(from, from + count), at);
  dst.x.set(src.x.subarray(from, from + count), at);
  dst.y.set(src.y.subarray(from, from + count), at);
  dst.p.set(src.p.subarray(from, from + count), at);
}

/** Fresh columns for `n` events. */
export function makeColumns(n: number): Columns {
  return { t: new Float64Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n) };
}
