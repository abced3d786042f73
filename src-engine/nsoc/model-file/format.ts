/**
 * Fixed facts of the `.nlm` layout (docs/NSOC.md, "Model file", gives it byte
 * by byte). All integers little-endian.
 *
 *   0  magic 'NLMODEL\0'
 *   8  u16 major version, 10 u16 minor version
 *  12  u32 flags (bits 0–15 required: a reader refuses any it does not know;
 *      bits 16–31 optional: ignored). 1.1 defines bit 0, FLAG_OUTPUT_BIAS.
 *  16  u32 header bytes (32 in 1.0; a later 1.x may append fields)
 *  20  u32 metadata bytes (UTF-8 JSON, then zero padding to a multiple of 4)
 *  24  u32 payload bytes (the tensors, each zero-padded to a multiple of 4)
 *  28  u32 file bytes (everything, checksum included)
 *  …   metadata, payload
 *  end u32 CRC-32 of every byte before it
 */
export const MAGIC = Uint8Array.of(0x4e, 0x4c, 0x4d, 0x4f, 0x44, 0x45, 0x4c, 0x00); // NLMODEL\0
export const FORMAT_MAJOR = 1;
/** 1.1 added per-layer outputBias tensors (FLAG_OUTPUT_BIAS); a 1.1 file without them is a valid 1.0 file. */
export const FORMAT_MINOR = 1;
export const HEADER_BYTES = 32;
export const CHECKSUM_BYTES = 4;
/**
 * Set exactly when some layer stores an outputBias tensor. Required, because
 * the tensor changes the payload layout and the scores: a 1.0 reader must
 * refuse such a file ("unknown required flag") rather than misread it.
 */
export const FLAG_OUTPUT_BIAS = 0x1;
export const KNOWN_REQUIRED_FLAGS = FLAG_OUTPUT_BIAS;
export const REQUIRED_FLAGS_MASK = 0xffff;

/** Rounds up to a multiple of 4 (plain arithmetic: sizes may exceed 2^31 before they are checked). */
export const align4 = (n: number): number => Math.ceil(n / 4) * 4;
