/**
 * Launches Debian's Chromium through playwright-core, headless, with the fake
 * camera/microphone fed from files the tests generate.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

export interface LaunchOptions {
  /** y4m clip for the fake camera */
  video?: string;
  /** WAV file for the fake microphone */
  audio?: string;
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    // headless rAF/timers must not be throttled while we wait on app state
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (opts.video) args.push(`--use-file-for-fake-video-capture=${opts.video}`);
  if (opts.audio) args.push(`--use-file-for-fake-audio-capture=${opts.audio}`);
  return chromium.launch({ executablePath: CHROMIUM, args, headless: true });
}

/** a page at 1440×900 that fails the test on uncaught page errors (collected, checked by the caller) */
export async function openPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { context, page, errors };
}
