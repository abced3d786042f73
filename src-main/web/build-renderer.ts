/**
 * Makes sure out/renderer holds a build of the current renderer sources, so
 * `npm run web` works on a fresh checkout without the Electron binary. The
 * build runs vite in-process with the same renderer config electron-vite uses
 * (electron.vite.config.ts), into a temporary folder that then replaces
 * out/renderer, so a concurrent reader never sees a half-written build.
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const RENDERER_OUT = join(REPO_ROOT, 'out/renderer');

/** sources whose change makes the renderer build stale */
const INPUTS = ['src-renderer', 'src-main/ipc', 'src-main/web/wire.ts', 'electron.vite.config.ts'];

async function newestMtime(path: string): Promise<number> {
  let st;
  try {
    st = await fs.stat(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of await fs.readdir(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

/** Why out/renderer must be (re)built, or null when it is up to date. */
export async function rendererStaleness(outDir = RENDERER_OUT): Promise<string | null> {
  let built: number;
  try {
    built = (await fs.stat(join(outDir, 'index.html'))).mtimeMs;
  } catch {
    return `${outDir} has no build yet`;
  }
  for (const input of INPUTS) {
    if ((await newestMtime(join(REPO_ROOT, input))) > built) return `${input} changed since the last build`;
  }
  return null;
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/** Build the renderer into `outDir` (replacing it) with vite. */
export async function buildRenderer(outDir = RENDERER_OUT): Promise<void> {
  const { build } = await import('vite');
  const { rendererConfig } = await import('../../electron.vite.config');
  const tmp = `${outDir}.build-${process.pid}-${Date.now()}`;
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      mode: 'production',
      ...rendererConfig,
      base: './',
      build: { ...rendererConfig.build, outDir: tmp, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, modulePreload: { polyfill: false } },
    });
    const old = `${outDir}.old-${process.pid}-${Date.now()}`;
    await fs.rename(outDir, old).catch(() => undefined);
    try {
      await fs.rename(tmp, outDir);
    } catch (e) {
      // another process swapped its fresh build in between our two renames: use that one
      if (!(await exists(join(outDir, 'index.html')))) throw e;
    }
    await fs.rm(old, { recursive: true, force: true });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Build when missing or stale; returns what was done, for the log. */
export async function ensureRendererBuilt(outDir = RENDERER_OUT, log: (line: string) => void = () => undefined): Promise<'fresh' | 'built'> {
  const why = await rendererStaleness(outDir);
  if (why === null) return 'fresh';
  log(`building the renderer (${why})…`);
  await buildRenderer(outDir);
  return 'built';
}
