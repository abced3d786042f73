import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { batchFrom, concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents } from '../../src-engine/events/stream';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';
import { evt2Reader } from '../../src-engine/formats/prophesee/evt2';
import { evt3Reader, evt3Writer } from '../../src-engine/formats/prophesee/evt3';
import type { FormatReader, FormatWriter, ReadOptions, WriterInfo } from '../../src-engine/formats/types';
import { memorySink } from '../../src-engine/node/file-io';
import { compareWithTruth, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';

// ---- helpers -------------------------------------------------------------

const HEADER = '% evt 3.0\n% format EVT3;width=1280;height=720\n% end\n';
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const u16le = (words: number[]) => new Uint8Array(Uint16Array.from(words).buffer);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const raw3 = (words: number[], header = HEADER) => concat(ascii(header), u16le(words));

// EVT 3.0 words
const TH = (h: number) => 0x8000 | h;
const TL = (l: number) => 0x6000 | l;
const Y = (y: number, slave = 0) => (slave << 11) | y;
const EM_Y = (y: number) => 0x1000 | y;
const X = (x: number, p: number) => 0x2000 | (p << 11) | x;
const BASE = (x: number, p: number) => 0x3000 | (p << 11) | x;
const V12 = (m: number) => 0x4000 | m;
const V8 = (m: number) => 0x5000 | m;
const TRIGGER = (value: number, id: number) => 0xa000 | (id << 8) | value;
const IMU = 0xd123;
const OTHERS = 0xe014;
const CONT12 = (v: number) => 0xf000 | v;
const CONT4 = (v: number) => 0x7000 | v;

function* chunksOf(b: Uint8Array, size: number): Generator<Uint8Array> {
  for (let o = 0; o < b.length; o += size) yield b.subarray(o, o + size);
}

async function decode(reader: FormatReader, bytes: Uint8Array, opts: ReadOptions = {}, chunk = 0) {
  const src = chunk > 0 ? new ByteReader(chunksOf(bytes, chunk), 'mem') : ByteReader.fromBytes(bytes, 'mem');
  const stream = await reader.open(src, opts);
  const batches: EventBatch[] = [];
  for await (const b of stream) batches.push(b);
  return { info: stream.info, batches, events: concatBatches(batches) };
}

const rows = (b: EventBatch) => Array.from({ length: b.length }, (_, i) => [b.t[i], b.x[i], b.y[i], b.p[i]]);

async function encode(writer: FormatWriter, info: WriterInfo, parts: EventBatch[]): Promise<Uint8Array> {
  const sink = memorySink();
  const w = writer.create(info, sink);
  for (const b of parts) await w.write(b);
  await w.close();
  return sink.bytes();
}

function assertSameEvents(got: EventBatch, want: EventBatch) {
  assert.equal(got.length, want.length, 'event count');
  for (let i = 0; i < want.length; i++) {
    if (got.t[i] !== want.t[i] || got.x[i] !== want.x[i] || got.y[i] !== want.y[i] || got.p[i] !== want.p[i]) {
      assert.fail(`event ${i}: got ${JSON.stringify(rows(got)[i])}, want ${JSON.stringify(rows(want)[i])}`);
    }
  }
}

async function rejectsWith(p: Promise<unknown>, kind: string, offset: number, reason?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EventFormatError, `not an EventFormatError: ${String(e)}`);
    assert.equal(e.kind, kind);
    assert.equal(e.offset, offset);
    if (reason) assert.match(e.reason, reason);
    return true;
  });
}

/** xorshift32, so the random cases are reproducible */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

/** Sorted events with same-time rows of neighbouring pixels (vector material) and big time jumps. */
function randomEvents(seed: number, n: number, width: number, height: number, t0: number, jump: number): EventBatch {
  const r = rng(seed);
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  let now = t0;
  while (t.length < n) {
    const k = r(6);
    if (k === 0) now += r(jump);
    else if (k < 4) now += r(50);
    if (r(3) === 0) {
      // a row: same t, y, p, rising x with gaps
      const yy = r(height), pp = r(2);
      let xx = r(width);
      for (let m = 1 + r(40); m > 0 && xx < width && t.length < n; m--, xx += 1 + r(3)) {
        t.push(now), x.push(xx), y.push(yy), p.push(pp);
      }
    } else {
      t.push(now), x.push(r(width)), y.push(r(height)), p.push(r(2));
    }
  }
  return batchFrom(t, x, y, p);
}

function splitRandomly(b: EventBatch, seed: number): EventBatch[] {
  const r = rng(seed);
  const out: EventBatch[] = [];
  for (let o = 0; o < b.length; ) {
    const n = Math.min(b.length - o, r(3000));
    out.push(batchFrom(b.t.subarray(o, o + n), b.x.subarray(o, o + n), b.y.subarray(o, o + n), b.p.subarray(o, o + n)));
    o += n;
  }
  return out;
}

/** Where the words start in one of our files (after "% end\n"). */
const bodyOffset = (file: Uint8Array) => Buffer.from(file).indexOf('% end\n') + 6;
const bodyWords = (file: Uint8Array) => new Uint16Array(file.slice(bodyOffset(file)).buffer);

function wordTypes(file: Uint8Array): Map<number, number> {
  const words = bodyWords(file);
  const hist = new Map<number, number>();
  for (const w of words) hist.set(w >>> 12, (hist.get(w >>> 12) ?? 0) + 1);
  return hist;
}

// ---- hand-built word sequences --------------------------------------------

test('EVT3: every word type, as OpenEB decodes it', async () => {
  const words = [
    Y(5), X(1, 1), TL(3), // before the first TIME_HIGH: dropped
    TH(2),
    X(9, 1), // no ADDR_Y yet: not a CD event
    TL(100), Y(10), X(20, 1), X(21, 0),
    TRIGGER(1, 3), IMU, OTHERS, CONT12(0x123), CONT12(0x456), CONT4(1), // not CD events
    Y(11, 1), // the master/slave bit is not part of y
    X(30, 0),
    BASE(100, 1), V12(0b100000000101), V8(0b10000001), V12(0), V8(1), // gaps, an empty vector
    EM_Y(3), X(40, 1), V12(1), // exposure-measurement events are not CD events
    Y(12), X(41, 1),
  ];
  const { events, info } = await decode(evt3Reader, raw3(words));
  const t = 2 * 4096 + 100;
  assert.deepEqual(rows(events), [
    [t, 20, 10, 1], [t, 21, 10, 0], [t, 30, 11, 0],
    [t, 100, 11, 1], [t, 102, 11, 1], [t, 111, 11, 1], [t, 112, 11, 1], [t, 119, 11, 1], [t, 132, 11, 1],
    [t, 41, 12, 1],
  ]);
  assert.equal(info.format, 'evt3');
  assert.equal(info.width, 1280);
  assert.equal(info.height, 720);
});

test('EVT3: a TIME_LOW going backwards is not a clock loop', async () => {
  const words = [TH(5), Y(0), TL(100), X(1, 0), TL(90), X(2, 0), TL(4095), X(3, 0), TL(0), X(4, 0)];
  const { events } = await decode(evt3Reader, raw3(words));
  assert.deepEqual([...events.t], [5 * 4096 + 100, 5 * 4096 + 90, 5 * 4096 + 4095, 5 * 4096]);
});

test('EVT3: the 24-bit clock loops when TIME_HIGH falls by (4095 - 10) or more', async () => {
  const wrap = await decode(evt3Reader, raw3([TH(4095), Y(1), TL(4000), X(1, 0), TH(0), TL(5), X(2, 0), TH(1), X(3, 0)]));
  assert.deepEqual([...wrap.events.t], [4095 * 4096 + 4000, 2 ** 24 + 5, 2 ** 24 + 4096]);
  // OpenEB's threshold: MaxTimestampBase - LoopThreshold = (4095 - 10) * 4096 µs
  const atThreshold = await decode(evt3Reader, raw3([TH(4085), Y(0), X(1, 0), TH(0), X(2, 0)]));
  assert.deepEqual([...atThreshold.events.t], [4085 * 4096, 2 ** 24]);
  const below = await decode(evt3Reader, raw3([TH(4084), Y(0), X(1, 0), TH(0), X(2, 0)]));
  assert.deepEqual([...below.events.t], [4084 * 4096, 0], 'a smaller fall is time going back, not a loop');
  const twice = await decode(evt3Reader, raw3([TH(4095), TH(0), TH(4095), TH(0), TL(7), Y(0), X(1, 1)]));
  assert.deepEqual([...twice.events.t], [2 * 2 ** 24 + 7]);
});

test('EVT3: a repeated TIME_HIGH keeps the time low, a new one resets it', async () => {
  const { events } = await decode(evt3Reader, raw3([TH(7), TL(50), Y(0), TH(7), X(1, 0), TH(8), X(2, 0)]));
  assert.deepEqual([...events.t], [7 * 4096 + 50, 8 * 4096]);
});

test('EVT3: vectors need a VECT_BASE_X; VECT_12/VECT_8 advance the base by 12/8', async () => {
  const { events } = await decode(evt3Reader, raw3([TH(0), Y(3), V12(1), BASE(8, 0), V8(0xff), V12(0x801), X(5, 1)]));
  assert.deepEqual(
    rows(events).map((r) => r[1]),
    [8, 9, 10, 11, 12, 13, 14, 15, 16, 27, 5],
  );
  assert.deepEqual(
    rows(events).map((r) => r[3]),
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
  );
});

test('EVT3: a file of words but no TIME_HIGH has no events', async () => {
  const { events } = await decode(evt3Reader, raw3([Y(1), TL(3), X(1, 1), BASE(0, 1), V12(0xfff)]));
  assert.equal(events.length, 0);
});

test('EVT3: an odd trailing byte is a truncated word at its offset', async () => {
  const bytes = concat(raw3([TH(1), Y(2), X(3, 1)]), Uint8Array.of(0x20));
  await rejectsWith(decode(evt3Reader, bytes), 'truncated', HEADER.length + 6, /2-byte EVT 3\.0 word/);
  // the events before it were delivered first
  const stream = await evt3Reader.open(ByteReader.fromBytes(bytes, 'mem'));
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  assert.equal((first.value as EventBatch).length, 1);
  await assert.rejects(it.next(), EventFormatError);
});

test('EVT3: an EVT 2.0 or EVT 2.1 header is refused naming the header line', async () => {
  await rejectsWith(evt3Reader.open(ByteReader.fromBytes(ascii('% date x\n% evt 2.0\n% end\n'), 'f.raw')), 'unsupported', 9, /EVT2/);
  await rejectsWith(evt3Reader.open(ByteReader.fromBytes(ascii('% format EVT21;width=1;height=1\n'), 'f.raw')), 'unsupported', 0, /EVT21/);
});

test('EVT3: a file without any header is read as EVT 3.0 with unknown geometry', async () => {
  const { events, info } = await decode(evt3Reader, u16le([TH(1), Y(2), X(3, 1)]));
  assert.deepEqual(rows(events), [[4096, 3, 2, 1]]);
  assert.equal(info.width, 0);
  assert.equal(info.meta.geometry, 'unknown');
});

// ---- streaming and batches ----------------------------------------------

test('EVT3: 7-byte chunks and small batches give the same events as one chunk', async () => {
  const ev = randomEvents(7, 5000, 640, 480, 16_000_000, 400_000);
  const file = await encode(evt3Writer, { width: 640, height: 480 }, [ev]);
  const whole = await decode(evt3Reader, file);
  assertSameEvents(whole.events, ev);
  for (const [chunk, batchSize] of [[7, 1000], [1, 5], [4096, 1]] as const) {
    const part = await decode(evt3Reader, file, { batchSize }, chunk);
    assertSameEvents(part.events, ev);
    part.batches.slice(0, -1).forEach((b) => assert.equal(b.length, batchSize, 'every batch but the last is full'));
    assert.ok(part.batches[part.batches.length - 1].length <= batchSize);
  }
});

// ---- writer -------------------------------------------------------------

test('EVT3 writer: random events round-trip, written in pieces, through clock loops', async () => {
  for (const [seed, t0, jump] of [
    [1, 0, 5_000],
    [2, 2 ** 24 - 30_000, 3_000_000], // crosses the 24-bit loop several times
    [3, 3 * 2 ** 24 + 77, 60_000_000], // starts in loop 3, jumps over whole loops
  ]) {
    const ev = randomEvents(seed, 20_000, 1280, 720, t0, jump);
    const file = await encode(evt3Writer, { width: 1280, height: 720 }, splitRandomly(ev, seed));
    const back = await decode(evt3Reader, file);
    assertSameEvents(back.events, ev);
    assert.equal(back.info.width, 1280);
    const types = wordTypes(file);
    assert.ok((types.get(4) ?? 0) > 0 && (types.get(5) ?? 0) > 0, 'rows were written as vectors');
    assert.equal((types.get(4) ?? 0) % 2, 0, 'vectors are VECT_12 + VECT_12 + VECT_8 triplets');
    assert.equal(types.get(4), 2 * (types.get(5) ?? 0));
  }
});

test('EVT3 writer: vectors stay inside the width (OpenEB drops base + 32 > width)', async () => {
  // a full row at the right edge of a 100-pixel sensor
  const n = 20;
  const ev = batchFrom(new Array(n).fill(500), Array.from({ length: n }, (_, i) => 80 + i), new Array(n).fill(3), new Array(n).fill(1));
  const file = await encode(evt3Writer, { width: 100, height: 10 }, [ev]);
  const base = [...bodyWords(file)].find((w) => w >>> 12 === 3);
  assert.equal(base, BASE(68, 1), 'base moved left to 100 - 32');
  assertSameEvents((await decode(evt3Reader, file)).events, ev);
  // narrower than one vector: ADDR_X only
  const narrow = await encode(evt3Writer, { width: 20, height: 10 }, [batchFrom(new Array(n).fill(1), Array.from({ length: n }, (_, i) => i), new Array(n).fill(0), new Array(n).fill(0))]);
  assert.equal(wordTypes(narrow).get(4), undefined);
  assert.equal(wordTypes(narrow).get(2), n);
});

test('EVT3 writer: header, empty file, and refusals', async () => {
  const empty = await encode(evt3Writer, { width: 1280, height: 720, source: 'unit\ntest' }, []);
  const text = new TextDecoder().decode(empty);
  assert.equal(text, '% evt 3.0\n% format EVT3;width=1280;height=720\n% geometry 1280x720\n% source unit test\n% end\n');
  assert.ok(evt3Reader.detect(empty));
  assert.ok(!evt2Reader.detect(empty));
  const back = await decode(evt3Reader, empty);
  assert.equal(back.events.length, 0);
  assert.equal(back.info.meta.source, 'unit test');

  const w = evt3Writer.create({ width: 64, height: 64 }, memorySink());
  await assert.rejects(w.write(batchFrom([10, 9], [0, 0], [0, 0], [0, 0])), RangeError);
  const w2 = evt3Writer.create({ width: 64, height: 64 }, memorySink());
  await w2.write(batchFrom([10], [0], [0], [0]));
  await assert.rejects(w2.write(batchFrom([9], [0], [0], [0])), /time 9 is not an integer ≥ the previous 10/);
  await assert.rejects(evt3Writer.create({ width: 64, height: 64 }, memorySink()).write(batchFrom([1.5], [0], [0], [0])), RangeError);
  await assert.rejects(evt3Writer.create({ width: 64, height: 64 }, memorySink()).write(batchFrom([1], [64], [0], [0])), /outside the 64x64 sensor/);
  assert.throws(() => evt3Writer.create({ width: 4096, height: 64 }, memorySink()), RangeError);
  // Unix-epoch microseconds would need ~10^8 clock loops spelled out: refused, not 400 MB of TIME_HIGH words
  await assert.rejects(evt3Writer.create({ width: 64, height: 64 }, memorySink()).write(batchFrom([1.7e15], [0], [0], [0])), /loops of the 24-bit clock/);
  assert.deepEqual(evt3Writer.extensions, ['.evt3']);
});

/**
 * A model of OpenEB's HAL EVT3Decoder with its BasicCheckValidator
 * (hal/cpp/include/metavision/hal/decoders/evt3/evt3_decoder.h), which the
 * Metavision SDK uses to read files. It differs from the standalone decoder:
 * VECT_12 always starts a VECT_12 + VECT_12 + VECT_8 triplet, dropped unless
 * a VECT_BASE_X came first and base + 32 ≤ width; ADDR_Y keeps bit 11 and
 * events with y ≥ height are dropped; the clock loops when TIME_HIGH falls by
 * 2048 or more. Our writer's files must read the same through it.
 */
function halEvt3Decode(words: Uint16Array, width: number, height: number): number[][] {
  const out: number[][] = [];
  const state = new Array(16).fill(0);
  let isCd = false, isValid = false, hasVectBase = false;
  let high = 0, low = 0, loop = 0;
  let i = 0;
  while (i < words.length && words[i] >>> 12 !== 8) i++;
  if (i === words.length) return out;
  high = words[i] & 0xfff;
  if (high > 0) high--;
  const time = () => loop * 2 ** 24 + high * 4096 + low;
  while (i < words.length) {
    const w = words[i], type = w >>> 12, content = w & 0xfff;
    if (type === 2) {
      if (isValid) out.push([time(), w & 0x7ff, state[0], (w >>> 11) & 1]);
      i++;
    } else if (type === 4) {
      if (i + 3 > words.length) break;
      if (isValid) {
        const base = state[3] & ~0x800;
        if (!hasVectBase || base + 32 > width) hasVectBase = false;
        else {
          const mask = (words[i] & 0xfff) | ((words[i + 1] & 0xfff) << 12) | ((words[i + 2] & 0xff) << 24);
          for (let b = 0; b < 32; b++) if ((mask >>> b) & 1) out.push([time(), base + b, state[0], (state[3] >>> 11) & 1]);
        }
        state[3] += 32;
      }
      i += 3;
    } else if (type === 8) {
      loop += high >= 2048 + content ? 1 : 0;
      low = high === content ? low : 0;
      high = content;
      i++;
    } else {
      state[type] = content;
      isCd = type >= 2 ? isCd : type === 0;
      isValid = isCd && state[0] < height;
      if (type === 6) low = content;
      if (type === 3) hasVectBase = true;
      i++;
    }
  }
  return out;
}

test('EVT3 writer: OpenEB\'s HAL decoder (modelled) reads our files the same', async () => {
  for (const [seed, t0, jump, width, height] of [
    [4, 0, 5_000, 1280, 720],
    [5, 2 ** 24 - 50_000, 9_000_000, 640, 480],
    [6, 100, 1000, 40, 30],
  ]) {
    const ev = randomEvents(seed, 20_000, width, height, t0, jump);
    const file = await encode(evt3Writer, { width, height }, splitRandomly(ev, seed));
    assert.deepEqual(halEvt3Decode(bodyWords(file), width, height), rows(ev));
  }
});

// ---- real recordings ----------------------------------------------------

test('EVT3 writer: the EVT 2.0 sample written as EVT 3.0 reads back bit for bit', { skip: skipWithoutSharedData }, async () => {
  const truth = loadTruth('evt2_sample.raw');
  const sample = readFileSync(sharedPath('evt2_sample.raw'));
  const { events, info } = await decode(evt2Reader, sample);
  const file = await encode(evt3Writer, info, splitRandomly(events, 5));
  const back = await decode(evt3Reader, file);
  assert.deepEqual(compareWithTruth(back.events, truth), []);
  assert.equal(back.info.width, 640);
  assert.equal(back.info.height, 480);
  const prefix = file.subarray(0, 300_000);
  assertSameEvents((await decode(evt3Reader, prefix, {}, 7)).events, (await decode(evt3Reader, prefix)).events);
  assert.ok(file.length < sample.length, `EVT 3.0 (${file.length} B) is more compact than EVT 2.0 (${sample.length} B)`);
});
