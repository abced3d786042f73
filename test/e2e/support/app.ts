/**
 * Page helpers: waits on the app's own state (data-state attributes,
 * aria-live text), never on time. Only selectors: the app's CSP has no
 * 'unsafe-eval', which Playwright's waitForFunction predicates need.
 */
import type { Page } from 'playwright-core';
import type { ModelInfo } from '../../../src-main/ipc/contract';
import type { Host } from './host';

export const WAIT = 60_000;

export async function waitState(page: Page, testid: string, state: string, timeout = WAIT): Promise<void> {
  await page.waitForSelector(`[data-testid="${testid}"][data-state="${state}"]`, { timeout });
}

export async function waitShell(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=shell]', { timeout: WAIT });
}

export async function goScreen(page: Page, key: '1' | '2' | '3' | '4' | '5', testid: string): Promise<void> {
  await page.locator('body').click({ position: { x: 5, y: 5 } }).catch(() => {});
  await page.keyboard.press(key);
  await page.waitForSelector(`[data-testid="${testid}"]`, { timeout: WAIT });
}

/** start a source from the Live screen's picker */
export async function startSourceFromUi(page: Page, kind: string): Promise<void> {
  await page.click(`.kinds button[data-kind="${kind}"]`);
  await page.click('[data-testid=start-source]');
  await waitSourceState(page, 'live');
}

/** the first installed model for a sensor, or null */
export async function findModel(host: Host, sensor: 'dvs' | 'audio', task?: string): Promise<ModelInfo | null> {
  const models = (await host.core.invoke('listModels')) as ModelInfo[];
  return models.find((m) => m.sensor === sensor && (!task || m.task === task)) ?? null;
}

/** the label the prediction panel shows now */
export async function topLabel(page: Page): Promise<string> {
  return (await page.getAttribute('[data-testid=prediction]', 'data-label')) ?? '';
}

/** wait until the prediction panel shows `label` (case-insensitive) */
export async function waitForLabel(page: Page, label: string, timeout = WAIT): Promise<void> {
  // a selector, not waitForFunction: the app's CSP (no 'unsafe-eval') blocks Playwright's predicate eval
  await page.waitForSelector(`[data-testid=prediction][data-label=${JSON.stringify(label)} i]`, { timeout });
}

export async function waitSourceState(page: Page, state: string, timeout = WAIT): Promise<void> {
  await page.waitForSelector(`.status [data-testid=source-state][data-state="${state}"]`, { timeout });
}
