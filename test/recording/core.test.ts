// Recording through AppCore: a real file replayed as the source, a take recorded
// from the pipeline's event tap, listed, played back as the 'take' source, deleted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { AppCore } from '../../src-main/app/core';
import type { Progress, TakeInfo } from '../../src-main/ipc/contract';
import { waitFor } from '../pipeline/wait';
import { sharedPath, skipWithoutSharedData } from '../support/shared-data';

const RESOURCES = resolve(import.meta.dirname, '../../resources');

test('AppCore records a take from the live source, lists it, plays it back and deletes it', { skip: skipWithoutSharedData }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'nl-core-rec-'));
  const core = await AppCore.create({ userDataDir: root, resourcesDir: RESOURCES, runtime: 'browser', version: 't', modelDirs: [join(root, 'no-models')], autoStart: false, replayTickMs: 10 });
  try {
    await assert.rejects(core.invoke('startRecording', { label: 'early' }), /start a source first/);
    const progress: Progress[] = [];
    core.on('progress', (p) => progress.push(p));
    await core.invoke('startSource', { kind: 'file', path: sharedPath('dvxplorer_sample.aedat4'), speed: 4, loop: true });
    const started = (await core.invoke('startRecording', { label: 'boxes', notes: 'from the core' })) as TakeInfo;
    assert.equal(started.label, 'boxes');
    assert.deepEqual([started.width, started.height], [320, 240]);
    await waitFor(() => (core.getState().recording?.events ?? 0) > 20_000, 'events recorded', 20_000);
    assert.equal(core.getState().recording?.takeLabel, 'boxes');
    const take = (await core.invoke('stopRecording', undefined)) as TakeInfo;
    assert.equal(core.getState().recording, null);
    assert.ok(take.events > 20_000 && take.id > 0);
    assert.match(take.sensor, /dvxplorer_sample\.aedat4/);
    assert.deepEqual(((await core.invoke('listTakes', undefined)) as TakeInfo[]).map((t) => t.id), [take.id]);
    assert.ok(core.listSources().find((s) => s.kind === 'take')?.available);

    const playing = await core.invoke('startSource', { kind: 'take', takeId: take.id });
    assert.match((playing as { label: string }).label, /boxes/);
    await waitFor(() => core.getState().eventRate > 0, 'the take plays', 20_000);
    await assert.rejects(core.invoke('startSource', { kind: 'take', takeId: 999 }), /take 999 does not exist/);

    const { jobId } = (await core.invoke('exportDataset', { layout: 'tonic', dir: join(root, 'export') })) as { jobId: string };
    await waitFor(() => progress.some((p) => p.jobId === jobId && p.finished), 'the export finishes', 20_000);
    assert.equal(progress.find((p) => p.jobId === jobId && p.finished)?.error, undefined);

    await core.invoke('stopSource', undefined);
    await core.invoke('deleteTake', { id: take.id });
    assert.deepEqual(await core.invoke('listTakes', undefined), []);
  } finally {
    await core.close();
    rmSync(root, { recursive: true, force: true });
  }
});
