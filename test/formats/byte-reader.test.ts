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
