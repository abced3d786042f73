import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rendererStaleness } from '../../src-main/web/build-renderer';
import { checkListenConfig, checkUpgrade, isLoopbackHost, tokenMatches } from '../../src-main/web/access';
import { headerCsp, loadCompleteSite, lookup, metaCsp, missingAssets } from '../../src-main/web/static-site';
import { defaultUserDataDir } from '../../src-main/web/user-data';

test('loopback names', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'app.localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', 'localhost.example.com', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
});

test('listening beyond loopback needs a token of at least 16 characters', () => {
  assert.doesNotThrow(() => checkListenConfig('127.0.0.1', undefined));
  assert.throws(() => checkListenConfig('0.0.0.0', undefined), /refusing to listen on 0\.0\.0\.0 without a token/);
  assert.throws(() => checkListenConfig('192.168.1.5', ''), /without a token/);
  assert.throws(() => checkListenConfig('0.0.0.0', 'abc'), /at least 16 characters/);
  assert.doesNotThrow(() => checkListenConfig('0.0.0.0', 'x'.repeat(16)));
});

test('tokens compare exactly', () => {
  assert.equal(tokenMatches('secret-secret-secret', 'secret-secret-secret'), true);
  assert.equal(tokenMatches('secret-secret-secret', 'secret-secret-secreT'), false);
  assert.equal(tokenMatches('secret-secret-secret', ''), false);
  assert.equal(tokenMatches('secret-secret-secret', null), false);
});

test('upgrade decisions: path, Host, Origin, token', () => {
  const loop = { listenHost: '127.0.0.1' };
  const ok = (d: ReturnType<typeof checkUpgrade>) => d.ok;
  const status = (d: ReturnType<typeof checkUpgrade>) => (d.ok ? 200 : d.status);
  assert.ok(ok(checkUpgrade(loop, { url: '/api', host: '127.0.0.1:5190' })));
  assert.ok(ok(checkUpgrade(loop, { url: '/api', host: 'localhost:5190', origin: 'http://localhost:5190' })));
  assert.equal(status(checkUpgrade(loop, { url: '/other', host: '127.0.0.1:5190' })), 404);
  assert.equal(status(checkUpgrade(loop, { url: '/api', host: 'evil.example:5190', origin: 'http://evil.example:5190' })), 403);
  assert.equal(status(checkUpgrade(loop, { url: '/api' })), 400);
  assert.equal(status(checkUpgrade(loop, { url: '/api', host: '127.0.0.1:5190', origin: 'http://127.0.0.1:5191' })), 403);
  assert.equal(status(checkUpgrade(loop, { url: '/api', host: '127.0.0.1:5190', origin: 'file://' })), 403);
  const lan = { listenHost: '0.0.0.0', token: 'tok-tok-tok-tok-tok', allowedOrigins: ['http://controller:8080'] };
  assert.equal(status(checkUpgrade(lan, { url: '/api', host: '192.168.1.5:5190' })), 401);
  assert.ok(ok(checkUpgrade(lan, { url: '/api?token=tok-tok-tok-tok-tok', host: '192.168.1.5:5190', origin: 'http://192.168.1.5:5190' })));
  assert.ok(ok(checkUpgrade(lan, { url: '/api?token=tok-tok-tok-tok-tok', host: '192.168.1.5:5190', origin: 'http://controller:8080' })));
  assert.equal(status(checkUpgrade(lan, { url: '/api?token=tok-tok-tok-tok-tok', host: '192.168.1.5:5190', origin: 'http://evil.example' })), 403);
});

test('the CSP header is the page’s meta policy plus header-only directives', () => {
  const html = `<meta charset="utf-8"><meta\n http-equiv="Content-Security-Policy"\n content="default-src 'self';  script-src 'self'; object-src 'self'" />`;
  assert.equal(metaCsp(html), "default-src 'self'; script-src 'self'; object-src 'self'");
  assert.equal(headerCsp(metaCsp(html)), "default-src 'self'; script-src 'self'; object-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  assert.equal(metaCsp('<meta name="viewport" content="x">'), null);
  assert.match(headerCsp(null), /^default-src 'self'; script-src 'self';.*frame-ancestors 'none'/);
});

test('static site: only files of the build, index.html for routes, traversal cannot escape, half-written builds are detected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurolive-site-'));
  try {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<script type="module" src="./assets/a.js"></script><link rel="stylesheet" href="./assets/a.css">');
    writeFileSync(join(dir, 'assets/a.js'), 'x');
    const partial = await loadCompleteSite(dir, 1).catch((e: Error) => e);
    assert.match(String(partial), /refers to missing files: \/assets\/a\.css/);
    writeFileSync(join(dir, 'assets/a.css'), 'y');
    const site = await loadCompleteSite(dir, 1);
    assert.deepEqual(missingAssets(site), []);
    assert.equal(lookup(site, '/assets/a.js')?.type, 'text/javascript; charset=utf-8');
    assert.equal(lookup(site, '/')?.type, 'text/html; charset=utf-8');
    assert.equal(lookup(site, '/settings'), site.files.get('/index.html'));
    for (const evil of ['/../package.json', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%00.js', '/%E0%A4%A', '/nope.js']) {
      // nothing outside the build: at most the page itself (extensionless paths are client routes)
      const hit = lookup(site, evil);
      assert.ok(hit === null || hit === site.files.get('/index.html'), evil);
    }
    assert.equal(lookup(site, '/nope.js'), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('default user-data folders match Electron’s app-data locations', () => {
  assert.equal(defaultUserDataDir('linux', {}, '/home/u'), '/home/u/.config/neurolive');
  assert.equal(defaultUserDataDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/u'), '/x/neurolive');
  assert.equal(defaultUserDataDir('darwin', {}, '/Users/u'), '/Users/u/Library/Application Support/neurolive');
  assert.match(defaultUserDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u'), /Roaming[\\/]neurolive$/);
});

test('the renderer build is stale when missing or older than its sources', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurolive-out-'));
  try {
    assert.match((await rendererStaleness(join(dir, 'renderer'))) ?? '', /has no build yet/);
    mkdirSync(join(dir, 'renderer'));
    writeFileSync(join(dir, 'renderer/index.html'), '');
    utimesSync(join(dir, 'renderer/index.html'), new Date(0), new Date(0));
    assert.match((await rendererStaleness(join(dir, 'renderer'))) ?? '', /changed since the last build/);
    const future = new Date(Date.now() + 86_400_000);
    utimesSync(join(dir, 'renderer/index.html'), future, future);
    assert.equal(await rendererStaleness(join(dir, 'renderer')), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
