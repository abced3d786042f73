import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '../..');

test('npm run build produces main, a sandbox-safe preload and the renderer without the Electron binary', () => {
  const r = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  // the worker threads' entries sit beside the main bundle, where their clients look for them
  for (const f of ['out/main/index.js', 'out/main/nsoc-worker.js', 'out/main/import-worker.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
    assert.ok(existsSync(join(root, f)), `${f} missing`);
  }
  // A sandboxed preload cannot require local files: it must be one bundle that needs only 'electron'.
  const preload = readFileSync(join(root, 'out/preload/index.cjs'), 'utf8');
  const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(requires)], ['electron']);
  assert.doesNotMatch(preload, /exposeInMainWorld\(["']\w+["'],\s*ipcRenderer\)/, 'ipcRenderer must not be exposed');
  // The renderer ships a Content-Security-Policy.
  assert.match(readFileSync(join(root, 'out/renderer/index.html'), 'utf8'), /Content-Security-Policy/);

  // Security settings as they appear in the built main process (docs/SECURITY.md).
  const main = readFileSync(join(root, 'out/main/index.js'), 'utf8');
  for (const setting of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webSecurity: true', 'webviewTag: false', 'allowRunningInsecureContent: false']) {
    assert.ok(main.includes(setting), `main bundle lacks ${setting}`);
  }
  assert.doesNotMatch(main, /nodeIntegration(InWorker|InSubFrames)?: true|contextIsolation: false|sandbox: false|webSecurity: false/);
  for (const call of ['requestSingleInstanceLock()', 'enableSandbox()', 'setPermissionRequestHandler(', 'setPermissionCheckHandler(', 'setWindowOpenHandler(', '"will-navigate"', '"render-process-gone"', 'registerSchemesAsPrivileged(']) {
    assert.ok(main.includes(call), `main bundle lacks ${call}`);
  }
  assert.doesNotMatch(main, /shell\.openExternal|loadFile\(/, 'the window loads app://, never file://, and opens nothing external');
  // native addons stay external (loaded from disk, unpacked from the asar archive), never inlined
  assert.doesNotMatch(main, /\.node["']\)|node-gyp-build|require\(["']bindings["']\)/);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { build?: { asarUnpack?: string[] } };
  for (const native of ['better-sqlite3', 'node-hid']) assert.ok(pkg.build?.asarUnpack?.some((g) => g.includes(native)), `${native} is not unpacked from the asar archive`);
  // the preload exposes one bridge object (its three functions: test/electron/bridge.test.ts), never ipcRenderer as a value
  assert.equal([...preload.matchAll(/exposeInMainWorld\(/g)].length, 1);
  assert.match(preload, /exposeInMainWorld\(["']neurolive["'],/);
  assert.doesNotMatch(preload, /:\s*(electron\.)?ipcRenderer\s*[,}\n]/);
});
