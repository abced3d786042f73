/**
 * The whole app behind the browser host in one call: an AppCore (the same one
 * the desktop app runs), the renderer build and the host. `npm run web` uses
 * it (serve.ts); the renderer's end-to-end tests import it to run the real
 * app on an ephemeral port with a temporary user-data folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppCore, type CoreOptions } from '../app/core';
import { ensureRendererBuilt, REPO_ROOT, RENDERER_OUT } from './build-renderer';
import { startWebHost, type WebHost } from './host';
import { loadCompleteSite } from './static-site';

export interface BrowserAppOptions {
  userDataDir: string;
  /** default the repo's resources/ */
  resourcesDir?: string;
  host?: string;
  /** default 5190; 0 picks a free port */
  port?: number;
  token?: string;
  allowedOrigins?: string[];
  /** default out/renderer */
  rendererDir?: string;
  /** build the renderer when missing or stale (default true) */
  build?: boolean;
  /** start the built-in demo source once up */
  openDemo?: boolean;
  log?: (line: string) => void;
  /** passed on to AppCore.create (e.g. autoStart: false in tests) */
  coreOptions?: Partial<Omit<CoreOptions, 'userDataDir' | 'runtime'>>;
}

export interface BrowserApp {
  core: AppCore;
  web: WebHost;
  /** the page's address, with `#token=…` when a token is set */
  url: string;
  close(): Promise<void>;
}

export function appVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The page address to open: the token travels in the fragment, which browsers never send to servers or in Referer. */
export function pageUrl(base: string, token?: string): string {
  return token ? `${base}#token=${encodeURIComponent(token)}` : base;
}

export async function startBrowserApp(opts: BrowserAppOptions): Promise<BrowserApp> {
  const log = opts.log ?? (() => undefined);
  const rendererDir = opts.rendererDir ?? RENDERER_OUT;
  if (opts.build ?? true) await ensureRendererBuilt(rendererDir, log);
  const site = await loadCompleteSite(rendererDir);
  const core = await AppCore.create({
    userDataDir: opts.userDataDir,
    resourcesDir: opts.resourcesDir ?? join(REPO_ROOT, 'resources'),
    runtime: 'browser',
    version: appVersion(),
    ...opts.coreOptions,
  });
  let web: WebHost;
  try {
    web = await startWebHost({ core, site, host: opts.host, port: opts.port, token: opts.token, allowedOrigins: opts.allowedOrigins, log });
  } catch (e) {
    await core.close();
    throw e;
  }
  if (opts.openDemo) {
    await core.invoke('startSource', { kind: 'demo' }).catch((e: unknown) => log(`could not start the demo: ${(e as Error).message}`));
  }
  return {
    core,
    web,
    url: pageUrl(web.url, opts.token),
    close: async () => {
      await web.close();
      await core.close();
    },
  };
}
