import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { GESTURE_ALL_CLASSES, GESTURE_CLASSES, GESTURE_INPUT, GESTURE_NOVEL } from '../../src-engine/datasets/gesture/index';
import { readY4m } from '../../src-engine/media/y4m';
import { readDatasetMeta, readSplit, shardPaths } from '../../src-main/datasets/dataset-writer';
import { datasetCommand } from '../../src-main/cli/commands/dataset';
import { GESTURE_AUX_CLASSES, auxClassNames, dvsFewshotShards, generateGestureDataset, gesturePlanParams, planGestureDataset } from '../../src-main/datasets/gesture/index';

const BIN = join(import.meta.dirname, '../../bin/neurolive.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'neurolive-gesture-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const npyFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.npy')).sort();

test('the plan keeps test and few-shot subjects out of training, and held-out classes out of the backbone splits', () => {
  const jobs = planGestureDataset(gesturePlanParams(1, {}));
  const subjects = (split: string) => new Set(jobs.filter((j) => j.split === split).flatMap((j) => j.clips.map((c) => c.subject)));
  const train = subjects('train'), val = subjects('val'), testS = subjects('test'), few = subjects('fewshot');
  for (const s of val) assert.ok(train.has(s), `val subject ${s} is a training subject`);
  for (const s of [...testS, ...few]) assert.ok(!train.has(s), `subject ${s} of test/fewshot also in train`);
  const samples = (split: string, c: number) => jobs.filter((j) => j.split === split).flatMap((j) => j.clips).filter((k) => k.classIndex === c).reduce((n, k) => n + k.windows.length, 0);
  const held = [6, 9, 11, 12, 13, 14, 15, 16];
  assert.equal(GESTURE_ALL_CLASSES.length, 17);
  for (let c = 0; c < 17; c++) {
    assert.equal(samples('train', c), held.includes(c) ? 0 : 200);
    assert.equal(samples('val', c), held.includes(c) ? 0 : 30);
    assert.equal(samples('test', c), held.includes(c) ? 0 : 40);
    assert.equal(samples('fewshot', c), 30);
  }
  // the novel gestures come after the DVS Gesture classes' fewshot shards, in shards of their own
  const first = dvsFewshotShards(gesturePlanParams(1, {}));
  for (const j of jobs.filter((j) => j.split === 'fewshot')) {
    assert.ok(j.clips.every((c) => (c.classIndex >= 11) === (j.shard >= first)), `fewshot shard ${j.shard} mixes DVS Gesture and novel classes`);
  }
  // val never repeats a training take
  const takes = (split: string) => new Set(jobs.filter((j) => j.split === split).flatMap((j) => j.clips.map((c) => `${c.subject}/${c.take}/${c.classIndex}`)));
  const trainTakes = takes('train');
  for (const t of takes('val')) assert.ok(!trainTakes.has(t));
  // the aux split: only aux classes (after every named class), training subjects only, takes of its own
  const auxClips = jobs.filter((j) => j.split === 'aux').flatMap((j) => j.clips);
  assert.equal(new Set(auxClips.map((c) => c.classIndex)).size, GESTURE_AUX_CLASSES);
  assert.ok(auxClips.every((c) => c.classIndex >= 17 && c.subject >= 0 && c.subject < 48 && c.take >= 4_000_000));
  for (let k = 0; k < GESTURE_AUX_CLASSES; k++) assert.equal(auxClips.filter((c) => c.classIndex === 17 + k).reduce((n, c) => n + c.windows.length, 0), 40);
  for (const t of takes('aux')) assert.ok(!trainTakes.has(t));
  assert.equal(planGestureDataset(gesturePlanParams(1, { auxClasses: 0 })).filter((j) => j.split === 'aux').length, 0);
  assert.throws(() => gesturePlanParams(1, { auxClasses: -1 }), /aux classes must be a whole number from 0 to 4096, not -1/);
  assert.throws(() => gesturePlanParams(1, { perClass: 0 }), /--per-class must be a whole number from 1 to 100000, not 0/);
});

test('neurolive dataset gesture --tiny writes a complete dataset the reader accepts', () => {
  const out = join(tmp, 'cli');
  const r = cli('dataset', 'gesture', '--out', out, '--tiny', '--seed', '4', '--workers', '0');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /gesture dataset in .*: train 18, val 18, test 9, fewshot 34, aux 8 samples, 21 classes \(8 held out\)/);
  const meta = readDatasetMeta(out);
  const aux = auxClassNames(gesturePlanParams(4, { tiny: true }));
  assert.deepEqual(aux, ['aux_000', 'aux_001', 'aux_002', 'aux_003']);
  assert.deepEqual(meta.classes, [...GESTURE_CLASSES, ...GESTURE_NOVEL, ...aux]);
  assert.deepEqual(meta.auxClasses, aux);
  assert.deepEqual(meta.heldOutClasses, ['air_guitar', 'left_arm_counter_clockwise', ...GESTURE_NOVEL]);
  assert.equal(meta.generator.version, 'gesture-1');
  assert.equal(meta.generator.fewshotVersion, 'gesture-fewshot-2');
  assert.deepEqual(meta.generator.novelClasses, [...GESTURE_NOVEL]);
  assert.deepEqual(meta.input, GESTURE_INPUT);
  assert.equal(meta.seed, 4);
  const groups: Record<string, Set<number>> = {};
  for (const name of ['train', 'val', 'test', 'fewshot', 'aux']) {
    const s = readSplit(out, name);
    assert.deepEqual(s.sampleShape, [64, 64, 10]);
    const labels = new Set(s.y);
    if (name === 'aux') assert.deepEqual([...labels].sort((a, b) => a - b), [17, 18, 19, 20]);
    else assert.ok([...labels].every((c) => c < 17), `${name} holds an aux class`);
    if (name === 'fewshot') assert.equal(labels.size, 17);
    else for (const c of meta.heldOutClasses) assert.ok(!labels.has((meta.classes as readonly string[]).indexOf(c)), `${name} holds ${c}`);
    groups[name] = new Set(s.group);
    // every sample has events, none is all-saturated
    for (let i = 0; i < s.count; i++) {
      const x = s.x.subarray(i * 40960, (i + 1) * 40960);
      let sum = 0, sat = 0;
      for (const v of x) {
        sum += v;
        if (v === 15) sat++;
      }
      assert.ok(sum > 100, `${name}[${i}] has only ${sum} events`);
      assert.ok(sat < x.length / 4, `${name}[${i}] is mostly saturated`);
    }
  }
  for (const g of groups.test) assert.ok(!groups.train.has(g));
  for (const g of groups.fewshot) assert.ok(!groups.train.has(g));
  for (const g of groups.aux) assert.ok(g >= 0 && g < 3, `aux subject ${g} is not a training subject`);

  // the same through worker threads: identical bytes whatever the worker count
  const viaWorkers = join(tmp, 'workers');
  return generateGestureDataset({ outDir: viaWorkers, seed: 4, tiny: true, workers: 2 }).then((summary) => {
    assert.deepEqual(summary.meta, meta);
    assert.deepEqual(npyFiles(viaWorkers), npyFiles(out));
    for (const f of npyFiles(out)) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(viaWorkers, f))), `${f} differs between 0 and 2 workers`);
  });
});

test('an interrupted generation resumes: only the missing shard is rendered, the result is the same', async () => {
  // the folder the CLI test generated (tests in a file run in order)
  const out = join(tmp, 'cli');
  const first = { meta: readDatasetMeta(out) };
  const before = new Map(npyFiles(out).map((f) => [f, readFileSync(join(out, f))]));
  // lose meta.json and one shard, as if the run had been killed
  rmSync(join(out, 'meta.json'));
  rmSync(shardPaths(out, 'fewshot', 1).y);
  const progress: number[] = [];
  const again = await generateGestureDataset({ outDir: out, seed: 4, tiny: true, workers: 0, onProgress: (done, total) => progress.push(done, total) });
  const total = progress[1];
  const missing = planGestureDataset(gesturePlanParams(4, { tiny: true })).find((j) => j.split === 'fewshot' && j.shard === 1)!.samples;
  assert.equal(progress[0], total - missing, 'the first progress report counts the finished shards');
  assert.deepEqual(again.meta, first.meta);
  for (const [f, bytes] of before) assert.ok(readFileSync(join(out, f)).equals(bytes), `${f} changed after resuming`);
  // a complete dataset is returned without rendering anything
  const calls: number[] = [];
  await generateGestureDataset({ outDir: out, seed: 4, tiny: true, workers: 0, onProgress: (d) => calls.push(d) });
  assert.deepEqual(calls, []);
});

test('dataset gesture-clip writes a y4m; bad arguments get a readable message', async () => {
  const clip = join(tmp, 'drums.y4m');
  const write = process.stdout.write;
  let said = '';
  process.stdout.write = ((s: string) => ((said += s), true)) as typeof process.stdout.write;
  try {
    assert.equal(await datasetCommand(['gesture-clip', clip, '--gesture', 'air_drums', '--size', '64x48', '--fps', '25', '--seconds', '0.4']), 0);
  } finally {
    process.stdout.write = write;
  }
  assert.match(said, /air_drums: 64×48 at 25 fps, 0.4 s → .*drums.y4m/);
  const { header, frames } = readY4m(new Uint8Array(readFileSync(clip)));
  assert.deepEqual([header.width, header.height, header.fpsNum, header.colorSpace, frames.length], [64, 48, 25, '420jpeg', 10]);
  await assert.rejects(datasetCommand(['gesture-clip', clip, '--gesture', 'moonwalk']), /--gesture must be one of hand_clap, .*, not 'moonwalk'/);
  await assert.rejects(datasetCommand(['gesture-clip', clip, '--gesture', 'hand_clap', '--fps', '0']), /--fps must be a number from 0 to 1000, not '0'/);
  await assert.rejects(datasetCommand(['gesture']), /dataset gesture needs --out DIR/);
  await assert.rejects(datasetCommand(['gesture', '--out', tmp, '--per-class', 'lots']), /--per-class must be a whole number from 1 to 100000, not 'lots'/);
  await assert.rejects(datasetCommand(['faces', '--out', tmp]), /dataset takes gesture, keywords or gesture-clip, not 'faces'/);
});

test('the splits generator gesture-1 wrote are byte-identical: train/val/test and the DVS Gesture fewshot shards', async () => {
  // sha-256 of x, y and group of a --tiny --seed 1 dataset, recorded with generator 'gesture-1'
  // before the novel gestures were added; the shipped model was trained and evaluated on such splits
  const GESTURE_1 = {
    train: 'bc43fdd3b9c364571e4ec86b850f93a8f26a088c2432f3b1e7146703cafd13cd',
    val: '728fe891659ed08666370142e3b0c6fd4ceaa4cdf6d7b94f766bc4b9f70a6a9f',
    test: '6cd60409c00a227e0231f4664085c58070569e1c38d9c9e58a8c14799460fadb',
    fewshotShards: '75b6cd66b12d91f806b60ec268960831ed1083b6ebc1dea9e1616dfbfab43be5',
  };
  const out = join(tmp, 'seed1');
  await generateGestureDataset({ outDir: out, seed: 1, tiny: true, workers: 0 });
  const sha = (files: string[]) => {
    const h = createHash('sha256');
    for (const f of files) h.update(readFileSync(f));
    return h.digest('hex');
  };
  for (const split of ['train', 'val', 'test'] as const) assert.equal(sha(['x', 'y', 'group'].map((k) => join(out, `${split}-${k}.npy`))), GESTURE_1[split], `${split} changed`);
  const params = gesturePlanParams(1, { tiny: true });
  const first = dvsFewshotShards(params);
  const dvsShards = Array.from({ length: first }, (_, k) => shardPaths(out, 'fewshot', k)).flatMap((p) => [p.x, p.y, p.group]);
  assert.equal(sha(dvsShards), GESTURE_1.fewshotShards, 'the DVS Gesture classes’ fewshot shards changed');
  // the assembled fewshot split starts with exactly those samples, then the novel gestures (only there)
  const few = readSplit(out, 'fewshot');
  const dvsCount = 11 * params.perClass.fewshot;
  assert.ok([...few.y.subarray(0, dvsCount)].every((c) => c < 11));
  assert.ok([...few.y.subarray(dvsCount)].every((c) => c >= 11));
  assert.equal(new Set(few.y.subarray(dvsCount)).size, GESTURE_NOVEL.length);
  for (const split of ['train', 'val', 'test']) assert.ok(readSplit(out, split).y.every((c) => c < 11), `${split} holds a novel gesture`);

  // a different novel set (here: a stale key) re-renders the novel shards only
  writeFileSync(join(out, 'shards', 'plan-novel.json'), '{"stale":true}');
  rmSync(join(out, 'meta.json'));
  const progress: number[] = [];
  await generateGestureDataset({ outDir: out, seed: 1, tiny: true, workers: 0, onProgress: (done, total) => progress.push(done, total) });
  const novelSamples = planGestureDataset(params).filter((j) => j.split === 'fewshot' && j.shard >= first).reduce((n, j) => n + j.samples, 0);
  assert.equal(progress[0], progress[1] - novelSamples, 'only the novel gestures’ shards are rendered again');
  assert.equal(sha(dvsShards), GESTURE_1.fewshotShards);

  // a different aux set re-renders the aux shards only; every other split keeps its bytes
  const auxBefore = readFileSync(join(out, 'aux-x.npy'));
  writeFileSync(join(out, 'shards', 'plan-aux.json'), '{"stale":true}');
  rmSync(join(out, 'meta.json'));
  const p2: number[] = [];
  await generateGestureDataset({ outDir: out, seed: 1, tiny: true, workers: 0, onProgress: (done, total) => p2.push(done, total) });
  const auxSamples = planGestureDataset(params).filter((j) => j.split === 'aux').reduce((n, j) => n + j.samples, 0);
  assert.equal(p2[0], p2[1] - auxSamples, 'only the aux shards are rendered again');
  assert.ok(readFileSync(join(out, 'aux-x.npy')).equals(auxBefore));
  for (const split of ['train', 'val', 'test'] as const) assert.equal(sha(['x', 'y', 'group'].map((k) => join(out, `${split}-${k}.npy`))), GESTURE_1[split]);
});
