// The WebAssembly Prophesee decoders (EVT 3.0, EVT 2.0, .dat): the committed
// binary must be what wabt builds from the committed source, and each must
// yield exactly the events and errors of its JavaScript decoder on random word
// streams (every word type and clock loops, odd chunkings and batch sizes) and
// on real events.
//
// Regenerate the binary after editing kernels-wat.ts:
//   node --import tsx test/formats/prophesee-wasm.test.ts --write
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents } from '../../src-engine/events/stream';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';
import { openDatStream } from '../../src-engine/formats/prophesee/dat';
import { openEvt2Stream } from '../../src-engine/formats/prophesee/evt2';
import { evt3Writer, openEvt3Stream } from '../../src-engine/formats/prophesee/evt3';
import { PROPHESEE_KERNELS_WASM_BASE64 } from '../../src-engine/formats/prophesee/kernels-binary';
import { propheseeKernelsAvailable, type PropheseeDecoderKind } from '../../src-engine/formats/prophesee/kernels';
import { PROPHESEE_KERNELS_WAT } from '../../src-engine/formats/prophesee/kernels-wat';
import type { ReadOptions } from '../../src-engine/formats/types';
import { openEventStream } from '../../src-engine/formats/registry';
import { decodeBase64 } from '../../src-engine/formats/wasm';
import { memorySink } from '../../src-engine/node/file-io';
import { SHARED_EVENTS_DIR, skipWithoutSharedData } from '../support/shared-data';
import { buildWat, writeKernelBinary } from '../support/wasm-kernel';

const buildKernel = () => buildWat('prophesee-kernels.wat', PROPHESEE_KERNELS_WAT);

if (process.argv.includes('--write')) {
  const target = fileURLToPath(new URL('../../src-engine/formats/prophesee/kernels-binary.ts', import.meta.url));
  writeKernelBinary(target, 'PROPHESEE_KERNELS_WASM_BASE64', await buildKernel(), 'kernels-wat.ts', 'test/formats/prophesee-wasm.test.ts');
} else {
  const HEADER = new TextEncoder().encode('% evt 3.0\n% format EVT3;height=720;width=1280\n% end\n');
  const HEADER2 = new TextEncoder().encode('% evt 2.0\n% format EVT2;height=720;width=1280\n% end\n');
  const HEADER_DAT = new TextEncoder().encode('% Data file containing CD events.\n% Version 2\n% Height 720\n% Width 1280\n');

  /** A header, then the words in little-endian order, `bytes` each. */
  function file(words: number[], header = HEADER, bytes = 2): Uint8Array {
    const out = new Uint8Array(header.length + bytes * words.length);
    out.set(header);
    const dv = new DataView(out.buffer);
    words.forEach((w, i) => (bytes === 2 ? dv.setUint16(header.length + 2 * i, w, true) : dv.setUint32(header.length + 4 * i, w, true)));
    return out;
  }

  type Open = (src: ByteReader, opts: ReadOptions, kernel: PropheseeDecoderKind) => Promise<AsyncIterable<EventBatch>>;

  /** Events and the error (kind, offset) of a whole read, in `chunk`-byte chunks. */
  async function read(bytes: Uint8Array, kernel: PropheseeDecoderKind, batchSize?: number, chunk = 0, open: Open = openEvt3Stream) {
    const parts: Uint8Array[] = [];
    if (chunk > 0) for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
    else parts.push(bytes);
    const batches: EventBatch[] = [];
    let error: string | null = null;
    try {
      for await (const b of await open(new ByteReader(parts, 'mem'), { batchSize }, kernel)) batches.push(b);
    } catch (e) {
      if (!(e instanceof EventFormatError)) throw e;
      error = `${e.kind}@${e.offset}`;
    }
    return { events: concatBatches(batches), error };
  }

  test('the committed WebAssembly binary is the build of the committed source', async () => {
    assert.deepEqual(decodeBase64(PROPHESEE_KERNELS_WASM_BASE64), await buildKernel(), 'kernels-binary.ts is stale: regenerate it (see the top of this file)');
    assert.equal(propheseeKernelsAvailable(), true);
  });

  // Words biased to the interesting cases: CD words, vectors, time words near the loop threshold.
  const word = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(0, 2, 2, 3, 4, 5, 6), fc.integer({ min: 0, max: 0xfff })).map(([t, v]) => (t << 12) | v) },
    { weight: 2, arbitrary: fc.constantFrom(0x8000, 0x8fff, 0x8ff5, 0x8ff4, 0x8001, 0x1000, 0x7fff) },
  );

  test('EVT 3.0: WebAssembly == JavaScript on random words: events, batches and errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 3000 }), fc.constantFrom(undefined, 7, 1000), fc.constantFrom(0, 1, 13, 4096), async (words, batchSize, chunk) => {
        const bytes = file(words);
        const js = await read(bytes, 'js', batchSize, chunk);
        const wasm = await read(bytes, 'wasm', batchSize, chunk);
        assert.deepEqual(wasm, js);
      }),
      { numRuns: 300 },
    );
  });

  // Runs of CD words (ADDR_Y, ADDR_X, TIME_LOW, an ignored type) with the odd EM, vector or
  // TIME_HIGH word: most 8-word groups take the SIMD path, and its edges (a rare word inside
  // a group, the batch limit reached mid-group, a chunk boundary) come up often.
  const cdWord = fc.oneof(
    { weight: 20, arbitrary: fc.tuple(fc.constantFrom(0, 2, 2, 2, 6, 7), fc.integer({ min: 0, max: 0xfff })).map(([t, v]) => (t << 12) | v) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(1, 3, 4, 5, 8), fc.integer({ min: 0, max: 0xfff })).map(([t, v]) => (t << 12) | v) },
  );

  test('EVT 3.0: WebAssembly (SIMD path) == JavaScript on runs of CD words, with copied and reused batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cdWord, { minLength: 8, maxLength: 2000, size: 'large' }), fc.constantFrom(undefined, 5, 9, 64), fc.constantFrom(0, 17, 4096), async (words, batchSize, chunk) => {
        const bytes = file([0x8000 | (words.length & 0xfff), ...words]);
        const js = await read(bytes, 'js', batchSize, chunk);
        assert.deepEqual(await read(bytes, 'wasm', batchSize, chunk), js);
        // reuseBatches: batches are views of the kernel's columns (the direct path); copy each one
        const copies: EventBatch[] = [];
        const parts = chunk > 0 ? Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) => bytes.subarray(i * chunk, (i + 1) * chunk)) : [bytes];
        for await (const b of await openEvt3Stream(new ByteReader(parts, 'mem'), { batchSize, reuseBatches: true }, 'wasm')) {
          copies.push({ t: b.t.slice(), x: b.x.slice(), y: b.y.slice(), p: b.p.slice(), length: b.length });
        }
        assert.deepEqual(concatBatches(copies), js.events);
      }),
      { numRuns: 300 },
    );
  });

  test('EVT 3.0: WebAssembly == JavaScript through repeated clock loops, and on an odd trailing byte', async () => {
    // (TIME_HIGH 4095, TIME_HIGH 0) pairs, each a loop of the 24-bit clock, with events between (2^53 µs would take 2^29 loops: not testable here)
    const words: number[] = [0x8000, 0x0005];
    for (let k = 0; k < 40; k++) words.push(0x8fff, 0x8000, 0x2000 | k);
    const bytes = file(words);
    const a = await read(bytes, 'js');
    const b = await read(bytes, 'wasm');
    assert.deepEqual(b, a);
    assert.equal(a.events.length, 40);
    const odd = new Uint8Array(bytes.length + 1);
    odd.set(bytes);
    assert.deepEqual(await read(odd, 'wasm'), await read(odd, 'js'));
    assert.match((await read(odd, 'wasm')).error ?? '', /^truncated@/);
  });

  test('EVT 3.0: WebAssembly == JavaScript on the real EVT 2.0 sample written as EVT 3.0', { skip: skipWithoutSharedData }, async () => {
    const raw = new Uint8Array(readFileSync(join(SHARED_EVENTS_DIR, 'evt2_sample.raw')));
    const events = await collectEvents(await openEventStream([raw], 'evt2_sample.raw'));
    const sink = memorySink();
    const w = evt3Writer.create({ width: 640, height: 480 }, sink);
    await w.write(events);
    await w.close();
    const bytes = sink.bytes();
    const wasm = await read(bytes, 'wasm', undefined, 1 << 20);
    assert.equal(wasm.error, null);
    assert.deepEqual(wasm, await read(bytes, 'js', undefined, 1 << 20));
    assert.deepEqual(wasm.events, events);
  });

  const word32 = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(0, 1, 1, 0, 8, 0xa, 0xe), fc.integer({ min: 0, max: 0xfffffff })).map(([t, v]) => ((t << 28) | v) >>> 0) },
    { weight: 1, arbitrary: fc.constantFrom(0x8fffffff, 0x80000000, 0x8ffffd8f, 0x80000001) },
  );

  test('EVT 2.0: WebAssembly == JavaScript on random words (clock loops included), odd chunks and batch sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(word32, { maxLength: 3000 }), fc.constantFrom(undefined, 7, 1000), fc.constantFrom(0, 1, 13, 4096), fc.boolean(), async (words, batchSize, chunk, oddTail) => {
        const whole = file(words, HEADER2, 4);
        const bytes = oddTail ? Uint8Array.from([...whole, 1, 2]) : whole;
        const js = await read(bytes, 'js', batchSize, chunk, openEvt2Stream);
        assert.deepEqual(await read(bytes, 'wasm', batchSize, chunk, openEvt2Stream), js);
      }),
      { numRuns: 300 },
    );
  });

  test('.dat: WebAssembly == JavaScript on random events, odd chunks and batch sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 3000 }), fc.constantFrom(undefined, 7, 1000), fc.constantFrom(0, 1, 13, 4096), async (words, batchSize, chunk) => {
        const head = Uint8Array.from([...HEADER_DAT, 12, 8]);
        const bytes = file(words, head, 4); // an odd word count leaves a truncated event
        const js = await read(bytes, 'js', batchSize, chunk, openDatStream);
        assert.deepEqual(await read(bytes, 'wasm', batchSize, chunk, openDatStream), js);
        if (words.length % 2 === 1) assert.match(js.error ?? '', /^truncated@/);
      }),
      { numRuns: 300 },
    );
  });

  test('EVT 2.0 and .dat: WebAssembly == JavaScript on the real samples', { skip: skipWithoutSharedData }, async () => {
    for (const [name, open] of [['evt2_sample.raw', openEvt2Stream], ['ncars_sample.dat', openDatStream]] as const) {
      const bytes = new Uint8Array(readFileSync(join(SHARED_EVENTS_DIR, name)));
      const wasm = await read(bytes, 'wasm', undefined, 1 << 16, open);
      assert.equal(wasm.error, null);
      assert.ok(wasm.events.length > 1000);
      assert.deepEqual(wasm, await read(bytes, 'js', undefined, 1 << 16, open), name);
    }
  });

  test('a kernel handed back by a stream left early or failed starts clean for the next stream', async () => {
    const words = [0x8003, 0x0005, 0x6010, 0x2007, 0x2808, 0x3002, 0x4fff, 0x8004, 0x2001];
    const bytes = file(words);
    const want = await read(bytes, 'js');
    assert.equal(want.events.length, 15);
    for (let k = 0; k < 6; k++) {
      // a stream abandoned after its first batch, one that fails, then a whole one
      for await (const b of await openEvt3Stream(new ByteReader([bytes], 'mem'), { batchSize: 2 })) if (b.length) break;
      assert.match((await read(Uint8Array.from([...bytes, 0]), 'wasm')).error ?? '', /^truncated@/);
      assert.deepEqual(await read(bytes, 'wasm', 4), want);
    }
  });
}
