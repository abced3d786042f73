import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectEvents } from '../../src-engine/events/stream';
import { openEventFile } from '../../src-engine/node/open-file';
import { compareWithTruth, loadTruth, SHARED_FILES, sharedPath, skipWithoutSharedData } from '../support/shared-data';

const BIN = join(import.meta.dirname, '../../bin/neurolive.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'neurolive-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

for (const file of SHARED_FILES) {
  test(`info --json ${file} matches the ground truth`, { skip: skipWithoutSharedData }, () => {
    const truth = loadTruth(file);
    const r = cli('info', sharedPath(file), '--json');
    assert.equal(r.code, 0, r.err);
    const info = JSON.parse(r.out);
    assert.equal(info.format, truth.format);
    assert.equal(info.count, truth.count);
    assert.deepEqual(info.first, truth.first[0]);
    assert.deepEqual(info.last, truth.last[truth.last.length - 1]);
    assert.equal(info.tFirst, truth.first[0][0]);
    assert.equal(info.tLast, truth.last[truth.last.length - 1][0]);
    if (truth.width != null) {
      assert.equal(info.width, truth.width);
      assert.equal(info.height, truth.height);
      assert.equal(info.geometry, 'header');
    } else {
      // no geometry in the file: inferred from the data
      assert.equal(info.width, truth.max_x + 1);
      assert.equal(info.height, truth.max_y + 1);
      assert.equal(info.geometry, 'inferred');
    }
    assert.equal(info.durationUs, info.tLast - info.tFirst);
  });
}

test('info prints a readable summary', { skip: skipWithoutSharedData }, () => {
  const r = cli('info', sharedPath('dvs128_walking.aedat'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /format\s+aedat2/);
  assert.match(r.out, /sensor\s+128 × 128/);
  assert.match(r.out, /events\s+19,182/);
});

// Every writer, from a real recording and back: the events must survive exactly.
for (const ext of ['aedat4', 'npy', 'csv', 'evt3', 'evt2', 'dat', 'aedat2', 'aedat3']) {
  test(`convert dvs128_walking.aedat → .${ext} → .aedat4 keeps every event`, { skip: skipWithoutSharedData }, async () => {
    const truth = loadTruth('dvs128_walking.aedat');
    const mid = join(tmp, `walk.${ext}`);
    const back = join(tmp, `walk-from-${ext}.aedat4`);
    let r = cli('convert', sharedPath('dvs128_walking.aedat'), mid);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /19,182 events, 128×128/);
    r = cli('convert', mid, back);
    assert.equal(r.code, 0, r.err);
    const events = await collectEvents(await openEventFile(back));
    assert.deepEqual(compareWithTruth(events, truth), []);
  });
}

test('a corrupt file gives exit code 2 and names the byte offset', () => {
  const bad = join(tmp, 'bad.aedat4');
  writeFileSync(bad, Buffer.concat([Buffer.from('#!AER-DAT4.0\r\n'), Buffer.from([0xff, 0xff, 0, 0, 1, 2])]));
  const r = cli('info', bad);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.aedat4: aedat4 \w+ at byte \d+: /);
});

test('an unknown format is refused with a clear message', () => {
  const junk = join(tmp, 'junk.bin');
  writeFileSync(junk, Buffer.from('this is not an event file\x00\x01\x02'));
  const r = cli('info', junk);
  assert.equal(r.code, 2);
  assert.match(r.err, /junk\.bin: events unknown-format at byte 0: header matches no supported format/);
});

test('convert refuses an output extension it cannot write, and leaves nothing behind', { skip: skipWithoutSharedData }, () => {
  const out = join(tmp, 'x.mp4');
  const r = cli('convert', sharedPath('ncars_sample.dat'), out);
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot tell the output format from .*x\.mp4/);
  assert.equal(existsSync(out), false);
});

test('usage errors exit 64 and print the usage', () => {
  const r = cli('info');
  assert.equal(r.code, 64);
  assert.match(r.err, /Usage:/);
  assert.equal(cli('frobnicate').code, 64);
});

void readFileSync;

test('dataset keywords without the speech tools: one line naming the Debian package, exit 69 (unavailable), no stack trace', () => {
  const empty = mkdtempSync(join(tmpdir(), 'neurolive-nopath-'));
  const r = spawnSync(process.execPath, [BIN, 'dataset', 'keywords', '--out', join(tmp, 'kw-nopath'), '--tiny'], { encoding: 'utf8', env: { ...process.env, PATH: empty } });
  assert.equal(r.status, 69, r.stderr);
  assert.match(r.stderr, /^neurolive: (espeak-ng|flite|sox): not found on PATH — install the Debian package '(espeak-ng|flite|sox)'/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
