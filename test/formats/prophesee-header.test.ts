// The `%` header shared by the Prophesee readers: keys, geometry as OpenEB
// derives it (psee_raw_file_header.cpp), and which reader claims which header.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteReader } from '../../src-engine/formats/byte-reader';
import { EventFormatError } from '../../src-engine/formats/errors';
import { datReader } from '../../src-engine/formats/prophesee/dat';
import { evt2Reader } from '../../src-engine/formats/prophesee/evt2';
import { evt3Reader } from '../../src-engine/formats/prophesee/evt3';
import { readPercentHeader, scanPercentHeader } from '../../src-engine/formats/prophesee/header';
import type { ReadOptions } from '../../src-engine/formats/types';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

async function infoOf(header: string, opts: ReadOptions = {}) {
  return (await evt3Reader.open(ByteReader.fromBytes(ascii(header), 'h.raw'), opts)).info;
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

test('header lines: "% key value…", "% end" stops a RAW header, a non-"% " line ends it', async () => {
  const text = '% Date 2020-09-25  07:48:29\n% \n% evt 3.0\n%not-a-header\n';
  const src = ByteReader.fromBytes(ascii(text), 'mem');
  const h = await readPercentHeader(src, true);
  assert.deepEqual([...h.fields], [['Date', '2020-09-25 07:48:29'], ['evt', '3.0']]);
  assert.equal(h.lines, 3);
  assert.equal(src.offset, text.indexOf('%not'), 'stops before "%not-a-header"');
  // OpenEB's GenericHeader: "%" not followed by a space is data
  const bare = await readPercentHeader(ByteReader.fromBytes(ascii('% evt 3.0\n%\n% end\n'), 'mem'), true);
  assert.deepEqual([bare.lines, bare.ended], [1, false]);
  const ended = ByteReader.fromBytes(ascii('% evt 3.0\n% end\n% evt 2.0\n'), 'mem');
  const h2 = await readPercentHeader(ended, true);
  assert.equal(h2.ended, true);
  assert.equal(h2.fields.get('evt'), '3.0');
  assert.equal(ended.offset, 16);
  // .dat headers have no "% end": a line "% end" is just a key there
  assert.equal((await readPercentHeader(ByteReader.fromBytes(ascii('% end\n% Width 3\n'), 'mem'), false)).fields.get('Width'), '3');
  // the detection scan agrees
  const scan = scanPercentHeader(ascii('% evt 3.0\n% end\nBINARY'), true);
  assert.equal(scan.dataStart, 16);
  const cut = scanPercentHeader(ascii('% evt 3.0\n% format EV'), true);
  assert.deepEqual([cut.dataStart, cut.fields.get('evt'), cut.lines], [-1, '3.0', 2], 'header cut by the end of the head');
  assert.equal(scanPercentHeader(ascii('% evt 3.0'), true).fields.get('evt'), '3.0', 'a header-only file without a final newline');
});

test('geometry from the format key, the geometry key, system_ID, plugin_name, options', async () => {
  const fmt = await infoOf('% format EVT3;height=720;width=1280\n% end\n');
  assert.deepEqual([fmt.width, fmt.height, fmt.meta.geometry, fmt.meta.geometry_source], [1280, 720, '1280x720', 'format']);
  const geo = await infoOf('% evt 3.0\n% geometry 304x240\n% end\n');
  assert.deepEqual([geo.width, geo.height, geo.meta.geometry_source], [304, 240, 'geometry']);
  const both = await infoOf('% format EVT3;width=640;height=480\n% geometry 640x480\n');
  assert.deepEqual([both.width, both.height, both.meta.geometry_source], [640, 480, 'format']);
  const sys = await infoOf('% evt 3.0\n% system_ID 48\n% integrator_name Prophesee\n');
  assert.deepEqual([sys.width, sys.height, sys.meta.geometry_source], [1280, 720, 'system_ID']);
  const sys40 = await infoOf('% evt 3.0\n% system_ID 40\n'); // EVK3 Gen3.1 EVT3, no integrator: assumed Prophesee
  assert.deepEqual([sys40.width, sys40.height], [640, 480]);
  const plugin = await infoOf('% evt 3.0\n% plugin_name hal_plugin_imx636_evk4\n');
  assert.deepEqual([plugin.width, plugin.height, plugin.meta.geometry_source], [1280, 720, 'plugin_name']);
  // OpenEB ignores the system_ID of another integrator's camera
  const other = await infoOf('% evt 3.0\n% system_ID 48\n% integrator_name Acme\n');
  assert.deepEqual([other.width, other.height, other.meta.geometry], [0, 0, 'unknown']);
  const none = await infoOf('% evt 3.0\n% end\n');
  assert.deepEqual([none.width, none.height, none.meta.geometry, none.meta.geometry_source], [0, 0, 'unknown', 'unknown']);
  const opts = await infoOf('% evt 3.0\n% end\n', { width: 346, height: 260 });
  assert.deepEqual([opts.width, opts.height, opts.meta.geometry_source], [346, 260, 'options']);
  const stated = await infoOf('% format EVT3;width=8;height=9\n', { width: 346, height: 260 });
  assert.deepEqual([stated.width, stated.height], [8, 9], 'the file wins over options');
  assert.equal(none.meta.evt, '3.0', 'header keys are in meta');
});

test('malformed or contradictory geometry is corrupt at its header line', async () => {
  await rejectsWith(infoOf('% evt 3.0\n% geometry 0x480\n'), 'corrupt', 10, /geometry '0x480'/);
  await rejectsWith(infoOf('% evt 3.0\n% geometry wide\n'), 'corrupt', 10);
  await rejectsWith(infoOf('% format EVT3;width=abc;height=720\n'), 'corrupt', 0, /no valid width and height/);
  await rejectsWith(infoOf('% evt 3.0\n% format EVT3;width=1280;height=720\n% geometry 640x480\n'), 'corrupt', 46, /contradicts/);
});

test('formats other than the reader\'s are unsupported, naming the line', async () => {
  await rejectsWith(infoOf('% camera x\n% format EVT21;width=1;height=1\n'), 'unsupported', 11, /EVT21/);
  await rejectsWith(infoOf('% evt 4.0\n'), 'unsupported', 0, /evt 4\.0/);
  await rejectsWith(infoOf('% system_ID 21\n'), 'unsupported', 0, /EVT2/); // a Gen3 camera writes EVT 2.0
});

test('detect: each reader claims only its own header and never throws', () => {
  const cases: [string, Uint8Array, 'evt2' | 'evt3' | 'dat' | null][] = [
    ['evt 2.0', ascii('% evt 2.0\n% end\n'), 'evt2'],
    ['format EVT2', ascii('% format EVT2;width=1;height=1\n% end\n'), 'evt2'],
    ['evt 3.0', ascii('% date x\n% evt 3.0\n'), 'evt3'],
    ['format EVT3', ascii('% format EVT3\n'), 'evt3'],
    ['system_ID only (Gen3 → EVT2)', ascii('% system_ID 21\n'), 'evt2'],
    ['system_ID only (IMX636 → EVT3)', ascii('% system_ID 49\n'), 'evt3'],
    ['EVT 2.1', ascii('% evt 2.1\n% end\n'), null],
    ['dat header', Uint8Array.from([...ascii('% Data file containing Event2D events.\n% Version 2\n'), 0, 8]), 'dat'],
    ['dat header with Height', Uint8Array.from([...ascii('% Height 240\n'), 12, 8]), 'dat'],
    ['text', ascii('t,x,y,p\n1,2,3,1\n'), null],
    ['percent without space', ascii('%evt 3.0\n'), null],
    ['empty', new Uint8Array(0), null],
    ['one byte', Uint8Array.of(0x25), null],
    ['binary', Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff), null],
  ];
  for (const [name, head, want] of cases) {
    const got = [evt2Reader, evt3Reader, datReader].filter((r) => r.detect(head)).map((r) => r.id);
    assert.deepEqual(got, want ? [want] : [], name);
  }
});

test('an endless header line is a limit error, not a hang', async () => {
  const long = new Uint8Array(70_000).fill(0x41);
  long.set(ascii('% '), 0);
  await rejectsWith(evt2Reader.open(ByteReader.fromBytes(long, 'big.raw')), 'limit', 0, /header line longer/);
});
