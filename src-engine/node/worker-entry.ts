/**
 * Where a worker thread's entry file is and how to start it, the same way from
 * TypeScript sources (tsx: tests), from the esbuild bundles of the CLI and the
 * benchmarks (scripts/bundle-sources.mjs) and from the app's build
 * (electron-vite puts `<name>.js` beside the main bundle).
 */
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

// Defined by scripts/bundle-sources.mjs (esbuild `define`) in the bundles it makes: worker source
// path → its bundle. Elsewhere the identifier is undeclared at run time, hence the typeof test.
declare const NEUROLIVE_WORKER_BUNDLES: Record<string, string>;

/** The entry of the worker `./<name>` beside the file at `callerUrl` (its import.meta.url): its bundle when there is one. */
export function workerEntry(name: string, callerUrl: string): URL {
  const source = new URL(`./${name}${extname(fileURLToPath(callerUrl)) || '.js'}`, callerUrl);
  const bundles = typeof NEUROLIVE_WORKER_BUNDLES === 'object' ? NEUROLIVE_WORKER_BUNDLES : {};
  const bundled = bundles[fileURLToPath(source)];
  return bundled ? pathToFileURL(bundled) : source;
}

/**
 * Starts a worker on `entry`. A TypeScript source gets tsx registered inside
 * the worker first (Node 20 workers do not inherit `--import tsx`); tsx's
 * hooks slow the worker's typed-array loops (docs/FRAMES.md, "Detached
 * buffers"), which is why the bundles carry their workers bundled too.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}
