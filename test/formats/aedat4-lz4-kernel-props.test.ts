// Property tests of the WebAssembly kernels (lz4-kernel-wat.ts) against the
// JavaScript code they replace, bit for bit:
// - the block decoder (its `$fast` loop for event-like sequences, the general
//   paths and the careful path near the ends) against decodeLz4Block on
//   random sequences that are mostly valid — short literal runs, matches
//   near and far, offsets just inside and just outside the output — whole,
//   cut short or with room that runs out;
// - the event unpacker (`events`, four events a turn with SIMD shuffles, then
//   the rest one by one) against EventVectorReader.decode on random event
//   structs, any range, refusals (timestamps a double cannot hold, negative
//   coordinates) included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeLz4Block } from '../../src-engine/formats/aedat4/lz4-block';
import { decodeLz4Frames, Lz4FrameEncoder } from '../../src-engine/formats/aedat4/lz4-frame';
import { WasmOutputBuffer } from '../../src-engine/formats/aedat4/lz4-kernel';
import { EventVectorReader } from '../../src-engine/formats/aedat4/packets';

const cols = (n: number) => ({ t: new Float64Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n) });

/** n event structs: random bytes, then a share of them made valid-looking with edge-case timestamps. */
const structs = fc
  .record({
    raw: fc.uint8Array({ minLength: 16, maxLength: 16 * 70 }),
    valid: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer(),
  })
  .map(({ raw, valid, seed }) => {
    const n = raw.length >> 4;
    const b = raw.slice(0, n * 16);
    const dv = new DataView(b.buffer);
    let a = seed >>> 0;
    const r = () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
    const edges = [0n, 1n, -1n, 2n ** 53n - 1n, -(2n ** 53n), 2n ** 53n, -(2n ** 53n) - 1n, 1_700_000_000_000_000n, 2n ** 63n - 1n, -(2n ** 63n)];
    for (let i = 0; i < n; i++) {
      if (r() < valid) {
        dv.setBigInt64(i * 16, r() < 0.3 ? edges[(r() * edges.length) | 0] : BigInt(Math.floor((r() - 0.5) * 2 ** 53)), true);
        dv.setInt16(i * 16 + 8, r() < 0.05 ? -((r() * 32768) | 0) - 1 : (r() * 32768) | 0, true);
        dv.setInt16(i * 16 + 10, r() < 0.05 ? -((r() * 32768) | 0) - 1 : (r() * 32768) | 0, true);
      }
    }
    return { bytes: b, n };
  });

test('WebAssembly events == EventVectorReader.decode on random structs and ranges (values and refusals)', () => {
  const out = WasmOutputBuffer.create(1 << 20, 256);
  assert.ok(out, 'WebAssembly is available in Node');
  const enc = new Lz4FrameEncoder();
  fc.assert(
    fc.property(structs, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 9 }), ({ bytes, n }, a, b, at) => {
      const first = a % n;
      const count = b % (n - first + 1);
      const payload = new Uint8Array(16 + bytes.length); // the vector 16 bytes into the payload
      payload.set(bytes, 16);
      assert.equal(decodeLz4Frames(enc.encode(payload).slice(), out), payload.length);
      const reader = new EventVectorReader();
      reader.attach(payload, { start: 16, count: n });
      const js = cols(at + count);
      const wasm = cols(at + count);
      const rJs = reader.decode(first, count, js.t, js.x, js.y, js.p, at);
      const rWasm = out.events(16, first, count, wasm.t, wasm.x, wasm.y, wasm.p, at);
      assert.equal(rWasm, rJs);
      if (rJs >= 0) assert.deepEqual(wasm, js);
      // in place, into the kernel's own columns
      const rIn = out.eventsInPlace(16, first, count, at);
      assert.equal(rIn, rJs);
      if (rJs >= 0) {
        const v = out.view(at + count);
        assert.deepEqual(
          { t: v.t.slice(at), x: v.x.slice(at), y: v.y.slice(at), p: v.p.slice(at) },
          { t: js.t.slice(at), x: js.x.slice(at), y: js.y.slice(at), p: js.p.slice(at) },
        );
      }
    }),
    { numRuns: 2000 },
  );
});

/**
 * A sequence: literal count, match length (≥ 4), offset — any u16 (0 and
 * too-far ones are errors), or `edge`: the farthest valid offset plus −1, 0
 * or 1 (so just inside or just outside the output).
 */
const sequence = fc.record({
  lit: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 250, max: 300 })),
  len: fc.oneof(fc.constantFrom(7, 16, 17), fc.integer({ min: 4, max: 20 }), fc.integer({ min: 4, max: 300 })),
  off: fc.oneof({ weight: 60, arbitrary: fc.constantFrom(1, 7, 8, 15, 16, 17, 32, 48, 70) }, { weight: 30, arbitrary: fc.integer({ min: 1, max: 120 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) }),
  edge: fc.oneof({ weight: 100, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 1 }) }),
});

function lengthBytes(out: number[], rest: number): void {
  for (; rest >= 255; rest -= 255) out.push(255);
  out.push(rest);
}

/** An LZ4 block of these sequences and `tail` final literals (literal bytes from `fill`), to be decoded from dPos with history from dMin. */
function block(seqs: ReadonlyArray<{ lit: number; len: number; off: number; edge: number | null }>, tail: number, fill: number, dPos: number, dMin: number): Uint8Array {
  const out: number[] = [];
  let k = fill;
  const literals = (n: number) => {
    for (let i = 0; i < n; i++) out.push((k = (k * 1103515245 + 12345) >>> 0) >>> 24);
  };
  let d = dPos;
  for (const { lit, len, off: offOf, edge } of seqs) {
    const off = edge === null ? offOf : Math.max(0, Math.min(65535, d + lit - dMin + edge));
    d += lit + len;
    const ml = len - 4;
    out.push((Math.min(lit, 15) << 4) | Math.min(ml, 15));
    if (lit >= 15) lengthBytes(out, lit - 15);
    literals(lit);
    out.push(off & 0xff, off >>> 8);
    if (ml >= 15) lengthBytes(out, ml - 15);
  }
  out.push(Math.min(tail, 15) << 4);
  if (tail >= 15) lengthBytes(out, tail - 15);
  literals(tail);
  return Uint8Array.from(out);
}

test('WebAssembly block decoder == decodeLz4Block on random, mostly valid sequences (positions, error codes, bytes, bounds)', () => {
  const SIZE = 1 << 15;
  const out = WasmOutputBuffer.create(1 << 20);
  assert.ok(out);
  out.ensure(0, SIZE);
  const js = new Uint8Array(SIZE);
  let fast = 0;
  fc.assert(
    fc.property(
      fc.array(sequence, { maxLength: 120 }),
      fc.integer({ min: 0, max: 40 }),
      fc.nat(),
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 200 }),
      fc.oneof(fc.constant(-1), fc.nat()),
      fc.oneof(fc.constant(SIZE), fc.nat()),
      (seqs, tail, fill, dPos, history, cut, room) => {
        const dMin = Math.max(0, dPos - history);
        const whole = block(seqs, tail, fill, dPos, dMin);
        const src = cut < 0 ? whole : whole.subarray(0, cut % (whole.length + 1));
        const dEnd = Math.min(SIZE, dPos + (room === SIZE ? SIZE : room % 8000));
        js.fill(0xa5);
        for (let i = dMin; i < dPos; i++) js[i] = i * 7; // history the matches may reach
        out.bytes.set(js.subarray(0, SIZE));
        const rJs = decodeLz4Block(src, 0, src.length, js, dPos, dEnd, dMin);
        out.stage(src);
        const rWasm = out.block(src, 0, src.length, dPos, dEnd, dMin);
        assert.equal(rWasm, rJs);
        const w = out.bytes;
        if (rJs >= 0) {
          assert.deepEqual(w.subarray(dPos, rJs), js.subarray(dPos, rJs));
          if (rJs - dPos > 256) fast++;
        }
        for (let i = 0; i < dPos; i++) assert.equal(w[i], js[i], `wrote before the output at ${i}`);
        for (let i = dEnd; i < SIZE; i++) assert.equal(w[i], 0xa5, `wrote past dEnd at ${i}`);
      },
    ),
    { numRuns: 1500 },
  );
  assert.ok(fast > 300, `only ${fast} blocks decoded more than 256 bytes`);
});
