#!/usr/bin/env node
// `npm run bench`: bundles bench/run.ts with esbuild and runs the bundle in
// plain Node, as the app runs bundled code. Not through tsx: its module hooks
// talk to their thread with transfers, which detach ArrayBuffers, and after
// the first detach V8 checks every typed-array access in the thread for it —
// JavaScript loops measured up to 2× slower (docs/FRAMES.md, "Detached buffers").
// Each source file keeps its own import.meta.url / dirname (rewritten to its
// path), so paths resolve as they do from the sources; packages stay external.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out', 'bench', 'run.mjs');

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

await build({
  entryPoints: [join(root, 'bench', 'run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: out,
  plugins: [sourcePaths],
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--expose-gc', out, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
