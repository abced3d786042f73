/**
 * The AEDAT 4 data table (fbs/file_data_table.fbs): one entry per packet
 * (payload offset, stream, size, element count, first/last timestamp), which
 * DV uses to seek. The reader streams without it; the writer appends one when
 * it can patch the header's dataTablePosition.
 */
import { Builder } from 'flatbuffers';
import { FlatbufferError, sizePrefixed } from './flatbuffer-view';
import { PayloadError } from './payload-error';

export const FTAB_IDENTIFIER = 'FTAB';

export interface DataTableEntry {
  /** file offset of the packet payload (just after its 8-byte header) */
  readonly byteOffset: number;
  readonly streamId: number;
  readonly size: number;
  readonly numElements: number;
  readonly timestampStart: number;
  readonly timestampEnd: number;
}

/** Collects entries as packets are written (in growable typed columns, not objects). */
export class DataTableRecorder {
  private cols = new Float64Array(6 * 1024);
  length = 0;

  add(e: DataTableEntry): void {
    if ((this.length + 1) * 6 > this.cols.length) {
      const grown = new Float64Array(this.cols.length * 2);
      grown.set(this.cols);
      this.cols = grown;
    }
    const o = this.length * 6;
    const c = this.cols;
    c[o] = e.byteOffset;
    c[o + 1] = e.streamId;
    c[o + 2] = e.size;
    c[o + 3] = e.numElements;
    c[o + 4] = e.timestampStart;
    c[o + 5] = e.timestampEnd;
    this.length++;
  }

  /** The size-prefixed FTAB flatbuffer (uncompressed). */
  encode(): Uint8Array {
    const b = new Builder(64 + this.length * 64);
    const c = this.cols;
    const defs: number[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const o = i * 6;
      b.startObject(5);
      b.addFieldInt64(4, BigInt(c[o + 5]), 0n);
      b.addFieldInt64(3, BigInt(c[o + 4]), 0n);
      b.addFieldInt64(2, BigInt(c[o + 3]), 0n);
      // PacketHeader struct {StreamID, Size}, written inline just before its field
      b.prep(4, 8);
      b.writeInt32(c[o + 2]);
      b.writeInt32(c[o + 1]);
      b.addFieldStruct(1, b.offset(), 0);
      b.addFieldInt64(0, BigInt(c[o]), 0n);
      defs[i] = b.endObject();
    }
    b.startVector(4, defs.length, 4);
    for (let i = defs.length - 1; i >= 0; i--) b.addOffset(defs[i]);
    const vec = b.endVector();
    b.startObject(1);
    b.addFieldOffset(0, vec, 0);
    const root = b.endObject();
    b.finishSizePrefixed(root, FTAB_IDENTIFIER);
    return b.asUint8Array().slice();
  }
}

/** Reads a decompressed, size-prefixed FTAB flatbuffer; throws PayloadError. */
export function decodeDataTable(bytes: Uint8Array): DataTableEntry[] {
  try {
    const v = sizePrefixed(bytes);
    const root = v.root();
    if (v.identifier() !== FTAB_IDENTIFIER) throw new PayloadError('corrupt', 'data table lacks the FTAB identifier');
    const vec = v.vectorField(root, 0, 4, 'FileDataTable.Table');
    const out: DataTableEntry[] = [];
    if (!vec) return out;
    for (let i = 0; i < vec.count; i++) {
      const t = v.tableAt(vec.start + 4 * i, `table entry ${i}`);
      const ph = v.field(t, 1, 8);
      out.push({
        byteOffset: v.int64Field(t, 0, 0, 'ByteOffset'),
        streamId: ph < 0 ? 0 : v.i32(ph),
        size: ph < 0 ? 0 : v.i32(ph + 4),
        numElements: v.int64Field(t, 2, 0, 'NumElements'),
        timestampStart: v.int64Field(t, 3, 0, 'TimestampStart'),
        timestampEnd: v.int64Field(t, 4, 0, 'TimestampEnd'),
      });
    }
    return out;
  } catch (e) {
    if (e instanceof FlatbufferError) throw new PayloadError('corrupt', `data table: ${e.message}`);
    throw e;
  }
}
