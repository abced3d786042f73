// The LZ4 and XXH32 code behind AEDAT 4 packets, checked against two
// independent implementations: the lz4js package and the reference `lz4` CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { decodeLz4Block, encodeLz4Block, LZ4_BAD_OFFSET, LZ4_HASH_LOG, LZ4_INPUT_OVERRUN, LZ4_OUTPUT_OVERRUN, lz4BlockBound } from '../../src-engine/formats/aedat4/lz4-block';
import { decodeLz4Frames, Lz4FrameEncoder, OutputBuffer } from '../../src-engine/formats/aedat4/lz4-frame';
import { PayloadError } from '../../src-engine/formats/aedat4/payload-error';
import { xxh32 } from '../../src-engine/formats/aedat4/xxh32';

interface Lz4js {
  compress(src: Uint8Array): Uint8Array;
  decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}
const require = createRequire(import.meta.url);
const lz4js = require('lz4js') as Lz4js;
const lz4jsXxh = require('lz4js/xxh32.js') as { hash(seed: number, src: Uint8Array, index: number, length: number): number };

const hasLz4Cli = spawnSync('lz4', ['--version']).status === 0;
const skipWithoutLz4Cli = hasLz4Cli ? false : 'the lz4 command-line tool is not installed: skipping the reference-decoder cross-checks';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Inputs that exercise every path: random, runs, short repeats (overlapping matches), event-like records, long literals. */
function corpus(): Uint8Array[] {
  const r = rng(7);
  const out: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(1), new Uint8Array(12), new Uint8Array(13).fill(9)];
  for (const n of [1, 5, 11, 12, 13, 16, 17, 31, 64, 100, 1000, 65535, 65536, 65537, 200_000]) {
    const random = new Uint8Array(n).map(() => (r() * 256) | 0);
    const runs = new Uint8Array(n).map((_, i) => ((i / (1 + ((r() * 40) | 0))) | 0) & 3);
    const period = 1 + ((r() * 7) | 0);
    const repeat = new Uint8Array(n).map((_, i) => (i % period) * 17);
    const events = new Uint8Array(n);
    const dv = new DataView(events.buffer);
    let t = 1_600_000_000_000_000;
    for (let o = 0; o + 16 <= n; o += 16) {
      t += (r() * 30) | 0;
      dv.setBigInt64(o, BigInt(t), true);
      dv.setInt16(o + 8, (r() * 320) | 0, true);
      dv.setInt16(o + 10, (r() * 240) | 0, true);
      events[o + 12] = r() < 0.5 ? 1 : 0;
    }
    const mixed = new Uint8Array(n).map((_, i) => ((i >> 9) & 1 ? (r() * 256) | 0 : i & 7));
    out.push(random, runs, repeat, events, mixed);
  }
  return out;
}

const CORPUS = corpus();

test('xxh32 agrees with lz4js on every length from 0 to 100 and with a seed', () => {
  const r = rng(1);
  const b = new Uint8Array(300).map(() => (r() * 256) | 0);
  for (let n = 0; n <= 100; n++) {
    assert.equal(xxh32(b, 3, 3 + n), lz4jsXxh.hash(0, b, 3, n) >>> 0, `length ${n}`);
    assert.equal(xxh32(b, 0, n, 0x9e3779b1), lz4jsXxh.hash(0x9e3779b1, b, 0, n) >>> 0, `seeded, length ${n}`);
  }
  // the specification's published value for no input
  assert.equal(xxh32(new Uint8Array(0)), 0x02cc5d05);
});

test('frames compressed by lz4js decode to the original bytes', () => {
  const out = new OutputBuffer(1 << 26);
  for (const data of CORPUS) {
    const frame = lz4js.compress(data);
    const n = decodeLz4Frames(frame, out);
    assert.equal(n, data.length);
    assert.ok(Buffer.from(out.bytes.subarray(0, n)).equals(data), `${data.length}-byte input`);
  }
});

test('our frames decode with lz4js and with our decoder', () => {
  const enc = new Lz4FrameEncoder();
  const out = new OutputBuffer(1 << 26);
  for (const data of CORPUS) {
    const frame = enc.encode(data).slice();
    assert.ok(Buffer.from(lz4js.decompress(frame, data.length + 16).subarray(0, data.length)).equals(data), `lz4js, ${data.length} bytes`);
    const n = decodeLz4Frames(frame, out);
    assert.ok(Buffer.from(out.bytes.subarray(0, n)).equals(data), `ours, ${data.length} bytes`);
  }
});

test('the encoder compresses repetitive data and keeps the end-of-block rules', () => {
  const table = new Int32Array(1 << LZ4_HASH_LOG);
  for (const data of CORPUS) {
    if (data.length === 0) continue;
    const dst = new Uint8Array(lz4BlockBound(data.length));
    const end = encodeLz4Block(data, 0, data.length, dst, 0, table);
    // walk the sequences: the last match must start ≥ 12 bytes and end ≥ 5 bytes before the block's end
    let s = 0;
    let d = 0;
    let lastMatchStart = -Infinity;
    let lastMatchEnd = -Infinity;
    while (s < end) {
      const token = dst[s++];
      let lit = token >>> 4;
      if (lit === 15) for (let b = 255; b === 255; lit += b) b = dst[s++];
      s += lit;
      d += lit;
      if (s >= end) break;
      s += 2;
      let len = token & 15;
      if (len === 15) for (let b = 255; b === 255; len += b) b = dst[s++];
      lastMatchStart = d;
      d += len + 4;
      lastMatchEnd = d;
    }
    assert.equal(d, data.length);
    assert.ok(data.length - lastMatchStart >= 12, `last match starts ${data.length - lastMatchStart} bytes before the end`);
    assert.ok(data.length - lastMatchEnd >= 5, `last match ends ${data.length - lastMatchEnd} bytes before the end`);
  }
  const zeros = new Uint8Array(65536);
  assert.ok(encodeLz4Block(zeros, 0, zeros.length, new Uint8Array(lz4BlockBound(zeros.length)), 0, table) < 300);
});

function cli(args: string[], input: Uint8Array): Uint8Array {
  const r = spawnSync('lz4', args, { input, maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `lz4 ${args.join(' ')}: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

test('frames from the lz4 CLI decode, for every block size, linked or independent blocks, with checksums and content size', { skip: skipWithoutLz4Cli }, () => {
  const out = new OutputBuffer(1 << 26);
  const data = CORPUS.filter((d) => d.length === 200_000 || d.length === 1000 || d.length === 13);
  const options = [['-B4'], ['-B4', '-BD'], ['-B5', '-BX'], ['-B6', '--content-size'], ['-B7', '-BD', '-BX', '--content-size'], ['-B4', '--no-frame-crc'], ['-9', '-BD']];
  for (const opts of options) {
    for (const d of data) {
      const frame = cli(['-c', '-z', ...opts], d);
      const n = decodeLz4Frames(frame, out);
      assert.ok(n === d.length && Buffer.from(out.bytes.subarray(0, n)).equals(d), `lz4 ${opts.join(' ')} on ${d.length} bytes`);
    }
  }
});

test('the lz4 CLI decodes our frames', { skip: skipWithoutLz4Cli }, () => {
  const enc = new Lz4FrameEncoder();
  for (const d of CORPUS) {
    if (d.length === 0) continue;
    const back = cli(['-c', '-d'], enc.encode(d));
    assert.ok(Buffer.from(back).equals(d), `${d.length} bytes`);
  }
});

test('checksums are verified: a flipped content byte in a CLI frame with block and content checksums is corrupt', { skip: skipWithoutLz4Cli }, () => {
  const d = CORPUS.find((x) => x.length === 1000)!;
  for (const opts of [['-BX', '--no-frame-crc'], ['--frame-crc']]) {
    const frame = cli(['-c', '-z', ...opts], d);
    frame[frame.length - 20] ^= 0x10;
    assert.throws(() => decodeLz4Frames(frame, new OutputBuffer(1 << 20)), (e: unknown) => e instanceof PayloadError && e.kind === 'corrupt' && /checksum|LZ4 block/.test(e.reason));
  }
});

/** A frame (FLG 0x60, 64 KB blocks) around one hand-made compressed block. */
function frameAround(block: number[], flg = 0x60, bd = 0x40): Uint8Array {
  const head = [0x04, 0x22, 0x4d, 0x18, flg, bd];
  const hc = (xxh32(Uint8Array.from(head), 4, 6) >>> 8) & 0xff;
  const n = block.length;
  return Uint8Array.from([...head, hc, n & 0xff, (n >> 8) & 0xff, 0, 0, ...block, 0, 0, 0, 0]);
}

function rejects(frame: Uint8Array, kind: string, reason: RegExp, limit = 1 << 20) {
  assert.throws(
    () => decodeLz4Frames(frame, new OutputBuffer(limit)),
    (e: unknown) => {
      assert.ok(e instanceof PayloadError, String(e));
      assert.equal(e.kind, kind);
      assert.match(e.reason, reason);
      return true;
    },
  );
}

test('corrupt frames and blocks are reported, never thrown as other errors', () => {
  // literal 'abcd', then a match 5 back (before the output start)
  rejects(frameAround([0x40, 97, 98, 99, 100, 5, 0, 0x10, 101]), 'corrupt', /before the start of the output/);
  // offset 0
  rejects(frameAround([0x40, 97, 98, 99, 100, 0, 0, 0x10, 101]), 'corrupt', /before the start/);
  // 5 literals declared, 2 present
  rejects(frameAround([0x50, 1, 2]), 'corrupt', /past the end of the compressed block/);
  // a match whose length extension runs off the block
  rejects(frameAround([0x4f, 1, 2, 3, 4, 4, 0, 255]), 'corrupt', /past the end/);
  // header checksum
  const f = frameAround([0x10, 7]);
  f[6] ^= 1;
  rejects(f, 'corrupt', /header checksum/);
  // block size beyond the frame's maximum (64 KB blocks, 70000-byte block)
  const big = Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0, 0x70, 0x11, 0x01, 0x00]);
  big[6] = (xxh32(big, 4, 6) >>> 8) & 0xff;
  rejects(big, 'corrupt', /exceeds the frame's 65536-byte blocks/);
  // missing end mark, garbage magic, version 2, dictionary, legacy frames
  rejects(frameAround([0x10, 7]).subarray(0, 13), 'corrupt', /end mark/);
  rejects(Uint8Array.of(1, 2, 3, 4, 5), 'corrupt', /magic/);
  rejects(frameAround([0x10, 7], 0xa0), 'unsupported', /version 2/);
  rejects(frameAround([0x10, 7], 0x61), 'corrupt', /cut short|checksum/);
  rejects(Uint8Array.of(0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0), 'unsupported', /legacy/);
  // a 1 KB output limit against a run that decodes to 64 KB
  const run = new Lz4FrameEncoder().encode(new Uint8Array(65536)).slice();
  rejects(run, 'limit', /beyond 1024 bytes/, 1024);
});

test('skippable frames are skipped and concatenated frames decode in order', () => {
  const enc = new Lz4FrameEncoder();
  const a = enc.encode(Uint8Array.of(1, 2, 3)).slice();
  const b = enc.encode(Uint8Array.of(4, 5)).slice();
  const skip = Uint8Array.of(0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9);
  const all = Uint8Array.from([...a, ...skip, ...b]);
  const out = new OutputBuffer(1 << 16);
  const n = decodeLz4Frames(all, out);
  assert.deepEqual([...out.bytes.subarray(0, n)], [1, 2, 3, 4, 5]);
});

test('decodeLz4Block on random bytes returns a position or an error code, within bounds', () => {
  const r = rng(99);
  const dst = new Uint8Array(4096);
  for (let i = 0; i < 5000; i++) {
    const src = new Uint8Array(1 + ((r() * 200) | 0)).map(() => (r() * 256) | 0);
    const dEnd = 100 + ((r() * 3000) | 0);
    const res = decodeLz4Block(src, 0, src.length, dst, 10, dEnd, 10);
    assert.ok(res === LZ4_INPUT_OVERRUN || res === LZ4_OUTPUT_OVERRUN || res === LZ4_BAD_OFFSET || (res >= 10 && res <= dEnd), `result ${res}`);
  }
});

test('near the end of the output room the decoder stops exactly at the limit', () => {
  const data = CORPUS.find((x) => x.length === 1000 && x[0] === 0 && x[1] === 17)!; // a short-period repeat
  const table = new Int32Array(1 << LZ4_HASH_LOG);
  const comp = new Uint8Array(lz4BlockBound(data.length));
  const clen = encodeLz4Block(data, 0, data.length, comp, 0, table);
  const dst = new Uint8Array(data.length);
  assert.equal(decodeLz4Block(comp, 0, clen, dst, 0, data.length, 0), data.length);
  assert.ok(Buffer.from(dst).equals(data));
  assert.equal(decodeLz4Block(comp, 0, clen, new Uint8Array(data.length), 0, data.length - 1, 0), LZ4_OUTPUT_OVERRUN);
});
