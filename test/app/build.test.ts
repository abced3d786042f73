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
  for (const f of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
    assert.ok(existsSync(join(root, f)), `${f} missing`);
  }
  // A sandboxed preload cannot require local files: it must be one bundle that needs only 'electron'.
  const preload = readFileSync(join(root, 'out/preload/index.cjs'), 'utf8');
  const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(requires)], ['electron']);
  assert.doesNotMatch(preload, /exposeInMainWorld\(["']\w+["'],\s*ipcRenderer\)/, 'ipcRenderer must not be exposed');
  // The renderer ships a Content-Security-Policy.
  assert.match(readFileSync(join(root, 'out/renderer/index.html'), 'utf8'), /Content-Security-Policy/);
});
