// `npm run bench`: decode and binning throughput on the real recordings,
// written to bench/results.json and printed as a table. Not a test: numbers
// are reported, and compared with targets, but nothing fails on them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeBench, binningBench, type BenchRow } from './event-core';
import { nsocBench } from './nsoc';
import { encodersBench } from './encoders';
import { datasetsBench } from './datasets';
import { soakBench } from './soak';
import { learningBench } from './learning';
import { recordingHidBench } from './recording-hid';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
const minEvents = values.quick ? 5e6 : 50e6;

const sections: Record<string, () => Promise<BenchRow[]>> = {
  decode: () => decodeBench(minEvents),
  binning: () => binningBench(minEvents),
  nsoc: () => nsocBench(values.quick ? 300 : 2000),
  encoders: () => encodersBench(values.quick),
  datasets: () => datasetsBench(values.quick),
  // not in the default run: minutes of wall time (npm run bench -- --only soak [--quick])
  ...(values.only === 'soak' ? { soak: () => soakBench(values.quick === true) } : {}),
  learning: () => learningBench(values.quick),
  recording: () => recordingHidBench(values.quick ? 100 : 300),
};

const resultsPath = join(here, 'results.json');
const previous = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};
const results: Record<string, unknown> = {
  ...previous,
  machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, date: new Date().toISOString() },
};

const table: BenchRow[] = [];
for (const [name, run] of Object.entries(sections)) {
  if (values.only && values.only !== name) continue;
  const rows = await run();
  results[name] = rows;
  table.push(...rows);
}
results.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`\n${pad('benchmark', 44)} ${pad('result', 16)} ${pad('target', 12)} note`);
console.log('-'.repeat(100));
for (const r of table) {
  const met = r.target == null ? '' : r.value >= r.target ? '✓' : '✗ below';
  console.log(`${pad(r.name, 44)} ${pad(`${r.value.toFixed(1)} ${r.unit}`, 16)} ${pad(r.target == null ? '' : `≥ ${r.target}`, 12)} ${met} ${r.note ?? ''}`);
}
console.log(`\npeak RSS ${results.peakRssMB} MB · results in ${resultsPath}`);
