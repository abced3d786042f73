// The real browser host and AppCore, driven by Debian's Chromium: the page
// loads under the host's CSP header with no console errors and shows appInfo
// over the WebSocket transport; the token in the fragment is used, then
// removed from the address bar.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startBrowserApp, type BrowserApp } from '../../src-main/web/start';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`;
const hasDemo = existsSync(join(import.meta.dirname, '../../resources/demo'));

let browser: Browser;
let userData: string;

before(async () => {
  if (skip) return;
  userData = mkdtempSync(join(tmpdir(), 'neurolive-web-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});
after(async () => {
  await browser?.close();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

async function openPage(app: BrowserApp, opts: { waitForEvents?: boolean } = {}): Promise<{ info: { runtime: string; name: string }; problems: string[]; href: string; csp: string | undefined; screen: string | null }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  try {
    const response = await page.goto(app.url);
    // the shell appears once the app's first calls (appInfo, getState, …) were answered over the WebSocket
    const shell = page.getByTestId('shell');
    await shell.waitFor({ timeout: 30_000 });
    const screen = await shell.getAttribute('data-screen');
    // the demo's EventChunks (binary frames) decoded and drawn by the page
    if (opts.waitForEvents) await page.locator('[data-testid="event-view"][data-state="events"]').waitFor({ timeout: 30_000 });
    const href = page.url();
    // appInfo as the page's own origin sees it, through the same endpoint and CSP (text frames: {id, method} → {id, result})
    const info = await page.evaluate(
      ({ host, token }) =>
        new Promise<{ runtime: string; name: string }>((resolve, reject) => {
          const ws = new WebSocket(`ws://${host}/api${token ? `?token=${token}` : ''}`);
          ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'appInfo' }));
          ws.onmessage = (e) => {
            resolve(JSON.parse(e.data as string).result);
            ws.close();
          };
          ws.onerror = () => reject(new Error('WebSocket failed'));
        }),
      { host: new URL(app.web.url).host, token: app.url.split('#token=')[1] ?? '' },
    );
    return { info, problems, href, screen, csp: response?.headers()['content-security-policy'] };
  } catch (e) {
    throw new Error(`${(e as Error).message}\nconsole: ${problems.join('\n') || '(nothing)'}`);
  } finally {
    await page.close();
  }
}

test('the page loads under the CSP header without console errors, shows appInfo from the browser runtime and draws the demo’s events', { skip }, async () => {
  const app = await startBrowserApp({ userDataDir: join(userData, 'a'), port: 0 });
  try {
    const { info, problems, csp, screen } = await openPage(app, { waitForEvents: hasDemo });
    assert.equal(info.runtime, 'browser');
    assert.equal(info.name, 'Neurolive');
    assert.equal(screen, 'live');
    assert.deepEqual(problems, []);
    assert.ok(csp, 'no Content-Security-Policy header');
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(app.web.stats().badFrames, 0);
  } finally {
    await app.close();
  }
});

test('with a token the page connects using the #token fragment and then removes it from the address bar', { skip }, async () => {
  const token = 'tok-0123456789abcdef';
  const app = await startBrowserApp({ userDataDir: join(userData, 'b'), port: 0, token, coreOptions: { autoStart: false } });
  try {
    assert.ok(app.url.endsWith(`#token=${token}`));
    const { info, problems, href } = await openPage(app);
    assert.equal(info.runtime, 'browser');
    assert.deepEqual(problems, []);
    assert.equal(href, app.web.url, 'the token must not stay in the address bar');
  } finally {
    await app.close();
  }
});
