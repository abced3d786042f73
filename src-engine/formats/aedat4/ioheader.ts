/**
 * The AEDAT 4 IOHeader flatbuffer (fbs/ioheader.fbs): compression, data
 * table position, stream description XML. Read with bounds checks, written
 * with the official flatbuffers runtime.
 */
import { Builder } from 'flatbuffers';
import { FlatbufferError, FlatView } from './flatbuffer-view';
import { type CompressionId, isCompressionId } from './compression';
import { PayloadError } from './payload-error';

export const AEDAT4_VERSION_LINE = '#!AER-DAT4.0\r\n';
export const IOHEADER_IDENTIFIER = 'IOHE';

export interface IOHeader {
  readonly compression: CompressionId;
  /** file offset of the data table, -1 when there is none */
  readonly dataTablePosition: number;
  /** the stream description XML */
  readonly infoNode: string;
}

const SLOT_COMPRESSION = 0;
const SLOT_DATA_TABLE = 1;
const SLOT_INFO = 2;

/** Parses IOHeader bytes (the flatbuffer after the u32 size); throws PayloadError. */
export function parseIOHeader(bytes: Uint8Array): IOHeader {
  try {
    const v = new FlatView(bytes);
    const root = v.root();
    if (v.identifier() !== IOHEADER_IDENTIFIER) {
      throw new PayloadError('corrupt', `IOHeader identifier is '${printable(v.identifier())}', expected 'IOHE'`);
    }
    const compression = v.int32Field(root, SLOT_COMPRESSION, 0);
    if (!isCompressionId(compression)) throw new PayloadError('unsupported', `unknown compression type ${compression}`);
    const dataTablePosition = v.int64Field(root, SLOT_DATA_TABLE, -1, 'dataTablePosition');
    const infoNode = v.stringField(root, SLOT_INFO, 'infoNode');
    if (infoNode === null) throw new PayloadError('corrupt', 'IOHeader has no infoNode (stream description)');
    return { compression, dataTablePosition, infoNode };
  } catch (e) {
    if (e instanceof FlatbufferError) throw new PayloadError('corrupt', `IOHeader: ${e.message}`);
    throw e;
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

export interface BuiltIOHeader {
  /** the flatbuffer (write a u32 LE length before it) */
  readonly bytes: Uint8Array;
  /** where dataTablePosition's int64 sits inside `bytes`, for patching it later */
  readonly dataTablePositionAt: number;
}

/**
 * Builds the IOHeader. Every field is stored, defaults included, so that
 * dataTablePosition can be overwritten in place once the table is written.
 */
export function buildIOHeader(h: IOHeader): BuiltIOHeader {
  const b = new Builder(1024 + h.infoNode.length * 3);
  b.forceDefaults(true);
  const info = b.createString(h.infoNode);
  b.startObject(3);
  b.addFieldInt64(SLOT_DATA_TABLE, BigInt(h.dataTablePosition), -1n);
  b.addFieldOffset(SLOT_INFO, info, 0);
  b.addFieldInt32(SLOT_COMPRESSION, h.compression, 0);
  const root = b.endObject();
  b.finish(root, IOHEADER_IDENTIFIER);
  const bytes = b.asUint8Array().slice();
  const v = new FlatView(bytes);
  const at = v.field(v.root(), SLOT_DATA_TABLE, 8);
  return { bytes, dataTablePositionAt: at };
}

/** The 8 little-endian bytes of an int64 (exact for |n| < 2^53). */
export function int64Bytes(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(n), true);
  return out;
}
