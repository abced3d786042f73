// AppCore with the class store: enroll from the live window (embedding from the
// worker), the class appears in predictions and on topic 'classes'; rename,
// undo, delete; readable errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppCore } from '../../src-main/app/core';
import { ApiError, type ClassInfo, type EnrollResult, type PredictionUpdate } from '../../src-main/ipc/contract';
import { writeTestModel } from '../pipeline/fixture-model';
import { waitFor } from '../pipeline/wait';

const RESOURCES = resolve(import.meta.dirname, '../../resources');
/** every core a test made, closed after the file even when an assertion failed first (else its worker keeps the process alive) */
const opened: AppCore[] = [];
const track = (c: AppCore): AppCore => (opened.push(c), c);
after(async () => {
  for (const c of opened) await c.close().catch(() => undefined);
});
const root = mkdtempSync(join(tmpdir(), 'nl-classes-'));
const models = join(root, 'models');
after(() => rmSync(root, { recursive: true, force: true }));
before(() => writeTestModel(models));

describe('AppCore classes', () => {
  it('enrolls the live window, predicts with it, renames, undoes and deletes', async () => {
    const core = track(await AppCore.create({ userDataDir: join(root, 'u'), resourcesDir: RESOURCES, runtime: 'browser', version: 't', modelDirs: [models] }));
    const preds: PredictionUpdate[] = [];
    const lists: ClassInfo[][] = [];
    core.on('prediction', (p) => preds.push(p));
    core.on('classes', (c) => lists.push(c));
    await core.invoke('playback', { speed: 4 });
    await waitFor(() => preds.length >= 1, 'a first prediction', 30_000);
    const before = (await core.invoke('listClasses', {})) as ClassInfo[];
    assert.equal(before.length, 10, 'the model’s labels are its pretrained classes');
    assert.ok(before.every((c) => c.origin === 'pretrained'));
    await assert.rejects(core.invoke('enroll', {}), (e) => e instanceof ApiError && e.code === 'invalid-argument' || /classId|name/.test((e as Error).message));
    const r = (await core.invoke('enroll', { name: 'Wave 👋', waitForNext: true })) as EnrollResult;
    assert.equal(r.cls.name, 'Wave 👋');
    assert.equal(r.cls.origin, 'enrolled');
    assert.equal(r.cls.shots, 1);
    assert.ok(r.learnMs >= 0);
    assert.deepEqual([r.preview.width, r.preview.height], [64, 64]);
    assert.ok(r.preview.pixels.some((v) => v > 0), 'the preview shows the captured window');
    assert.ok(lists.some((l) => l.some((c) => c.name === 'Wave 👋')), 'topic classes announced it');
    const n = preds.length;
    await waitFor(() => preds.length >= n + 2, 'predictions after enrolling', 30_000);
    const p = preds[preds.length - 1];
    assert.equal(p.labels.length, 11);
    assert.ok(p.labels.includes('Wave 👋'));
    const renamed = (await core.invoke('renameClass', { classId: r.cls.id, name: 'Hello' })) as ClassInfo;
    assert.equal(renamed.name, 'Hello');
    await assert.rejects(core.invoke('renameClass', { classId: r.cls.id, name: 'class_3' }), /class_3/);
    await core.invoke('enroll', { classId: r.cls.id });
    assert.equal(((await core.invoke('listClasses', {})) as ClassInfo[]).find((c) => c.id === r.cls.id)!.shots, 2);
    const undone = (await core.invoke('undoShot', { classId: r.cls.id })) as ClassInfo;
    assert.equal(undone.shots, 1);
    await core.invoke('deleteClass', { classId: r.cls.id });
    assert.equal(((await core.invoke('listClasses', {})) as ClassInfo[]).length, 10);
    await core.close();
  });

  it('in kiosk mode a visitor’s class expires after the configured time; classes enrolled outside it stay', async () => {
    const core = track(await AppCore.create({ userDataDir: join(root, 'k'), resourcesDir: RESOURCES, runtime: 'browser', version: 't', modelDirs: [models] }));
    const preds: PredictionUpdate[] = [];
    core.on('prediction', (p) => preds.push(p));
    await core.invoke('playback', { speed: 4 });
    await waitFor(() => preds.length >= 1, 'a first prediction', 30_000);
    const staff = (await core.invoke('enroll', { name: 'staff' })) as EnrollResult;
    assert.equal(staff.cls.expiresAt ?? null, null);
    await core.invoke('updateSettings', { kiosk: { enabled: false, pin: '2468', idleSeconds: 60, visitorClassTtlMinutes: 5 } });
    await core.invoke('setKiosk', { enabled: true });
    const t0 = Date.now();
    const visitor = (await core.invoke('enroll', { name: 'visitor' })) as EnrollResult;
    const expires = visitor.cls.expiresAt!;
    assert.ok(expires >= t0 + 5 * 60_000 && expires <= Date.now() + 5 * 60_000, `expires ${expires - t0} ms after enrolling`);
    const wiring = (core as unknown as { classes: { expireVisitors(now?: number): number } }).classes;
    assert.equal(wiring.expireVisitors(expires - 1), 0, 'not before its time');
    const lists: ClassInfo[][] = [];
    core.on('classes', (c) => lists.push(c));
    assert.equal(wiring.expireVisitors(expires), 1);
    const names = ((await core.invoke('listClasses', {})) as ClassInfo[]).map((c) => c.name);
    assert.ok(names.includes('staff') && !names.includes('visitor'), names.join(', '));
    assert.ok(lists.length > 0 && !lists[lists.length - 1]!.some((c) => c.name === 'visitor'), 'topic classes announced the removal');
    await core.close();
  });
});
