// A model folder for tests (model.nlm + card.json): the ConvTiny-shaped random
// network (64×64×10, 10 classes) with the gesture model's input encoding, so
// the pipeline runs real inference on demo recordings without a trained model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GESTURE_INPUT } from '../../src-engine/datasets/gesture/sample';
import type { ModelCard } from '../../src-engine/models/card';
import { encodeModel } from '../../src-engine/nsoc/model-file';
import { makeConvTiny } from '../../src-engine/nsoc/testing/convtiny';

export function writeTestModel(root: string, name = 'test-gesture'): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const model = makeConvTiny();
  writeFileSync(join(dir, 'model.nlm'), encodeModel(model));
  const card: ModelCard = {
    format: 'neurolive-model-card',
    version: 1,
    name,
    task: 'gesture',
    description: 'random ConvTiny for tests',
    labels: model.labels,
    heldOutLabels: [],
    embeddingLayer: 5,
    embeddingSize: 256,
    input: GESTURE_INPUT,
    metrics: { floatAccuracy: 0.1, quantizedAccuracy: 0.1, evaluatedOn: 'nothing (random weights)', meanSparsity: 0.7, macsDense: 1, opsExecuted: 1, sizeBytes: 1, neuralProcessors: 1, layers: [] },
    training: {},
    createdAt: new Date(0).toISOString(),
  };
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card, null, 2));
  return dir;
}
