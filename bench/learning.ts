// Edge-learning benchmarks (issue 5), three parts:
//
// 1. latency: from a shot's model frame to a usable class — the embedding
//    (one NsocRuntime inference), the learner's fit, the snippet encoding and
//    the SQLite commit (file database, WAL, synchronous=FULL) — over ≥ 200
//    enrollments per learner into a growing set of classes; p50 / p95 / max.
//    Uses the shipped gesture model when installed, else the random ConvTiny
//    (same network shape).
// 2. N-way K-shot accuracy on the datasets' `fewshot` split (samples never
//    used in training), features from the shipped models: 5-way 1-shot and
//    5-shot, ≥ 200 episodes, both learners, both models, over the classes held
//    out of backbone training (keywords: 8 words; gesture: air_guitar,
//    left_arm_counter_clockwise and 6 novel gestures the fewshot split alone holds).
// 3. old classes vs new: accuracy on the test split's backbone classes with
//    the learner holding the shipped pretrained embeddings, before and after
//    enrolling 5 held-out classes with 1 and 5 shots each.
// 4. one new class among the pretrained ones, as the app meets it: the learner
//    holds the shipped pretrained examples plus one held-out class from 1 (or
//    5) shots; how often that class's other samples (other voices / subjects)
//    come out as it, and how the pretrained classes' own samples fare.
//
// NCM runs as the app runs it: centred on the pretrained examples' mean
// direction when the model ships them (src-main/classes/classifier.ts).
//
// Missing models or datasets give a "skipped: … missing" row, not a failure.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { BenchRow } from './event-core';
import { AkidaStyleLearner, countActive, suggestNumWeights } from '../src-engine/learning/binary-fc';
import { NearestClassMeanLearner } from '../src-engine/learning/ncm';
import { choosePrefix, LearningRng } from '../src-engine/learning/rng';
import { evaluateEpisodes } from '../src-engine/learning/episodes';
import type { Learner } from '../src-engine/learning/learner';
import { ModelInputEncoder } from '../src-engine/models/encoder';
import type { ModelCard } from '../src-engine/models/card';
import { makeConvTiny } from '../src-engine/nsoc/testing/convtiny';
import { syntheticDvsFrames } from '../src-engine/nsoc/testing/synthetic-frames';
import { makeBatch } from '../src-engine/events/batch';
import { openClassStore } from '../src-main/classes/class-store';
import { ClassClassifier, pretrainedCentre } from '../src-main/classes/classifier';
import { embeddingLevels, FeatureExtractor } from '../src-main/classes/features';
import { readDatasetMeta, readSplit } from '../src-main/datasets/dataset-writer';
import { defaultResourcesDir, loadModel, type LoadedModel } from '../src-main/models/load-model';
import type { LearnerKind } from '../src-main/ipc/contract';

const DATASETS = join(import.meta.dirname, '../training/.cache/datasets');
const TASKS = ['gesture', 'keywords'] as const;
const LEARNERS: LearnerKind[] = ['ncm', 'binary-fc'];

const pct = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function skipped(name: string, why: string): BenchRow {
  return { name, value: 0, unit: '', note: `skipped: ${why}`, skipped: true };
}

async function installedModel(task: string): Promise<LoadedModel | null> {
  if (!existsSync(join(defaultResourcesDir(), 'models', task, 'model.nlm'))) return null;
  return loadModel(task);
}

/** a LoadedModel around the random ConvTiny, for latency when no model is installed */
function convTinyModel(): LoadedModel {
  const model = makeConvTiny();
  const card = {
    format: 'neurolive-model-card', version: 1, name: 'convtiny-random', task: 'bench', description: '', labels: model.labels, heldOutLabels: [],
    embeddingLayer: model.layers.length - 2, embeddingSize: 256,
    input: { sensor: 'dvs', sensorWidth: 128, sensorHeight: 128, windowUs: 100_000, hopUs: 100_000, bins: 5, polarities: 2, clip: 15, width: 64, height: 64, layout: 'hwc' },
    metrics: { floatAccuracy: 0, quantizedAccuracy: 0, evaluatedOn: '', meanSparsity: 0, macsDense: 0, opsExecuted: 0, sizeBytes: 0, neuralProcessors: 0, layers: [] },
    training: {}, createdAt: '',
  } as ModelCard;
  return { dir: '(in memory)', id: 'c'.repeat(64), card, model, sizeBytes: 0 };
}

// ------------------------------------------------------------------ 1. latency

async function latencyRows(quick: boolean): Promise<BenchRow[]> {
  const loaded = (await installedModel('gesture')) ?? convTinyModel();
  const n = quick ? 200 : 400;
  const [h, w, c] = new ModelInputEncoder(loaded.card.input).inputShape;
  // real frames when the dataset exists, else synthetic DVS frames of the right shape
  const frames: Uint8Array[] = [];
  const ds = join(DATASETS, loaded.card.task);
  if (existsSync(join(ds, 'meta.json'))) {
    const split = readSplit(ds, 'fewshot');
    const size = h * w * c;
    if (split.sampleShape.join() === [h, w, c].join()) for (let i = 0; i < Math.min(split.count, 64); i++) frames.push(split.x.subarray(i * size, (i + 1) * size));
  }
  if (!frames.length) frames.push(...syntheticDvsFrames(64, { seed: 3, height: h, width: w, bins: Math.max(1, c >> 1) }));
  // a shot's raw events: one window of a busy DVS gesture (~20 k events)
  const events = makeBatch(20_000);
  for (let i = 0; i < events.length; i++) {
    (events.t as Float64Array)[i] = 1_000_000 + i * 5;
    (events.x as Uint16Array)[i] = (i * 7) % 128;
    (events.y as Uint16Array)[i] = (i * 13) % 128;
    (events.p as Uint8Array)[i] = i & 1;
  }
  const geometry = { sensor: loaded.card.input.sensor, width: loaded.card.input.sensorWidth, height: loaded.card.input.sensorHeight };
  const rows: BenchRow[] = [];
  for (const learner of LEARNERS) {
    const dir = mkdtempSync(join(tmpdir(), 'nl-bench-learning-'));
    try {
      const store = openClassStore(join(dir, 'bench.sqlite'));
      const clf = await ClassClassifier.open(store, loaded, { learner, unknownThreshold: 0.5 });
      const total = new Float64Array(n);
      const commit = new Float64Array(n);
      let classId: number | null = null;
      for (let i = 0; i < n; i++) {
        const frame = frames[i % frames.length];
        const t0 = performance.now();
        const features = clf.embed(frame).features;
        // a new class every 5th shot: ≥ 40 enrolled classes by the end
        const r = clf.enroll(i % 5 === 0 || classId === null ? { name: `class ${i}` } : { classId }, { events, geometry, features });
        total[i] = performance.now() - t0;
        commit[i] = r.learnMs;
        classId = r.id;
        // people enroll seconds apart: give the store its idle turn (WAL checkpoint) between shots
        await new Promise((resolve) => setImmediate(resolve));
      }
      store.close();
      total.sort();
      commit.sort();
      const note = `${n} enrollments, ${loaded.card.name}, ${events.length} events/shot, WAL + synchronous=FULL file DB, load avg ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; learn+commit only p50 ${pct(commit, 0.5).toFixed(2)} / p95 ${pct(commit, 0.95).toFixed(2)} ms; target ≤ 20 ms: ${pct(total, 0.95) <= 20 ? 'met' : 'NOT met'}`;
      rows.push({ name: `learning: shot → usable class p50 (${learner})`, value: pct(total, 0.5), unit: 'ms', note, p95: pct(total, 0.95), max: total[n - 1], learnCommitP50: pct(commit, 0.5), learnCommitP95: pct(commit, 0.95) });
      rows.push({ name: `learning: shot → usable class p95 (${learner})`, value: pct(total, 0.95), unit: 'ms', note: `max ${total[n - 1].toFixed(1)} ms` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

// ------------------------------------------------------------------ features of a split

interface SplitFeatures {
  byClass: Map<number, Uint8Array[]>;
  classes: string[];
  heldOut: number[];
  backbone: number[];
}

function splitFeatures(loaded: LoadedModel, task: string, split: string): SplitFeatures {
  const dir = join(DATASETS, task);
  const meta = readDatasetMeta(dir);
  // a network only understands its own encoding: frames made another way (an older cochlea floor, other
  // bands) would give plausible-looking but meaningless figures
  if (!isDeepStrictEqual(meta.input, loaded.card.input)) {
    throw new Error(`${dir}: its frames were encoded with ${JSON.stringify(meta.input)}, the model's card says ${JSON.stringify(loaded.card.input)}; regenerate the dataset (npm run train -- ${task} re-encodes it)`);
  }
  const s = readSplit(dir, split);
  const [h, w, c] = new ModelInputEncoder(loaded.card.input).inputShape;
  if (s.sampleShape.join() !== [h, w, c].join()) throw new Error(`${dir} ${split}: samples are ${s.sampleShape.join('×')}, the model takes ${h}×${w}×${c}`);
  const fx = new FeatureExtractor(loaded);
  const size = h * w * c;
  const byClass = new Map<number, Uint8Array[]>();
  for (let i = 0; i < s.count; i++) {
    const f = fx.features(s.x.subarray(i * size, (i + 1) * size));
    const list = byClass.get(s.y[i]) ?? [];
    list.push(f);
    byClass.set(s.y[i], list);
  }
  const idx = (names: string[]) => names.map((n) => meta.classes.indexOf(n)).filter((i) => i >= 0);
  return { byClass, classes: meta.classes, heldOut: idx(meta.heldOutClasses), backbone: idx(meta.backboneClasses) };
}

/** learners as the app makes them: NCM centred (when given a centre), the binary layer over the unary-coded embedding */
function learnerFactory(kind: LearnerKind, loaded: LoadedModel, numWeights: number, centre: Float64Array | null): (ways: number, seed: number) => Learner {
  const inputSize = loaded.card.embeddingSize;
  return kind === 'ncm'
    ? (ways) => new NearestClassMeanLearner({ inputSize, numClasses: ways, centre })
    : (ways, seed) => new AkidaStyleLearner({ inputSize, inputLevels: embeddingLevels(loaded), numClasses: ways, numWeights, seed });
}

/** the pretrained examples as feature vectors with their card label index */
function pretrainedExamples(loaded: LoadedModel): { f: Uint8Array; label: number }[] {
  const e = loaded.embeddings, size = loaded.card.embeddingSize;
  return e ? Array.from({ length: e.count }, (_, i) => ({ f: e.data.subarray(i * size, (i + 1) * size), label: e.labels[i] })) : [];
}

/** NCM's centre as the app sets it (ClassClassifier), computed once per model */
const centres = new WeakMap<LoadedModel, Float64Array | null>();
function appCentre(loaded: LoadedModel): Float64Array | null {
  if (!centres.has(loaded)) centres.set(loaded, pretrainedCentre(loaded));
  return centres.get(loaded)!;
}

/** a learner holding the pretrained examples (zero vectors skipped for NCM, as the app does); `centred` false: NCM without the app's centre, the baseline */
function withPretrained(kind: LearnerKind, loaded: LoadedModel, numWeights: number, centred = true): Learner {
  const l = learnerFactory(kind, loaded, numWeights, centred ? appCentre(loaded) : null)(loaded.card.labels.length, 1);
  for (const { f, label } of pretrainedExamples(loaded)) if (kind !== 'ncm' || countActive(f) > 0) l.fit(f, label);
  return l;
}

function numWeightsFor(loaded: LoadedModel, fallback: Uint8Array[]): number {
  const size = loaded.card.embeddingSize;
  const levels = embeddingLevels(loaded);
  const e = loaded.embeddings;
  const counts: number[] = [];
  if (e) for (let i = 0; i < e.count; i++) counts.push(countActive(e.data.subarray(i * size, (i + 1) * size), levels));
  else for (const f of fallback) counts.push(countActive(f, levels));
  return suggestNumWeights(counts, size * levels);
}

// ------------------------------------------------------------------ 2. episodes

function episodeRows(task: string, loaded: LoadedModel, sf: SplitFeatures, episodes: number): BenchRow[] {
  const rows: BenchRow[] = [];
  const all = [...sf.byClass.values()].flat();
  const numWeights = numWeightsFor(loaded, all);
  const ways = 5;
  const held = sf.heldOut.filter((c) => sf.byClass.has(c));
  if (held.length < ways) return [skipped(`learning: ${task} ${ways}-way few-shot episodes`, `the fewshot split holds ${held.length} held-out classes, fewer than ${ways} (regenerate the dataset)`)];
  const byClass = held.map((c) => sf.byClass.get(c)!);
  for (const shots of [1, 5]) {
    for (const kind of LEARNERS) {
      const queries = Math.min(10, Math.min(...byClass.map((l) => l.length)) - shots);
      const r = evaluateEpisodes({ byClass, ways, shots, queriesPerClass: queries, episodes, seed: 1, makeLearner: learnerFactory(kind, loaded, numWeights, appCentre(loaded)) });
      rows.push({
        name: `learning: ${task} ${ways}-way ${shots}-shot ${kind}`,
        value: 100 * r.meanAccuracy,
        unit: '%',
        target: shots === 1 ? 80 : 92,
        note: `${ways} of ${held.length} held-out classes (${held.map((c) => sf.classes[c]).join(', ')}), ${episodes} episodes × ${ways * queries} queries, 95% CI [${(100 * r.ci95[0]).toFixed(1)}, ${(100 * r.ci95[1]).toFixed(1)}]${kind === 'binary-fc' ? `, numWeights ${numWeights}` : ''}`,
        ci95: r.ci95.map((v) => 100 * v),
      });
    }
  }
  return rows;
}

// ------------------------------------------------------------------ 3. old classes after new ones
/** What enrolling up to 5 new classes may cost the pretrained classes, in points, with either learner (docs/LEARNING.md). */
const OLD_CLASS_MARGIN = 8;

function degradationRows(task: string, loaded: LoadedModel, fewshot: SplitFeatures, test: SplitFeatures): BenchRow[] {
  if (!loaded.embeddings) return [skipped(`learning: ${task} old-class accuracy after 5 new`, `${loaded.card.name} ships no pretrained embeddings`)];
  const labelOf = new Map(loaded.card.labels.map((l, i) => [l, i]));
  // test samples of the model's own (backbone) classes, labelled by card index
  const queries: { f: Uint8Array; label: number }[] = [];
  for (const c of test.backbone) {
    const li = labelOf.get(test.classes[c]);
    if (li !== undefined) for (const f of test.byClass.get(c) ?? []) queries.push({ f, label: li });
  }
  const numWeights = numWeightsFor(loaded, []);
  const newClasses = fewshot.heldOut.slice(0, 5);
  const rows: BenchRow[] = [];
  for (const kind of LEARNERS) {
    const make = (): Learner => withPretrained(kind, loaded, numWeights);
    const acc = (l: Learner) => queries.filter((q) => l.predict(q.f).classIndex === q.label).length / queries.length;
    const before = acc(make());
    for (const shots of [1, 5]) {
      const l = make();
      l.addClasses(newClasses.length);
      newClasses.forEach((c, j) => {
        for (const f of (fewshot.byClass.get(c) ?? []).slice(0, shots)) l.fit(f, loaded.card.labels.length + j);
      });
      const after = acc(l);
      rows.push({
        name: `learning: ${task} old-class accuracy drop, +${newClasses.length} classes × ${shots} shot (${kind})`,
        value: 100 * (before - after),
        unit: 'points',
        note: `pretrained classes on the test split (${queries.length} samples): ${(100 * before).toFixed(1)} % → ${(100 * after).toFixed(1)} % after enrolling ${newClasses.map((c) => fewshot.classes[c]).join(', ')}; documented margin ≤ ${OLD_CLASS_MARGIN} points: ${100 * (before - after) <= OLD_CLASS_MARGIN ? 'within' : 'OUTSIDE'}`,
        before: 100 * before,
        after: 100 * after,
      });
    }
  }
  return rows;
}

// ------------------------------------------------------------------ 4. one new class among the pretrained

function newAmongPretrainedRows(task: string, loaded: LoadedModel, fewshot: SplitFeatures, draws: number): BenchRow[] {
  if (!loaded.embeddings) return [skipped(`learning: ${task} one new class among the pretrained`, `${loaded.card.name} ships no pretrained embeddings`)];
  const labelOf = new Map(loaded.card.labels.map((l, i) => [l, i]));
  // the pretrained classes' samples in the same split (the same voices / subjects as the new class's)
  const base: { f: Uint8Array; label: number }[] = [];
  for (const c of fewshot.backbone) {
    const li = labelOf.get(fewshot.classes[c]);
    if (li !== undefined) for (const f of fewshot.byClass.get(c) ?? []) base.push({ f, label: li });
  }
  const held = fewshot.heldOut.filter((c) => (fewshot.byClass.get(c)?.length ?? 0) > 6);
  const numWeights = numWeightsFor(loaded, []);
  const L = loaded.card.labels.length;
  const rows: BenchRow[] = [];
  const variants: { kind: LearnerKind; centred: boolean; label: string }[] = [
    { kind: 'ncm', centred: true, label: 'ncm' },
    { kind: 'ncm', centred: false, label: 'ncm uncentred, baseline' },
    { kind: 'binary-fc', centred: false, label: 'binary-fc' },
  ];
  for (const shots of [1, 5]) {
    for (const { kind, centred, label } of variants) {
      let hit = 0, asked = 0, baseHit = 0, baseAsked = 0;
      const rng = new LearningRng(12345); // the same draws for every variant
      for (let d = 0; d < draws; d++) {
        const samples = fewshot.byClass.get(held[d % held.length])!;
        const order = Uint32Array.from(samples.keys());
        choosePrefix(rng, order, order.length, shots);
        const l = withPretrained(kind, loaded, numWeights, centred);
        l.addClasses(1);
        for (const i of order.subarray(0, shots)) if (kind !== 'ncm' || countActive(samples[i]) > 0) l.fit(samples[i], L);
        for (const i of order.subarray(shots)) {
          hit += l.predict(samples[i]).classIndex === L ? 1 : 0;
          asked++;
        }
        for (let k = 0; k < 20; k++) {
          const b = base[rng.nextInt(base.length)];
          baseHit += l.predict(b.f).classIndex === b.label ? 1 : 0;
          baseAsked++;
        }
      }
      rows.push({
        name: `learning: ${task} one new class among the pretrained, ${shots} shot (${label})`,
        value: (100 * hit) / asked,
        unit: '%',
        note: `the new class's other samples recognised as it (${asked} queries, ${draws} draws over ${held.map((c) => fewshot.classes[c]).join(', ')}); the ${L} pretrained classes' own samples in the same split ${((100 * baseHit) / baseAsked).toFixed(1)} % (${baseAsked} queries)`,
        pretrainedAccuracy: (100 * baseHit) / baseAsked,
      });
    }
  }
  return rows;
}

export async function learningBench(quick = false): Promise<BenchRow[]> {
  const rows = await latencyRows(quick);
  const episodes = quick ? 200 : 300;
  for (const task of TASKS) {
    const loaded = await installedModel(task);
    if (!loaded) {
      rows.push(skipped(`learning: ${task} few-shot episodes`, `model resources/models/${task} missing`));
      continue;
    }
    if (!existsSync(join(DATASETS, task, 'meta.json'))) {
      rows.push(skipped(`learning: ${task} few-shot episodes`, `dataset training/.cache/datasets/${task} missing`));
      continue;
    }
    const fewshot = splitFeatures(loaded, task, 'fewshot');
    rows.push(...episodeRows(task, loaded, fewshot, episodes));
    rows.push(...newAmongPretrainedRows(task, loaded, fewshot, quick ? 40 : 80));
    const test = splitFeatures(loaded, task, 'test');
    rows.push(...degradationRows(task, loaded, fewshot, test));
  }
  return rows;
}

// `node --import tsx bench/learning.ts [--quick]` runs this section alone (without writing results.json).
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await learningBench(process.argv.includes('--quick'))) console.log(`${r.name.padEnd(60)} ${r.value.toFixed(2)} ${r.unit}  ${r.note ?? ''}`);
}
