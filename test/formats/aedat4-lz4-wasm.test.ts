// The WebAssembly LZ4 block decoder: the committed binary must be what wabt
// builds from the committed source, and it must give exactly the results of
// the JavaScript decoder (positions, error codes, bytes) on random blocks,
// on compressed event data and on the real DVXplorer recording.
//
// Regenerate the binary after editing lz4-kernel-wat.ts:
//   node --import tsx test/formats/aedat4-lz4-wasm.test.ts --write
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { collectEvents } from '../../src-engine/events/stream';
import { openAedat4Stream } from '../../src-engine/formats/aedat4/aedat4';
import { Compression, PayloadDecoder } from '../../src-engine/formats/aedat4/compression';
import { decodeLz4Block } from '../../src-engine/formats/aedat4/lz4-block';
import { decodeLz4Frames, Lz4FrameEncoder, OutputBuffer } from '../../src-engine/formats/aedat4/lz4-frame';
import { LZ4_KERNEL_WASM_BASE64 } from '../../src-engine/formats/aedat4/lz4-kernel-binary';
import { lz4KernelAvailable, WasmOutputBuffer } from '../../src-engine/formats/aedat4/lz4-kernel';
import { decodeBase64 } from '../../src-engine/formats/wasm';
import { LZ4_KERNEL_WAT } from '../../src-engine/formats/aedat4/lz4-kernel-wat';
import { EventVectorReader } from '../../src-engine/formats/aedat4/packets';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { SHARED_EVENTS_DIR, skipWithoutSharedData } from '../support/shared-data';
import { buildWat, writeKernelBinary } from '../support/wasm-kernel';

const buildKernel = () => buildWat('lz4-kernel.wat', LZ4_KERNEL_WAT);

if (process.argv.includes('--write')) {
  const target = fileURLToPath(new URL('../../src-engine/formats/aedat4/lz4-kernel-binary.ts', import.meta.url));
  writeKernelBinary(target, 'LZ4_KERNEL_WASM_BASE64', await buildKernel(), 'lz4-kernel-wat.ts', 'test/formats/aedat4-lz4-wasm.test.ts');
} else {
  const wasmOut = (limit: number): WasmOutputBuffer => {
    const out = WasmOutputBuffer.create(limit);
    assert.ok(out, 'WebAssembly is available in Node');
    return out;
  };

  /** 16-byte AEDAT 4 event structs with DVS-like statistics. */
  function eventBytes(n: number, seed: number): Uint8Array {
    let a = seed >>> 0;
    const r = () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
    const b = new Uint8Array(n * 16);
    const dv = new DataView(b.buffer);
    let t = 1_700_000_000_000_000;
    for (let i = 0; i < n; i++) {
      t += (r() * 20) | 0;
      dv.setBigInt64(i * 16, BigInt(t), true);
      dv.setInt16(i * 16 + 8, (r() * 640) | 0, true);
      dv.setInt16(i * 16 + 10, (r() * 480) | 0, true);
      b[i * 16 + 12] = r() < 0.5 ? 1 : 0;
    }
    return b;
  }

  test('the committed WebAssembly binary is the build of the committed source', async () => {
    const built = await buildKernel();
    assert.deepEqual(decodeBase64(LZ4_KERNEL_WASM_BASE64), built, 'lz4-kernel-binary.ts is stale: regenerate it (see the top of this file)');
    assert.equal(lz4KernelAvailable(), true);
  });

  test('WebAssembly block decoder == JavaScript block decoder on random blocks (results, bytes, bounds)', () => {
    const out = wasmOut(1 << 20);
    out.ensure(0, 8192);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 0, max: 64 }),
        (src, dPos, room, back) => {
          const dMin = Math.max(0, dPos - back);
          const dEnd = dPos + room;
          const js = new Uint8Array(8192).fill(0xa5);
          const rJs = decodeLz4Block(src, 0, src.length, js, dPos, dEnd, dMin);
          out.bytes.fill(0xa5, 0, 8192);
          out.stage(src);
          const rWasm = out.block(src, 0, src.length, dPos, dEnd, dMin);
          assert.equal(rWasm, rJs);
          const w = out.bytes;
          if (rJs >= 0) assert.deepEqual(w.subarray(dPos, rJs), js.subarray(dPos, rJs));
          for (let i = 0; i < dPos; i++) assert.equal(w[i], 0xa5, `wrote before the output at ${i}`);
          for (let i = dEnd; i < 8192; i++) assert.equal(w[i], 0xa5, `wrote past dEnd at ${i}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('WebAssembly and JavaScript decode the same frames of event data, growing the buffer on the way', () => {
    const enc = new Lz4FrameEncoder();
    const wasm = wasmOut(1 << 24); // starts at 64 KiB: the larger payloads make it grow with a staged payload
    const js = new OutputBuffer(1 << 24);
    for (const [n, seed] of [[1, 1], [3, 2], [4096, 3], [4097, 4], [20_000, 5], [70_000, 6]]) {
      const raw = eventBytes(n, seed);
      const frame = enc.encode(raw).slice();
      const a = decodeLz4Frames(frame, js);
      const b = decodeLz4Frames(frame, wasm);
      assert.equal(b, a);
      assert.equal(b, raw.length);
      assert.ok(Buffer.from(wasm.bytes.subarray(0, b)).equals(raw), `${n} events`);
    }
  });

  test('WebAssembly event extraction == EventVectorReader.decode, refusals included', () => {
    const enc = new Lz4FrameEncoder();
    const wasm = wasmOut(1 << 24);
    const n = 20_000;
    for (const bad of [null, { field: 't', value: 2n ** 53n }, { field: 't', value: -(2n ** 53n) - 1n }, { field: 'x', value: -1 }, { field: 'y', value: -32768 }] as const) {
      const raw = eventBytes(n, 9);
      const dv = new DataView(raw.buffer);
      const at = 12_345 * 16;
      dv.setBigInt64(16, -(2n ** 53n), true); // the smallest exact timestamp is fine
      if (bad?.field === 't') dv.setBigInt64(at, bad.value, true);
      if (bad?.field === 'x') dv.setInt16(at + 8, bad.value, true);
      if (bad?.field === 'y') dv.setInt16(at + 10, bad.value, true);
      raw[17 * 16 + 12] = 0x80; // any non-zero `on` byte is ON
      const len = decodeLz4Frames(enc.encode(raw).slice(), wasm);
      const reader = new EventVectorReader();
      reader.attach(raw, { start: 0, count: n });
      for (const [first, count] of [[0, n], [100, 9000], [12_000, 1000], [19_999, 1]]) {
        const cols = () => ({ t: new Float64Array(n + 5), x: new Uint16Array(n + 5), y: new Uint16Array(n + 5), p: new Uint8Array(n + 5) });
        const a = cols();
        const b = cols();
        const ra = reader.decode(first, count, a.t, a.x, a.y, a.p, 5);
        const rb = wasm.events(0, first, count, b.t, b.x, b.y, b.p, 5);
        assert.equal(len, raw.length);
        assert.equal(rb, ra, `${bad?.field ?? 'good'} [${first}, +${count})`);
        if (ra >= 0) assert.deepEqual(b, a);
      }
    }
  });

  test('the real DVXplorer recording decodes the same with either decoder', { skip: skipWithoutSharedData }, async () => {
    const bytes = new Uint8Array(readFileSync(join(SHARED_EVENTS_DIR, 'dvxplorer_sample.aedat4')));
    const withWasm = await collectEvents(await openAedat4Stream(ByteReader.fromBytes(bytes)));
    const withJs = await collectEvents(await openAedat4Stream(ByteReader.fromBytes(bytes), { lz4: 'js' }));
    assert.ok(withWasm.length > 0);
    assert.deepEqual(withWasm, withJs);
    const dec = new PayloadDecoder(Compression.LZ4, 1 << 24);
    assert.equal(dec.kernel, 'wasm');
    assert.equal(new PayloadDecoder(Compression.LZ4, 1 << 24, 'js').kernel, 'js');
  });
}
