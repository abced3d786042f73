import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { batchFrom, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents } from '../../src-engine/events/stream';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { CSV_MAX_LINE_BYTES, csvReader, csvWriter } from '../../src-engine/formats/csv/csv';
import { EventFormatError } from '../../src-engine/formats/errors';
import type { ReadOptions } from '../../src-engine/formats/types';
import { memorySink } from '../../src-engine/node/file-io';
import { compareWithTruth, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.slice(o, o + size));
  return out;
}

async function readCsv(text: string | Uint8Array, opts: ReadOptions = {}, chunkSize = 1 << 20) {
  const bytes = typeof text === 'string' ? enc(text) : text;
  const stream = await csvReader.open(new ByteReader(chunks(bytes, chunkSize), 'events.csv'), opts);
  return { info: stream.info, events: await collectEvents(stream) };
}

function rows(b: EventBatch): number[][] {
  return Array.from({ length: b.length }, (_, i) => [b.t[i], b.x[i], b.y[i], b.p[i]]);
}

async function assertFormatError(p: Promise<unknown>, kind: string, offset: number, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EventFormatError, `not an EventFormatError: ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.offset, offset, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

async function writeCsv(batches: EventBatch[]): Promise<Uint8Array> {
  const sink = memorySink();
  const w = csvWriter.create({ width: 640, height: 480 }, sink);
  for (const b of batches) await w.write(b);
  await w.close();
  return sink.bytes();
}

/** Deterministic random events (mulberry32). */
function randomEvents(seed: number, n: number, t0: number): EventBatch {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  let now = t0;
  for (let i = 0; i < n; i++) {
    now += Math.floor(rnd() * 30);
    t.push(now);
    x.push(Math.floor(rnd() * 65536));
    y.push(Math.floor(rnd() * 65536));
    p.push(rnd() < 0.5 ? 1 : 0);
  }
  return batchFrom(t, x, y, p);
}

describe('csv detect', () => {
  test('accepts a known header or four numbers as the first significant line', () => {
    for (const text of [
      't,x,y,p\n1,2,3,1\n',
      'timestamp x y polarity\n',
      '"x";"y";"ts";"on";"label"\r\n',
      '\ufeff# recorded with a DAVIS346\n\n  # another comment\n0.000000000 33 39 1\n',
      '12,3,4,0',
      '1.5e-3\t1\t2\t-1\n',
    ]) {
      assert.equal(csvReader.detect(enc(text)), true, JSON.stringify(text));
    }
  });

  test('refuses other files, and never throws', () => {
    for (const bytes of [
      enc(''),
      enc('# only a comment\n'),
      enc('1,2,3\n'),
      enc('t,x,y\n'),
      enc('name,value\nfoo,1\n'),
      enc('% evt 2.0\n% end\n'),
      Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0]),
      Uint8Array.from([...enc('#!AER-DAT2.0\r\n#x\r\n'), 0, 0, 1, 2, 0, 0, 0, 9]),
      Uint8Array.from([1, 2, 3, 4, 0x0a]),
      enc('1,,2,3\n'),
    ]) {
      assert.equal(csvReader.detect(bytes), false, JSON.stringify(dec(bytes)));
    }
  });
});

describe('csv reader', () => {
  test('no header: t,x,y,p; commas, blanks or semicolons; comments, blank lines, CRLF, no final newline', async () => {
    const text = '# comment\r\n\r\n1,2,3,1\r\n  2 4\t5 0\n# mid comment\n3 ; 6 ; 7 ; 1\n   \n4, 8, 9, -1';
    for (const size of [1, 3, 1 << 20]) {
      const { info, events } = await readCsv(text, {}, size);
      assert.deepEqual(rows(events), [[1, 2, 3, 1], [2, 4, 5, 0], [3, 6, 7, 1], [4, 8, 9, 0]], `chunk ${size}`);
      assert.equal(info.meta.header, false);
      assert.equal(info.width, 0);
      assert.equal(info.meta.geometry, 'unknown');
    }
  });

  test('a header decides the column order; other columns are ignored; names in any case, quoted', async () => {
    const text = '\ufeff"Polarity";"label";"Y";"X";"timestamp"\n1;7;2;3;100\n0;8;4;5;200\n';
    const { info, events } = await readCsv(text, { width: 8, height: 6 }, 4);
    assert.deepEqual(rows(events), [[100, 3, 2, 1], [200, 5, 4, 0]]);
    assert.equal(info.meta.header, true);
    assert.deepEqual(info.meta.columns, ['polarity', 'label', 'y', 'x', 'timestamp']);
    assert.equal(info.width, 8);
    assert.equal(info.meta.geometry, 'from options');
  });

  test('polarity forms: ±1, 0/1, true/false, 1.0; x and y written as floats with a zero fraction', async () => {
    const { events } = await readCsv('t,x,y,p\n1,2.0,3.,-1\n2,2,3,1\n3,2,3,True\n4,2,3,false\n5,2,3,1.0\n6,2,3,0.0\n7,2,3,+5\n');
    assert.deepEqual(events.p.length, 7);
    assert.deepEqual([...events.p], [0, 1, 1, 0, 1, 0, 1]);
    assert.deepEqual([...events.x], [2, 2, 2, 2, 2, 2, 2]);
  });

  test('t with a decimal point or exponent is seconds, converted exactly with rounding (RPG events.txt)', async () => {
    const text = [
      '0.000000000 33 39 1', // t = 0 decides nothing
      '0.000001000 1 1 0',
      '0.0000015 1 1 0', // 1.5 µs rounds up
      '0.0000014999 1 1 0',
      '1468939993.067416 1 1 0', // Unix seconds: exact, no binary rounding
      '1.5e-3 1 1 1',
      '2 1 1 1', // an integer after seconds rows is seconds
      '7E+0 1 1 1',
      '9007199254.740991 1 1 1', // 2^53 − 1 µs
    ].join('\n');
    const { events } = await readCsv(text, {}, 5);
    assert.deepEqual([...events.t], [0, 1, 2, 1, 1468939993067416, 1500, 2_000_000, 7_000_000, Number.MAX_SAFE_INTEGER]);
  });

  test('the one-pass row parser and the general one agree (seconds with rounding, integer µs)', async () => {
    const fracs = ['000000', '000001', '4999999', '5', '0000005', '0000004999', '9999995', '123456789', ''];
    const secs: string[] = [];
    for (let i = 0; i < 200; i++) secs.push(`${i % 3 === 0 ? 1468939993 + i : i}.${fracs[i % fracs.length]} ${i} ${i * 3} ${i & 1}`);
    const ints = Array.from({ length: 200 }, (_, i) => `${1_600_000_000_000_000 + i * 37},${i},${i * 3},${i & 1}`);
    for (const lines of [secs, ints]) {
      const fast = await readCsv(lines.join('\n'), {}, 97);
      // a header in another order sends every row through the general parser
      const permuted = lines.map((l) => {
        const [t, x, y, p] = l.split(/[ ,]/);
        return `${x};${p};${t};${y}`;
      });
      const general = await readCsv(`x;p;t;y\n${permuted.join('\n')}`, {}, 97);
      assert.deepEqual(rows(fast.events), rows(general.events));
      assert.equal(fast.events.length, 200);
    }
    const { events } = await readCsv(secs.slice(0, 9).join('\n'));
    assert.deepEqual([...events.t], [1468939993000000, 1000001, 2500000, 1468939996500000, 4000001, 5000000, 1468940000000000, 7123457, 8000000]);
  });

  test('a zero first t decides no unit; the first integer t makes the file microseconds', async () => {
    assert.deepEqual([...(await readCsv('0 1 1 1\n0.5 1 1 1\n')).events.t], [0, 500000]);
    assert.deepEqual([...(await readCsv('0 1 1 1\n5 1 1 1\n6 1 1 1\n')).events.t], [0, 5, 6]);
    const text = '10,1,1,1\n11.5,1,1,1\n';
    await assertFormatError(readCsv(text), 'corrupt', text.indexOf('11.5'), /line 2: t 11\.5 is in seconds but earlier rows gave integer microseconds/);
  });

  test('large timestamps: Unix µs fine, beyond 2^53 unsupported', async () => {
    assert.deepEqual([...(await readCsv('1700000000123456,1,2,1\n')).events.t], [1700000000123456]);
    const text = 't,x,y,p\n1,1,1,1\n9007199254740993,1,1,1\n';
    await assertFormatError(readCsv(text), 'unsupported', text.indexOf('9007199254740993'), /line 3: t 9007199254740993 is beyond 2\^53/);
    const secs = '1 1 1 1\n'.replace('1 1 1 1', '0.5 1 1 1') + '99999999999.5 1 1 1\n';
    await assertFormatError(readCsv(secs), 'unsupported', secs.indexOf('99999999999.5'), /line 2/);
  });

  test('bad lines name the line number and the byte offset of the bad field', async () => {
    const head = '# c\nt,x,y,p\n1,2,3,1\n';
    // [line, column of the offending byte, kind, message]
    const cases: [string, number, string, RegExp][] = [
      ['2,abc,3,1', 2, 'corrupt', /line 4: x 'abc' is not an integer 0…65535/],
      ['2,70000,3,1', 2, 'corrupt', /x '70000'/],
      ['2,1,-3,1', 4, 'corrupt', /y '-3'/],
      ['2,1,1.5,1', 4, 'corrupt', /y '1\.5'/],
      ['2,1,3,on', 6, 'corrupt', /polarity 'on' is not a number or true\/false/],
      ['2x,1,3,1', 0, 'corrupt', /t '2x' is not a number/],
      ['2,1,3', 0, 'corrupt', /line 4: 3 fields, expected 4 \(t,x,y,p\)/],
      ['2,1,3,1,5', 0, 'corrupt', /5 fields, expected 4/],
      ['2,,3,1', 2, 'corrupt', /line 4: empty field/],
      ['2,1,3,1,', 7, 'corrupt', /empty field after the last separator/],
    ];
    for (const [line, col, kind, pattern] of cases) {
      const text = `${head}${line}\n5,5,5,5\n`;
      await assertFormatError(readCsv(text, {}, 7), kind, head.length + col, pattern);
    }
  });

  test('a first line that is neither a header nor numbers fails when opened', async () => {
    const text = '# hi\ntime,col,row,sign\n1,2,3,4\n';
    await assertFormatError(csvReader.open(ByteReader.fromBytes(enc(text))), 'corrupt', 5, /line 2: neither a header naming t, x, y, p nor 4 numbers: no column for t, x, y, p/);
    await assertFormatError(csvReader.open(ByteReader.fromBytes(enc('t,x,x,y,p\n'))), 'corrupt', 0, /two columns for x/);
    await assertFormatError(csvReader.open(ByteReader.fromBytes(enc('1 2 3 a\n'))), 'corrupt', 0, /nor 4 numbers/);
  });

  test('an endless line is refused (constant memory)', async () => {
    const long = `t,x,y,p\n1,2,3,1\n${'9'.repeat(CSV_MAX_LINE_BYTES + 10)}`;
    await assertFormatError(readCsv(long, {}, 4096), 'limit', 16, /line 3 is longer than/);
  });
});

describe('csv writer', () => {
  test('header t,x,y,p then integer rows', async () => {
    const bytes = await writeCsv([batchFrom([0, 12, 1700000000123456, Number.MAX_SAFE_INTEGER, -5], [0, 65535, 7, 1, 2], [9, 0, 480, 2, 3], [1, 0, 1, 0, 1])]);
    assert.equal(dec(bytes), 't,x,y,p\n0,0,9,1\n12,65535,0,0\n1700000000123456,7,480,1\n9007199254740991,1,2,0\n-5,2,3,1\n');
    assert.equal(dec(await writeCsv([])), 't,x,y,p\n');
    await assert.rejects(writeCsv([batchFrom([0.5], [0], [0], [0])]), RangeError);
  });

  test('round trip of random events in odd chunk and batch sizes', async () => {
    const a = randomEvents(1, 3000, 1_600_000_000_000_000);
    const b = randomEvents(2, 5, 1_600_000_000_100_000);
    const bytes = await writeCsv([a, b]);
    assert.equal(csvReader.detect(bytes.subarray(0, 65536)), true);
    for (const [chunk, batchSize] of [[1 << 20, 65536], [1, 7], [4093, 1], [33, 3004]]) {
      const { events, info } = await readCsv(bytes, { batchSize }, chunk);
      assert.deepEqual(rows(events), [...rows(a), ...rows(b)], `chunk ${chunk}`);
      assert.equal(info.meta.header, true);
    }
  });
});

describe('csv with the real N-CARS recording', { skip: skipWithoutSharedData }, () => {
  /** Prophesee .dat (OpenEB dat_tools): '%' header lines, type and size bytes, then u32 t, u32 x|y<<14|p<<28. */
  function decodeDat(bytes: Uint8Array): EventBatch {
    let o = 0;
    while (bytes[o] === 0x25) o = bytes.indexOf(0x0a, o) + 1;
    o += 2;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
    for (; o + 8 <= bytes.length; o += 8) {
      const w = dv.getUint32(o + 4, true);
      t.push(dv.getUint32(o, true));
      x.push(w & 0x3fff);
      y.push((w >>> 14) & 0x3fff);
      p.push((w >>> 28) & 1);
    }
    return batchFrom(t, x, y, p);
  }

  test('written as CSV, and as RPG-style seconds text, it reads back to the ground truth', async () => {
    const truth = loadTruth('ncars_sample.dat');
    const events = decodeDat(new Uint8Array(readFileSync(sharedPath('ncars_sample.dat'))));
    assert.deepEqual(compareWithTruth(events, truth), []);
    const csv = await writeCsv([events]);
    assert.deepEqual(compareWithTruth((await readCsv(csv, {}, 999)).events, truth), []);
    // 'timestamp x y polarity' with t in seconds, 9 decimals, as in the RPG datasets' events.txt
    let text = '';
    for (let i = 0; i < events.length; i++) {
      const t = events.t[i];
      text += `${Math.floor(t / 1e6)}.${String(t % 1e6).padStart(6, '0')}000 ${events.x[i]} ${events.y[i]} ${events.p[i]}\n`;
    }
    assert.deepEqual(compareWithTruth((await readCsv(text, {}, 4096)).events, truth), []);
  });
});
