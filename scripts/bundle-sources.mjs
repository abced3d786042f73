// Bundles a TypeScript entry with esbuild for running in plain Node, the way
// the CLI and the benchmarks run: not through tsx, whose module hooks talk to
// their thread with transfers. A transfer detaches an ArrayBuffer, and after
// the first detach V8 checks every typed-array access in the thread for it —
// JavaScript loops measured up to 2× slower (docs/FRAMES.md, "Detached buffers").
//
// Each source file keeps its own import.meta.url / filename / dirname
// (rewritten to its path), so files, models and worker entries resolve as they
// do from the sources; packages stay external. `bundleIfStale` rebuilds only
// when a source the bundle was made from changed (mtimes recorded beside it).
import { readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

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

/** Bundles `entry` into `outfile` (written whole, then renamed: concurrent builders never see half a file). */
export async function bundleSources(entry, outfile) {
  const { build } = await import('esbuild');
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp`;
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: tmp,
    plugins: [sourcePaths],
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(r.metafile.inputs).map((p) => resolve(p));
  const stamps = Object.fromEntries(inputs.map((p) => [p, statSync(p).mtimeMs]));
  writeFileSync(`${tmp}.inputs`, JSON.stringify(stamps));
  renameSync(tmp, outfile);
  renameSync(`${tmp}.inputs`, `${outfile}.inputs.json`);
  return outfile;
}

/** True when `outfile` exists and none of the sources it was made from changed since. */
export function bundleFresh(outfile) {
  try {
    const stamps = JSON.parse(readFileSync(`${outfile}.inputs.json`, 'utf8'));
    statSync(outfile);
    for (const [p, mtime] of Object.entries(stamps)) if (statSync(p).mtimeMs !== mtime) return false;
    return true;
  } catch {
    return false;
  }
}

export async function bundleIfStale(entry, outfile) {
  return bundleFresh(outfile) ? outfile : bundleSources(entry, outfile);
}
