#!/usr/bin/env node
// The CLI from its TypeScript sources, no build step: bundled with esbuild into
// .cache/bundles/ on first use (and again when a source changes) and run in plain
// Node. Not through tsx's module hooks, which detach ArrayBuffers and so slow
// every typed-array loop in the process (scripts/bundle-sources.mjs); tsx is
// the fallback where the bundle cannot be written.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleIfStale } from '../scripts/bundle-sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src-main', 'cli', 'main.ts');
let main;
try {
  ({ main } = await import(await bundleIfStale(entry, join(root, '.cache', 'bundles', 'cli.mjs'))));
} catch (e) {
  if (process.env.NEUROLIVE_DEBUG) console.error(`neurolive: running through tsx (${e instanceof Error ? e.message : e})`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(entry));
}
process.exitCode = await main(process.argv.slice(2));
