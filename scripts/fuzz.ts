// Long fuzzing: `npm run fuzz [-- --cases 20000 --seed N --format evt3]`.
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { FUZZ_FORMATS } from '../test/support/fuzz';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '5000' }, seed: { type: 'string' }, format: { type: 'string' } } });
const cases = Number(values.cases);
const seed = values.seed ? Number(values.seed) : (Date.now() & 0x7fffffff);
const formats = values.format ? [values.format] : FUZZ_FORMATS;
console.log(`fuzzing ${formats.join(', ')}: ${cases} cases each, seed ${seed}`);
let failed = 0;
for (const format of formats) {
  const r = await new Promise<any>((resolve, reject) => {
    const w = new Worker(new URL('../test/support/ts-worker.mjs', import.meta.url), { workerData: { format, cases, seed, tsModule: new URL('../test/support/fuzz-worker.ts', import.meta.url).href } });
    w.once('message', (m) => { void w.terminate(); resolve(m); });
    w.once('error', reject);
  });
  failed += r.failures.length;
  console.log(`${format.padEnd(7)} ${r.cases} cases  ${r.decoded} decoded  ${r.formatErrors} rejected  slowest ${r.slowestMs.toFixed(1)} ms  failures ${r.failures.length}`);
  for (const f of r.failures.slice(0, 5)) console.log(`  case ${f.caseIndex}: ${f.error}\n  input: ${f.input}`);
}
process.exit(failed ? 1 : 0);
