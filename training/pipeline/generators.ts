// The dataset generators (src-main/datasets/<task>/index.ts, owned by the
// dataset engineers), loaded by path so the factory does not depend on their
// internals — only on the DatasetGenOptions contract.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DatasetGenOptions, DatasetSummary } from '../../src-main/datasets/dataset-writer';
import { TRAINING_DIR } from './python';

export type DatasetGenerator = (o: DatasetGenOptions) => Promise<DatasetSummary>;

const EXPORTS: Record<string, string> = { gesture: 'generateGestureDataset', keywords: 'generateKeywordDataset' };

export function generatorPath(task: string): string {
  return join(TRAINING_DIR, '..', 'src-main', 'datasets', task, 'index.ts');
}

export async function loadGenerator(task: string): Promise<DatasetGenerator> {
  const name = EXPORTS[task];
  if (!name) throw new RangeError(`unknown task '${task}' (gesture or keywords)`);
  const path = generatorPath(task);
  if (!existsSync(path)) throw new Error(`the ${task} dataset generator (${path}) is not there`);
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== 'function') throw new Error(`${path} does not export ${name}`);
  return fn as DatasetGenerator;
}
