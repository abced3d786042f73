// pickFile: the Electron shell's native dialogs (faked here) reach the renderer
// through AppCore's pickFile hook; without a hook (the browser host) it is null.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BrowserWindow } from 'electron';
import { AppCore } from '../../src-main/app/core';
import { dialogFor, nativeFilePicker, type FileDialog } from '../../src-main/electron/file-dialog';
import { ApiError } from '../../src-main/ipc/contract';

const RESOURCES = resolve(import.meta.dirname, '../../resources');
const root = mkdtempSync(join(tmpdir(), 'nl-pick-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Call {
  kind: 'open' | 'save';
  parent: unknown;
  options: Record<string, unknown>;
}

function fakeDialog(answer: { canceled: boolean; path?: string }): { dialog: FileDialog; calls: Call[] } {
  const calls: Call[] = [];
  const record = (kind: Call['kind'], a: unknown, b: unknown) => calls.push({ kind, parent: b === undefined ? null : a, options: (b ?? a) as Record<string, unknown> });
  const dialog = {
    showOpenDialog: async (a: unknown, b?: unknown) => {
      record('open', a, b);
      return { canceled: answer.canceled, filePaths: answer.path ? [answer.path] : [] };
    },
    showSaveDialog: async (a: unknown, b?: unknown) => {
      record('save', a, b);
      return { canceled: answer.canceled, ...(answer.path ? { filePath: answer.path } : {}) };
    },
  } as unknown as FileDialog;
  return { dialog, calls };
}

const fakeWindow = (destroyed = false) => ({ isDestroyed: () => destroyed }) as unknown as BrowserWindow;

describe('native file dialog', () => {
  it('opens the dialog each purpose needs, parented to the main window, and returns the chosen path', async () => {
    const win = fakeWindow();
    const { dialog, calls } = fakeDialog({ canceled: false, path: '/data/x' });
    const pick = nativeFilePicker(dialog, () => win);
    for (const purpose of ['events', 'onnx', 'classpack', 'dataset-dir', 'save-classpack'] as const) assert.equal(await pick(purpose), '/data/x');
    assert.deepEqual(calls.map((c) => c.kind), ['open', 'open', 'open', 'open', 'save']);
    assert.ok(calls.every((c) => c.parent === win), 'every dialog is modal to the main window');
    assert.deepEqual(calls[3].options.properties, ['openDirectory', 'createDirectory']);
    assert.deepEqual((calls[1].options.filters as { extensions: string[] }[])[0].extensions, ['onnx']);
    assert.ok(((calls[0].options.filters as { extensions: string[] }[])[0].extensions).includes('aedat4'));
    assert.equal(dialogFor('save-classpack').kind, 'save');
  });

  it('a cancelled dialog is null; without a live window the dialog has no parent', async () => {
    const { dialog, calls } = fakeDialog({ canceled: true });
    assert.equal(await nativeFilePicker(dialog, () => fakeWindow())('onnx'), null);
    assert.equal(await nativeFilePicker(dialog, () => fakeWindow())('save-classpack'), null);
    const { dialog: d2, calls: c2 } = fakeDialog({ canceled: false, path: '/a.onnx' });
    assert.equal(await nativeFilePicker(d2, () => fakeWindow(true))('onnx'), '/a.onnx');
    assert.equal(await nativeFilePicker(d2, () => null)('onnx'), '/a.onnx');
    assert.deepEqual(c2.map((c) => c.parent), [null, null]);
    assert.equal(calls.length, 2);
  });

  it('AppCore answers pickFile through the hook, null without one, and validates the purpose', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, path: '/picked/model.onnx' });
    const base = { resourcesDir: RESOURCES, runtime: 'browser' as const, version: 't', modelDirs: [], autoStart: false };
    const withHook = await AppCore.create({ ...base, userDataDir: join(root, 'a'), pickFile: nativeFilePicker(dialog, () => fakeWindow()) });
    const without = await AppCore.create({ ...base, userDataDir: join(root, 'b') });
    try {
      assert.equal(await withHook.invoke('pickFile', { purpose: 'onnx' }), '/picked/model.onnx');
      assert.equal(calls.length, 1);
      assert.equal(await without.invoke('pickFile', { purpose: 'onnx' }), null);
      await assert.rejects(withHook.invoke('pickFile', { purpose: 'anything' }), (e: unknown) => e instanceof ApiError && e.code === 'invalid-argument' && /^pickFile: purpose: /.test(e.message));
      assert.equal(calls.length, 1, 'a bad purpose never opens a dialog');
    } finally {
      await withHook.close();
      await without.close();
    }
  });
});
