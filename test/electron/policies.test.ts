// The Electron main process's decisions, as plain functions (Electron itself
// cannot run here): sender checks, permissions, crash reloads, kiosk keys,
// window options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashPolicy } from '../../src-main/electron/crash-policy';
import { kioskBlocksKey, type KeyInput } from '../../src-main/electron/kiosk-keys';
import { allowPermissionCheck, allowPermissionRequest } from '../../src-main/electron/permissions';
import { APP_ORIGIN, checkSender, originOf } from '../../src-main/electron/sender';
import { mainWindowOptions } from '../../src-main/electron/window-options';

const TRUSTED = [APP_ORIGIN];

test('origins of app://, http(s) and opaque URLs', () => {
  assert.equal(originOf('app://neurolive/index.html#live'), 'app://neurolive');
  assert.equal(originOf('http://localhost:5173/x'), 'http://localhost:5173');
  assert.equal(originOf('file:///etc/passwd'), null);
  assert.equal(originOf('data:text/html,hi'), null);
  assert.equal(originOf('not a url'), null);
});

test('only the main window’s top frame on our origin may call the app', () => {
  const main = { url: 'app://neurolive/index.html' };
  assert.deepEqual(checkSender(main, main, TRUSTED), { ok: true });
  const iframe = { url: 'app://neurolive/index.html' };
  assert.match((checkSender(iframe, main, TRUSTED) as { reason: string }).reason, /top frame/);
  const navigated = { url: 'https://evil.example/' };
  assert.match((checkSender(navigated, navigated, TRUSTED) as { reason: string }).reason, /https:\/\/evil\.example may not/);
  const crashed = { url: 'data:text/html,stopped' };
  assert.equal(checkSender(crashed, crashed, TRUSTED).ok, false);
  assert.match((checkSender(null, main, TRUSTED) as { reason: string }).reason, /gone/);
  assert.equal(checkSender(main, null, TRUSTED).ok, false);
  // the dev server is trusted only when listed
  const dev = { url: 'http://localhost:5173/' };
  assert.equal(checkSender(dev, dev, TRUSTED).ok, false);
  assert.equal(checkSender(dev, dev, [...TRUSTED, 'http://localhost:5173']).ok, true);
});

test('permissions: camera and microphone for our pages, nothing else, never screen capture', () => {
  const ours = 'app://neurolive/index.html';
  assert.equal(allowPermissionRequest('media', { mediaTypes: ['video'], requestingUrl: ours }, TRUSTED), true);
  assert.equal(allowPermissionRequest('media', { mediaTypes: ['audio', 'video'], requestingUrl: ours }, TRUSTED), true);
  assert.equal(allowPermissionRequest('media', { mediaTypes: ['video'], requestingUrl: 'https://evil.example/' }, TRUSTED), false);
  assert.equal(allowPermissionRequest('media', { mediaTypes: ['video'] }, TRUSTED), false);
  assert.equal(allowPermissionRequest('media', { mediaTypes: ['screen'], requestingUrl: ours }, TRUSTED), false);
  for (const p of ['geolocation', 'notifications', 'clipboard-read', 'hid', 'usb', 'serial', 'openExternal', 'fullscreen', 'pointerLock', 'display-capture']) {
    assert.equal(allowPermissionRequest(p, { requestingUrl: ours }, TRUSTED), false, p);
    assert.equal(allowPermissionCheck(p, APP_ORIGIN, TRUSTED), false, p);
  }
  assert.equal(allowPermissionCheck('media', APP_ORIGIN, TRUSTED), true);
  assert.equal(allowPermissionCheck('media', 'app://neurolive/', TRUSTED), true);
  assert.equal(allowPermissionCheck('media', 'https://evil.example', TRUSTED), false);
});

test('crash policy: 3 reloads per 10 minutes, then give up; clean exits ignored; the window slides', () => {
  let now = 0;
  const p = new CrashPolicy({ now: () => now });
  assert.equal(p.onGone('clean-exit'), 'ignore');
  assert.equal(p.onGone('crashed'), 'reload');
  now += 60_000;
  assert.equal(p.onGone('oom'), 'reload');
  now += 60_000;
  assert.equal(p.onGone('killed'), 'reload');
  assert.equal(p.recent, 3);
  now += 60_000;
  assert.equal(p.onGone('crashed'), 'give-up');
  // ten minutes after the first crash, one reload is free again
  now = 10 * 60_000 + 1;
  assert.equal(p.onGone('crashed'), 'reload');
  assert.equal(p.onGone('crashed'), 'give-up');
});

test('kiosk swallows reload, dev tools, close, zoom and navigation keys; typing and the app’s shortcuts pass', () => {
  const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ type: 'keyDown', key: k, control: false, meta: false, alt: false, shift: false, ...mods });
  const blocked = [key('F5'), key('F12'), key('F11'), key('r', { control: true }), key('R', { control: true, shift: true }), key('I', { control: true, shift: true }), key('w', { meta: true }), key('q', { meta: true }), key('F4', { alt: true }), key('ArrowLeft', { alt: true }), key('+', { control: true }), key('0', { control: true }), key('p', { control: true })];
  for (const k of blocked) {
    assert.equal(kioskBlocksKey(k, true), true, JSON.stringify(k));
    assert.equal(kioskBlocksKey(k, false), false, `outside kiosk: ${JSON.stringify(k)}`);
  }
  const allowed = [key('a'), key(' '), key('1'), key('Enter'), key('Backspace'), key('k'), key('?', { shift: true }), key('ArrowLeft'), key('Escape')];
  for (const k of allowed) assert.equal(kioskBlocksKey(k, true), false, JSON.stringify(k));
  assert.equal(kioskBlocksKey({ ...key('F5'), type: 'keyUp' }, true), false);
});

test('window options: isolated, sandboxed, no Node, web security, no webview; dev tools only in development outside kiosk', () => {
  const o = mainWindowOptions({ preload: '/p.cjs', kiosk: false, packaged: true });
  assert.deepEqual(
    {
      contextIsolation: o.webPreferences.contextIsolation,
      sandbox: o.webPreferences.sandbox,
      nodeIntegration: o.webPreferences.nodeIntegration,
      nodeIntegrationInWorker: o.webPreferences.nodeIntegrationInWorker,
      nodeIntegrationInSubFrames: o.webPreferences.nodeIntegrationInSubFrames,
      webSecurity: o.webPreferences.webSecurity,
      allowRunningInsecureContent: o.webPreferences.allowRunningInsecureContent,
      experimentalFeatures: o.webPreferences.experimentalFeatures,
      webviewTag: o.webPreferences.webviewTag,
    },
    { contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false, webviewTag: false },
  );
  assert.equal(o.webPreferences.devTools, false);
  assert.equal(mainWindowOptions({ preload: '/p.cjs', kiosk: false, packaged: false }).webPreferences.devTools, true);
  assert.equal(mainWindowOptions({ preload: '/p.cjs', kiosk: true, packaged: false }).webPreferences.devTools, false);
  assert.equal(mainWindowOptions({ preload: '/p.cjs', kiosk: true, packaged: false }).kiosk, true);
});
