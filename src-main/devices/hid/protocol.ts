/**
 * The Neurolive NSoC-over-USB-HID report protocol (docs/HID_PROTOCOL.md):
 * 64-byte reports carrying fragmented request/response messages.
 *
 *   off size  field
 *   0   1     report id      0x01 (both directions)
 *   1   1     version        1
 *   2   1     opcode         see Op
 *   3   1     flags          FIRST 0x01 · LAST 0x02 · RESPONSE 0x04 (others must be 0)
 *   4   2     seq            u16 LE: the host numbers requests; a response echoes it
 *   6   2     fragment       u16 LE: 0, 1, 2 … within one message
 *   8   1     length         payload bytes in this report, 0…52
 *   9   1     reserved       0
 *   10  52    payload        zero-padded
 *   62  2     crc            CRC-16/CCITT-FALSE over bytes 0…61, u16 LE
 *
 * A message is an opcode and a byte payload of up to MAX_MESSAGE_BYTES; the
 * first fragment's payload starts with the message length (u32 LE), so the
 * receiver knows what to expect and can refuse too much at once. Every
 * malformed report is a ProtocolError with a code, never an exception of
 * another kind and never a crash.
 */

import { crc16 } from './crc16';

export const REPORT_BYTES = 64;
export const REPORT_ID = 0x01;
export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 10;
export const PAYLOAD_BYTES = 52;
export const CRC_OFFSET = 62;
/** Bound on one reassembled message (a frame of 256×256×16 dense bytes fits; models go in chunks). */
export const MAX_MESSAGE_BYTES = 1 << 20;
/** the u32 length at the start of the first fragment */
const LENGTH_PREFIX = 4;

export const Flag = { FIRST: 0x01, LAST: 0x02, RESPONSE: 0x04 } as const;
const KNOWN_FLAGS = Flag.FIRST | Flag.LAST | Flag.RESPONSE;

export const Op = {
  IDENTIFY: 0x01,
  STATUS: 0x02,
  RESET: 0x03,
  LOAD_BEGIN: 0x10,
  LOAD_CHUNK: 0x11,
  LOAD_END: 0x12,
  STREAM_FRAME: 0x20,
  RESULT: 0x21,
  ERROR: 0x7e,
} as const;
export type Opcode = (typeof Op)[keyof typeof Op];
const OPCODES = new Set<number>(Object.values(Op));
export const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k]));

export type ProtocolErrorCode =
  | 'report-size' // not 64 bytes
  | 'report-id'
  | 'version'
  | 'crc'
  | 'flags'
  | 'length' // payload length field beyond 52, or a message length beyond the limit / inconsistent
  | 'opcode'
  | 'sequence' // fragment out of order, or a fragment of another message mid-way
  | 'payload' // a message's payload does not decode
  | 'timeout'
  | 'device' // the device answered ERROR
  | 'closed';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    /** the device's own error code, for code 'device' */
    readonly deviceCode?: number,
  ) {
    super(message);
  }
}

export interface Report {
  opcode: number;
  flags: number;
  seq: number;
  fragment: number;
  payload: Uint8Array;
}

export function encodeReport(r: Report): Uint8Array {
  if (r.payload.length > PAYLOAD_BYTES) throw new RangeError(`a report carries at most ${PAYLOAD_BYTES} payload bytes, got ${r.payload.length}`);
  const out = new Uint8Array(REPORT_BYTES);
  const dv = new DataView(out.buffer);
  out[0] = REPORT_ID;
  out[1] = PROTOCOL_VERSION;
  out[2] = r.opcode;
  out[3] = r.flags;
  dv.setUint16(4, r.seq, true);
  dv.setUint16(6, r.fragment, true);
  out[8] = r.payload.length;
  out.set(r.payload, HEADER_BYTES);
  dv.setUint16(CRC_OFFSET, crc16(out, 0, CRC_OFFSET), true);
  return out;
}

/** Parses one report; throws ProtocolError for anything malformed. */
export function decodeReport(bytes: Uint8Array): Report {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('report-size', 'a report must be bytes');
  if (bytes.length !== REPORT_BYTES) throw new ProtocolError('report-size', `a report is ${REPORT_BYTES} bytes, got ${bytes.length}`);
  if (bytes[0] !== REPORT_ID) throw new ProtocolError('report-id', `report id 0x${bytes[0].toString(16)} (expected 0x01)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const crc = dv.getUint16(CRC_OFFSET, true);
  const want = crc16(bytes, 0, CRC_OFFSET);
  if (crc !== want) throw new ProtocolError('crc', `CRC 0x${crc.toString(16)} does not match the report (0x${want.toString(16)})`);
  if (bytes[1] !== PROTOCOL_VERSION) throw new ProtocolError('version', `protocol version ${bytes[1]} (this host speaks ${PROTOCOL_VERSION})`);
  const opcode = bytes[2];
  if (!OPCODES.has(opcode)) throw new ProtocolError('opcode', `unknown opcode 0x${opcode.toString(16)}`);
  const flags = bytes[3];
  if (flags & ~KNOWN_FLAGS) throw new ProtocolError('flags', `unknown flag bits 0x${(flags & ~KNOWN_FLAGS).toString(16)}`);
  const length = bytes[8];
  if (length > PAYLOAD_BYTES) throw new ProtocolError('length', `payload length ${length} exceeds ${PAYLOAD_BYTES}`);
  return { opcode, flags, seq: dv.getUint16(4, true), fragment: dv.getUint16(6, true), payload: bytes.slice(HEADER_BYTES, HEADER_BYTES + length) };
}

export interface Message {
  opcode: number;
  seq: number;
  response: boolean;
  payload: Uint8Array;
}

/** Splits a message into reports (at least one, even for an empty payload). */
export function fragment(m: Message): Uint8Array[] {
  if (m.payload.length > MAX_MESSAGE_BYTES) throw new ProtocolError('length', `a message is at most ${MAX_MESSAGE_BYTES} bytes, got ${m.payload.length}`);
  const body = new Uint8Array(LENGTH_PREFIX + m.payload.length);
  new DataView(body.buffer).setUint32(0, m.payload.length, true);
  body.set(m.payload, LENGTH_PREFIX);
  const n = Math.max(1, Math.ceil(body.length / PAYLOAD_BYTES));
  if (n > 0xffff) throw new ProtocolError('length', 'message needs more than 65535 fragments');
  const reports: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const flags = (i === 0 ? Flag.FIRST : 0) | (i === n - 1 ? Flag.LAST : 0) | (m.response ? Flag.RESPONSE : 0);
    reports.push(encodeReport({ opcode: m.opcode, flags, seq: m.seq, fragment: i, payload: body.subarray(i * PAYLOAD_BYTES, (i + 1) * PAYLOAD_BYTES) }));
  }
  return reports;
}

/**
 * Reassembles messages from reports in arrival order. One message at a time
 * per direction (requests are serial): a FIRST fragment starts a new
 * message (dropping an unfinished one — the sender retried), a fragment that
 * does not continue the current message is a 'sequence' error and resets
 * the state, so one bad report never wedges the stream.
 */
export class Reassembler {
  private current: { opcode: number; seq: number; response: boolean; next: number; buf: Uint8Array; have: number } | null = null;

  constructor(private readonly maxBytes = MAX_MESSAGE_BYTES) {}

  /** Feeds one raw report; returns a complete message, or null while one is incomplete. Throws ProtocolError. */
  push(bytes: Uint8Array): Message | null {
    const r = decodeReport(bytes);
    const response = (r.flags & Flag.RESPONSE) !== 0;
    let payload = r.payload;
    if (r.flags & Flag.FIRST) {
      this.current = null;
      if (r.fragment !== 0) throw new ProtocolError('sequence', `first fragment numbered ${r.fragment}`);
      if (payload.length < LENGTH_PREFIX) throw new ProtocolError('length', 'first fragment too short for the message length');
      const total = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0, true);
      if (total > this.maxBytes) throw new ProtocolError('length', `message of ${total} bytes exceeds the limit of ${this.maxBytes}`);
      this.current = { opcode: r.opcode, seq: r.seq, response, next: 0, buf: new Uint8Array(total), have: 0 };
      payload = payload.subarray(LENGTH_PREFIX);
    }
    const c = this.current;
    if (!c) throw new ProtocolError('sequence', `fragment ${r.fragment} of seq ${r.seq} without a first fragment`);
    if (r.seq !== c.seq || r.opcode !== c.opcode || response !== c.response || r.fragment !== c.next) {
      this.current = null;
      throw new ProtocolError('sequence', `expected fragment ${c.next} of seq ${c.seq} (${OP_NAMES[c.opcode]}), got fragment ${r.fragment} of seq ${r.seq} (${OP_NAMES[r.opcode]})`);
    }
    if (c.have + payload.length > c.buf.length) {
      this.current = null;
      throw new ProtocolError('length', `fragments carry more than the announced ${c.buf.length} bytes`);
    }
    c.buf.set(payload, c.have);
    c.have += payload.length;
    c.next++;
    if (!(r.flags & Flag.LAST)) return null;
    this.current = null;
    if (c.have !== c.buf.length) throw new ProtocolError('length', `message ended after ${c.have} of ${c.buf.length} announced bytes`);
    return { opcode: c.opcode, seq: c.seq, response: c.response, payload: c.buf };
  }

  reset(): void {
    this.current = null;
  }
}
