// The shipped models (resources/models/gesture, resources/models/keywords):
// each folder parses, stays under 2 MB, agrees with its card, and classifies
// a small freshly generated evaluation set (the tiny generator, a seed no model
// was trained on) above a floor well below the target — a regression guard,
// not a benchmark (the card holds the measured figures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModelCard } from '../../src-engine/models/card';
import { decodeModel } from '../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { argmax } from '../../src-engine/nsoc/prediction';
import { readDatasetMeta } from '../../src-main/datasets/dataset-writer';
import { generatorPath, loadGenerator } from '../../training/pipeline/generators';
import { readI32, readU8 } from '../../training/pipeline/npy';

const MODELS = join(import.meta.dirname, '..', '..', 'resources', 'models');
const FLOOR = 0.5;
const UNSEEN_SEED = 90_417;

for (const task of ['gesture', 'keywords']) {
  const dir = join(MODELS, task);
  const skip = !existsSync(join(dir, 'card.json')) ? `${dir} is absent: no shipped ${task} model to check (npm run train -- ${task})` : false;
  if (skip) console.log(`# SKIP ${skip}`);

  test(`${task}: the shipped folder parses, is < 2 MB and agrees with its card`, { skip }, () => {
    const bytes = readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
    assert.ok(bytes < 2_000_000, `${dir} holds ${bytes} bytes`);
    const card = parseModelCard(readFileSync(join(dir, 'card.json'), 'utf8'), join(dir, 'card.json'));
    const model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.nlm'))), join(dir, 'model.nlm'));
    assert.equal(card.task, task);
    assert.deepEqual(model.labels, card.labels);
    // time-rows: bins × channels × P; hwc: height × width × bins·P
    const rows = card.input.layout === 'time-rows';
    assert.deepEqual(
      [model.input.height, model.input.width, model.input.channels],
      rows ? [card.input.bins, card.input.width, card.input.polarities] : [card.input.height, card.input.width, card.input.bins * card.input.polarities],
    );
    assert.equal(card.metrics.sizeBytes, statSync(join(dir, 'model.nlm')).size);
    assert.equal(card.metrics.layers.length, model.layers.length);
    const embLayer = model.layers[card.embeddingLayer];
    assert.ok(embLayer.activation, 'the embedding layer has an activation (the learners binarize it)');
    assert.ok(readFileSync(join(dir, 'card.md'), 'utf8').includes(card.name));
    if (card.pretrainedEmbeddings) {
      const emb = readU8(join(dir, card.pretrainedEmbeddings.file));
      const labels = readI32(join(dir, card.pretrainedEmbeddings.labelsFile));
      assert.equal(emb.shape[1], card.embeddingSize);
      assert.equal(labels.shape[0], emb.shape[0]);
      for (const l of labels.data) assert.ok(l >= 0 && l < card.labels.length, `embedding label ${l}`);
      // they are the NSoC's embedding-layer outputs: recompute one? its input is not stored, so check the value range instead
      for (const v of emb.data) assert.ok(v <= 15, `embedding value ${v} above 4 bits`);
    }
  });

  const genSkip = skip || (!existsSync(generatorPath(task)) ? `${generatorPath(task)} is absent: cannot generate a fresh ${task} evaluation set` : false);
  test(`${task}: classifies a freshly generated evaluation set (unseen seed) above ${FLOOR * 100} %`, { skip: genSkip, timeout: 240_000 }, async (t) => {
    const card = parseModelCard(readFileSync(join(dir, 'card.json'), 'utf8'));
    const model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.nlm'))));
    const out = mkdtempSync(join(tmpdir(), `nl-eval-${task}-`));
    try {
      const gen = await loadGenerator(task);
      // only test and fewshot are evaluated: the keyword generator's training-only splits (aux, festival, accents, mbrola, parametric, festvox, hmmaccents) are skipped
      const opts = { outDir: out, seed: UNSEEN_SEED, tiny: true, auxPerWord: 0, festivalPerClass: 0, accentsPerClass: 0, mbrolaPerClass: 0, parametricPerClass: 0, festvoxPerClass: 0, hmmAccentsPerClass: 0 };
      await gen(opts);
      const meta = readDatasetMeta(out);
      assert.deepEqual(meta.input, card.input, 'the generator and the model card describe the same input encoding');
      const rt = new NsocRuntime(model, { collectStats: false, reuseResult: true });
      let n = 0;
      let correct = 0;
      for (const split of ['test', 'fewshot']) {
        if (!meta.splits[split]) continue;
        const x = readU8(join(out, meta.splits[split].x));
        const y = readI32(join(out, meta.splits[split].y)).data;
        const size = x.data.length / Math.max(1, x.shape[0]);
        for (let i = 0; i < y.length; i++) {
          const want = card.labels.indexOf(meta.classes[y[i]]);
          if (want < 0) continue; // a held-out class: not the backbone's to name
          const r = rt.infer(x.data.subarray(i * size, (i + 1) * size));
          if (argmax(r.scores ?? r.output) === want) correct++;
          n++;
        }
      }
      assert.ok(n >= 8, `only ${n} evaluation samples`);
      t.diagnostic(`${task}: ${correct}/${n} correct on the fresh set (seed ${UNSEEN_SEED})`);
      assert.ok(correct / n >= FLOOR, `${task}: ${correct}/${n} correct (${((100 * correct) / n).toFixed(1)} %), floor ${FLOOR * 100} %`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}
