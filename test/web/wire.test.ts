import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeMessage, encodeMessage, WireError } from '../../src-main/web/wire';

test('messages without typed arrays are plain JSON text', () => {
  const m = { id: 3, method: 'appInfo', arg: { a: [1, 'x', null, { b: true }] } };
  const frame = encodeMessage(m);
  assert.equal(typeof frame, 'string');
  assert.deepEqual(JSON.parse(frame as string), m);
  assert.deepEqual(decodeMessage(frame), m);
});

test('an EventChunk of 200k events round-trips exactly through one binary frame, views aligned', () => {
  const n = 200_000;
  const t = new Float32Array(n), x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = i * 0.37;
    x[i] = (i * 7919) % 640;
    y[i] = (i * 104729) % 480;
    p[i] = i & 1;
  }
  const chunk = { t0Us: 1.5e9, width: 640, height: 480, t, x, y, p, total: 1_234_567 };
  const frame = encodeMessage({ topic: 'events', payload: chunk });
  assert.ok(frame instanceof Uint8Array);
  // 9 bytes per event plus a small header: no base64 inflation
  assert.ok(frame.length < n * 9 + 512, `${frame.length} bytes`);
  const back = decodeMessage(frame) as { topic: string; payload: typeof chunk };
  assert.equal(back.topic, 'events');
  assert.deepEqual(back.payload, chunk);
  assert.ok(back.payload.t instanceof Float32Array && back.payload.p instanceof Uint8Array);
  // decoded arrays are views on the received frame (no copy)
  assert.equal(back.payload.t.buffer, frame.buffer);
});

test('typed arrays anywhere (nested, in arrays, subarrays with offsets) round-trip; an unaligned frame is copied first', () => {
  const base = new Float64Array([1, 2, 3, 4, 5]);
  const m = { a: [{ k: new Int16Array([-3, 4]) }, new Uint8Array(0)], b: { c: base.subarray(1, 4) }, s: 'x' };
  const frame = encodeMessage(m) as Uint8Array;
  const shifted = new Uint8Array(frame.length + 3);
  shifted.set(frame, 3);
  for (const f of [frame, shifted.subarray(3)]) {
    const back = decodeMessage(f) as typeof m;
    assert.deepEqual(back, { ...m, b: { c: new Float64Array([2, 3, 4]) } });
  }
});

test('property: any JSON-ish message with typed arrays decodes to an equal message', () => {
  const typed = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 255 })).map((a) => new Uint8Array(a)),
    fc.array(fc.integer({ min: 0, max: 65535 })).map((a) => new Uint16Array(a)),
    fc.array(fc.float({ noNaN: true })).map((a) => new Float32Array(a)),
    fc.array(fc.double({ noNaN: true })).map((a) => new Float64Array(a)),
    fc.array(fc.integer()).map((a) => new Int32Array(a)),
  );
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), typed),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 4, noNullPrototype: true })),
  })).node;
  fc.assert(
    fc.property(value, (v) => {
      const m = { topic: 'x', payload: v };
      assert.deepEqual(decodeMessage(encodeMessage(m)), m);
    }),
    { numRuns: 300 },
  );
});

test('malformed binary frames are refused with a WireError naming the problem', () => {
  const good = encodeMessage({ a: new Uint32Array([1, 2, 3]) }) as Uint8Array;
  const headerLength = new DataView(good.buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(good.subarray(4, 4 + headerLength)));
  const withHeader = (h: unknown, bodyBytes = 16): Uint8Array => {
    const hb = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(((4 + hb.length + 7) & ~7) + bodyBytes);
    new DataView(out.buffer).setUint32(0, hb.length, true);
    out.set(hb, 4);
    return out;
  };
  const cases: [Uint8Array | string, RegExp][] = [
    [new Uint8Array([1, 2]), /shorter than its header length/],
    [Uint8Array.of(255, 255, 0, 0, 1), /overruns/],
    ['{not json', /not valid JSON/],
    [withHeader({ m: {}, b: [[['a'], 'BigInt64Array', 0, 1]] }), /unknown array type/],
    [withHeader({ m: { a: 0 }, b: [[['a'], 'Uint32Array', 0, 1000]] }), /overruns/],
    [withHeader({ m: { a: 0 }, b: [[['a'], 'Uint32Array', 4, 1]] }), /bad offset/],
    [withHeader({ m: { a: 0 }, b: [[['__proto__'], 'Uint8Array', 0, 1]] }), /bad path/],
    [withHeader({ m: { a: 0 }, b: [[['nope'], 'Uint8Array', 0, 1]] }), /does not exist/],
    [withHeader({ m: { a: 0 }, b: [[['a', 'b', 'c'], 'Uint8Array', 0, 1]] }), /does not exist/],
    [withHeader({ m: 1 }), /lacks its buffer list/],
  ];
  assert.deepEqual(header.b[0], [['a'], 'Uint32Array', 0, 3]);
  for (const [frame, message] of cases) {
    assert.throws(() => decodeMessage(frame), (e: unknown) => e instanceof WireError && message.test(e.message), String(message));
  }
  // prototype untouched
  assert.equal(({} as Record<string, unknown>)['a'], undefined);
});

test('encoding refuses what it cannot carry', () => {
  assert.throws(() => encodeMessage({ v: new DataView(new ArrayBuffer(4)) }), /cannot send a DataView/);
  let deep: unknown = new Uint8Array(1);
  for (let i = 0; i < 40; i++) deep = { d: deep };
  assert.throws(() => encodeMessage(deep), /nested deeper/);
});
