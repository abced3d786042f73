import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeNpy } from '../../src-engine/formats/numpy/npy';
import type { ModelCard } from '../../src-engine/models/card';
import { encodeModel } from '../../src-engine/nsoc/model-file/encode';
import { makeConvTiny } from '../../src-engine/nsoc/testing/convtiny';
import { listInstalledModels, loadModel, resolveModelDir } from '../../src-main/models/load-model';

const root = mkdtempSync(join(tmpdir(), 'nl-models-'));
after(() => rmSync(root, { recursive: true, force: true }));

function makeFolder(name: string, patch: (card: ModelCard) => void = () => {}, emb?: { n: number; size: number; label: number }): string {
  const model = makeConvTiny();
  const dir = join(root, 'models', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.nlm'), encodeModel(model));
  const [h, w, c] = [model.input.height, model.input.width, model.input.channels];
  const card: ModelCard = {
    format: 'neurolive-model-card', version: 1, name, task: 'test', description: 'a test model', labels: [...model.labels], heldOutLabels: [],
    embeddingLayer: model.layers.length - 2, embeddingSize: 8,
    input: { sensor: 'dvs', sensorWidth: 128, sensorHeight: 128, windowUs: 100000, hopUs: 100000, bins: c / 2, polarities: 2, clip: 15, width: w, height: h, layout: 'hwc' },
    metrics: { floatAccuracy: 0.9, quantizedAccuracy: 0.9, evaluatedOn: 'nothing', meanSparsity: 0.7, macsDense: 1, opsExecuted: 1, sizeBytes: 1, neuralProcessors: 1, layers: [] },
    training: {}, createdAt: '2026-11-21',
  };
  if (emb) {
    card.pretrainedEmbeddings = { file: 'embeddings.npy', labelsFile: 'embeddings-labels.npy' };
    writeFileSync(join(dir, 'embeddings.npy'), encodeNpy(new Uint8Array(emb.n * emb.size).fill(3), [emb.n, emb.size]));
    writeFileSync(join(dir, 'embeddings-labels.npy'), encodeNpy(new Int32Array(emb.n).fill(emb.label), [emb.n]));
  }
  patch(card);
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
  return dir;
}

test('a model folder loads with a content-hash id and its embeddings', async () => {
  makeFolder('good', () => {}, { n: 4, size: 8, label: 1 });
  const m = await loadModel('good', root);
  assert.match(m.id, /^[0-9a-f]{64}$/);
  assert.equal(m.card.name, 'good');
  assert.equal(m.embeddings?.count, 4);
  assert.deepEqual([...m.embeddings!.labels], [1, 1, 1, 1]);
  assert.equal(resolveModelDir('good', root), join(root, 'models', 'good'));
  assert.equal(resolveModelDir(join(m.dir, 'model.nlm')), m.dir);
  // same bytes, same id
  assert.equal((await loadModel(m.dir)).id, m.id);
});

test('broken folders give errors that say what is wrong', async () => {
  await assert.rejects(loadModel('missing', root), /no model folder .*installed: good/);
  makeFolder('labels', (c) => (c.labels = ['a', 'b']));
  await assert.rejects(loadModel('labels', root), /labels \(a, b\) differ/);
  makeFolder('shape', (c) => (c.input.bins = 3));
  await assert.rejects(loadModel('shape', root), /card\.json's encoding makes/);
  makeFolder('emb', () => {}, { n: 2, size: 5, label: 0 });
  await assert.rejects(loadModel('emb', root), /embeddings shape \(2, 5\) is not \[N, 8\]/);
  makeFolder('card', (c) => ((c as { format: string }).format = 'x'));
  await assert.rejects(loadModel('card', root), /not a valid model card: format/);
  const all = await listInstalledModels([join(root, 'models')]);
  assert.deepEqual(all.models.map((m) => m.card.name), ['good']);
  assert.equal(all.errors.length, 4);
});
