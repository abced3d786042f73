/**
 * The desktop app's main process: one AppCore (the same the browser host
 * wraps) behind Electron IPC, one secure window. Security decisions are
 * listed item by item in docs/SECURITY.md; the logic lives in small plain
 * functions under src-main/electron/ so it is unit-tested without Electron.
 */
import { join } from 'node:path';
import { app, dialog, ipcMain, MessageChannelMain, session } from 'electron';
import { AppCore } from './app/core';
import { registerAppScheme, serveAppProtocol } from './electron/app-protocol';
import { hardenAllContents } from './electron/harden';
import { wireIpc } from './electron/ipc';
import { nativeFilePicker } from './electron/file-dialog';
import { createMainWindow, type MainWindow } from './electron/main-window';
import { allowPermissionCheck, allowPermissionRequest } from './electron/permissions';
import { APP_ORIGIN, originOf } from './electron/sender';
import { loadCompleteSite } from './web/static-site';
import { APP_DIR_NAME } from './web/user-data';

const log = (line: string): void => console.log(`[neurolive] ${line}`);
const here = import.meta.dirname;

// Before 'ready': our scheme's privileges, and the sandbox for every renderer.
registerAppScheme();
app.enableSandbox();
// The platform's app-data folder under one fixed name, whatever the packaged
// product name: the browser host (web/user-data.ts) uses the same folder.
app.setPath('userData', join(app.getPath('appData'), APP_DIR_NAME));
hardenAllContents(app);

// One running copy: a second launch focuses the first window.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let main: MainWindow | null = null;
  let core: AppCore | null = null;

  app.on('second-instance', () => {
    const w = main?.window;
    if (!w || w.isDestroyed()) return;
    if (w.isMinimized()) w.restore();
    w.focus();
  });
  app.on('child-process-gone', (_e, d) => {
    if (d.reason !== 'clean-exit') log(`child process gone: ${d.type}${d.name ? ` (${d.name})` : ''}, ${d.reason}, exit code ${d.exitCode}`);
  });
  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('before-quit', (e) => {
    if (!core || closing) return;
    // let the core save settings and stop workers before the process ends
    e.preventDefault();
    closing = true;
    void core.close().finally(() => app.quit());
  });

  void app.whenReady().then(async () => {
    const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
    const trustedOrigins = [APP_ORIGIN, ...(devUrl ? [originOf(devUrl)!] : [])];

    core = await AppCore.create({
      userDataDir: app.getPath('userData'),
      resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources'),
      runtime: 'electron',
      version: app.getVersion(),
      // native dialogs over the main window (created below; the picker looks it up when asked)
      pickFile: nativeFilePicker(dialog, () => main?.window ?? null),
    });

    const ses = session.defaultSession;
    if (!devUrl) serveAppProtocol(ses, await loadCompleteSite(join(here, '../renderer'), 1));
    ses.setPermissionRequestHandler((wc, permission, callback, details) =>
      callback(allowPermissionRequest(permission, { mediaTypes: (details as { mediaTypes?: string[] }).mediaTypes, requestingUrl: details.requestingUrl ?? wc.getURL() }, trustedOrigins)),
    );
    ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowPermissionCheck(permission, requestingOrigin, trustedOrigins));
    // HID/USB/serial devices are the main process's business (node-hid), never the page's
    ses.setDevicePermissionHandler(() => false);

    wireIpc({ ipcMain, MessageChannelMain, core, contents: () => main?.window.webContents ?? null, trustedOrigins, log });

    const settings = (await core.invoke('getSettings', undefined)) as { kiosk: { enabled: boolean } };
    main = createMainWindow({
      preload: join(here, '../preload/index.cjs'),
      url: devUrl ?? `${APP_ORIGIN}/index.html`,
      kiosk: settings.kiosk.enabled,
      packaged: app.isPackaged,
      log,
    });
    // The core owns the kiosk flag (setKiosk checks the PIN); the window follows it.
    core.on('state', (s) => {
      if (main && s.kiosk !== main.kiosk) main.setKiosk(s.kiosk);
    });
  });
}
