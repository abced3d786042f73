/**
 * The procedural gesture dataset (docs/DATASETS.md): renders the plan's
 * shards (in worker threads when there are cores to spare), assembles the
 * splits and writes meta.json last. Rerunning with the same options resumes:
 * finished shards are kept, and a complete dataset is returned as it is.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { GESTURE_ALL_CLASSES, GESTURE_BACKBONE, GESTURE_HELD_OUT, GESTURE_INPUT, GESTURE_NOVEL } from '../../../src-engine/datasets/gesture/index';
import {
  type DatasetGenOptions,
  type DatasetMeta,
  type DatasetSummary,
  assembleSplits,
  cleanPartialShards,
  keepShardsOfKey,
  readDatasetMeta,
  shardDone,
  writeDatasetMeta,
} from '../dataset-writer';
import { GESTURE_SPLITS, type GesturePlanParams, type ShardJob, auxClassNames, dvsFewshotShards, gesturePlanParams, planGestureDataset } from './plan';
import { startWorker, workerEntry } from '../../../src-engine/node/worker-entry';
import { renderShard } from './shard';
import type { ShardReply, ShardRequest } from './worker';

export { renderGestureClip, writeGestureY4m } from './clip';
export type { GestureClipOptions } from './clip';
export { GESTURE_AUX_CLASSES, GESTURE_SPLITS, auxClassIndices, auxClassNames, dvsFewshotShards, gesturePlanParams, planGestureDataset } from './plan';
export type { ClipJob, GesturePlanParams, ShardJob } from './plan';

/**
 * Bumped whenever the renderer or the plan changes what a seed produces:
 * GESTURE_GENERATOR_VERSION for train/val/test and the DVS Gesture classes'
 * fewshot shards (the shipped model was trained and evaluated on them, so they
 * must not change), GESTURE_FEWSHOT_VERSION for the novel gestures' fewshot shards.
 */
export const GESTURE_GENERATOR_VERSION = 'gesture-1';
export const GESTURE_FEWSHOT_VERSION = 'gesture-fewshot-2';
/** Versions the `aux` split's shards (the auxiliary motion classes); no other split depends on it. */
export const GESTURE_AUX_VERSION = 'gesture-aux-1';

export interface GestureGenOptions extends DatasetGenOptions {
  /** worker threads (default: available cores, at most 4; 0 renders in this thread) */
  workers?: number;
  /** auxiliary motion classes in the `aux` split (default GESTURE_AUX_CLASSES; tiny 4; 0: no aux split) */
  auxClasses?: number;
}

/** What generator 'gesture-1' recorded: the key of every shard but the novel gestures'. */
function dvsGeneratorInfo(p: GesturePlanParams): DatasetMeta['generator'] {
  const { aux: _aux, ...named } = p; // the aux split came later: it is not part of gesture-1's key
  return {
    version: GESTURE_GENERATOR_VERSION,
    renderer: 'procedural 2D figure (src-engine/datasets/gesture), through ModelInputEncoder.pushVideo',
    windowsPerClip: { train: 2, val: 2, test: 1, fewshot: 1 },
    ...named,
  };
}

/** gesture-1 plus the novel gestures: the key of the novel fewshot shards. */
function novelGeneratorInfo(p: GesturePlanParams): DatasetMeta['generator'] {
  return { ...dvsGeneratorInfo(p), fewshotVersion: GESTURE_FEWSHOT_VERSION, novelClasses: [...GESTURE_NOVEL], novelFewshotShardsFrom: dvsFewshotShards(p) };
}

function generatorInfo(p: GesturePlanParams): DatasetMeta['generator'] {
  const novel = novelGeneratorInfo(p);
  return p.aux.classes > 0 ? { ...novel, auxVersion: GESTURE_AUX_VERSION, aux: { ...p.aux, windowsPerClip: 2, subjects: 'training subjects' } } : novel;
}

/** JSON with sorted keys, for comparing plans whatever order a parser kept. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}


/** Renders `jobs` on `n` workers; resolves when all are done, rejects on the first failure. */
function runOnWorkers(n: number, outDir: string, seed: number, jobs: ShardJob[], onSamples: (k: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const queue = jobs.slice();
    const workers: Worker[] = [];
    let busy = 0;
    let failed = false;
    const finish = (err?: Error) => {
      if (failed) return;
      if (err) failed = true;
      if (err || (queue.length === 0 && busy === 0)) {
        for (const w of workers) void w.terminate();
        if (err) reject(err);
        else resolve();
      }
    };
    const feed = (w: Worker) => {
      const job = queue.shift();
      if (!job) return finish();
      busy++;
      w.postMessage({ type: 'shard', outDir, seed, job } satisfies ShardRequest);
    };
    for (let i = 0; i < Math.min(n, jobs.length); i++) {
      const w = startWorker(workerEntry('worker', import.meta.url));
      workers.push(w);
      w.on('message', (m: ShardReply) => {
        if (m.type === 'clip') onSamples(m.samples);
        else if (m.type === 'done') {
          busy--;
          feed(w);
        } else finish(new Error(`gesture worker failed: ${m.message}`));
      });
      w.on('error', (e) => finish(e));
      w.on('exit', (code) => {
        if (code !== 0 && !failed && (queue.length > 0 || busy > 0)) finish(new Error(`gesture worker exited with code ${code}`));
      });
      feed(w);
    }
    if (jobs.length === 0) resolve();
  });
}

export async function generateGestureDataset(opts: GestureGenOptions): Promise<DatasetSummary> {
  const started = performance.now();
  const params = gesturePlanParams(opts.seed, { perClass: opts.perClass, tiny: opts.tiny, auxClasses: opts.auxClasses });
  const outDir = opts.outDir;
  const generator = generatorInfo(params);
  const planKey = canonical(dvsGeneratorInfo(params));
  const novelKey = canonical(novelGeneratorInfo(params));
  const auxKey = canonical(generator);
  mkdirSync(join(outDir, 'shards'), { recursive: true });

  // a complete dataset of the same plan is returned as it is
  if (existsSync(join(outDir, 'meta.json'))) {
    try {
      const meta = readDatasetMeta(outDir);
      if (canonical(meta.generator) === canonical(generator) && meta.task === 'gesture') return { outDir, meta, seconds: (performance.now() - started) / 1000 };
    } catch {
      // unreadable: regenerate
    }
    rmSync(join(outDir, 'meta.json'), { force: true });
  }
  // shards of a different plan are useless: start over
  const planFile = join(outDir, 'shards', 'plan.json');
  if (existsSync(planFile) && readFileSync(planFile, 'utf8') !== planKey) {
    rmSync(join(outDir, 'shards'), { recursive: true, force: true });
    mkdirSync(join(outDir, 'shards'), { recursive: true });
  }
  writeFileSync(planFile, planKey);
  cleanPartialShards(outDir);
  const jobs = planGestureDataset(params);
  // the novel gestures' shards have a key of their own: a new novel set re-renders only them
  const firstNovel = dvsFewshotShards(params);
  keepShardsOfKey(outDir, 'plan-novel.json', novelKey, (name) => {
    const m = /^fewshot-(\d+)-/.exec(name);
    return m !== null && Number(m[1]) >= firstNovel;
  });
  // so do the aux split's shards: adding or changing aux classes leaves every other shard alone
  keepShardsOfKey(outDir, 'plan-aux.json', auxKey, (name) => name.startsWith('aux-'));

  const total = jobs.reduce((n, j) => n + j.samples, 0);
  let done = 0;
  const todo: ShardJob[] = [];
  for (const j of jobs) {
    if (shardDone(outDir, j.split, j.shard)) done += j.samples;
    else todo.push(j);
  }
  const progress = (k: number) => {
    done += k;
    opts.onProgress?.(done, total, 'gesture clips');
  };
  opts.onProgress?.(done, total, 'gesture clips');
  const nWorkers = Math.min(opts.workers ?? Math.min(4, availableParallelism()), todo.length);
  if (nWorkers > 0) await runOnWorkers(nWorkers, outDir, params.seed, todo, progress);
  else for (const j of todo) renderShard(outDir, params.seed, j, progress);

  const shardCounts: Record<string, number> = {};
  for (const s of [...GESTURE_SPLITS, ...(params.aux.classes > 0 ? ['aux'] : [])]) shardCounts[s] = jobs.filter((j) => j.split === s).length;
  const splits = assembleSplits(outDir, shardCounts);
  const meta: DatasetMeta = {
    format: 'neurolive-dataset',
    version: 1,
    task: 'gesture',
    seed: params.seed,
    // the novel gestures follow the eleven DVS Gesture classes and are held out like air_guitar
    // then the aux classes (aux split only; never a backbone output, never held out)
    classes: [...GESTURE_ALL_CLASSES, ...auxClassNames(params)],
    backboneClasses: [...GESTURE_BACKBONE],
    heldOutClasses: [...GESTURE_HELD_OUT, ...GESTURE_NOVEL],
    ...(params.aux.classes > 0 ? { auxClasses: auxClassNames(params) } : {}),
    input: GESTURE_INPUT,
    splits,
    generator,
  };
  writeDatasetMeta(outDir, meta);
  return { outDir, meta, seconds: (performance.now() - started) / 1000 };
}
