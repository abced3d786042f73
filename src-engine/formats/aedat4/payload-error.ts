import type { FormatErrorKind } from '../errors';

/**
 * A failure inside one packet's payload (decompression, flatbuffer layout).
 * The reader turns it into an EventFormatError naming the packet's file offset.
 */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  constructor(
    readonly kind: Extract<FormatErrorKind, 'corrupt' | 'limit' | 'unsupported'>,
    readonly reason: string,
  ) {
    super(reason);
  }
}
