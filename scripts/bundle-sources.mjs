// Bundles a TypeScript entry with esbuild for running in plain Node, the way
// the CLI and the benchmarks run: not through tsx, whose module hooks talk to
// their thread with transfers. A transfer detaches an ArrayBuffer, and after
// the first detach V8 checks every typed-array access in the thread for it —
// JavaScript loops measured up to 2× slower (docs/FRAMES.md, "Detached buffers").
//
// Each source file keeps its own import.meta.url / filename / dirname
// (rewritten to its path), so files and models resolve as they do from the
// sources; packages stay external. The worker threads' entries (WORKERS) are
// bundled beside the main bundle, and the bundles carry the map from each
// worker's source to its bundle (NEUROLIVE_WORKER_BUNDLES, read by
// src-engine/node/worker-entry.ts), so workers run bundled too instead of
// through tsx. `bundleIfStale` rebuilds only when a source the bundles were
// made from changed (mtimes recorded beside them).
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** worker thread entries started by the sources (worker-entry.ts), by the name their bundle gets */
const WORKERS = {
  'nsoc-worker': 'src-engine/node/nsoc-worker.ts',
  'gesture-worker': 'src-main/datasets/gesture/worker.ts',
  'import-worker': 'src-main/models/import/import-worker.ts',
};

const sourcePaths = {
  name: 'source-paths',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const src = await readFile(args.path, 'utf8');
      const contents = src
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * Bundles `entry` into `outfile` and the workers beside it (`<stem>.<worker>.mjs`);
 * all are written to a temporary folder, then renamed into place one by one
 * (concurrent builders never see half a file; their outputs are the same).
 */
export async function bundleSources(entry, outfile) {
  const { build } = await import('esbuild');
  const outDir = dirname(outfile);
  const stem = basename(outfile).replace(/\.m?js$/, '');
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(join(outDir, `.${stem}-`));
  try {
    const workers = Object.entries(WORKERS).map(([name, src]) => ({ in: join(root, src), out: `${stem}.${name}` }));
    const bundles = Object.fromEntries(workers.map((w) => [w.in, join(outDir, `${w.out}.mjs`)]));
    const r = await build({
      entryPoints: [{ in: entry, out: stem }, ...workers],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      define: { NEUROLIVE_WORKER_BUNDLES: JSON.stringify(bundles) },
      plugins: [sourcePaths],
      metafile: true,
      logLevel: 'warning',
    });
    // (metafile inputs also name esbuild's own virtual modules, such as `<define:…>`)
    const inputs = Object.keys(r.metafile.inputs).filter((p) => !p.startsWith('<')).map((p) => resolve(p));
    const stamps = Object.fromEntries(inputs.map((p) => [p, statSync(p).mtimeMs]));
    for (const w of workers) renameSync(join(tmp, `${w.out}.mjs`), bundles[w.in]);
    writeFileSync(join(tmp, 'inputs.json'), JSON.stringify(stamps));
    // the main bundle last, its stamps with it: a fresh stamp file means every bundle is in place
    renameSync(join(tmp, `${stem}.mjs`), outfile);
    renameSync(join(tmp, 'inputs.json'), `${outfile}.inputs.json`);
    return outfile;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** True when `outfile` exists and none of the sources it was made from changed since. */
export function bundleFresh(outfile) {
  try {
    const stamps = JSON.parse(readFileSync(`${outfile}.inputs.json`, 'utf8'));
    statSync(outfile);
    const stem = basename(outfile).replace(/\.m?js$/, '');
    for (const name of Object.keys(WORKERS)) statSync(join(dirname(outfile), `${stem}.${name}.mjs`));
    for (const [p, mtime] of Object.entries(stamps)) if (statSync(p).mtimeMs !== mtime) return false;
    return true;
  } catch {
    return false;
  }
}

export async function bundleIfStale(entry, outfile) {
  return bundleFresh(outfile) ? outfile : bundleSources(entry, outfile);
}
