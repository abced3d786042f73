/**
 * LZ4 block format: a tight decoder (the AEDAT 4 hot path — lz4js decodes a
 * byte at a time without bounds checks) and a small greedy encoder that keeps
 * the format's end-of-block rules (the last 5 bytes are literals and no match
 * starts in the last 12), which lz4js's encoder does not.
 *
 * Block format: sequences of [token: literal count (high nibble) | match
 * length − 4 (low nibble)] [more literal-count bytes while 255] [literals]
 * [u16 LE offset] [more match-length bytes while 255]; the last sequence
 * stops after its literals.
 */

/** Why a block failed (negative results of `decodeLz4Block`). */
export const LZ4_INPUT_OVERRUN = -1;
export const LZ4_OUTPUT_OVERRUN = -2;
export const LZ4_BAD_OFFSET = -3;

export function lz4BlockErrorText(code: number): string {
  switch (code) {
    case LZ4_INPUT_OVERRUN:
      return 'a sequence runs past the end of the compressed block';
    case LZ4_OUTPUT_OVERRUN:
      return 'the block decodes to more bytes than its frame allows';
    case LZ4_BAD_OFFSET:
      return 'a match refers to data before the start of the output';
    default:
      return `LZ4 block error ${code}`;
  }
}

/** Non-overlapping matches at least this long are copied natively (copyWithin). */
const NATIVE_COPY = 64;

/**
 * Decodes the block `src[sPos, sEnd)` into `dst` from `dPos`, writing nothing
 * at or past `dEnd`; matches may reach back to `dMin` (the frame's first
 * output byte for linked blocks, the block's own for independent ones).
 * Returns the new output position, or a negative LZ4_* code. Never throws,
 * never reads or writes out of range.
 *
 * Speed: DVS event data compresses into very short sequences (≈1 literal and
 * a 7-byte match, mostly 16 bytes back), so per-sequence overhead rules. Far
 * from both ends the decoder copies in 4-byte words through DataViews and may
 * write a few bytes past the current sequence (later sequences overwrite
 * them — the reference decoder's "wild copy"); near the ends it checks and
 * copies byte by byte.
 */
export function decodeLz4Block(src: Uint8Array, sPos: number, sEnd: number, dst: Uint8Array, dPos: number, dEnd: number, dMin: number): number {
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  const sSafe = sEnd - 32; // fast path: ≥ 32 input bytes left
  const dSafe = dEnd - 64; // and ≥ 64 output bytes of room
  let s = sPos;
  let d = dPos;
  for (;;) {
    if (s >= sEnd) return s === sEnd && s > sPos ? d : LZ4_INPUT_OVERRUN;
    const token = src[s++];
    let lit = token >>> 4;
    if (lit < 15 && s < sSafe && d < dSafe) {
      // literals: copy 4, 8 or 16 bytes, keep `lit` of them
      dv.setInt32(d, sv.getInt32(s, true), true);
      if (lit > 4) dv.setInt32(d + 4, sv.getInt32(s + 4, true), true);
      if (lit > 8) {
        dv.setInt32(d + 8, sv.getInt32(s + 8, true), true);
        dv.setInt32(d + 12, sv.getInt32(s + 12, true), true);
      }
      s += lit;
      d += lit;
      const off = src[s] | (src[s + 1] << 8);
      s += 2;
      let m = d - off;
      if (off === 0 || m < dMin) return LZ4_BAD_OFFSET;
      let len = token & 15;
      if (len === 15) {
        let b = 255;
        while (b === 255) {
          if (s >= sEnd) return LZ4_INPUT_OVERRUN;
          b = src[s++];
          len += b;
        }
      }
      len += 4;
      const e = d + len;
      if (len > dSafe - d) {
        // long match near the end of the room: exact copy
        if (len > dEnd - d) return LZ4_OUTPUT_OVERRUN;
        while (d < e) dst[d++] = dst[m++];
      } else if (off >= 4 && len <= 8) {
        // the common case in event data: two word copies (bytes already final when the offset is ≥ 4)
        dv.setInt32(d, dv.getInt32(m, true), true);
        dv.setInt32(d + 4, dv.getInt32(m + 4, true), true);
      } else if (off >= 4) {
        // word copies read only bytes already final when the offset is ≥ 4
        if (len >= NATIVE_COPY && off >= len) dst.copyWithin(d, m, m + len);
        else
          for (; d < e; d += 4, m += 4) dv.setInt32(d, dv.getInt32(m, true), true);
      } else {
        while (d < e) dst[d++] = dst[m++];
      }
      d = e;
      continue;
    }
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (s >= sEnd) return LZ4_INPUT_OVERRUN;
        b = src[s++];
        lit += b;
      }
    }
    if (lit > 0) {
      if (lit > sEnd - s) return LZ4_INPUT_OVERRUN;
      if (lit > dEnd - d) return LZ4_OUTPUT_OVERRUN;
      if (lit < NATIVE_COPY) {
        const e = s + lit;
        while (s < e) dst[d++] = src[s++];
      } else {
        dst.set(src.subarray(s, s + lit), d);
        s += lit;
        d += lit;
      }
    }
    if (s === sEnd) return d; // the last sequence has literals only
    if (sEnd - s < 2) return LZ4_INPUT_OVERRUN;
    const off = src[s] | (src[s + 1] << 8);
    s += 2;
    let m = d - off;
    if (off === 0 || m < dMin) return LZ4_BAD_OFFSET;
    let len = token & 15;
    if (len === 15) {
      let b = 255;
      while (b === 255) {
        if (s >= sEnd) return LZ4_INPUT_OVERRUN;
        b = src[s++];
        len += b;
      }
    }
    len += 4;
    if (len > dEnd - d) return LZ4_OUTPUT_OVERRUN;
    if (len >= NATIVE_COPY && off >= len) {
      dst.copyWithin(d, m, m + len);
      d += len;
    } else {
      // byte by byte: also right for overlapping matches (offset < length repeats the pattern)
      const e = d + len;
      while (d < e) dst[d++] = dst[m++];
    }
  }
}

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
export const LZ4_HASH_LOG = 14;
const MAX_OFFSET = 65535;

/** Largest compressed size of an n-byte block (before falling back to a stored block). */
export function lz4BlockBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

function read32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

function writeLength(dst: Uint8Array, d: number, rest: number): number {
  while (rest >= 255) {
    dst[d++] = 255;
    rest -= 255;
  }
  dst[d++] = rest;
  return d;
}

function writeSequence(dst: Uint8Array, d: number, src: Uint8Array, litStart: number, litLen: number, off: number, matchLen: number): number {
  const ml = matchLen - MIN_MATCH;
  dst[d++] = ((litLen >= 15 ? 15 : litLen) << 4) | (ml >= 15 ? 15 : ml);
  if (litLen >= 15) d = writeLength(dst, d, litLen - 15);
  for (let i = 0; i < litLen; i++) dst[d++] = src[litStart + i];
  dst[d++] = off & 0xff;
  dst[d++] = off >>> 8;
  if (ml >= 15) d = writeLength(dst, d, ml - 15);
  return d;
}

/**
 * Compresses `src[start, end)` as one independent block into `dst` from
 * `dPos` (room for `lz4BlockBound(end − start)` bytes needed); returns the
 * end position. `table` is scratch (1 << LZ4_HASH_LOG entries), cleared here.
 */
export function encodeLz4Block(src: Uint8Array, start: number, end: number, dst: Uint8Array, dPos: number, table: Int32Array): number {
  table.fill(0);
  let d = dPos;
  let anchor = start;
  let ip = start;
  const matchEnd = end - LAST_LITERALS; // matches stop before the last 5 bytes
  const lastStart = end - MF_LIMIT; // no match starts after this
  const shift = 32 - LZ4_HASH_LOG;
  while (ip <= lastStart) {
    const seq = read32(src, ip);
    const h = Math.imul(seq, 2654435761) >>> shift;
    const cand = table[h] - 1; // entries hold position + 1, 0 = empty
    table[h] = ip + 1;
    if (cand < start || ip - cand > MAX_OFFSET || read32(src, cand) !== seq) {
      ip += 1 + ((ip - anchor) >>> 6); // skip faster through incompressible runs
      continue;
    }
    let m = cand;
    while (ip > anchor && m > start && src[ip - 1] === src[m - 1]) {
      ip--;
      m--;
    }
    let len = MIN_MATCH;
    while (ip + len < matchEnd && src[ip + len] === src[m + len]) len++;
    d = writeSequence(dst, d, src, anchor, ip - anchor, ip - m, len);
    ip += len;
    anchor = ip;
    if (ip - 2 >= start && ip - 2 <= lastStart) table[Math.imul(read32(src, ip - 2), 2654435761) >>> shift] = ip - 2 + 1;
  }
  const lit = end - anchor;
  dst[d++] = (lit >= 15 ? 15 : lit) << 4;
  if (lit >= 15) d = writeLength(dst, d, lit - 15);
  for (let i = anchor; i < end; i++) dst[d++] = src[i];
  return d;
}
