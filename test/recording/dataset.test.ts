import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { batchFrom } from '../../src-engine/events/batch';
import { parseGestureLabels } from '../../src-engine/formats/aedat/gesture-labels';
import { openEventFile } from '../../src-engine/node/open-file';
import { assignClassIds, DatasetError, exportDataset, importDataset, type RecordingService } from '../../src-main/recording';
import { parseCsvRows } from '../../src-main/recording/dataset/csv-rows';
import { eventsSha256, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';
import { fixture, takeEvents } from './helpers';

/** label → [events, sha256] of every take, order-independent. */
async function fingerprint(s: RecordingService): Promise<string[]> {
  const out: string[] = [];
  for (const t of s.listTakes()) {
    const e = await takeEvents(s, t.id);
    out.push(`${t.label}|${t.width}x${t.height}|${e.length}|${eventsSha256(e)}`);
  }
  return out.sort();
}

async function seed(s: RecordingService): Promise<void> {
  // two real recordings replayed into the recorder, one synthetic take with a gesture name, one with a label CSV must quote
  for (const [file, label] of [['dvxplorer_sample.aedat4', 'wave'], ['dvs128_walking.aedat', 'walking, slowly']] as const) {
    const src = await openEventFile(sharedPath(file), { reuseBatches: true });
    await s.startRecording({ label }, { sensor: file, width: src.info.width, height: src.info.height });
    for await (const b of src) s.append(b);
    await s.stopRecording();
  }
  await s.addTake({ label: 'Air drums', source: { sensor: 'synthetic', width: 128, height: 128 } }, [batchFrom([5, 6, 7, 1000], [0, 127, 3, 9], [0, 127, 4, 1], [1, 0, 1, 0])]);
}

test('tonic-style export → import gives identical events and labels; numpy reads the same fields and values', { skip: skipWithoutSharedData }, async () => {
  const a = await fixture();
  const b = await fixture();
  try {
    await seed(a.service);
    const want = await fingerprint(a.service);
    assert.equal(want.length, 3);
    const truth = loadTruth('dvxplorer_sample.aedat4');
    assert.ok(want.some((w) => w === `wave|320x240|${truth.count}|${truth.sha256}`), 'the replayed recording was recorded exactly');

    const out = join(a.dir, 'export-tonic');
    const job = exportDataset(a.service, { layout: 'tonic', dir: out });
    const result = await job.done;
    assert.equal(result.takes, 3);
    // progress in events: from 0 to the total of all takes, rising, at most ~100 steps in between
    const mine = a.progress.filter(([id]) => id === job.jobId);
    const total = a.service.listTakes().reduce((n, t) => n + t.events, 0);
    assert.deepEqual(mine[0], [job.jobId, 0, total]);
    assert.deepEqual(mine.at(-1), [job.jobId, total, total]);
    assert.ok(mine.length >= 3 && mine.length <= 103, `${mine.length} reports`);
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i][1] > mine[i - 1][1] && mine[i][2] === total);
    assert.deepEqual(readdirSync(out).sort(), ['0001_wave.npy', '0002_walking-slowly.npy', '0003_air-drums.npy', 'labels.csv', 'meta.json']);
    assert.equal(readFileSync(join(out, 'labels.csv'), 'utf8'), 'filename,label\n0001_wave.npy,wave\n0002_walking-slowly.npy,"walking, slowly"\n0003_air-drums.npy,Air drums\n');
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    assert.deepEqual(meta.sensor_size, [320, 240, 2]);

    const imp = importDataset(b.service, { dir: out });
    const added = await imp.done;
    assert.equal(added.length, 3);
    assert.deepEqual(await fingerprint(b.service), want);
    assert.deepEqual(b.progress.filter(([id]) => id === imp.jobId).at(-1), [imp.jobId, 3, 3]);

    const py = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (py.status !== 0) {
      console.log('# numpy not available: skipping the Python cross-check');
      return;
    }
    const script = `
import hashlib, json, sys, numpy as np
a = np.load(sys.argv[1])
print(json.dumps({"names": list(a.dtype.names), "n": int(a.shape[0]), "t0": int(a["t"][0]), "x_sum": int(a["x"].astype(np.int64).sum()),
  "p_sum": int(a["p"].astype(np.int64).sum()), "sha": hashlib.sha256(a.tobytes()).hexdigest()}))`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, join(out, '0001_wave.npy')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.deepEqual(got.names, ['t', 'x', 'y', 'p']);
    assert.equal(got.n, truth.count);
    assert.equal(got.t0, truth.first[0][0]);
    assert.equal(got.x_sum, truth.sum_x);
    assert.equal(got.p_sum, truth.sum_p);
    assert.equal(got.sha, truth.sha256, 'numpy sees the truth file’s packed records, byte for byte');
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test('DVS Gesture-style export → import gives identical events and labels; the gesture-labels reader reads the labels', { skip: skipWithoutSharedData }, async () => {
  const a = await fixture();
  const b = await fixture();
  try {
    await seed(a.service);
    const want = await fingerprint(a.service);
    const out = join(a.dir, 'export-gesture');
    const result = await exportDataset(a.service, { layout: 'dvsgesture', dir: out }).done;
    assert.deepEqual(readdirSync(out).sort(), [
      'classes.csv',
      'take0001_wave.aedat',
      'take0001_wave_labels.csv',
      'take0002_walking-slowly.aedat',
      'take0002_walking-slowly_labels.csv',
      'take0003_air-drums.aedat',
      'take0003_air-drums_labels.csv',
    ]);
    assert.equal(result.files.length, 7);
    // DVS Gesture's own id for its class, 12… for the others, all listed in classes.csv
    assert.equal(readFileSync(join(out, 'classes.csv'), 'utf8'), 'class,name\n9,Air drums\n12,wave\n13,"walking, slowly"\n');
    const drums = parseGestureLabels(readFileSync(join(out, 'take0003_air-drums_labels.csv'), 'utf8'));
    assert.deepEqual(drums, [{ classId: 9, startUs: 5, endUs: 1001 }]);
    const wave = parseGestureLabels(readFileSync(join(out, 'take0001_wave_labels.csv'), 'utf8'), 'wave', { maxClassId: 13 });
    assert.equal(wave[0].classId, 12);
    // the AEDAT files are AEDAT 3.1
    assert.match(readFileSync(join(out, 'take0001_wave.aedat')).subarray(0, 13).toString('latin1'), /^#!AER-DAT3\.1/);

    await importDataset(b.service, { dir: out }).done;
    assert.deepEqual(await fingerprint(b.service), want);
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test('a DVS Gesture-style file with several labelled segments becomes one take per segment', async () => {
  const a = await fixture();
  try {
    const dir = join(a.dir, 'gesture');
    mkdirSync(dir);
    const src = await fixture();
    const n = 3000;
    const t = Array.from({ length: n }, (_, i) => 1_000_000 + i * 100);
    await src.service.addTake({ label: 'session', source: { sensor: 'DVS128', width: 128, height: 128 } }, [batchFrom(t, t.map((_, i) => i % 128), t.map((_, i) => (i * 7) % 128), t.map((_, i) => i & 1))]);
    await exportDataset(src.service, { layout: 'dvsgesture', dir }).done;
    src.cleanup();
    // hand-written labels as in the original dataset: two classes, one twice, no classes.csv
    writeFileSync(join(dir, 'classes.csv'), '');
    const [aedat] = readdirSync(dir).filter((f) => f.endsWith('.aedat'));
    const labels = join(dir, aedat.replace('.aedat', '_labels.csv'));
    writeFileSync(labels, 'class,startTime_usec,endTime_usec\n1,1000000,1050000\n2,1100000,1100500\n1,1200000,1250000\n');
    await assert.rejects(importDataset(a.service, { dir }).done, (e: unknown) => e instanceof DatasetError && /classes\.csv line 1: empty file/.test(e.message));
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'classes.csv'));
    const takes = await importDataset(a.service, { dir }).done;
    assert.deepEqual(takes.map((x) => [x.label, x.events]), [['hand clapping', 500], ['right hand wave', 5], ['hand clapping', 500]]);
    const first = await takeEvents(a.service, takes[0].id);
    assert.equal(first.t[0], 1_000_000);
    assert.equal(first.t[first.length - 1], 1_049_900);
  } finally {
    a.cleanup();
  }
});

test('import errors name the file and line, and an import that fails half-way leaves no takes behind', async () => {
  const a = await fixture();
  try {
    const dir = join(a.dir, 'bad');
    mkdirSync(dir);
    const src = await fixture();
    await src.service.addTake({ label: 'one', source: { sensor: 's', width: 16, height: 16 } }, [batchFrom([1, 2], [1, 2], [3, 4], [1, 0])]);
    await src.service.addTake({ label: 'two', source: { sensor: 's', width: 16, height: 16 } }, [batchFrom([1, 2], [5, 6], [7, 8], [0, 1])]);
    await exportDataset(src.service, { layout: 'tonic', dir }).done;
    // exporting again into the same folder overwrites nothing
    await assert.rejects(exportDataset(src.service, { layout: 'tonic', dir }).done, /labels\.csv: already exists/);
    src.cleanup();
    const labels = join(dir, 'labels.csv');
    const good = readFileSync(labels, 'utf8');

    const cases: [string, RegExp][] = [
      ['filename,label\n0001_one.npy,one\n0002_two.npy\n', /labels\.csv line 3: expected 2 fields \(filename,label\), found 1/],
      ['file,label\n', /labels\.csv line 1: expected the header "filename,label"/],
      ['filename,label\n0001_one.npy,one\nmissing.npy,x\n', /labels\.csv line 3: "missing\.npy" does not exist/],
      ['filename,label\n../0001_one.npy,one\n', /labels\.csv line 2: "\.\.\/0001_one\.npy" is outside the dataset folder/],
      ['filename,label\n0001_one.npy,"one\n', /labels\.csv line 2: a quoted field is not closed/],
      ['filename,label\n0001_one.npy,one\n0001_one.npy,two\n', /labels\.csv line 3: "0001_one\.npy" is listed twice/],
    ];
    for (const [text, re] of cases) {
      writeFileSync(labels, text);
      await assert.rejects(importDataset(a.service, { dir }).done, (e: unknown) => e instanceof DatasetError && re.test(e.message), `for ${JSON.stringify(text)}`);
    }
    assert.deepEqual(a.service.listTakes(), []);

    // the second sample is corrupt: the first, already imported, is removed again
    writeFileSync(labels, good);
    const second = join(dir, '0002_two.npy');
    const bytes = readFileSync(second);
    writeFileSync(second, bytes.subarray(0, bytes.length - 5));
    await assert.rejects(importDataset(a.service, { dir }).done, (e: unknown) => e instanceof DatasetError && /0002_two\.npy: .*truncated/.test(e.message));
    assert.deepEqual(a.service.listTakes(), []);
    assert.deepEqual(readdirSync(join(a.dir, 'takes')), []);

    // coordinates outside the stated sensor
    writeFileSync(second, bytes);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    meta.samples['0002_two.npy'].width = 4;
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    await assert.rejects(importDataset(a.service, { dir }).done, /0002_two\.npy: event 0 at \(5, 7\) is outside the 4 × 16 sensor given in meta\.json/);
    writeFileSync(join(dir, 'meta.json'), '{"sensor_size": [16]}');
    await assert.rejects(importDataset(a.service, { dir }).done, /meta\.json: sensor_size/);
    assert.deepEqual(a.service.listTakes(), []);

    await assert.rejects(importDataset(a.service, { dir: join(a.dir, 'nowhere') }).done, /nowhere: folder not found/);
    mkdirSync(join(a.dir, 'empty'));
    await assert.rejects(importDataset(a.service, { dir: join(a.dir, 'empty') }).done, /no recording with labels/);
    assert.equal(existsSync(join(a.dir, 'empty', 'labels.csv')), false);
  } finally {
    a.cleanup();
  }
});

test('class ids: DVS Gesture ids for its classes in any spelling, 12… for the rest, never one id for two labels', () => {
  const ids = assignClassIds(['wave', 'Hand Clapping', 'left_arm_clockwise', 'hand clapping', 'wave', 'air-guitar']);
  assert.deepEqual([...ids.entries()], [['wave', 12], ['Hand Clapping', 1], ['left_arm_clockwise', 6], ['hand clapping', 13], ['air-guitar', 10]]);
});

test('CSV rows: quotes, doubled quotes, CRLF, BOM', () => {
  assert.deepEqual(parseCsvRows('\ufeffa,b\r\n"x, ""y""",z\r\n\r\n', 'f').map((r) => [r.line, r.fields]), [
    [1, ['a', 'b']],
    [2, ['x, "y"', 'z']],
  ]);
  assert.throws(() => parseCsvRows('a,"b"c\n', 'f.csv'), /f\.csv line 1: unexpected "c" after a quoted field/);
});
