// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx),
// two files at a time; files that say `@run-alone` in their opening comment (tests
// that measure the machine, e.g. main-thread long tasks) run afterwards, one by one,
// with nothing else competing for the two cores.
// Usage: node scripts/run-tests.mjs [filter-substring…]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = find('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const alone = (f) => readFileSync(f, 'utf8').slice(0, 2000).includes('@run-alone');

function run(group, concurrency) {
  if (group.length === 0) return 0;
  const r = spawnSync(process.execPath, [
      '--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`,
      // a test that hangs fails after 5 minutes, and a file whose handles outlive its
      // tests (a worker a failed test never closed) cannot stall the whole run
      '--test-timeout=300000', '--test-force-exit',
      ...group,
    ], {
    stdio: 'inherit',
  });
  return r.status ?? 1;
}

const shared = run(files.filter((f) => !alone(f)), 2);
const solo = run(files.filter(alone), 1);
process.exit(shared || solo);
