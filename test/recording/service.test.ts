import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectEvents } from '../../src-engine/events/stream';
import { batchFrom } from '../../src-engine/events/batch';
import { openEventFile } from '../../src-engine/node/open-file';
import { ApiError } from '../../src-main/ipc/contract';
import { eventsSha256, loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';
import { fixture, takeEvents } from './helpers';

const FILE = 'dvxplorer_sample.aedat4';

test('a take recorded from a replayed real file plays back identical events, with its figures in the index', { skip: skipWithoutSharedData }, async () => {
  const f = await fixture({ now: () => 1_700_000_000_000 });
  try {
    const truth = loadTruth(FILE);
    const src = await openEventFile(sharedPath(FILE), { reuseBatches: true, batchSize: 5000 });
    const started = await f.service.startRecording({ label: 'wave', notes: 'first try' }, { sensor: 'dvxplorer', width: src.info.width, height: src.info.height });
    assert.equal(started.events, 0);
    assert.equal(f.service.isRecording, true);
    // reused batch columns: the service must copy before the source overwrites them
    for await (const b of src) assert.equal(f.service.append(b), true);
    const status = f.service.status();
    assert.equal(status?.takeLabel, 'wave');
    assert.equal(status?.events, truth.count);
    const take = await f.service.stopRecording();
    assert.equal(f.service.isRecording, false);
    assert.equal(f.service.status(), null);
    assert.equal(take.label, 'wave');
    assert.equal(take.notes, 'first try');
    assert.equal(take.sensor, 'dvxplorer');
    assert.deepEqual([take.width, take.height], [320, 240]);
    assert.equal(take.events, truth.count);
    assert.equal(take.durationUs, truth.t_max - truth.t_min);
    assert.equal(take.createdAt, 1_700_000_000_000);
    assert.ok(take.thumbnail);
    assert.deepEqual([take.thumbnail.width, take.thumbnail.height], [64, 48]);
    assert.equal(Math.max(...take.thumbnail.pixels), 255);
    assert.ok(take.thumbnail.pixels.some((v) => v === 0) || take.thumbnail.pixels.some((v) => v < 128), 'the thumbnail has contrast');
    assert.deepEqual(f.service.listTakes(), [take]);

    const stream = await f.service.openTake(take.id);
    assert.deepEqual([stream.info.width, stream.info.height], [320, 240]);
    const events = await collectEvents(stream);
    assert.equal(events.length, truth.count);
    assert.equal(eventsSha256(events), truth.sha256);
    // nothing but the finished take is left in the folder
    assert.deepEqual(readdirSync(join(f.dir, 'takes')).filter((n) => !n.endsWith('.aedat4')), []);
    // live takes are stored uncompressed (16 B an event and a little framing); a trim rewrites with LZ4
    const liveBytes = statSync(f.service.takePath(take.id)).size;
    assert.ok(liveBytes > truth.count * 16 && liveBytes < truth.count * 17, `${liveBytes} bytes`);
    const compacted = await f.service.trimTake(take.id, 0, take.durationUs + 1);
    assert.equal(compacted.events, truth.count);
    assert.ok(statSync(f.service.takePath(take.id)).size < 0.8 * liveBytes);
    assert.equal(eventsSha256(await takeEvents(f.service, take.id)), truth.sha256);
  } finally {
    f.cleanup();
  }
});

test('trim keeps [start, end) relative to the first event and swaps the file; delete removes row and file', { skip: skipWithoutSharedData }, async () => {
  const f = await fixture();
  try {
    const src = await openEventFile(sharedPath(FILE));
    const take = await f.service.addTake({ label: 'boxes', source: { sensor: 'dvxplorer', width: 320, height: 240 } }, src);
    const all = await takeEvents(f.service, take.id);
    const t0 = all.t[0];
    const [a, b] = [100_000, 350_000];
    let want = 0;
    for (let i = 0; i < all.length; i++) if (all.t[i] - t0 >= a && all.t[i] - t0 < b) want++;
    assert.ok(want > 1000 && want < all.length);
    const oldPath = f.service.takePath(take.id);
    const trimmed = await f.service.trimTake(take.id, a, b);
    assert.equal(trimmed.id, take.id);
    assert.equal(trimmed.events, want);
    assert.ok(trimmed.durationUs < b - a);
    assert.equal(existsSync(oldPath), false, 'the old file is gone');
    const kept = await takeEvents(f.service, take.id);
    assert.equal(kept.length, want);
    assert.ok(kept.t[0] - t0 >= a && kept.t[kept.length - 1] - t0 < b);

    await assert.rejects(f.service.trimTake(take.id, 5e9, 6e9), (e: unknown) => e instanceof ApiError && e.code === 'invalid-argument' && /no events between 5000000000 and 6000000000 µs/.test(e.message));
    await assert.rejects(f.service.trimTake(take.id, 10, 10), /must come after the start/);
    assert.equal(f.service.getTake(take.id).events, want, 'a refused trim changes nothing');

    const path = f.service.takePath(take.id);
    await f.service.deleteTake(take.id);
    assert.equal(existsSync(path), false);
    assert.deepEqual(f.service.listTakes(), []);
    await assert.rejects(f.service.deleteTake(take.id), (e: unknown) => e instanceof ApiError && e.code === 'not-found' && /take \d+ does not exist/.test(e.message));
    assert.throws(() => f.service.getTake(take.id), /does not exist/);
  } finally {
    f.cleanup();
  }
});

test('recording refuses a second start, an unknown geometry and a stop without start', async () => {
  const f = await fixture();
  try {
    await assert.rejects(f.service.startRecording({ label: 'x' }, { sensor: 'webcam', width: 0, height: 0 }), /sensor size must be known/);
    await assert.rejects(f.service.stopRecording(), /not recording/);
    await f.service.startRecording({ label: 'x' }, { sensor: 'webcam', width: 64, height: 48 });
    await assert.rejects(f.service.startRecording({ label: 'y' }, { sensor: 'webcam', width: 64, height: 48 }), /already recording "x"/);
    f.service.append(batchFrom([10, 20, 30], [1, 2, 63], [0, 5, 47], [1, 0, 1]));
    const stopping = f.service.stopRecording();
    // the live tap keeps delivering while the file is finished: dropped, never thrown
    assert.equal(f.service.append(batchFrom([40], [1], [1], [1])), false);
    const take = await stopping;
    assert.equal(take.events, 3);
    assert.equal(take.durationUs, 20);
    await f.service.startRecording({ label: 'gone' }, { sensor: 'webcam', width: 64, height: 48 });
    f.service.append(batchFrom([1], [1], [1], [1]));
    await f.service.cancelRecording();
    assert.deepEqual(f.service.listTakes().map((t) => t.label), ['x']);
    assert.equal(readdirSync(join(f.dir, 'takes')).length, 1);
  } finally {
    f.cleanup();
  }
});

test('the recording queue is bounded: beyond the limit batches are dropped and counted, never queued', async () => {
  const f = await fixture({ maxPendingEvents: 1000 });
  try {
    await f.service.startRecording({ label: 'flood' }, { sensor: 'test', width: 16, height: 16 });
    const n = 600;
    const big = batchFrom(new Array(n).fill(0).map((_, i) => i), new Array(n).fill(3), new Array(n).fill(4), new Array(n).fill(1));
    // appends are synchronous: the first is queued, the second would exceed 1000 pending
    assert.equal(f.service.append(big), true);
    assert.equal(f.service.append(big), false);
    assert.equal(f.service.droppedEvents, n);
    const take = await f.service.stopRecording();
    assert.equal(take.events, n);
  } finally {
    f.cleanup();
  }
});

test('events that do not fit the take’s sensor are dropped and counted, never written', async () => {
  const f = await fixture();
  try {
    await f.service.startRecording({ label: 'switch' }, { sensor: 'dvs128', width: 128, height: 128 });
    assert.equal(f.service.append(batchFrom([1, 2], [5, 127], [5, 127], [1, 0])), true);
    assert.equal(f.service.append(batchFrom([3, 4], [5, 200], [5, 5], [1, 0])), false, 'x = 200 is outside 128 × 128');
    assert.equal(f.service.append(batchFrom([5], [1], [1], [1]), { width: 320, height: 240 }), false, 'another source’s geometry');
    assert.equal(f.service.append(batchFrom([6], [2], [2], [1]), { width: 128, height: 128 }), true);
    assert.equal(f.service.droppedEvents, 3);
    const take = await f.service.stopRecording();
    assert.equal(take.events, 3);
    const e = await takeEvents(f.service, take.id);
    assert.deepEqual([...e.t], [1, 2, 6]);
  } finally {
    f.cleanup();
  }
});

test('start-up sweep: an interrupted recording is salvaged up to its last whole packet, orphans and stray temp files go', { skip: skipWithoutSharedData }, async () => {
  const f = await fixture();
  try {
    const take = await f.service.addTake({ label: 'source', source: { sensor: 'dvxplorer', width: 320, height: 240 } }, await openEventFile(sharedPath(FILE)));
    const full = await takeEvents(f.service, take.id);
    const takes = join(f.dir, 'takes');
    const bytes = readFileSync(f.service.takePath(take.id));
    // a crash mid-recording: the temp file is cut short (no table, header unpatched is also fine) and the sidecar remains
    const crashed = 'take-11111111-2222-3333-4444-555555555555';
    writeFileSync(join(takes, `${crashed}.aedat4.part`), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    writeFileSync(join(takes, `${crashed}.json`), JSON.stringify({ label: 'crashed', notes: 'mid-take', sensor: 'dvxplorer', width: 320, height: 240, createdAt: 5 }));
    // a crash between rename and insert: a complete file with its sidecar
    const renamed = 'take-66666666-2222-3333-4444-555555555555';
    copyFileSync(f.service.takePath(take.id), join(takes, `${renamed}.aedat4`));
    writeFileSync(join(takes, `${renamed}.json`), JSON.stringify({ label: 'renamed', notes: '', sensor: 'dvxplorer', width: 320, height: 240, createdAt: 6 }));
    // leftovers of a delete/trim and of an aborted trim
    const orphan = 'take-77777777-2222-3333-4444-555555555555.aedat4';
    writeFileSync(join(takes, orphan), 'x');
    const stray = 'take-88888888-2222-3333-4444-555555555555.aedat4.part';
    writeFileSync(join(takes, stray), 'x');
    // a sidecar whose take has nothing readable
    const empty = 'take-99999999-2222-3333-4444-555555555555';
    writeFileSync(join(takes, `${empty}.aedat4.part`), bytes.subarray(0, 10));
    writeFileSync(join(takes, `${empty}.json`), JSON.stringify({ label: 'empty', notes: '', sensor: 's', width: 320, height: 240, createdAt: 7 }));

    const s2 = await f.reopen();
    const report = s2.lastRecovery;
    assert.deepEqual(report.recovered.map((t) => t.label).sort(), ['crashed', 'renamed']);
    assert.deepEqual(report.removed.sort(), [orphan, stray].sort());
    const crashedTake = report.recovered.find((t) => t.label === 'crashed')!;
    assert.match(crashedTake.notes, /^mid-take \(recovered after the app stopped during recording\)$/);
    assert.ok(crashedTake.events > 0 && crashedTake.events < full.length, `salvaged ${crashedTake.events} of ${full.length}`);
    const salvaged = await takeEvents(s2, crashedTake.id);
    // a prefix of the original, event for event
    assert.equal(eventsSha256(salvaged), eventsSha256({ t: full.t.subarray(0, salvaged.length), x: full.x.subarray(0, salvaged.length), y: full.y.subarray(0, salvaged.length), p: full.p.subarray(0, salvaged.length), length: salvaged.length }));
    const renamedTake = report.recovered.find((t) => t.label === 'renamed')!;
    assert.equal(renamedTake.events, full.length);
    assert.equal(renamedTake.notes, '');
    // folder now holds exactly the indexed files
    const files = readdirSync(takes).sort();
    assert.deepEqual(files, s2.listTakes().map((t) => s2.takePath(t.id).split('/').pop()!).sort());
    for (const name of files) assert.ok(statSync(join(takes, name)).size > 0);
  } finally {
    f.cleanup();
  }
});

test('no sweep while another live process holds the takes folder; a stale lock is taken over', async () => {
  const f = await fixture();
  try {
    const takes = join(f.dir, 'takes');
    const part = 'take-12121212-2222-3333-4444-555555555555.aedat4.part';
    writeFileSync(join(takes, part), 'in progress elsewhere');
    writeFileSync(join(f.dir, 'takes.owner.pid'), String(process.ppid)); // a live process that is not us
    const s2 = await f.reopen();
    assert.match(s2.lastRecovery.skipped ?? '', new RegExp(`another Neurolive process \\(pid ${process.ppid}\\) uses .*: nothing swept`));
    assert.ok(existsSync(join(takes, part)), 'the other process’s temp file is left alone');
    // a lock whose process is gone is stale
    writeFileSync(join(f.dir, 'takes.owner.pid'), '999999999');
    const s3 = await f.reopen();
    assert.equal(s3.lastRecovery.skipped, undefined);
    assert.deepEqual(s3.lastRecovery.removed, [part]);
    assert.equal(readFileSync(join(f.dir, 'takes.owner.pid'), 'utf8'), String(process.pid));
    await s3.close();
    assert.equal(existsSync(join(f.dir, 'takes.owner.pid')), false);
  } finally {
    f.cleanup();
  }
});
