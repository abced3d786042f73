import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { batchFrom, type EventBatch } from '../../src-engine/events/batch';
import { collectEvents } from '../../src-engine/events/stream';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';
import { encodeNpy, encodeNpyHeader, NPY_MAX_HEADER_BYTES, parseNpyHeader } from '../../src-engine/formats/numpy/npy';
import { NPY_FORTRAN_MAX_EVENTS, npyReader, npyWriter, type PatchableSink } from '../../src-engine/formats/numpy/npy-events';
import type { ReadOptions } from '../../src-engine/formats/types';
import { memorySink } from '../../src-engine/node/file-io';
import { compareWithTruth, eventsSha256, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';

// ---------- helpers ----------

/** Deterministic random events (sorted t, runs of equal t, both polarities); mulberry32. */
function randomEvents(seed: number, n: number, width: number, height: number): EventBatch {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  let now = Math.floor(rnd() * 1e6);
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.7) now += Math.floor(rnd() * (rnd() < 0.05 ? 5000 : 40));
    t.push(now);
    x.push(Math.floor(rnd() * width));
    y.push(Math.floor(rnd() * height));
    p.push(rnd() < 0.5 ? 1 : 0);
  }
  return batchFrom(t, x, y, p);
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** A .npy prefix + header text as given (no padding added), version 1.0 unless told. */
function npyHead(text: string, major = 1): Uint8Array {
  const body = major === 3 ? new TextEncoder().encode(text) : latin1(text);
  const lenSize = major === 1 ? 2 : 4;
  const pre = new Uint8Array(8 + lenSize);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(pre.buffer);
  if (major === 1) dv.setUint16(8, body.length, true);
  else dv.setUint32(8, body.length, true);
  return concat(pre, body);
}

type Code = '<i8' | '>i8' | '<u8' | '<i4' | '>u4' | '<u4' | '<i2' | '>i2' | '<u2' | '>u2' | '|u1' | '|i1' | '|b1' | '<f4' | '<f8' | '>f8';

/** Records with fields [code, offset]; rows give one value per field. */
function pack(fields: readonly (readonly [Code, number])[], itemsize: number, rows: readonly (readonly number[])[]): Uint8Array {
  const out = new Uint8Array(rows.length * itemsize);
  const dv = new DataView(out.buffer);
  rows.forEach((row, i) => {
    fields.forEach(([code, off], k) => {
      const o = i * itemsize + off;
      const v = row[k];
      const le = code[0] === '<';
      switch (code.slice(1)) {
        case 'i8': dv.setBigInt64(o, BigInt(v), le); break;
        case 'u8': dv.setBigUint64(o, BigInt(v), le); break;
        case 'i4': dv.setInt32(o, v, le); break;
        case 'u4': dv.setUint32(o, v, le); break;
        case 'i2': dv.setInt16(o, v, le); break;
        case 'u2': dv.setUint16(o, v, le); break;
        case 'u1': case 'b1': dv.setUint8(o, v); break;
        case 'i1': dv.setInt8(o, v); break;
        case 'f4': dv.setFloat32(o, v, le); break;
        case 'f8': dv.setFloat64(o, v, le); break;
      }
    });
  });
  return out;
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.slice(o, o + size));
  return out;
}

async function readNpy(bytes: Uint8Array, opts: ReadOptions = {}, chunkSize = 1 << 20) {
  const stream = await npyReader.open(new ByteReader(chunks(bytes, chunkSize), 'test.npy'), opts);
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

function assertThrowsFormat(f: () => unknown, kind: string, offset: number, pattern?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof EventFormatError, `not an EventFormatError: ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.offset, offset, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

async function writeNpy(batches: EventBatch[], sink = memorySink()): Promise<Uint8Array> {
  const w = npyWriter.create({ width: 640, height: 480 }, sink);
  for (const b of batches) await w.write(b);
  await w.close();
  return sink.bytes();
}

const EVENTS_HEADER_TEXT = (n: number) =>
  `{'descr': [('t', '<i8'), ('x', '<u2'), ('y', '<u2'), ('p', '|u1')], 'fortran_order': False, 'shape': (${n},), }`;

// ---------- header encoding ----------

describe('encodeNpyHeader', () => {
  test('writes the bytes np.save writes (events dtype, 3 records)', () => {
    // numpy 2.x, np.save(f, np.zeros(3, dtype=[('t','<i8'),('x','<u2'),('y','<u2'),('p','u1')])):
    // 10-byte prefix, 182-byte header: dict + 20 growth spaces + padding + '\n'
    const h = encodeNpyHeader([['t', '<i8'], ['x', '<u2'], ['y', '<u2'], ['p', 'u1']], [3]);
    const text = EVENTS_HEADER_TEXT(3);
    const expected = concat(latin1('\x93NUMPY\x01\x00\xb6\x00'), latin1(text), latin1(' '.repeat(182 - text.length - 1)), latin1('\n'));
    assert.deepEqual(h, expected);
    assert.equal(h.length, 192);
  });

  test('simple dtypes: canonical spelling, shapes, Fortran flag, 64-byte alignment', () => {
    const cases: [string, number[], boolean, string][] = [
      ['<f4', [2, 3], false, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"],
      ['?', [5], false, "{'descr': '|b1', 'fortran_order': False, 'shape': (5,), }"],
      ['u1', [], false, "{'descr': '|u1', 'fortran_order': False, 'shape': (), }"],
      ['>i8', [4, 7], true, "{'descr': '>i8', 'fortran_order': True, 'shape': (4, 7), }"],
    ];
    for (const [descr, shape, f, text] of cases) {
      const h = encodeNpyHeader(descr, shape, f);
      assert.equal(h.length % 64, 0, descr);
      const hlen = h[8] | (h[9] << 8);
      assert.equal(hlen, h.length - 10);
      const str = String.fromCharCode(...h.subarray(10));
      assert.ok(str.startsWith(text), `${descr}: ${str}`);
      assert.equal(str.at(-1), '\n');
      assert.match(str.slice(text.length, -1), /^ *$/);
      const parsed = parseNpyHeader(h);
      assert.deepEqual(parsed.shape, shape);
      assert.equal(parsed.fortranOrder, f);
      assert.equal(parsed.headerLength, h.length);
    }
  });

  test('the header length does not depend on the count (room for 21 digits), so it can be patched in place', () => {
    const f: [string, string][] = [['t', '<i8'], ['x', '<u2'], ['y', '<u2'], ['p', '|u1']];
    const lengths = [0, 9, 123456789, Number.MAX_SAFE_INTEGER].map((n) => encodeNpyHeader(f, [n]).length);
    assert.deepEqual(new Set(lengths), new Set([192]));
  });

  test('version 2.0 when the header outgrows 64 KiB, 3.0 for names beyond latin-1', () => {
    const many = Array.from({ length: 5000 }, (_, i) => [`f${i}`, '<i4'] as [string, string]);
    const h2 = encodeNpyHeader(many, [1]);
    assert.deepEqual([h2[6], h2[7]], [2, 0]);
    assert.equal(h2.length % 64, 0);
    const p2 = parseNpyHeader(h2);
    assert.equal(p2.descr.kind === 'struct' && p2.descr.fields.length, 5000);
    assert.deepEqual(p2.version, [2, 0]);

    const h3 = encodeNpyHeader([['名', '<i4'], ["it's", '<u2']], [2]);
    assert.deepEqual([h3[6], h3[7]], [3, 0]);
    const p3 = parseNpyHeader(h3);
    assert.ok(p3.descr.kind === 'struct');
    assert.deepEqual(p3.descr.fields.map((x) => x.name), ['名', "it's"]);

    const h1 = encodeNpyHeader([['é', '<i4']], [2]);
    assert.deepEqual([h1[6], h1[7]], [1, 0]); // latin-1 fits 1.0, as numpy writes it
    const p1 = parseNpyHeader(h1);
    assert.ok(p1.descr.kind === 'struct' && p1.descr.fields[0].name === 'é');
  });

  test('rejects what is not a dtype or a shape', () => {
    assert.throws(() => encodeNpyHeader('<x9', [1]), RangeError);
    assert.throws(() => encodeNpyHeader('<f4', [-1]), RangeError);
    assert.throws(() => encodeNpyHeader('<f4', [1.5]), RangeError);
    assert.throws(() => encodeNpyHeader([], [1]), RangeError);
  });
});

describe('encodeNpy', () => {
  test('descr per typed array, little-endian data after a 64-byte aligned header', () => {
    const cases: [Parameters<typeof encodeNpy>[0], string][] = [
      [Uint8Array.from([1, 2, 255, 0, 7, 9]), '|u1'],
      [Uint16Array.from([1, 2, 65535, 0, 7, 9]), '<u2'],
      [Int16Array.from([-1, 2, -32768, 0, 7, 9]), '<i2'],
      [Int32Array.from([-1, 2, 2 ** 31 - 1, 0, 7, 9]), '<i4'],
      [Float32Array.from([0.5, -2, 3.25, 0, 7, 9]), '<f4'],
      [Float64Array.from([0.1, -2, 1e300, 0, 7, 9]), '<f8'],
    ];
    for (const [data, descr] of cases) {
      const file = encodeNpy(data, [2, 3]);
      const h = parseNpyHeader(file);
      assert.equal(h.headerLength % 64, 0);
      assert.ok(h.descr.kind === 'scalar');
      assert.equal(h.descr.str, descr);
      assert.deepEqual(h.shape, [2, 3]);
      assert.equal(h.fortranOrder, false);
      assert.equal(file.length, h.headerLength + data.byteLength);
      const back = new (data.constructor as any)(file.slice(h.headerLength).buffer);
      assert.deepEqual([...back], [...data]);
    }
  });

  test('refuses a shape that does not match the array', () => {
    assert.throws(() => encodeNpy(new Float32Array(6), [4, 2]), /holds 8 elements, the array has 6/);
  });
});

// ---------- header parsing ----------

describe('parseNpyHeader', () => {
  test('structured dtype in another order, widths and byte orders, with padding and titles', () => {
    const text =
      "{'descr': [('x', '>i2'), ('', '|V2'), (('a title', 'ts'), '<u8'), ('polarity', '?'), ('y', 'u1'), ('mat', '<f4', (2, 3))], 'fortran_order': False, 'shape': (7,), }   \n";
    const h = parseNpyHeader(npyHead(text));
    assert.ok(h.descr.kind === 'struct');
    assert.deepEqual(
      h.descr.fields.map((f) => [f.name, f.offset, f.type.kind === 'scalar' ? f.type.str : f.type.kind]),
      [['x', 0, '>i2'], ['ts', 4, '<u8'], ['polarity', 12, '|b1'], ['y', 13, '|u1'], ['mat', 14, 'subarray']],
    );
    assert.equal(h.descr.fields[1].title, 'a title');
    assert.equal(h.descr.itemsize, 14 + 24);
    assert.deepEqual(h.shape, [7]);
    assert.equal(h.headerLength, 10 + text.length);
  });

  test("numpy's dict form, Python 2 spellings (u'', 3L), double quotes and escapes", () => {
    const text =
      "{\"descr\": {'names': ['t', 'p'], 'formats': ['<i8', 'b1'], 'offsets': [8, 0], 'itemsize': 16}, 'fortran_order': False, 'shape': (3L, 4L), }\n";
    const h = parseNpyHeader(npyHead(text));
    assert.ok(h.descr.kind === 'struct');
    assert.deepEqual(h.descr.fields.map((f) => [f.name, f.offset]), [['t', 8], ['p', 0]]);
    assert.equal(h.descr.itemsize, 16);
    assert.deepEqual(h.shape, [3, 4]);
    const h2 = parseNpyHeader(npyHead("{u'descr': [(u'a\\'b\\x41', u'<i4')], 'shape': (), 'fortran_order': True}"));
    assert.ok(h2.descr.kind === 'struct');
    assert.equal(h2.descr.fields[0].name, "a'bA");
    assert.deepEqual(h2.shape, []);
    assert.equal(h2.fortranOrder, true);
  });

  test('type strings numpy accepts: char codes, names, datetime units', () => {
    const str = (d: string) => {
      const h = parseNpyHeader(npyHead(`{'descr': '${d}', 'fortran_order': False, 'shape': (1,)}`));
      assert.ok(h.descr.kind === 'scalar');
      return [h.descr.str, h.descr.itemsize];
    };
    assert.deepEqual(str('?'), ['|b1', 1]);
    assert.deepEqual(str('b'), ['|i1', 1]); // 'b' is int8, 'b1' bool
    assert.deepEqual(str('>H'), ['>u2', 2]);
    assert.deepEqual(str('=q'), ['<i8', 8]);
    assert.deepEqual(str('float32'), ['<f4', 4]);
    assert.deepEqual(str('<U3'), ['<U3', 12]);
    assert.deepEqual(str('<M8[us]'), ['<M8[us]', 8]);
    assert.deepEqual(str('|S0'), ['|S0', 0]);
  });

  test('bad magic: corrupt at the first wrong byte', () => {
    assertThrowsFormat(() => parseNpyHeader(latin1('\x93NUMPX\x01\x00')), 'corrupt', 5, /magic/);
    assertThrowsFormat(() => parseNpyHeader(latin1('PK\x03\x04')), 'corrupt', 0);
  });

  test('unknown version: unsupported at byte 6', () => {
    assertThrowsFormat(() => parseNpyHeader(npyHead("{'descr': '<i4', 'fortran_order': False, 'shape': ()}", 4)), 'unsupported', 6, /version 4\.0/);
  });

  test('truncated prefix or header text: truncated', () => {
    assertThrowsFormat(() => parseNpyHeader(latin1('\x93NUM')), 'truncated', 0);
    assertThrowsFormat(() => parseNpyHeader(latin1('\x93NUMPY\x01\x00\x50')), 'truncated', 8);
    const full = npyHead("{'descr': '<i4', 'fortran_order': False, 'shape': (2,)}");
    assertThrowsFormat(() => parseNpyHeader(full.subarray(0, 30)), 'truncated', 10, /needs 55 bytes, the data ends after 20/);
  });

  test('a declared header beyond the limit: limit, before reading it', () => {
    const pre = latin1('\x93NUMPY\x02\x00\x00\x00\x00\x40'); // 1 GiB
    assertThrowsFormat(() => parseNpyHeader(pre), 'limit', 8, new RegExp(`limit ${NPY_MAX_HEADER_BYTES}`));
  });

  test('malformed dicts: corrupt at the offending byte', () => {
    const at = (text: string, needle: string) => 10 + text.indexOf(needle);
    const cases: [string, string, RegExp][] = [
      ["{'descr': '<i4' 'fortran_order': False, 'shape': ()}", "'fortran", /expected ',' or '}'/],
      ["{'descr': '<i4', 'fortran_order': False, 'shape': (2,)", '', /header ends inside a dict/],
      ["{'descr': '<i4', 'fortran_order': false, 'shape': ()}", 'false', /'false' is not a Python literal/],
      ["{'descr': '<i4', 'fortran_order': False, 'shape': (2.5,)}", '2.5', /only decimal integers/],
      ["{'descr': '<i4', 'fortran_order': False, 'shape': (3)}", '3)', /shape must be a tuple/],
      ["{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}", '-1', /bad dimension/],
      ["{'descr': '<i4', 'fortran_order': 0, 'shape': ()}", "0, 'shape", /fortran_order must be True or False/],
      ["{'descr': '<i4', 'fortran_order': False, 'shape': (), 'extra': 1}", "'extra'", /unexpected key/],
      ["{'descr': '<i4', 'shape': ()}", '{', /lacks fortran_order/],
      ["{'descr': '<i4', 'fortran_order': False, 'shape': ()} x", 'x', /after the header literal/],
      ["{'descr': '<i4, 'fortran_order': False, 'shape': ()}", "fortran_order': False", /expected ',' or '}'/],
      ["{'descr': [('a', '<i4'), ('a', '<u2')], 'fortran_order': False, 'shape': ()}", "'a', '<u2'", /appears twice/],
      ["{'descr': [('a',)], 'fortran_order': False, 'shape': ()}", "('a',)", /a field must be/],
      ["['descr']", '[', /not a dict/],
    ];
    for (const [text, needle, pattern] of cases) {
      const offset = needle === '' ? 10 + text.length : at(text, needle);
      assertThrowsFormat(() => parseNpyHeader(npyHead(text)), 'corrupt', offset, pattern);
    }
  });

  test('an unknown type string is unsupported, at the string', () => {
    const text = "{'descr': [('t', '<q9')], 'fortran_order': False, 'shape': ()}";
    assertThrowsFormat(() => parseNpyHeader(npyHead(text)), 'unsupported', 10 + text.indexOf("'<q9'"), /'<q9'/);
  });

  test('nesting is bounded', () => {
    const deep = '['.repeat(100) + ']'.repeat(100);
    assertThrowsFormat(() => parseNpyHeader(npyHead(`{'descr': ${deep}, 'fortran_order': False, 'shape': ()}`)), 'corrupt', 10 + 10 + 32, /nested deeper/);
  });
});

// ---------- event reader ----------

const T_FIELDS = (n: number) => `'fortran_order': False, 'shape': (${n},), }`;

describe('npy event reader', () => {
  test('detect: the magic of a version we read', () => {
    assert.equal(npyReader.detect(encodeNpy(new Uint8Array(4), [4])), true);
    assert.equal(npyReader.detect(latin1('\x93NUMPY\x09\x00')), false);
    assert.equal(npyReader.detect(latin1('\x93NUMP')), false);
    assert.equal(npyReader.detect(latin1('t,x,y,p\n1,2,3,1\n')), false);
  });

  test("tonic's dtype: int64 fields x, y, t, p", async () => {
    const data = [[3, 4, 100, 1], [639, 479, 2 ** 40, 0], [0, 0, 2 ** 40 + 5, 1]];
    const file = concat(
      npyHead(`{'descr': [('x', '<i8'), ('y', '<i8'), ('t', '<i8'), ('p', '<i8')], ${T_FIELDS(3)}`),
      pack([['<i8', 0], ['<i8', 8], ['<i8', 16], ['<i8', 24]], 32, data),
    );
    const { info, events } = await readNpy(file);
    assert.deepEqual(rows(events), [[100, 3, 4, 1], [2 ** 40, 639, 479, 0], [2 ** 40 + 5, 0, 0, 1]]);
    assert.equal(info.format, 'npy');
    assert.equal(info.width, 0);
    assert.equal(info.meta.geometry, 'unknown');
    assert.deepEqual(info.meta.fields, { t: 't', x: 'x', y: 'y', p: 'p' });
  });

  test('big-endian, other names, bool polarity, extra fields, geometry from options', async () => {
    const data = [[7, 1, 70000, 1, 2], [8, 65535, 70001, 0, 3]];
    const file = concat(
      npyHead(`{'descr': [('label', '|u1'), ('X', '>u2'), ('timestamp', '>u4'), ('polarity', '|b1'), ('y', '>i2')], ${T_FIELDS(2)}`),
      pack([['|u1', 0], ['>u2', 1], ['>u4', 3], ['|b1', 7], ['>i2', 8]], 10, data),
    );
    const { info, events } = await readNpy(file, { width: 346, height: 260 });
    assert.deepEqual(rows(events), [[70000, 1, 2, 1], [70001, 65535, 3, 0]]);
    assert.equal(info.width, 346);
    assert.equal(info.meta.geometry, 'from options');
    assert.deepEqual(info.meta.fields, { t: 'timestamp', x: 'X', y: 'y', p: 'polarity' });
  });

  test('±1 polarity, float fields (float t is µs), datetime64[us] time', async () => {
    const data = [[1.0, 2, 3, -1], [2e9, 4, 5, 1], [3, 6, 7, 0]];
    const file = concat(
      npyHead(`{'descr': [('ts', '<f8'), ('x', '<f4'), ('y', '<i4'), ('on', '|i1')], ${T_FIELDS(3)}`),
      pack([['<f8', 0], ['<f4', 8], ['<i4', 12], ['|i1', 16]], 17, data),
    );
    const { events } = await readNpy(file);
    assert.deepEqual(rows(events), [[1, 2, 3, 0], [2e9, 4, 5, 1], [3, 6, 7, 0]]);

    const dt = concat(npyHead(`{'descr': [('t', '<M8[us]'), ('x', '<u2'), ('y', '<u2'), ('p', '|u1')], ${T_FIELDS(1)}`), pack([['<i8', 0], ['<u2', 8], ['<u2', 10], ['|u1', 12]], 13, [[1_700_000_000_000_000, 1, 2, 1]]));
    assert.deepEqual(rows((await readNpy(dt)).events), [[1_700_000_000_000_000, 1, 2, 1]]);
  });

  test('2-D (N, 4) tables in C and Fortran order', async () => {
    const data = [[10, 1, 2, 1], [20, 3, 4, 0], [30, 5, 6, -1]];
    const c = concat(npyHead(`{'descr': '<i4', 'fortran_order': False, 'shape': (3, 4), }`), pack(Array.from({ length: 4 }, (_, k) => ['<i4', 4 * k] as const), 16, data));
    const cRead = await readNpy(c, {}, 5);
    assert.deepEqual(rows(cRead.events), [[10, 1, 2, 1], [20, 3, 4, 0], [30, 5, 6, 0]]);
    assert.equal(cRead.info.meta.layout, 'rows (C order)');

    const columnMajor = [0, 1, 2, 3].flatMap((k) => data.map((r) => [r[k]]));
    const f = concat(npyHead(`{'descr': '>f8', 'fortran_order': True, 'shape': (3, 4), }`), pack([['>f8', 0]], 8, columnMajor));
    for (const size of [3, 7, 1 << 20]) {
      const fRead = await readNpy(f, { batchSize: 2 }, size);
      assert.deepEqual(rows(fRead.events), [[10, 1, 2, 1], [20, 3, 4, 0], [30, 5, 6, 0]]);
      assert.equal(fRead.info.meta.layout, 'columns (Fortran order)');
    }
  });

  test('a Fortran-order table beyond the limit is refused when opened', async () => {
    const n = NPY_FORTRAN_MAX_EVENTS + 1;
    const file = npyHead(`{'descr': '<i8', 'fortran_order': True, 'shape': (${n}, 4), }`);
    await assertFormatError(npyReader.open(ByteReader.fromBytes(file)), 'limit', 8, /Fortran-order.*read whole/);
  });

  test('arrays that are not event tables: unsupported', async () => {
    const cases: [string, RegExp][] = [
      [`{'descr': [('t', '<i8'), ('x', '<u2'), ('p', '|u1')], ${T_FIELDS(0)}`, /without a y field/],
      [`{'descr': '<i8', 'fortran_order': False, 'shape': (5, 3), }`, /\(N, 4\) table/],
      [`{'descr': [('t', '<i8'), ('x', '<u2'), ('y', '<U2'), ('p', '|u1')], ${T_FIELDS(0)}`, /field 'y' has type <U2/],
      [`{'descr': [('t', '<M8[ns]'), ('x', '<u2'), ('y', '<u2'), ('p', '|u1')], ${T_FIELDS(0)}`, /only microsecond/],
      [`{'descr': [('t', '<i8'), ('x', '<u2', (2,)), ('y', '<u2'), ('p', '|u1')], ${T_FIELDS(0)}`, /not a number/],
    ];
    for (const [text, pattern] of cases) await assertFormatError(npyReader.open(ByteReader.fromBytes(npyHead(text))), 'unsupported', 8, pattern);
  });

  test('bad values name the event and its byte offset', async () => {
    const head = npyHead(`{'descr': [('t', '<f8'), ('x', '<i4'), ('y', '<u2'), ('p', '|u1')], ${T_FIELDS(3)}`);
    const fields = [['<f8', 0], ['<i4', 8], ['<u2', 12], ['|u1', 14]] as const;
    const file = (data: number[][]) => concat(head, pack(fields, 15, data));
    const start = head.length;
    await assertFormatError(readNpy(file([[1, 1, 1, 1], [2.5, 1, 1, 1], [3, 1, 1, 1]])), 'corrupt', start + 15, /event 1 of 3: t = 2\.5 is not a whole number of microseconds/);
    await assertFormatError(readNpy(file([[1, 1, 1, 1], [2, 1, 1, 1], [NaN, 1, 1, 1]])), 'corrupt', start + 30, /t = NaN/);
    await assertFormatError(readNpy(file([[1, 1, 1, 1], [2, 1, 1, 1], [3, 70000, 1, 1]])), 'corrupt', start + 30 + 8, /event 2 of 3: x = 70000 does not fit/);
    await assertFormatError(readNpy(file([[1, -1, 1, 1], [2, 1, 1, 1], [3, 1, 1, 1]])), 'corrupt', start + 8, /x = -1/);
    await assertFormatError(readNpy(file([[2 ** 60, 1, 1, 1], [2, 1, 1, 1], [3, 1, 1, 1]])), 'unsupported', start, /beyond ±2\^53/);
  });

  test('int64 t beyond 2^53 is unsupported (writer layout and generic layout)', async () => {
    const big = [[2 ** 53 + 2, 1, 1, 1]];
    const packed = concat(npyHead(`{'descr': [('t', '<i8'), ('x', '<u2'), ('y', '<u2'), ('p', '|u1')], ${T_FIELDS(1)}`), pack([['<i8', 0], ['<u2', 8], ['<u2', 10], ['|u1', 12]], 13, big));
    await assertFormatError(readNpy(packed), 'unsupported', packed.length - 13, /event 0 of 1/);
    const negative = concat(npyHead(`{'descr': [('t', '>i8'), ('x', '<u2'), ('y', '<u2'), ('p', '|u1')], ${T_FIELDS(1)}`), pack([['>i8', 0], ['<u2', 8], ['<u2', 10], ['|u1', 12]], 13, [[-(2 ** 53), 1, 1, 1]]));
    await assertFormatError(readNpy(negative), 'unsupported', negative.length - 13);
  });

  test('data shorter than the shape says: truncated at the missing record', async () => {
    const events = randomEvents(5, 10, 64, 64);
    const file = await writeNpy([events]);
    const cut = file.subarray(0, file.length - 5);
    await assertFormatError(readNpy(cut, {}, 7), 'truncated', 192 + 9 * 13, /inside event 9 of 10 .* 8 bytes of it present/);
    const fortran = concat(npyHead(`{'descr': '<u2', 'fortran_order': True, 'shape': (3, 4), }`), new Uint8Array(2 * 11));
    await assertFormatError(readNpy(fortran), 'truncated', fortran.length, /element 11 of 12/);
  });

  test('bytes after the array are ignored, as np.load does', async () => {
    const events = randomEvents(6, 20, 64, 64);
    const file = concat(await writeNpy([events]), encodeNpy(new Float32Array(3), [3]));
    assert.deepEqual(rows((await readNpy(file, {}, 11)).events), rows(events));
  });
});

// ---------- writer ----------

describe('npy event writer', () => {
  test('round trip of random events in odd chunk and batch sizes', async () => {
    const a = randomEvents(42, 5000, 1280, 720);
    const b = randomEvents(43, 3, 1280, 720);
    // Unix-epoch µs like AEDAT 4, up to 2^53 − 1
    const c = batchFrom([1_700_000_000_123_456, Number.MAX_SAFE_INTEGER], [65535, 0], [0, 65535], [1, 0]);
    const file = await writeNpy([a, b, c]);
    const h = parseNpyHeader(file);
    assert.deepEqual(h.shape, [5005]);
    assert.equal(h.headerLength, 192);
    assert.equal(file.length, 192 + 5005 * 13);
    for (const [chunk, batchSize] of [[1 << 20, 65536], [13, 100], [7, 1], [4096, 4999]]) {
      const { events } = await readNpy(file, { batchSize }, chunk);
      assert.deepEqual(rows(events), [...rows(a), ...rows(b), ...rows(c)]);
    }
  });

  test('an empty recording is a valid (0,) array', async () => {
    const file = await writeNpy([]);
    assert.deepEqual(file, encodeNpyHeader([['t', '<i8'], ['x', '<u2'], ['y', '<u2'], ['p', '|u1']], [0]));
    assert.equal((await readNpy(file)).events.length, 0);
  });

  test('with a patchable sink it streams and patches the count: same bytes', async () => {
    const events = randomEvents(9, 1000, 64, 64);
    const buffered = await writeNpy([events]);
    let bytes: Uint8Array = new Uint8Array(0);
    let writesBeforeClose = 0;
    const sink: PatchableSink = {
      write(chunk) {
        bytes = concat(bytes, chunk);
        writesBeforeClose++;
      },
      writeAt(offset, chunk) {
        assert.ok(offset + chunk.length <= bytes.length, 'patch beyond the written bytes');
        bytes.set(chunk, offset);
      },
    };
    const w = npyWriter.create({ width: 64, height: 64 }, sink);
    await w.write(events);
    assert.ok(writesBeforeClose >= 2, 'header and records written before close');
    await w.close();
    assert.deepEqual(bytes, buffered);
  });

  test('refuses a non-integer timestamp', async () => {
    const w = npyWriter.create({ width: 8, height: 8 }, memorySink());
    await assert.rejects(w.write(batchFrom([1.5], [0], [0], [0])), RangeError);
  });
});

// ---------- real data ----------

/** Prophesee .dat (OpenEB dat_tools): '%' header lines, type and size bytes, then u32 t, u32 x|y<<14|p<<28. */
function decodeDat(bytes: Uint8Array): EventBatch {
  let o = 0;
  while (bytes[o] === 0x25) o = bytes.indexOf(0x0a, o) + 1;
  o += 2;
  const n = Math.floor((bytes.length - o) / 8);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  for (let i = 0; i < n; i++, o += 8) {
    const w = dv.getUint32(o + 4, true);
    t.push(dv.getUint32(o, true));
    x.push(w & 0x3fff);
    y.push((w >>> 14) & 0x3fff);
    p.push((w >>> 28) & 1);
  }
  return batchFrom(t, x, y, p);
}

describe('npy with the real N-CARS recording', { skip: skipWithoutSharedData }, () => {
  test('the data section of a written .npy is the ground-truth sha256 record stream', async () => {
    const truth = loadTruth('ncars_sample.dat');
    const events = decodeDat(new Uint8Array(readFileSync(sharedPath('ncars_sample.dat'))));
    assert.deepEqual(compareWithTruth(events, truth), []);
    const file = await writeNpy([events]);
    const h = parseNpyHeader(file);
    assert.equal(createHash('sha256').update(file.subarray(h.headerLength)).digest('hex'), truth.sha256);
    const { events: back } = await readNpy(file, {}, 1000);
    assert.deepEqual(compareWithTruth(back, truth), []);
  });
});

// ---------- cross-checks with numpy itself ----------

// Debian's python3 (with python3-numpy, which CI installs), not whatever python3 comes first on PATH.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const skipWithoutNumpy: string | false = hasNumpy ? false : 'python3 with numpy not found: skipping the numpy cross-checks';
if (!hasNumpy) console.log(`# SKIP ${skipWithoutNumpy}`);

describe('npy against numpy', { skip: skipWithoutNumpy }, () => {
  const dir = hasNumpy ? mkdtempSync(join(tmpdir(), 'neurolive-npy-')) : '';
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const python = (script: string): string => {
    const r = spawnSync(PYTHON, ['-c', `import numpy as np, json, hashlib, warnings\nwarnings.simplefilter('ignore')\n${script}`], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
    return r.stdout;
  };

  test('reads what np.save writes: tonic, big-endian, float, bool, ±1, (N,4) C and Fortran, datetime64, versions 2.0/3.0', async () => {
    const expected = JSON.parse(
      python(`
rng = np.random.default_rng(7)
n = 1000
t = np.cumsum(rng.integers(0, 50, n)) + 1_600_000_000_000_000
x = rng.integers(0, 1280, n); y = rng.integers(0, 720, n); p = rng.integers(0, 2, n)
def struct(name, fields, values):
    a = np.zeros(n, dtype=fields)
    for (f, *_), v in zip(fields, values): a[f] = v
    np.save(name, a)
struct('tonic.npy', [('x','<i8'),('y','<i8'),('t','<i8'),('p','<i8')], [x, y, t, p])
struct('be.npy', [('ts','>u8'),('x','>u2'),('y','>i4'),('polarity','?')], [t, x, y, p.astype(bool)])
struct('float.npy', [('timestamp','<f8'),('x','<f4'),('y','<f8'),('p','<f4')], [t, x, y, p * 2 - 1])
struct('pm1.npy', [('t','<i8'),('x','<u2'),('y','<u2'),('on','i1')], [t, x, y, p * 2 - 1])
struct('dt.npy', [('t','<M8[us]'),('x','<u2'),('y','<u2'),('p','u1')], [t.astype('M8[us]'), x, y, p])
struct('v2.npy', [('t','<i8'),('x','<u2'),('y','<u2'),('p','u1')] + [('pad%d' % i, 'u1') for i in range(7000)], [t, x, y, p])
struct('v3.npy', [('t','<i8'),('x','<u2'),('y','<u2'),('p','u1'),('名前','u1')], [t, x, y, p])
rows = np.stack([t, x, y, p], 1)
np.save('c2d.npy', rows.astype('<i8'))
np.save('f2d.npy', np.asfortranarray(rows.astype('<f8')))
np.save('f2d_u2.npy', np.asfortranarray(np.stack([t % 60000, x, y, p], 1).astype('>u2')))
print(json.dumps({'t': t.tolist(), 'x': x.tolist(), 'y': y.tolist(), 'p': p.tolist()}))
`),
    ) as { t: number[]; x: number[]; y: number[]; p: number[] };
    const want = expected.t.map((t, i) => [t, expected.x[i], expected.y[i], expected.p[i]]);
    const files = ['tonic', 'be', 'float', 'pm1', 'dt', 'v2', 'v3', 'c2d', 'f2d'];
    for (const name of files) {
      const bytes = new Uint8Array(readFileSync(join(dir, `${name}.npy`)));
      const { events } = await readNpy(bytes, { batchSize: 300 }, 4093);
      assert.deepEqual(rows(events), want, name);
    }
    const v2 = parseNpyHeader(new Uint8Array(readFileSync(join(dir, 'v2.npy'))));
    assert.deepEqual(v2.version, [2, 0]);
    const v3 = parseNpyHeader(new Uint8Array(readFileSync(join(dir, 'v3.npy'))));
    assert.deepEqual(v3.version, [3, 0]);
    const u2 = await readNpy(new Uint8Array(readFileSync(join(dir, 'f2d_u2.npy'))));
    assert.deepEqual(rows(u2.events), want.map(([t, x, y, p]) => [t % 60000, x, y, p]));
  });

  test('encodeNpyHeader is byte-identical to np.save for many dtypes and shapes', () => {
    const cases: [string | [string, string][], number[], boolean][] = [
      ['<f4', [2, 3], false],
      ['|u1', [0], false],
      ['<i8', [], false],
      ['>f8', [3, 5], true],
      ['?', [7], false],
      ['<u2', [123456789012], false],
      [[['t', '<i8'], ['x', '<u2'], ['y', '<u2'], ['p', '|u1']], [42], false],
      [Array.from({ length: 3000 }, (_, i) => [`field_${i}`, '<i4'] as [string, string]), [2], false],
      [[['名', '<f4'], ['b', '>i2']], [3], false],
    ];
    const spec = JSON.stringify(cases);
    const out = JSON.parse(
      python(`
import io
try:
    from numpy.lib import _format_impl as fmt  # numpy >= 2
except ImportError:
    from numpy.lib import format as fmt
write_header = fmt._write_array_header
cases = json.loads(${JSON.stringify(spec)})
res = []
for descr, shape, fortran in cases:
    dt = np.dtype(descr if isinstance(descr, str) else [tuple(f) for f in descr])
    a = np.lib.stride_tricks.as_strided(np.zeros(1, dt), shape=shape, strides=[0] * len(shape)) if shape else np.zeros((), dt)
    if fortran: a = np.asfortranarray(np.zeros(shape, dt))
    b = io.BytesIO()
    d = np.lib.format.header_data_from_array_1_0(a)
    write_header(b, d, None)
    res.append(b.getvalue().hex())
print(json.dumps(res))
`),
    ) as string[];
    cases.forEach(([descr, shape, fortran], i) => {
      assert.equal(Buffer.from(encodeNpyHeader(descr, shape, fortran)).toString('hex'), out[i], `case ${i}: ${JSON.stringify(descr).slice(0, 60)} ${shape}`);
    });
  });

  test('numpy loads what the writer and encodeNpy write', async () => {
    const events = randomEvents(3, 2000, 640, 480);
    const wide = batchFrom([1_700_000_000_000_000, 2 ** 53 - 1], [1, 2], [3, 4], [1, 0]);
    const file = await writeNpy([events, wide]);
    writeFileSync(join(dir, 'ours.npy'), file);
    const tensors: [string, Parameters<typeof encodeNpy>[0], number[]][] = [
      ['u1', Uint8Array.from({ length: 24 }, (_, i) => i * 10), [2, 3, 4]],
      ['u2', Uint16Array.from({ length: 6 }, (_, i) => 65535 - i), [6]],
      ['i2', Int16Array.from({ length: 6 }, (_, i) => -32768 + i * 1000), [3, 2]],
      ['i4', Int32Array.from({ length: 4 }, (_, i) => -(2 ** 31) + i), [1, 4]],
      ['f4', Float32Array.from({ length: 8 }, (_, i) => i / 3), [2, 2, 2]],
      ['f8', Float64Array.from({ length: 5 }, (_, i) => Math.PI * 10 ** i), [5]],
    ];
    for (const [name, data, shape] of tensors) writeFileSync(join(dir, `tensor_${name}.npy`), encodeNpy(data, shape));
    const out = JSON.parse(
      python(`
a = np.load('ours.npy')
res = {'dtype': str(a.dtype.descr), 'itemsize': a.dtype.itemsize, 'shape': list(a.shape),
       'sha': hashlib.sha256(a.tobytes()).hexdigest(),
       'rows': [[int(r['t']), int(r['x']), int(r['y']), int(r['p'])] for r in a]}
for name in ['u1', 'u2', 'i2', 'i4', 'f4', 'f8']:
    t = np.load('tensor_%s.npy' % name)
    res[name] = {'dtype': t.dtype.str, 'shape': list(t.shape), 'values': t.ravel().tolist()}
print(json.dumps(res))
`),
    );
    assert.equal(out.dtype, "[('t', '<i8'), ('x', '<u2'), ('y', '<u2'), ('p', '|u1')]");
    assert.equal(out.itemsize, 13);
    assert.deepEqual(out.shape, [2002]);
    assert.deepEqual(out.rows, [...rows(events), ...rows(wide)]);
    assert.equal(out.sha, eventsSha256(batchFrom([...events.t, ...wide.t], [...events.x, ...wide.x], [...events.y, ...wide.y], [...events.p, ...wide.p])));
    for (const [name, data, shape] of tensors) {
      assert.equal(out[name].dtype, name === 'u1' ? '|u1' : `<${name}`);
      assert.deepEqual(out[name].shape, shape);
      assert.deepEqual(out[name].values, [...data], name);
    }
  });

  test('numpy hashes a written real recording to the ground truth', { skip: skipWithoutSharedData }, async () => {
    const truth = loadTruth('ncars_sample.dat');
    writeFileSync(join(dir, 'ncars.npy'), await writeNpy([decodeDat(new Uint8Array(readFileSync(sharedPath('ncars_sample.dat'))))]));
    const sha = python(`
rec = np.load('ncars.npy')
assert rec.dtype == np.dtype([('t','<i8'),('x','<u2'),('y','<u2'),('p','u1')])
print(hashlib.sha256(rec.tobytes()).hexdigest())`).trim();
    assert.equal(sha, truth.sha256);
  });
});
