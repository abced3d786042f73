#!/usr/bin/env node
// `npm run bench`: runs bench/run.ts as an esbuild bundle in plain Node, as the
// app runs bundled code — not through tsx, whose module hooks detach
// ArrayBuffers and so slow typed-array loops (scripts/bundle-sources.mjs).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSources } from './bundle-sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = await bundleSources(join(root, 'bench', 'run.ts'), join(root, '.cache', 'bundles', 'bench.mjs'));
const r = spawnSync(process.execPath, ['--expose-gc', out, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
