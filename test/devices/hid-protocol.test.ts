import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../src-engine/nsoc/testing/random-model';
import { crc16 } from '../../src-main/devices/hid/crc16';
import {
  decodeError,
  decodeFrame,
  decodeIdentity,
  decodeLoaded,
  decodeResult,
  decodeStatus,
  encodeError,
  encodeFrame,
  encodeIdentity,
  encodeLoaded,
  encodeResult,
  encodeStatus,
} from '../../src-main/devices/hid/messages';
import { decodeReport, DEFAULT_IDENTITY, encodeReport, fragment, Op, ProtocolError, Reassembler } from '../../src-main/devices/hid';

const isProtocolError = (code: string, re?: RegExp) => (e: unknown) => e instanceof ProtocolError && e.code === code && (!re || re.test(e.message));

test('CRC-16/CCITT-FALSE check value', () => {
  assert.equal(crc16(new TextEncoder().encode('123456789')), 0x29b1);
  assert.equal(crc16(new Uint8Array(0)), 0xffff);
});

test('a report is 64 bytes with the documented header, and decodes back', () => {
  const payload = Uint8Array.of(1, 2, 3, 250);
  const r = encodeReport({ opcode: Op.STATUS, flags: 0x03, seq: 0xbeef, fragment: 2, payload });
  assert.equal(r.length, 64);
  assert.deepEqual([...r.subarray(0, 14)], [0x01, 1, Op.STATUS, 0x03, 0xef, 0xbe, 2, 0, 4, 0, 1, 2, 3, 250]);
  assert.equal(r[62] | (r[63] << 8), crc16(r, 0, 62));
  assert.deepEqual(decodeReport(r), { opcode: Op.STATUS, flags: 3, seq: 0xbeef, fragment: 2, payload });
});

test('messages of every size fragment and reassemble exactly', () => {
  const rng = mulberry32(7);
  for (const size of [0, 1, 47, 48, 49, 52, 100, 104, 4096, 70_000]) {
    const payload = new Uint8Array(size);
    for (let i = 0; i < size; i++) payload[i] = Math.floor(rng() * 256);
    const reports = fragment({ opcode: Op.LOAD_CHUNK, seq: 9, response: size % 2 === 1, payload });
    assert.equal(reports.length, Math.max(1, Math.ceil((size + 4) / 52)));
    const ra = new Reassembler();
    let m = null;
    for (const [i, r] of reports.entries()) {
      m = ra.push(r);
      if (i < reports.length - 1) assert.equal(m, null);
    }
    assert.ok(m);
    assert.deepEqual(m, { opcode: Op.LOAD_CHUNK, seq: 9, response: size % 2 === 1, payload });
  }
});

test('every malformed report is a typed ProtocolError', () => {
  const good = fragment({ opcode: Op.IDENTIFY, seq: 1, response: false, payload: new Uint8Array(0) })[0];
  const withCrc = (mut: (b: Uint8Array) => void) => {
    const b = good.slice();
    mut(b);
    const c = crc16(b, 0, 62);
    b[62] = c & 0xff;
    b[63] = c >> 8;
    return b;
  };
  const cases: [Uint8Array, string, RegExp][] = [
    [good.subarray(0, 63), 'report-size', /64 bytes, got 63/],
    [withCrc((b) => (b[0] = 2)), 'report-id', /report id 0x2/],
    [(() => { const b = good.slice(); b[20] ^= 1; return b; })(), 'crc', /does not match/],
    [withCrc((b) => (b[1] = 9)), 'version', /protocol version 9/],
    [withCrc((b) => (b[2] = 0x55)), 'opcode', /unknown opcode 0x55/],
    [withCrc((b) => (b[3] = 0x83)), 'flags', /unknown flag bits 0x80/],
    [withCrc((b) => (b[8] = 53)), 'length', /payload length 53 exceeds 52/],
  ];
  for (const [bytes, code, re] of cases) {
    assert.throws(() => decodeReport(bytes), isProtocolError(code, re), code);
    assert.throws(() => new Reassembler().push(bytes), isProtocolError(code, re), code);
  }
  // stream-level faults
  const big = fragment({ opcode: Op.LOAD_CHUNK, seq: 3, response: false, payload: new Uint8Array(200) });
  const ra = new Reassembler();
  assert.throws(() => ra.push(big[1]), isProtocolError('sequence', /without a first fragment/));
  ra.push(big[0]);
  assert.throws(() => ra.push(big[2]), isProtocolError('sequence', /expected fragment 1 of seq 3/));
  // after an error the next message still goes through
  assert.equal(ra.push(good)?.opcode, Op.IDENTIFY);
  const tooBig = fragment({ opcode: Op.LOAD_CHUNK, seq: 4, response: false, payload: new Uint8Array(300) });
  assert.throws(() => new Reassembler(100).push(tooBig[0]), isProtocolError('length', /300 bytes exceeds the limit of 100/));
  // a LAST flag before the announced bytes arrived
  const cut = withCrc((b) => {
    b[3] = 0x03;
    b[8] = 4;
    b[10] = 10; // announces 10 bytes, carries 0
  });
  assert.throws(() => new Reassembler().push(cut), isProtocolError('length', /ended after 0 of 10/));
});

test('fuzz: random and mutated reports never throw anything but ProtocolError, and the stream recovers (seeded, bounded)', () => {
  const rng = mulberry32(2024);
  const valid = [
    ...fragment({ opcode: Op.STREAM_FRAME, seq: 77, response: false, payload: encodeFrame(5, Uint8Array.from({ length: 300 }, (_, i) => (i % 17 === 0 ? 3 : 0))) }),
    ...fragment({ opcode: Op.RESULT, seq: 77, response: true, payload: encodeResult({ frameId: 5, output: Int32Array.of(1, -2, 3), scores: null, stats: { inputEvents: 1, outputEvents: 2, executedOps: 3, denseMacs: 4, inferUs: 5, layers: [] } }) }),
  ];
  const ra = new Reassembler(1 << 16);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 20_000; i++) {
    let b: Uint8Array;
    const kind = rng();
    if (kind < 0.2) b = Uint8Array.from({ length: Math.floor(rng() * 80) }, () => Math.floor(rng() * 256));
    else {
      b = valid[Math.floor(rng() * valid.length)].slice();
      const flips = Math.floor(rng() * 4);
      for (let k = 0; k < flips; k++) b[Math.floor(rng() * 64)] = Math.floor(rng() * 256);
      if (kind < 0.5) {
        // keep the CRC right so the header checks behind it are reached
        const c = crc16(b, 0, 62);
        b[62] = c & 0xff;
        b[63] = c >> 8;
      }
    }
    try {
      ra.push(b);
      counts.ok = (counts.ok ?? 0) + 1;
    } catch (e) {
      assert.ok(e instanceof ProtocolError, `case ${i}: ${String(e)}`);
      counts[e.code] = (counts[e.code] ?? 0) + 1;
    }
  }
  // the fuzz reached the deeper checks, not only the CRC
  for (const code of ['report-size', 'crc', 'sequence', 'opcode', 'flags']) assert.ok((counts[code] ?? 0) > 0, `${code} reached: ${JSON.stringify(counts)}`);
  const m = valid.slice(0, valid.length).reduce<ReturnType<Reassembler['push']>>((_, r) => ra.push(r) ?? _, null);
  assert.equal(m?.opcode, Op.RESULT);
});

test('fuzz: every payload decoder refuses truncated or extended payloads with a ProtocolError naming the field', () => {
  const samples: [Uint8Array, (b: Uint8Array) => unknown][] = [
    [encodeIdentity(DEFAULT_IDENTITY), decodeIdentity],
    [encodeLoaded({ name: 'm', input: { height: 4, width: 5, channels: 2, bits: 4 }, outputs: 3, layers: 2, labels: ['a', 'béta'] }), decodeLoaded],
    [encodeResult({ frameId: 1, output: Int32Array.of(5, -7), scores: Float32Array.of(0.5, 2), stats: { inputEvents: 1, outputEvents: 2, executedOps: 3e10, denseMacs: 4, inferUs: 5, layers: [{ outputEvents: 1, executedOps: 2 }] } }), decodeResult],
    [encodeStatus({ state: 'ready', modelCrc: 0xdeadbeef, framesProcessed: 3, errors: 0, uptimeMs: 10 }), decodeStatus],
    [encodeError({ code: 4, requestOpcode: Op.LOAD_END, message: 'CRC differs' }), decodeError],
  ];
  const rng = mulberry32(99);
  for (const [bytes, decode] of samples) {
    decode(bytes); // the valid one decodes
    for (let cut = 0; cut < bytes.length; cut++) assert.throws(() => decode(bytes.subarray(0, cut)), isProtocolError('payload', /needs \d+ bytes|not valid UTF-8|unexpected bytes|unknown state|\d+ remain/));
    assert.throws(() => decode(Uint8Array.of(...bytes, 0)), isProtocolError('payload', /1 unexpected bytes after the last field/));
    for (let i = 0; i < 300; i++) {
      const b = bytes.slice();
      b[Math.floor(rng() * b.length)] = Math.floor(rng() * 256);
      try {
        decode(b);
      } catch (e) {
        assert.ok(e instanceof ProtocolError, String(e));
      }
    }
  }
});

test('frames: sparse (gap, value) encoding for mostly-zero frames, dense otherwise; both decode exactly; bad sparse data refused', () => {
  const rng = mulberry32(5);
  for (const density of [0, 0.01, 0.1, 0.45, 0.6, 1]) {
    const f = Uint8Array.from({ length: 64 * 64 * 2 }, () => (rng() < density ? 1 + Math.floor(rng() * 15) : 0));
    const enc = encodeFrame(42, f);
    const { frameId, frame } = decodeFrame(enc, 1 << 20);
    assert.equal(frameId, 42);
    assert.deepEqual(frame, f);
    if (density <= 0.1) assert.ok(enc.length < f.length / 4, `density ${density}: ${enc.length} bytes for ${f.length}`);
    assert.ok(enc.length <= f.length + 9);
  }
  // a gap that runs past the frame, and a zero value, are refused
  const past = Uint8Array.of(1, 0, 0, 0, 1, 4, 0, 0, 0, 9, 5);
  assert.throws(() => decodeFrame(past, 100), isProtocolError('payload', /index 9, past the 4-byte frame/));
  const zero = Uint8Array.of(1, 0, 0, 0, 1, 4, 0, 0, 0, 1, 0);
  assert.throws(() => decodeFrame(zero, 100), isProtocolError('payload', /value 0 at index 1/));
  assert.throws(() => decodeFrame(Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), 100), isProtocolError('payload', /16777216 bytes exceeds the device's 100/));
  assert.throws(() => decodeFrame(Uint8Array.of(1, 0, 0, 0, 7, 0, 0, 0, 0), 100), isProtocolError('payload', /unknown encoding 7/));
});
