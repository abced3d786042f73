// The keyword generator end to end on its tiny setting: synthesize → mix →
// cochlea → shards → assembled splits + meta.json, then a resumed run.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readDatasetMeta, readSplit, shardPaths } from '../../src-main/datasets/dataset-writer';
import { generateKeywordDataset, KEYWORD_INPUT } from '../../src-main/datasets/keywords/index';
import { AUX_WORDS } from '../../src-main/datasets/keywords/aux-vocabulary';
import { TINY_AUX_WORDS } from '../../src-main/datasets/keywords/plan';
import { ALL_CLASSES, BACKBONE_CLASSES, HELD_OUT_WORDS } from '../../src-main/datasets/keywords/vocabulary';
import { VOICES } from '../../src-main/datasets/keywords/voices';
import { probeSpeechTools, SpeechToolError } from '../../src-main/media/speech';

const tools = await probeSpeechTools();
const missing = Object.entries(tools).filter(([, ok]) => !ok).map(([t]) => t);
const skip = missing.length ? `${missing.join(', ')} not installed (Debian packages espeak-ng, flite, sox): skipping the keyword dataset run` : false;
if (skip) console.log(`# SKIP ${skip}`);

const root = mkdtempSync(join(tmpdir(), 'keywords-tiny-'));
after(() => rmSync(root, { recursive: true, force: true }));
const out = join(root, 'ds');
const cache = join(root, 'speech');

test('tiny keyword dataset: splits, labels, voices and frames as the contract says; a resumed run rebuilds a lost shard identically', { skip }, async () => {
  const progress: [number, number, string][] = [];
  const s = await generateKeywordDataset({ outDir: out, seed: 3, tiny: true, speechCacheDir: cache, onProgress: (d, t, l) => progress.push([d, t, l]) });
  const meta = readDatasetMeta(out);
  assert.deepEqual(meta, s.meta);
  assert.equal(meta.task, 'keywords');
  assert.equal(meta.seed, 3);
  assert.deepEqual(meta.classes, [...ALL_CLASSES, ...AUX_WORDS.slice(0, TINY_AUX_WORDS)]);
  assert.deepEqual(meta.backboneClasses, [...BACKBONE_CLASSES]);
  assert.deepEqual(meta.heldOutClasses, [...HELD_OUT_WORDS]);
  assert.deepEqual(meta.input, KEYWORD_INPUT);
  const n = BACKBONE_CLASSES.length;
  // festival, accents, mbrola, parametric, festvox and hmmaccents: one take of each command word and of unknown (keywords-festival.test.ts checks them)
  const words = n - 1;
  assert.deepEqual(Object.fromEntries(Object.entries(meta.splits).map(([k, v]) => [k, v.count])), { train: 2 * n, val: n, test: n, fewshot: n + HELD_OUT_WORDS.length, aux: TINY_AUX_WORDS, festival: words, accents: words, mbrola: words, parametric: words, festvox: words, hmmaccents: words });
  // progress: one tick per sample, in order, ending at the total
  const total = 4 * n + n + HELD_OUT_WORDS.length + TINY_AUX_WORDS + 6 * words;
  assert.equal(progress.length, total);
  progress.forEach(([d, t], i) => {
    assert.equal(d, i + 1);
    assert.equal(t, total);
  });

  const backbone = new Set(BACKBONE_CLASSES.map((c) => ALL_CLASSES.indexOf(c)));
  const silence = ALL_CLASSES.indexOf('silence');
  // (the aux split is checked in keywords-aux.test.ts)
  for (const name of ['train', 'val', 'test', 'fewshot']) {
    const sp = readSplit(out, name);
    assert.deepEqual(sp.sampleShape, [32, 16, 2]);
    const labels = new Set(sp.y);
    for (let i = 0; i < sp.count; i++) {
      const y = sp.y[i], g = sp.group[i];
      if (name !== 'fewshot') assert.ok(backbone.has(y), `${name} #${i}: label ${ALL_CLASSES[y]} is not a backbone class`);
      if (y === silence) {
        assert.equal(g, -1);
        continue;
      }
      const voice = VOICES[g];
      assert.ok(voice, `${name} #${i}: group ${g}`);
      assert.equal(voice.synth, name === 'test' ? 'flite' : 'espeak-ng', `${name} #${i}: ${voice.name}`);
      assert.equal(voice.role, name === 'test' ? 'flite' : name === 'fewshot' ? 'unseen' : 'train');
      const frame = sp.x.subarray(i * 1024, (i + 1) * 1024);
      assert.ok(frame.some((v) => v > 0), `${name} #${i} (${ALL_CLASSES[y]}): a spoken word gives events`);
      assert.ok(frame.every((v) => v <= KEYWORD_INPUT.clip));
    }
    if (name === 'fewshot') for (const w of HELD_OUT_WORDS) assert.ok(labels.has(ALL_CLASSES.indexOf(w)), `few-shot holds ${w}`);
    else assert.equal(labels.size, n);
  }

  // resume: lose one shard and meta.json; the rerun remakes only that shard, byte for byte
  const before = readFileSync(join(out, 'val-x.npy'));
  const trainShard = shardPaths(out, 'train', 0).x;
  const trainMtime = statSync(trainShard).mtimeMs;
  rmSync(shardPaths(out, 'val', 0).y);
  rmSync(join(out, 'meta.json'));
  await generateKeywordDataset({ outDir: out, seed: 3, tiny: true, speechCacheDir: cache });
  assert.ok(existsSync(join(out, 'meta.json')));
  assert.deepEqual(readFileSync(join(out, 'val-x.npy')), before);
  assert.equal(statSync(trainShard).mtimeMs, trainMtime, 'a finished shard is not rewritten');
  // a finished dataset with the same settings comes back untouched
  const metaMtime = statSync(join(out, 'meta.json')).mtimeMs;
  const again = await generateKeywordDataset({ outDir: out, seed: 3, tiny: true, speechCacheDir: cache });
  assert.equal(statSync(join(out, 'meta.json')).mtimeMs, metaMtime);
  assert.deepEqual(again.meta, readDatasetMeta(out));
});

test('a missing synthesizer stops generation at once with the Debian package to install, writing no meta.json', async () => {
  const path = process.env.PATH;
  const dir = join(root, 'no-tools');
  process.env.PATH = join(root, 'empty-bin');
  try {
    await assert.rejects(generateKeywordDataset({ outDir: dir, seed: 1, tiny: true }), (e: Error) => {
      assert.ok(e instanceof SpeechToolError);
      assert.match(e.message, /not found on PATH — install the Debian package '(espeak-ng|flite|sox)'/);
      return true;
    });
  } finally {
    process.env.PATH = path;
  }
  assert.ok(!existsSync(join(dir, 'meta.json')));
});

test('bad options are refused with a readable message', async () => {
  await assert.rejects(generateKeywordDataset({ outDir: join(root, 'x'), seed: 1.5 }), /seed must be a whole number, not 1.5/);
  await assert.rejects(generateKeywordDataset({ outDir: join(root, 'x'), seed: 1, perClass: 0 }), /perClass must be a whole number ≥ 1, not 0/);
});
