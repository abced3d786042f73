/**
 * Starts the REAL browser host and AppCore (src-main/web/start.ts) in-process
 * on an ephemeral port with a temporary user-data folder. When the host is
 * not there yet (or fails to start), `startHost` resolves to a reason the
 * test uses to skip, never to fake the app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Host {
  url: string;
  userDataDir: string;
  /** the AppCore, for tests that must look at state the UI does not show */
  core: { invoke(method: string, arg?: unknown): Promise<unknown> };
  close(): Promise<void>;
}

export async function startHost(opts: { openDemo?: boolean } = {}): Promise<Host | string> {
  let start: typeof import('../../../src-main/web/start').startBrowserApp;
  try {
    ({ startBrowserApp: start } = await import('../../../src-main/web/start'));
  } catch (e) {
    return `the browser host (src-main/web/start.ts) cannot be loaded: ${(e as Error).message}`;
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'neurolive-e2e-'));
  try {
    const app = await start({ userDataDir, port: 0, openDemo: opts.openDemo ?? false });
    return {
      url: app.url,
      userDataDir,
      core: app.core as unknown as Host['core'],
      close: async () => {
        // a host that cannot shut down must fail the test file, not hang it
        let timer: NodeJS.Timeout | undefined;
        const stuck = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the browser host did not close within 15 s')), 15_000);
        });
        try {
          await Promise.race([app.close(), stuck]);
        } finally {
          clearTimeout(timer);
          rmSync(userDataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    rmSync(userDataDir, { recursive: true, force: true });
    return `the browser host did not start: ${(e as Error).message}`;
  }
}

/**
 * The end of an e2e file: the browser, then the host (a string host is the
 * reason it never started), then the file's temporary folder — kept when
 * KEEP_E2E is set, for looking at what a failed run left.
 */
export async function tearDown(browser: { close(): Promise<void> } | null, host: Host | string, dir?: string): Promise<void> {
  try {
    await browser?.close();
    if (typeof host !== 'string') await host.close();
  } finally {
    if (dir && !process.env.KEEP_E2E) rmSync(dir, { recursive: true, force: true });
  }
}
