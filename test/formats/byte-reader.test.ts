import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';

const chunks = (...parts: number[][]) => parts.map((p) => Uint8Array.from(p));

test('readExact spans chunks and tracks the absolute offset', async () => {
  const r = new ByteReader(chunks([1, 2], [3], [4, 5, 6]), 'mem');
  assert.deepEqual([...(await r.readExact(4, 'x'))], [1, 2, 3, 4]);
  assert.equal(r.offset, 4);
  assert.deepEqual([...(await r.readExact(2, 'y'))], [5, 6]);
  assert.equal(await r.atEnd(), true);
});

test('a truncated read names the source, offset and what was read', async () => {
  const r = new ByteReader(chunks([1, 2, 3]), 'f.bin', 'testfmt');
  await r.readExact(1, 'a');
  await assert.rejects(r.readExact(8, 'packet header'), (e: unknown) => {
    assert.ok(e instanceof EventFormatError);
    assert.equal(e.kind, 'truncated');
    assert.equal(e.offset, 1);
    assert.match(e.message, /f\.bin: testfmt truncated at byte 1: packet header: needs 8 bytes, file ends after 2/);
    return true;
  });
});

test('readLine returns lines with their newline and the unterminated tail', async () => {
  const r = new ByteReader(chunks([0x61, 0x0a, 0x62], [0x63, 0x0a, 0x64]), 'mem');
  const dec = (u: Uint8Array | null) => (u ? new TextDecoder().decode(u) : null);
  assert.equal(dec(await r.readLine()), 'a\n');
  assert.equal(dec(await r.readLine()), 'bc\n');
  assert.equal(dec(await r.readLine()), 'd');
  assert.equal(await r.readLine(), null);
});

test('readLine refuses an endless line', async () => {
  const r = new ByteReader(chunks(new Array(100).fill(0x41)), 'mem');
  await assert.rejects(r.readLine(10), /limit at byte 0: header line longer than 10 bytes/);
});

test('nextAligned yields whole words and carries partial ones across chunks', async () => {
  const r = new ByteReader(chunks([1, 2, 3], [4, 5], [6, 7, 8, 9]), 'mem');
  const seen: number[][] = [];
  for (let b = await r.nextAligned(4); b; b = await r.nextAligned(4)) seen.push([...b]);
  assert.deepEqual(seen.flat(), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const s of seen) assert.equal(s.length % 4, 0);
  assert.equal(r.buffered, 1);
  assert.equal(r.offset, 8);
});

test('skip past the end is a truncation error', async () => {
  const r = new ByteReader(chunks([1, 2]), 'mem');
  await assert.rejects(r.skip(5, 'table'), /truncated at byte 2: table: 3 bytes missing/);
});

test('a partial word is stitched with only the head of the next chunk; the rest is read in place', async () => {
  const big = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff);
  const r = new ByteReader([Uint8Array.from([1, 2, 3]), big], 'mem');
  const first = await r.nextAligned(8);
  assert.deepEqual([...first!], [1, 2, 3, 0, 1, 2, 3, 4]);
  assert.equal(first!.buffer.byteLength, 8, 'only the 8 bytes of the straddling word are copied');
  const second = await r.nextAligned(8);
  assert.equal(second!.buffer, big.buffer, 'the rest of the chunk is a view, not a copy');
  assert.equal(second!.byteOffset, 5);
  assert.equal(second!.length, 4088);
  assert.equal(r.offset, 8 + 4088);
  assert.equal(r.buffered, 3);
  assert.deepEqual([...(await r.readExact(3, 'tail'))], [253, 254, 255]);
  assert.equal(await r.atEnd(), true);
});

test('fill joins many small chunks once and keeps the rest for later reads', async () => {
  const parts = Array.from({ length: 50 }, (_, k) => Uint8Array.from({ length: 7 }, (_, i) => (k * 7 + i) & 0xff));
  const r = new ByteReader(parts, 'mem');
  await r.readExact(2, 'a');
  assert.equal(await r.fill(100), 100);
  assert.deepEqual([...r.peek(3)], [2, 3, 4]);
  const all = await r.readExact(348, 'rest');
  assert.deepEqual([...all], Array.from({ length: 348 }, (_, i) => (i + 2) & 0xff));
  assert.equal(r.offset, 350);
  assert.equal(await r.readLine(), null);
  await assert.rejects(r.skip(1, 'past the end'), /truncated at byte 350/);
});

test('readLine and skip work across part-stitched chunks', async () => {
  const text = new TextEncoder().encode('% a\n% bb\nXYZ');
  const r = new ByteReader([text.subarray(0, 3), text.subarray(3, 10), text.subarray(10)], 'mem');
  assert.equal(await r.fill(5), 5); // stitches 2 bytes of the second chunk
  const dec = (u: Uint8Array | null) => (u ? new TextDecoder().decode(u) : null);
  assert.equal(dec(await r.readLine()), '% a\n');
  assert.equal(dec(await r.readLine()), '% bb\n');
  await r.skip(1, 'X');
  assert.equal(dec(await r.readLine()), 'YZ');
  assert.equal(r.offset, 12);
});

test('nextAligned with maxBytes hands out at most that many bytes, in whole words', async () => {
  const r = ByteReader.fromBytes(Uint8Array.from({ length: 100 }, (_, i) => i));
  const sizes: number[] = [];
  for (let b = await r.nextAligned(8, 30); b; b = await r.nextAligned(8, 30)) sizes.push(b.length);
  assert.deepEqual(sizes, [24, 24, 24, 24]);
  assert.equal(r.buffered, 4);
  const tiny = ByteReader.fromBytes(new Uint8Array(16));
  assert.equal((await tiny.nextAligned(8, 3))!.length, 8, 'at least one word');
});
