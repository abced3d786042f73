// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [filter-substring…]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
const r = spawnSync(process.execPath, [
    '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2',
    // a test that hangs fails after 5 minutes, and a file whose handles outlive its
    // tests (a worker a failed test never closed) cannot stall the whole run
    '--test-timeout=300000', '--test-force-exit',
    ...files,
  ], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
