/**
 * The built-in demo: the bundled recordings in resources/demo/ (made by
 * scripts/make-demo.ts from the project's own generators) replayed one after
 * the other in a loop, so a fresh install shows live classification with no
 * hardware. A `<stem>_labels.csv` beside a recording gives its ground truth.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ReplaySource, type ReplayOptions } from './replay';

export const DEMO_DIR_NAME = 'demo';
const DEMO_EXTENSIONS = new Set(['.aedat4', '.aedat', '.raw', '.dat', '.npy', '.csv']);

/** Bundled demo recordings (full paths, sorted); empty when the folder is missing. */
export function listDemoFiles(resourcesDir: string): string[] {
  const dir = join(resourcesDir, DEMO_DIR_NAME);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => DEMO_EXTENSIONS.has(extname(n).toLowerCase()) && !n.endsWith('_labels.csv'))
    .sort()
    .map((n) => join(dir, n));
}

/** "wave.aedat4" → "wave" */
export function demoName(file: string): string {
  return basename(file, extname(file));
}

export function createDemoSource(resourcesDir: string, opts: { name?: string } & Omit<ReplayOptions, 'files' | 'kind'> = {}): ReplaySource {
  const all = listDemoFiles(resourcesDir);
  if (all.length === 0) throw new Error(`no demo recordings in ${join(resourcesDir, DEMO_DIR_NAME)} (run: npx tsx scripts/make-demo.ts)`);
  let files = all;
  if (opts.name !== undefined) {
    files = all.filter((f) => demoName(f) === opts.name);
    if (files.length === 0) throw new Error(`no demo recording named "${opts.name}" (have: ${all.map(demoName).join(', ')})`);
  }
  return new ReplaySource({ loop: true, ...opts, kind: 'demo', files, label: (f) => `Built-in demo: ${demoName(f)}` });
}
