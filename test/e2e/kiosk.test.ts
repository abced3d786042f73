// Kiosk mode against the real host: K enters it, the attract loop starts
// after the configured idle time, any input leaves it, and the PIN pad exits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Settings } from '../../src-main/ipc/contract';
import { chromiumMissing, launchChromium, openPage } from './support/browser';
import { startHost, type Host, tearDown } from './support/host';
import { waitShell, waitState, WAIT } from './support/app';

let host: Host | string = 'not started';
let browser: Browser | null = null;
let page: Page;
let errors: string[] = [];

before(async () => {
  host = chromiumMissing() ?? (await startHost());
  if (typeof host === 'string') return;
  browser = await launchChromium();
});

after(() => tearDown(browser, host));

test('kiosk: attract loop when idle, left on input, PIN to leave', async (t) => {
  if (typeof host === 'string') return t.skip(host);
  let settings: Settings;
  try {
    // the shortest idle time the contract allows, and a known PIN
    const s = (await host.core.invoke('getSettings')) as Settings;
    settings = (await host.core.invoke('updateSettings', { kiosk: { ...s.kiosk, idleSeconds: 10, pin: '2468' } })) as Settings;
  } catch (e) {
    return t.skip(`settings are not available in the host yet: ${(e as Error).message}`);
  }
  assert.equal(settings.kiosk.idleSeconds, 10);
  try {
    await host.core.invoke('setKiosk', { enabled: false, pin: '2468' });
  } catch (e) {
    if (/not implemented/i.test((e as Error).message)) return t.skip(`kiosk mode is not available in the host yet: ${(e as Error).message}`);
  }
  ({ page, errors } = await openPage(browser!, host.url));
  await waitShell(page);
  await page.keyboard.press('k');
  await waitState(page, 'kiosk', 'active');
  // no nav in kiosk mode
  assert.equal(await page.locator('nav[aria-label=Screens]').count(), 0);

  // idle → attract loop with a caption
  await waitState(page, 'kiosk', 'attract', WAIT);
  const caption = await page.locator('[data-testid=attract] .caption').textContent();
  assert.ok(caption && caption.length > 3, `caption: ${caption}`);

  // any input leaves it
  await page.mouse.click(400, 400);
  await waitState(page, 'kiosk', 'active');

  // a wrong PIN keeps kiosk mode, the right one leaves it
  await page.click('button[aria-label="Leave kiosk mode"]');
  await page.waitForSelector('[data-testid=pin-pad]');
  for (const d of '1111') await page.click(`button[aria-label="Digit ${d}"]`);
  await page.click('button[aria-label="Confirm PIN"]');
  await page.waitForSelector('[data-testid=pin-pad] [role=alert]', { timeout: WAIT });
  for (const d of '2468') await page.click(`button[aria-label="Digit ${d}"]`);
  await page.click('button[aria-label="Confirm PIN"]');
  await waitShell(page);
  assert.equal(await page.locator('[data-testid=kiosk]').count(), 0);
  assert.deepEqual(errors.filter((e) => !e.includes('403')), []);
});
