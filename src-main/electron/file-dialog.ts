/**
 * pickFile for the desktop app: the platform's native open / save / folder
 * dialog, parented to the main window (so it is modal to it and stays in
 * front). Electron's `dialog` is passed in, so the plumbing is unit-tested
 * with a fake (test/electron/file-dialog.test.ts). A cancelled dialog is
 * null, which the renderer treats like the browser host's "no dialog".
 */
import type { BrowserWindow, Dialog, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { EVENT_FILE_EXTENSIONS, type PickPurpose } from '../app/file-purposes';

export type FileDialog = Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;

/** The dialog each purpose opens, with its title and filters. */
export function dialogFor(purpose: PickPurpose): { kind: 'open'; options: OpenDialogOptions } | { kind: 'save'; options: SaveDialogOptions } {
  switch (purpose) {
    case 'events':
      return {
        kind: 'open',
        options: { title: 'Replay an event recording', properties: ['openFile'], filters: [{ name: 'Event recordings', extensions: EVENT_FILE_EXTENSIONS }, { name: 'All files', extensions: ['*'] }] },
      };
    case 'onnx':
      return { kind: 'open', options: { title: 'Import an ONNX model', properties: ['openFile'], filters: [{ name: 'ONNX models', extensions: ['onnx'] }] } };
    case 'classpack':
      return { kind: 'open', options: { title: 'Import a class pack', properties: ['openFile'], filters: [{ name: 'Class packs', extensions: ['json'] }, { name: 'All files', extensions: ['*'] }] } };
    case 'dataset-dir':
      return { kind: 'open', options: { title: 'Choose a dataset folder', properties: ['openDirectory', 'createDirectory'] } };
    case 'save-classpack':
      return { kind: 'save', options: { title: 'Save the class pack', defaultPath: 'classes.json', filters: [{ name: 'Class packs', extensions: ['json'] }] } };
  }
}

/** The CoreOptions.pickFile hook: shows the dialog for `purpose` over `window()`; null when cancelled. */
export function nativeFilePicker(dialog: FileDialog, window: () => BrowserWindow | null): (purpose: PickPurpose) => Promise<string | null> {
  return async (purpose) => {
    const d = dialogFor(purpose);
    const w = window();
    const parent = w && !w.isDestroyed() ? w : null;
    if (d.kind === 'save') {
      const r = parent ? await dialog.showSaveDialog(parent, d.options) : await dialog.showSaveDialog(d.options);
      return r.canceled || !r.filePath ? null : r.filePath;
    }
    const r = parent ? await dialog.showOpenDialog(parent, d.options) : await dialog.showOpenDialog(d.options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  };
}
