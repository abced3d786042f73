// Settings → Backend in Chromium against the real browser host, with the
// software NSoC attached (NEUROLIVE_SOFTWARE_HID=1): switch to the USB device,
// the UI shows it; pull the cable, the UI shows the error and the simulator.
// (Waits are selectors: the page's CSP forbids Playwright's eval predicates.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { SoftwareNsocDevices } from '../../src-main/devices/hid';
import { chromiumMissing, launchChromium, openPage } from './support/browser';
import { startHost, type Host, tearDown } from './support/host';
import { goScreen, waitShell, WAIT } from './support/app';

let host: Host | string = 'not started';
let browser: Browser | null = null;
let page: Page;

before(async () => {
  process.env['NEUROLIVE_SOFTWARE_HID'] = '1';
  try {
    host = chromiumMissing() ?? (await startHost({ openDemo: true }));
  } finally {
    delete process.env['NEUROLIVE_SOFTWARE_HID'];
  }
  if (typeof host === 'string') return;
  browser = await launchChromium();
  ({ page } = await openPage(browser, host.url));
  await waitShell(page);
});

after(() => tearDown(browser, host));

test('switch to the (software) USB NSoC in Settings, then unplug it: the error shows and the simulator takes over', async (t) => {
  if (typeof host === 'string') return t.skip(host);
  const state = (await host.core.invoke('getState')) as { model: unknown };
  if (!state.model) return t.skip('no model is selected in the host (no installed models?)');
  await goScreen(page, '5', 'backend');
  await page.waitForSelector('[data-testid=backend][data-kind=simulator]', { timeout: WAIT });
  await page.click('button:has-text("USB NSoC device")');
  await page.waitForSelector('[data-testid=backend][data-kind=hid-device][data-state=ready], [data-testid=backend][data-kind=hid-device][data-state=busy]', { timeout: WAIT });
  assert.match((await page.locator('[data-testid=backend] strong').textContent()) ?? '', /^USB NSoC: .*\(software, loopback\)$/);

  (host.core as unknown as { nsocDevices: SoftwareNsocDevices }).nsocDevices.unplug();
  await page.waitForSelector('[data-testid=backend][data-kind=simulator]', { timeout: WAIT });
  await page.waitForSelector('[data-testid=backend-error]', { timeout: WAIT });
  assert.match((await page.locator('[data-testid=backend-error]').textContent()) ?? '', /the USB NSoC was lost \(device unplugged\); running on the simulator/);
});
