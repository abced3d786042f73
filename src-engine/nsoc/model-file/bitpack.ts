/**
 * Weights packed at their bit width, least significant bits first: element i
 * occupies bits [i·b, (i+1)·b) of the little-endian bit stream, i.e. byte
 * ⌊i·b/8⌋ from bit (i·b) mod 8 — b divides 8, so no element straddles bytes.
 * - b = 2, 4, 8: two's complement in b bits (the symmetric grid never uses
 *   the most negative code −2^(b−1); unpack reports it);
 * - b = 1: the sign bit of a ±1 weight: 0 → +1, 1 → −1 (0 is not a 1-bit weight).
 */
import type { WeightBits } from '../model';

/** Bytes needed for `count` weights of `bits` bits. */
export function packedBytes(count: number, bits: WeightBits): number {
  return Math.ceil((count * bits) / 8);
}

/**
 * Writes values into out[offset …] (which must be zero-filled). Returns the
 * index of the first value that has no code at this width (out of the
 * symmetric grid, or 0 for 1-bit), or −1 when all were written.
 */
export function packWeights(values: Int8Array, bits: WeightBits, out: Uint8Array, offset: number): number {
  const n = values.length;
  if (bits === 8) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === -128) return i;
      out[offset + i] = v & 0xff;
    }
    return -1;
  }
  if (bits === 1) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v !== 1 && v !== -1) return i;
      if (v < 0) out[offset + (i >> 3)] |= 1 << (i & 7);
    }
    return -1;
  }
  const kmax = (1 << (bits - 1)) - 1;
  const mask = (1 << bits) - 1;
  const perByte = 8 / bits;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v > kmax || v < -kmax) return i;
    out[offset + Math.floor(i / perByte)] |= (v & mask) << ((i % perByte) * bits);
  }
  return -1;
}

/**
 * Reads `out.length` weights from src[offset …]. Returns the index of the
 * first code outside the symmetric grid (−2^(b−1)), or −1 when all are valid.
 * Bits beyond the last element in its final byte are not inspected here.
 */
export function unpackWeights(src: Uint8Array, offset: number, bits: WeightBits, out: Int8Array): number {
  const n = out.length;
  let bad = -1;
  if (bits === 8) {
    for (let i = 0; i < n; i++) {
      const v = (src[offset + i] << 24) >> 24;
      if (v === -128 && bad < 0) bad = i;
      out[i] = v;
    }
    return bad;
  }
  if (bits === 1) {
    for (let i = 0; i < n; i++) out[i] = (src[offset + (i >> 3)] >> (i & 7)) & 1 ? -1 : 1;
    return -1;
  }
  const mask = (1 << bits) - 1;
  const perByte = 8 / bits;
  const shiftBack = 32 - bits;
  const most = -(1 << (bits - 1));
  for (let i = 0; i < n; i++) {
    const code = (src[offset + Math.floor(i / perByte)] >> ((i % perByte) * bits)) & mask;
    const v = (code << shiftBack) >> shiftBack;
    if (v === most && bad < 0) bad = i;
    out[i] = v;
  }
  return bad;
}
