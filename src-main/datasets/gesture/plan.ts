/**
 * Which clips make up each split, as a pure function of the options: the same
 * seed and sizes give the same plan, and each shard of the plan renders to the
 * same bytes whichever worker (or how many) renders it.
 */
import { AUX_MAX_CLASSES, GESTURE_ALL_CLASSES, GESTURE_BACKBONE, GESTURE_CLASSES, GESTURE_HELD_OUT, GESTURE_NOVEL, auxClassName, mixSeed } from '../../../src-engine/datasets/gesture/index';

export interface ClipJob {
  classIndex: number;
  /** group id in the dataset (the subject) */
  subject: number;
  take: number;
  fps: number;
  noisy: boolean;
  sensorSeed: number;
  windows: number[];
}

export interface ShardJob {
  split: string;
  shard: number;
  clips: ClipJob[];
  samples: number;
}

export interface GesturePlanParams {
  seed: number;
  perClass: { train: number; val: number; test: number; fewshot: number };
  subjects: { train: number; test: number; fewshot: number };
  clipsPerShard: number;
  /** share of clips fed to the emulator at webcam rate (30 fps) instead of `fps` */
  webcamRateShare: number;
  fps: number;
  /** share of clips through the emulator's "noisy" preset */
  noisyShare: number;
  /** the `aux` split: auxiliary motion classes (training subjects) and samples per class (two windows a clip) */
  aux: { classes: number; perClass: number };
}

export function gesturePlanParams(seed: number, opts: { perClass?: number; tiny?: boolean; auxClasses?: number }): GesturePlanParams {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a whole number, not ${seed}`);
  if (opts.perClass !== undefined && (!Number.isInteger(opts.perClass) || opts.perClass < 1 || opts.perClass > 100_000)) {
    throw new RangeError(`--per-class must be a whole number from 1 to 100000, not ${opts.perClass}`);
  }
  if (opts.auxClasses !== undefined && (!Number.isInteger(opts.auxClasses) || opts.auxClasses < 0 || opts.auxClasses > AUX_MAX_CLASSES)) {
    throw new RangeError(`aux classes must be a whole number from 0 to ${AUX_MAX_CLASSES}, not ${opts.auxClasses}`);
  }
  const tiny = opts.tiny === true;
  const train = opts.perClass ?? (tiny ? 2 : 200);
  return {
    seed,
    perClass: tiny ? { train, val: 2, test: 1, fewshot: 2 } : { train, val: Math.min(30, Math.max(2, Math.ceil(train * 0.15))), test: 40, fewshot: 30 },
    subjects: tiny ? { train: 3, test: 2, fewshot: 2 } : { train: 48, test: 12, fewshot: 12 },
    clipsPerShard: tiny ? 8 : 24,
    // tiny (smoke tests): every clip at webcam rate, seconds in all
    webcamRateShare: tiny ? 1 : 0.25,
    fps: 200,
    noisyShare: 0.25,
    aux: tiny ? { classes: opts.auxClasses ?? 4, perClass: 2 } : { classes: opts.auxClasses ?? GESTURE_AUX_CLASSES, perClass: 40 },
  };
}

/** Subject ids of the unseen-subject splits start here, so no id is shared with training. */
const SUBJECT_BASE: Record<string, number> = { train: 0, val: 0, test: 10_000, fewshot: 20_000, aux: 0 };
/** Take ids of each split start here, so val never repeats a training take. */
const TAKE_BASE: Record<string, number> = { train: 0, val: 1_000_000, test: 2_000_000, fewshot: 3_000_000, aux: 4_000_000 };
const SPLIT_CODE: Record<string, number> = { train: 1, val: 2, test: 3, fewshot: 4, aux: 5 };

export const GESTURE_SPLITS = ['train', 'val', 'test', 'fewshot'] as const;
/** Default number of auxiliary motion classes in the `aux` split (aux.ts). */
export const GESTURE_AUX_CLASSES = 128;

/** Class indices of the aux classes: after every named class. */
export function auxClassIndices(p: GesturePlanParams): number[] {
  return Array.from({ length: p.aux.classes }, (_, k) => GESTURE_ALL_CLASSES.length + k);
}

/** Class names of the aux split, in class-index order. */
export function auxClassNames(p: GesturePlanParams): string[] {
  return Array.from({ length: p.aux.classes }, (_, k) => auxClassName(k));
}

/**
 * The plan: train/val/test over the backbone classes, fewshot over the eleven
 * DVS Gesture classes, then — in shards of their own after those — fewshot
 * clips of the novel gestures. Appending them (instead of interleaving) keeps
 * every earlier shard exactly as generator 'gesture-1' planned it.
 */
export function planGestureDataset(p: GesturePlanParams): ShardJob[] {
  const backbone = GESTURE_BACKBONE.map((c) => GESTURE_CLASSES.indexOf(c));
  const dvs = GESTURE_CLASSES.map((_, i) => i);
  const novel = GESTURE_NOVEL.map((c) => GESTURE_ALL_CLASSES.indexOf(c));
  const shards: ShardJob[] = [];
  for (const split of GESTURE_SPLITS) {
    shards.push(...splitShards(p, split, split === 'fewshot' ? dvs : backbone, 0));
    if (split === 'fewshot') shards.push(...splitShards(p, split, novel, shards.filter((j) => j.split === split).length));
  }
  if (p.aux.classes > 0) shards.push(...splitShards(p, 'aux', auxClassIndices(p), 0));
  return shards;
}

/** How many of the fewshot shards hold the DVS Gesture classes (the novel gestures' shards follow). */
export function dvsFewshotShards(p: GesturePlanParams): number {
  return splitShards(p, 'fewshot', GESTURE_CLASSES.map((_, i) => i), 0).length;
}

function splitShards(p: GesturePlanParams, split: (typeof GESTURE_SPLITS)[number] | 'aux', classes: number[], firstShard: number): ShardJob[] {
  const shards: ShardJob[] = [];
  const perClass = split === 'aux' ? p.aux.perClass : p.perClass[split];
  // train/val/aux: two non-overlapping windows per clip (windows 1 and 3); test/fewshot: one window per clip
  const perClip = split === 'train' || split === 'val' || split === 'aux' ? 2 : 1;
  // aux: training subjects (never a test or few-shot subject)
  const nSubjects = split === 'val' || split === 'aux' ? p.subjects.train : p.subjects[split];
  const clips: ClipJob[] = [];
  const clipsPerClass = Math.ceil(perClass / perClip);
  for (let j = 0; j < clipsPerClass; j++) {
    for (const c of classes) {
      const h = mixSeed(p.seed, SPLIT_CODE[split]!, c, j);
      const take = TAKE_BASE[split]! + j;
      const subject = SUBJECT_BASE[split]! + (mixSeed(h, 1) % nSubjects);
      const left = perClass - j * perClip;
      const windows = perClip === 2 ? (left >= 2 ? [1, 3] : [1]) : [1 + (mixSeed(h, 2) % 3)];
      clips.push({
        classIndex: c,
        subject,
        take,
        fps: mixSeed(h, 3) / 2 ** 32 < p.webcamRateShare ? 30 : p.fps,
        noisy: mixSeed(h, 4) / 2 ** 32 < p.noisyShare,
        sensorSeed: mixSeed(h, 5),
        windows,
      });
    }
  }
  for (let k = 0; k * p.clipsPerShard < clips.length; k++) {
    const part = clips.slice(k * p.clipsPerShard, (k + 1) * p.clipsPerShard);
    shards.push({ split, shard: firstShard + k, clips: part, samples: part.reduce((n, c) => n + c.windows.length, 0) });
  }
  return shards;
}

export const GESTURE_HELD_OUT_CLASSES = GESTURE_HELD_OUT;
