// An AEDAT 4 EVTS packet (size-prefixed flatbuffer of DV's 16-byte Event structs)
// built from raw rows, including values a reader must refuse (timestamps past
// 2^53 µs, negative coordinates) — which the project's writer cannot produce.
import { Builder } from 'flatbuffers';

export type RawEventRow = [timestamp: bigint, x: number, y: number, polarity: number];

export function evtsPacket(rows: ReadonlyArray<RawEventRow>): Uint8Array {
  const b = new Builder(64);
  b.startVector(16, rows.length, 8);
  for (let i = rows.length - 1; i >= 0; i--) {
    b.prep(8, 16);
    b.pad(3);
    b.writeInt8(rows[i][3]);
    b.writeInt16(rows[i][2]);
    b.writeInt16(rows[i][1]);
    b.writeInt64(rows[i][0]);
  }
  const vec = b.endVector();
  b.startObject(1);
  b.addFieldOffset(0, vec, 0);
  b.finishSizePrefixed(b.endObject(), 'EVTS');
  return b.asUint8Array().slice();
}
