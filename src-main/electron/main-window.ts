/**
 * The one window: secure options (window-options.ts), navigation and new
 * windows denied, kiosk behaviour (fullscreen via setKiosk, no menu, no dev
 * tools, swallowed browser keys, display kept awake), and recovery from a
 * dead renderer with bounded reloads (crash-policy.ts).
 */
import { BrowserWindow, Menu, powerSaveBlocker } from 'electron';
import { CrashPolicy } from './crash-policy';
import { kioskBlocksKey } from './kiosk-keys';
import { mainWindowOptions } from './window-options';

export interface MainWindowOptions {
  preload: string;
  url: string;
  kiosk: boolean;
  packaged: boolean;
  log: (line: string) => void;
}

export interface MainWindow {
  window: BrowserWindow;
  setKiosk(enabled: boolean): void;
  readonly kiosk: boolean;
}

const GAVE_UP_PAGE = `<!doctype html><meta charset="utf-8"><title>Neurolive</title>
<body style="background:#0d1117;color:#e6edf3;font:20px system-ui;display:grid;place-content:center;height:100vh;text-align:center">
<h1>Neurolive stopped</h1><p>The display crashed several times in a row. Please restart the app.</p></body>`;

export function createMainWindow(opts: MainWindowOptions): MainWindow {
  const win = new BrowserWindow(mainWindowOptions({ preload: opts.preload, kiosk: opts.kiosk, packaged: opts.packaged }));
  const wc = win.webContents;
  const crashes = new CrashPolicy();
  const normalMenu = Menu.getApplicationMenu();
  let kiosk = false;
  let blocker: number | null = null;

  win.once('ready-to-show', () => win.show());
  wc.on('will-navigate', (e) => e.preventDefault());
  wc.on('will-redirect', (e) => e.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  wc.on('before-input-event', (e, input) => {
    if (kioskBlocksKey(input, kiosk)) e.preventDefault();
  });
  wc.on('devtools-opened', () => {
    if (kiosk) wc.closeDevTools();
  });
  wc.on('render-process-gone', (_e, details) => {
    const action = crashes.onGone(details.reason);
    opts.log(`renderer gone (${details.reason}, exit code ${details.exitCode}): ${action}`);
    if (action === 'reload') wc.reload();
    else if (action === 'give-up') void win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(GAVE_UP_PAGE)}`);
  });
  wc.on('unresponsive', () => opts.log('renderer unresponsive'));

  function setKiosk(enabled: boolean): void {
    if (enabled === kiosk) return;
    kiosk = enabled;
    // kiosk: true is only fullscreen on Linux/Windows; setKiosk is the same call everywhere
    win.setKiosk(enabled);
    Menu.setApplicationMenu(enabled || opts.packaged ? null : normalMenu);
    if (enabled) {
      wc.closeDevTools();
      blocker = powerSaveBlocker.start('prevent-display-sleep');
    } else if (blocker !== null) {
      powerSaveBlocker.stop(blocker);
      blocker = null;
    }
  }

  setKiosk(opts.kiosk);
  if (opts.packaged) Menu.setApplicationMenu(null);
  void win.loadURL(opts.url);
  return {
    window: win,
    setKiosk,
    get kiosk() {
      return kiosk;
    },
  };
}
