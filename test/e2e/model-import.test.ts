// Models screen → import an ONNX network through the UI against the real
// browser host: the conversion progress bar runs to the end, the report shows
// what was quantized and how far the outputs moved, "Use it" makes it the
// active model; a network with another input is refused with its shapes.
// (Waits are selectors: the page's CSP forbids Playwright's eval predicates.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, openPage } from './support/browser';
import { startHost, type Host, tearDown } from './support/host';
import { goScreen, waitShell, waitState, WAIT } from './support/app';

const MAKE_ONNX = resolve(import.meta.dirname, '../app/support/make_import_onnx.py');
let host: Host | string = 'not started';
let browser: Browser | null = null;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'neurolive-e2e-import-'));
const good = join(dir, 'my-gestures.onnx');
const small = join(dir, 'small.onnx');

before(async () => {
  try {
    execFileSync('/usr/bin/python3', [MAKE_ONNX, good, '10', '64', '64', small, '3', '16', '16'], { stdio: 'pipe' });
  } catch (e) {
    if (/No module named '(torch|onnx)'/.test(String((e as { stderr?: Buffer }).stderr ?? ''))) {
      host = 'needs /usr/bin/python3 with torch and onnx to export the test ONNX model';
      return;
    }
    throw e;
  }
  host = chromiumMissing() ?? (await startHost());
  if (typeof host === 'string') return;
  browser = await launchChromium();
  ({ page } = await openPage(browser, host.url));
  await waitShell(page);
});

after(() => tearDown(browser, host, dir));

test('import an ONNX model from the Models screen: progress, report, use it; a wrong input is refused', async (t) => {
  if (typeof host === 'string') return t.skip(host);
  await goScreen(page, '4', 'screen-models');

  await page.fill('input[aria-label="ONNX file path"]', small);
  await page.click('.import button[type=submit]');
  const err = page.locator('[data-testid=toast-error]').first();
  await err.waitFor({ timeout: WAIT });
  assert.match((await err.textContent()) ?? '', /takes 16×16×3 input \(H×W×C\); it must take the same input as an installed model \(.*64×64×10/);

  await page.fill('input[aria-label="ONNX file path"]', good);
  await page.fill('input[aria-label="Model name"]', 'My gestures');
  await page.click('.import button[type=submit]');
  await page.waitForSelector('[data-testid=convert-progress]', { timeout: WAIT });
  await waitState(page, 'convert-progress', 'finished', WAIT);
  assert.equal(await page.locator('[data-testid=convert-progress] [role=progressbar]').getAttribute('aria-valuenow'), '100');
  const report = page.locator('[data-testid=convert-report]');
  await report.waitFor({ timeout: WAIT });
  const text = (await report.textContent()) ?? '';
  assert.match(text, /Converted: My gestures/);
  assert.match(text, /4 layers quantized to .*4-bit weights/);
  assert.match(text, /agreement with the float ONNX model/);

  const card = page.locator('article.card[data-model="My gestures"]');
  await card.waitFor({ timeout: WAIT });
  await report.locator('button', { hasText: 'Use it' }).click();
  await card.locator('.badge', { hasText: 'active' }).waitFor({ timeout: WAIT });
  const models = (await host.core.invoke('listModels')) as { name: string; builtin: boolean }[];
  assert.ok(models.some((m) => m.name === 'My gestures' && !m.builtin));
});
