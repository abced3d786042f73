// Screenshots of every screen of the real app (browser host + AppCore, fake
// camera feeding the webcam source) into docs/screenshots/, for the README
// and docs/UI.md. Each shot waits on the state it shows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, openPage } from './support/browser';
import { startHost, type Host, tearDown } from './support/host';
import { writeHandY4m } from './support/media';
import { findModel, goScreen, startSourceFromUi, waitShell, waitState, WAIT } from './support/app';

const OUT = resolve(import.meta.dirname, '../../docs/screenshots');
let host: Host | string = 'not started';
let browser: Browser | null = null;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'neurolive-e2e-shots-'));

before(async () => {
  host = chromiumMissing() ?? (await startHost({ openDemo: true }));
  if (typeof host === 'string') return;
  const clip = await writeHandY4m(dir, 'right_hand_wave', 4);
  browser = await launchChromium({ video: clip.path });
  ({ page } = await openPage(browser, host.url));
  await waitShell(page);
  mkdirSync(OUT, { recursive: true });
});

after(() => tearDown(browser, host, dir));

async function shot(name: string): Promise<void> {
  // let the toasts of start-up go, so they do not cover the screen
  await page.locator('.toast button[aria-label=Dismiss]').evaluateAll((bs) => bs.forEach((b) => (b as unknown as { click(): void }).click()));
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  assert.ok(statSync(path).size > 10_000, `${name}.png has content`);
}

/** Records a take of at least `events` events on the Record screen (the counter is app state, polled), so the list shows one. */
async function recordTake(label: string, events: number): Promise<void> {
  const takes = await page.locator('[data-testid=take-list] li[data-take]').count();
  await page.fill('[data-testid=take-label]', label);
  await page.click('[data-testid=record-toggle]');
  await waitState(page, 'recorder', 'recording');
  for (;;) {
    const now = (await page.getAttribute('[data-testid=record-events]', 'data-events')) ?? '0';
    if (Number(now) >= events) break;
    // the counter's next value
    await page.waitForSelector(`[data-testid=record-events]:not([data-events="${now}"])`, { timeout: WAIT });
  }
  await page.click('[data-testid=record-toggle]');
  await waitState(page, 'recorder', 'idle');
  await page.waitForSelector(`[data-testid=take-list] li[data-take]:nth-of-type(${takes + 1})`, { timeout: WAIT });
}

test('screenshots of every screen', async (t) => {
  if (typeof host === 'string') return t.skip(host);
  const gesture = await findModel(host, 'dvs');
  if (gesture) await host.core.invoke('selectModel', { id: gesture.id });
  // the live view fed by the fake camera
  const state = (await host.core.invoke('getState')) as { source: { state: string } };
  if (state.source.state !== 'live') await startSourceFromUi(page, 'webcam');
  await waitState(page, 'event-view', 'events');
  // a class, not "unknown", as the screen's headline (the demo loops, so one comes)
  if (gesture) await page.waitForSelector('[data-testid=prediction][data-state=predicting]:not([data-label=unknown])', { timeout: WAIT });
  // the 2D worker has counted its first frame rate (after half a second of frames)
  await page.waitForSelector('[data-testid=event-view]:not([data-fps="0"])', { timeout: WAIT });
  await shot('live');

  await page.click('.seg button:has-text("Both")');
  // the worker has drawn frames for a second (its fps is counted per second): the cloud holds events
  await page.waitForSelector('[data-testid=cloud-view][data-state=running]:not([data-fps="0"])', { timeout: WAIT });
  await waitState(page, 'event-view', 'events');
  await shot('live-3d');
  await page.click('.seg button:has-text("2D")');

  await goScreen(page, '2', 'screen-enroll');
  await waitState(page, 'event-view', 'events');
  await page.waitForSelector('[data-testid=event-view]:not([data-fps="0"])', { timeout: WAIT });
  await shot('enroll');
  await goScreen(page, '3', 'screen-record');
  await recordTake('arm circles', 250_000);
  await page.waitForSelector('[data-testid=event-view]:not([data-fps="0"])', { timeout: WAIT });
  await shot('record');
  await goScreen(page, '4', 'screen-models');
  await shot('models');
  await goScreen(page, '5', 'screen-settings');
  await page.waitForSelector('[data-testid=save-settings]');
  await shot('settings');

  await page.keyboard.press('?');
  await page.waitForSelector('dialog[open]');
  await shot('shortcuts');
  await page.keyboard.press('Escape');

  try {
    await host.core.invoke('setKiosk', { enabled: true });
  } catch (e) {
    t.diagnostic(`no kiosk screenshot: ${(e as Error).message}`);
    return;
  }
  await waitState(page, 'kiosk', 'active');
  // the kiosk's own event view has drawn (it starts empty when the kiosk mounts)
  await waitState(page, 'event-view', 'events');
  await page.waitForSelector('[data-testid=event-view]:not([data-fps="0"])', { timeout: WAIT });
  await shot('kiosk');
});
