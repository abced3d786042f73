/**
 * Every decoding failure is one of these: it names the source, the byte offset
 * and the reason, so a user can tell a truncated download from a wrong format.
 */
export type FormatErrorKind =
  | 'truncated' // the data ends inside a header, packet or word
  | 'corrupt' // bytes that the format does not allow
  | 'unsupported' // valid but not handled (a feature, version or type we do not read)
  | 'limit' // a declared size beyond what we are willing to allocate
  | 'unknown-format'; // no reader recognises the header

export class EventFormatError extends Error {
  override readonly name = 'EventFormatError';
  constructor(
    readonly kind: FormatErrorKind,
    readonly format: string,
    readonly source: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${source}: ${format} ${kind} at byte ${offset}: ${reason}`);
  }
}

/** Upper bounds on sizes declared inside files, so hostile input cannot make us allocate without limit. */
export const LIMITS = {
  /** text header of AEDAT 2/3, Prophesee (jAER writes ~200 kB of preferences) */
  maxHeaderBytes: 16 << 20,
  /** one compressed or uncompressed packet (AEDAT 3/4) */
  maxPacketBytes: 256 << 20,
  /** one decompressed AEDAT 4 packet */
  maxDecompressedBytes: 512 << 20,
} as const;
