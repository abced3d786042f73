// The camera path end to end: Chromium's fake camera plays a y4m of a moving
// hand → the renderer's webcam pump → the real browser host → DVS emulator →
// events drawn on the Live screen → a prediction from the gesture model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, openPage } from './support/browser';
import { startHost, type Host, tearDown } from './support/host';
import { writeHandY4m } from './support/media';
import { findModel, startSourceFromUi, waitShell, waitState, WAIT } from './support/app';

let host: Host | string = 'not started';
let browser: Browser | null = null;
let page: Page;
let errors: string[] = [];
let clip = { path: '', source: 'blob' as 'blob' | 'gesture-generator' };
const dir = mkdtempSync(join(tmpdir(), 'neurolive-e2e-cam-'));

before(async () => {
  const missing = chromiumMissing();
  if (missing) {
    host = missing;
    return;
  }
  clip = await writeHandY4m(dir, 'right_hand_wave', 4);
  host = await startHost();
  if (typeof host === 'string') return;
  browser = await launchChromium({ video: clip.path });
  ({ page, errors } = await openPage(browser, host.url));
  await waitShell(page);
});

after(() => tearDown(browser, host, dir));

test('the webcam source shows events from the fake camera', async (t) => {
  if (typeof host === 'string') return t.skip(host);
  await startSourceFromUi(page, 'webcam');
  await waitState(page, 'media-pump', 'on');
  await waitState(page, 'event-view', 'events');
  const drawn = Number(await page.getAttribute('[data-testid=event-view]', 'data-events'));
  assert.ok(drawn > 0, `events drawn: ${drawn}`);
  await page.screenshot({ path: join(dir, 'webcam.png') });
  assert.deepEqual(errors, []);
});

test('the webcam source gives a prediction from the gesture model', async (t) => {
  if (typeof host === 'string') return t.skip(host);
  const model = await findModel(host, 'dvs');
  if (!model) return t.skip('no event-camera (gesture) model is installed yet: the model factory has not produced one');
  if ((await page.getAttribute('[data-testid=prediction]', 'data-state')) !== 'predicting') {
    await host.core.invoke('selectModel', { id: model.id });
  }
  await waitState(page, 'prediction', 'predicting', WAIT);
  const label = (await page.getAttribute('[data-testid=prediction]', 'data-label')) ?? '';
  assert.ok(label === 'unknown' || model.labels.includes(label), `prediction "${label}" is one of the model's labels or unknown`);
  // the confidence bars list every class the model knows
  const bars = await page.locator('.bars li').count();
  assert.ok(bars >= model.labels.length, `${bars} confidence bars for ${model.labels.length} labels`);
  t.diagnostic(`clip from the ${clip.source}; prediction: ${label}`);
});
