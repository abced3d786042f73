// Runs one reader's fuzz campaign in a worker thread, so that a hang can be
// detected and the worker terminated instead of stalling the test run.
import { readFileSync, existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { FormatId } from '../../src-engine/formats/types';
import { fuzzFormat, Rng, syntheticEvents, writerSeeds } from './fuzz';
import { SHARED_EVENTS_DIR, SHARED_FILES } from './shared-data';
import { detectFormat } from '../../src-engine/formats/registry';

const { format, cases, seed } = workerData as { format: FormatId; cases: number; seed: number };

async function seedsFor(id: FormatId): Promise<Uint8Array[]> {
  const rng = new Rng(seed ^ 0x5eed);
  const out: Uint8Array[] = [];
  for (const [n, w, h] of [[300, 128, 128], [40, 640, 480], [1, 346, 260]] as const) {
    const s = (await writerSeeds(syntheticEvents(rng, n, w, h), w, h)).get(id);
    if (s) out.push(s);
  }
  // Real recordings of this format, cut to their first 48 KiB, make seeds with real headers.
  if (existsSync(SHARED_EVENTS_DIR)) {
    for (const f of SHARED_FILES) {
      const bytes = readFileSync(`${SHARED_EVENTS_DIR}/${f}`);
      const head = new Uint8Array(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 200_000));
      if (detectFormat(head)?.id === id) out.push(head.slice(0, 48 * 1024));
    }
  }
  return out;
}

const seeds = await seedsFor(format);
const report = await fuzzFormat(format, seeds, cases, seed);
parentPort!.postMessage({ ...report, seeds: seeds.length });
