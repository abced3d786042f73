import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { batchFrom } from '../../src-engine/events/batch';
import { openDatabase } from '../../src-main/db';
import { ApiError, type Progress } from '../../src-main/ipc/contract';
import { createRecordingApi, type TakeSource } from '../../src-main/recording';

test('recording API: refuses to record without a source; jobs publish progress, then finished (or the error)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-recapi-'));
  const db = openDatabase(join(dir, 'app.db'));
  try {
    const progress: Progress[] = [];
    let source: TakeSource | null = null;
    const api = await createRecordingApi({ db, dataDir: dir, publishProgress: (p) => progress.push(p), currentSource: () => source });
    const m = api.methods;
    await assert.rejects(m.startRecording({ label: 'x', notes: '' } as never), (e: unknown) => e instanceof ApiError && e.code === 'unavailable' && /start a source first/.test(e.message));
    source = { sensor: 'webcam (emulated)', width: 32, height: 24 };
    await m.startRecording({ label: 'clap', notes: 'n' } as never);
    api.service.append(batchFrom([1, 2, 3], [0, 1, 31], [0, 1, 23], [1, 1, 0]));
    const take = await m.stopRecording(undefined as never);
    assert.equal(take.events, 3);
    assert.deepEqual((await m.listTakes(undefined as never)).map((t) => t.label), ['clap']);

    const out = join(dir, 'out');
    const { jobId } = await m.exportDataset({ layout: 'tonic', dir: out } as never);
    await new Promise<void>((resolve) => {
      const check = () => (progress.some((p) => p.jobId === jobId && p.finished) ? resolve() : setImmediate(check));
      check();
    });
    const mine = progress.filter((p) => p.jobId === jobId);
    assert.deepEqual(mine.map((p) => [p.done, p.total, p.finished]), [[0, 3, false], [3, 3, false], [1, 1, true]]); // events, then takes
    assert.equal(mine[0].label, `Export (tonic) to ${out}`);

    // a failing job: its error arrives on the progress topic
    const bad = await m.importDataset({ dir: join(dir, 'nowhere') } as never);
    await new Promise<void>((resolve) => {
      const check = () => (progress.some((p) => p.jobId === bad.jobId && p.finished) ? resolve() : setImmediate(check));
      check();
    });
    const end = progress.find((p) => p.jobId === bad.jobId && p.finished)!;
    assert.match(end.error ?? '', /nowhere: folder not found/);

    await m.trimTake({ id: take.id, startUs: 0, endUs: 2 } as never);
    assert.equal(api.service.getTake(take.id).events, 2);
    await m.deleteTake({ id: take.id } as never);
    assert.deepEqual(await m.listTakes(undefined as never), []);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
