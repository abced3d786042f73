import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { FUZZ_FORMATS, type FuzzReport } from '../support/fuzz';

// Bounded in CI; `npm run fuzz` runs the same campaigns much longer.
const CASES = Number(process.env.FUZZ_CASES ?? 250);
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const LIMIT_MS = 60_000;

function runWorker(format: string): Promise<FuzzReport & { seeds: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../support/ts-worker.mjs', import.meta.url), {
      workerData: { format, cases: CASES, seed: SEED, tsModule: new URL('../support/fuzz-worker.ts', import.meta.url).href },
    });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`${format}: fuzzing did not finish in ${LIMIT_MS} ms (a hang?) — seed ${SEED}`));
    }, LIMIT_MS);
    w.once('message', (r) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(r);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

for (const format of FUZZ_FORMATS) {
  test(`fuzz ${format}: ${CASES} mutated files decode or fail with EventFormatError`, async () => {
    const r = await runWorker(format);
    assert.ok(r.seeds > 0, 'no seeds');
    const shown = r.failures.slice(0, 3).map((f) => `case ${f.caseIndex}: ${f.error}\n  input (base64): ${f.input.slice(0, 200)}`);
    assert.equal(r.failures.length, 0, `${r.failures.length} failures (seed ${SEED}):\n${shown.join('\n')}`);
    // The campaign must exercise both outcomes, or the mutations are not reaching the decoder.
    assert.ok(r.formatErrors > 0, 'no mutant was rejected');
    assert.ok(r.decoded > 0, 'no mutant decoded');
    console.log(`# fuzz ${format}: ${r.cases} cases, ${r.seeds} seeds, ${r.decoded} decoded, ${r.formatErrors} rejected, slowest ${r.slowestMs.toFixed(1)} ms`);
  });
}
