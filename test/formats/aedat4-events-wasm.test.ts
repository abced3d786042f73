// The WebAssembly event unpacker (lz4-kernel-wat.ts `events`, four events a
// turn with SIMD shuffles, then the rest one by one) against the JavaScript
// one (EventVectorReader.decode) on random event structs — any bytes, any
// range, any alignment of the range to the four-event turns — bit for bit,
// refusals (timestamps a double cannot hold, negative coordinates) included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
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
