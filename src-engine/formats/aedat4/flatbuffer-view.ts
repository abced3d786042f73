/**
 * Bounds-checked reading of flatbuffers from untrusted bytes.
 *
 * Every offset is checked before it is followed (the same rules as the
 * official verifier: tables 4-aligned, vtables 2-aligned and inside the
 * buffer, fields inside their table, vectors and strings inside the buffer),
 * so a corrupt file ends in a FlatbufferError with a reason — never a
 * RangeError or a read of garbage. Callers turn it into an EventFormatError
 * that names the packet's file offset.
 */
export class FlatbufferError extends Error {
  override readonly name = 'FlatbufferError';
}

const UTF8 = new TextDecoder('utf-8');
const TWO_32 = 4294967296;

export class FlatView {
  readonly length: number;
  private readonly dv: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.length = bytes.length;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(pos: number, n: number, what: string): void {
    if (!(pos >= 0 && pos + n <= this.length)) {
      throw new FlatbufferError(`${what} at ${pos} (+${n}) lies outside the ${this.length}-byte buffer`);
    }
  }

  u16(pos: number): number {
    this.need(pos, 2, 'u16');
    return this.dv.getUint16(pos, true);
  }

  i32(pos: number): number {
    this.need(pos, 4, 'i32');
    return this.dv.getInt32(pos, true);
  }

  u32(pos: number): number {
    this.need(pos, 4, 'u32');
    return this.dv.getUint32(pos, true);
  }

  /** An int64 as a number; outside [−2^53, 2^53), where doubles stop being exact, it is an error. */
  i64(pos: number, what: string): number {
    this.need(pos, 8, what);
    const lo = this.dv.getUint32(pos, true);
    const hi = this.dv.getInt32(pos + 4, true);
    if (hi > 0x1fffff || hi < -0x200000) throw new FlatbufferError(`${what} ${hi < 0 ? 'below −2^53' : 'beyond 2^53 − 1'}`);
    return hi * TWO_32 + lo;
  }

  /** The 4-character file identifier (bytes 4–7), or '' when the buffer is too short. */
  identifier(): string {
    if (this.length < 8) return '';
    return String.fromCharCode(this.bytes[4], this.bytes[5], this.bytes[6], this.bytes[7]);
  }

  /** Position of the root table. */
  root(): number {
    if (this.length < 8) throw new FlatbufferError(`a ${this.length}-byte buffer cannot hold a flatbuffer`);
    return this.tableAt(0, 'root table');
  }

  /** Follows the uoffset stored at `pos` to a table and checks the table and its vtable. */
  tableAt(pos: number, what: string): number {
    const t = pos + this.u32(pos);
    if (t % 4 !== 0) throw new FlatbufferError(`${what} at ${t} is not 4-byte aligned`);
    this.need(t, 4, what);
    const vt = t - this.dv.getInt32(t, true);
    if (vt % 2 !== 0) throw new FlatbufferError(`${what}: vtable at ${vt} is not 2-byte aligned`);
    this.need(vt, 4, `${what}: vtable`);
    const vtSize = this.dv.getUint16(vt, true);
    const tSize = this.dv.getUint16(vt + 2, true);
    if (vtSize < 4 || vtSize % 2 !== 0) throw new FlatbufferError(`${what}: vtable size ${vtSize} is invalid`);
    this.need(vt, vtSize, `${what}: vtable`);
    if (tSize < 4) throw new FlatbufferError(`${what}: table size ${tSize} is invalid`);
    this.need(t, tSize, what);
    return t;
  }

  /**
   * Absolute position of field `slot` of the table at `t` (checked to hold
   * `size` bytes inside the table), or -1 when the field is absent.
   */
  field(t: number, slot: number, size: number): number {
    const vt = t - this.dv.getInt32(t, true);
    const vtSize = this.dv.getUint16(vt, true);
    const entry = 4 + 2 * slot;
    if (entry + 2 > vtSize) return -1;
    const off = this.dv.getUint16(vt + entry, true);
    if (off === 0) return -1;
    const tSize = this.dv.getUint16(vt + 2, true);
    if (off + size > tSize) throw new FlatbufferError(`field ${slot} at table offset ${off} overruns its ${tSize}-byte table`);
    return t + off;
  }

  int32Field(t: number, slot: number, dflt: number): number {
    const p = this.field(t, slot, 4);
    return p < 0 ? dflt : this.dv.getInt32(p, true);
  }

  int64Field(t: number, slot: number, dflt: number, what: string): number {
    const p = this.field(t, slot, 8);
    return p < 0 ? dflt : this.i64(p, what);
  }

  /**
   * A vector field: position of its first element and its length, both
   * checked against the buffer for `elemSize`-byte elements; null when absent.
   */
  vectorField(t: number, slot: number, elemSize: number, what: string): { start: number; count: number } | null {
    const p = this.field(t, slot, 4);
    if (p < 0) return null;
    const v = p + this.u32(p);
    if (v % 4 !== 0) throw new FlatbufferError(`${what}: vector at ${v} is not 4-byte aligned`);
    this.need(v, 4, what);
    const count = this.dv.getUint32(v, true);
    const start = v + 4;
    if (count > (this.length - start) / elemSize) {
      throw new FlatbufferError(`${what}: ${count} elements of ${elemSize} bytes at ${start} overrun the ${this.length}-byte buffer`);
    }
    return { start, count };
  }

  /** A string field decoded as UTF-8 (invalid sequences become U+FFFD); null when absent. */
  stringField(t: number, slot: number, what: string): string | null {
    const p = this.field(t, slot, 4);
    if (p < 0) return null;
    const s = p + this.u32(p);
    this.need(s, 4, what);
    const n = this.dv.getUint32(s, true);
    if (n > this.length - s - 4) throw new FlatbufferError(`${what}: ${n} bytes at ${s + 4} overrun the ${this.length}-byte buffer`);
    return UTF8.decode(this.bytes.subarray(s + 4, s + 4 + n));
  }
}

/**
 * The flatbuffer inside a size-prefixed buffer (u32 length, then the
 * buffer), checked to fit in `bytes`.
 */
export function sizePrefixed(bytes: Uint8Array): FlatView {
  if (bytes.length < 4) throw new FlatbufferError(`${bytes.length} bytes cannot hold a size prefix`);
  const n = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
  if (n > bytes.length - 4) throw new FlatbufferError(`size prefix says ${n} bytes, only ${bytes.length - 4} follow`);
  return new FlatView(bytes.subarray(4, 4 + n));
}
