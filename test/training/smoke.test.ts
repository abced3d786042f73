// The model factory end to end on a tiny synthetic dataset: train a few steps
// (Debian's python3-torch) → ONNX → convertOnnx → NSoC. Checks that the QAT
// simulation and the NSoC runtime agree on every integer of every layer, that
// the model folder is complete and valid, and that bad input is refused clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModelCard } from '../../src-engine/models/card';
import { decodeModel } from '../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { predict } from '../../src-engine/nsoc/prediction';
import { buildModel, checkAgainstSimulation } from '../../training/pipeline/factory';
import { readI32, readU8 } from '../../training/pipeline/npy';
import { pythonHasTorchSync, type TrainerEvent } from '../../training/pipeline/python';
import { main as trainMain } from '../../training/run';
import { SYN_AUX, SYN_BACKBONE, SYN_HELD_OUT, SYN_SHAPE, writeSyntheticDataset } from './synthetic-dataset';

const skip = pythonHasTorchSync() ? false : '/usr/bin/python3 has no torch/onnx/numpy (apt-get install python3-torch python3-onnx): skipping the training smoke pipeline';
if (skip) console.log(`# SKIP ${skip}`);

test('tiny dataset → train → ONNX → convert → NSoC: the QAT simulation equals the NSoC bit for bit, and the folder is a valid model', { skip, timeout: 180_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'nl-train-'));
  try {
    const data = join(root, 'data');
    const meta = writeSyntheticDataset(data, 3);
    const events: string[] = [];
    const res = await buildModel({
      task: 'gesture', dataDir: data, workDir: join(root, 'work'), outDir: join(root, 'model'), tiny: true, epochs: 2, qatEpochs: 1, seed: 1,
      onTrainer: (e) => events.push(e.event),
    });
    assert.ok(events.includes('progress') && events.includes('epoch') && events.includes('done'), `trainer events: ${[...new Set(events)].join(', ')}`);

    // exactness: every activation and every classifier potential of 8 test frames
    assert.ok(res.simCheck.values > 8 * 100, `compared ${res.simCheck.values} values`);
    assert.equal(res.simCheck.mismatches, 0, `${res.simCheck.mismatches} of ${res.simCheck.values} integer outputs differ between the QAT simulation and the NSoC`);
    // and the model folder reproduces it too (the .nlm round trip keeps every integer)
    const dir = res.outDir;
    const model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.nlm'))), 'model.nlm');
    const again = checkAgainstSimulation(model, join(root, 'work'));
    assert.equal(again.mismatches, 0);

    const card = parseModelCard(readFileSync(join(dir, 'card.json'), 'utf8'));
    assert.deepEqual(card.labels, SYN_BACKBONE);
    assert.deepEqual(model.labels, SYN_BACKBONE);
    assert.deepEqual(card.heldOutLabels, SYN_HELD_OUT);
    assert.deepEqual(card.input, meta.input);
    assert.equal(card.embeddingLayer, model.layers.length - 2);
    assert.deepEqual(model.layers.map((l) => l.name), ['input_conv', 'conv1', 'embedding', 'classifier']);
    assert.equal(model.layers[0].kind, 'input-conv');
    assert.equal(model.layers[0].weightBits, 8);
    for (const l of model.layers.slice(1)) assert.equal(l.weightBits, 4, l.name);
    for (const l of model.layers.slice(0, -1)) assert.equal(l.activation?.bits, 4, l.name);
    assert.equal(model.layers[model.layers.length - 1].activation, null);
    assert.deepEqual(model.input.encoding, { kind: 'time-channel', windowUs: 200_000, bins: 2, polarities: 2, clip: 7 });
    assert.equal(card.metrics.layers.length, model.layers.length);
    assert.equal(card.metrics.sizeBytes, readFileSync(join(dir, 'model.nlm')).length);
    assert.ok(card.metrics.macsDense > 0 && card.metrics.opsExecuted > 0 && card.metrics.opsExecuted <= card.metrics.macsDense);
    assert.ok(readFileSync(join(dir, 'card.md'), 'utf8').includes('Intended use'));

    // embeddings: uint8 [N, embeddingSize], labels index the model's labels, equal to the NSoC's embedding-layer output
    const emb = readU8(join(dir, 'embeddings.npy'));
    const embLabels = readI32(join(dir, 'embeddings-labels.npy'));
    assert.equal(emb.shape[1], card.embeddingSize);
    assert.equal(embLabels.shape[0], emb.shape[0]);
    assert.deepEqual([...new Set(embLabels.data)].sort(), [0, 1, 2]);

    // classify one held-out test frame through the NSoC
    const test0 = readU8(join(data, 'test-x.npy'));
    const frame = test0.data.subarray(0, SYN_SHAPE[0] * SYN_SHAPE[1] * SYN_SHAPE[2]);
    const r = new NsocRuntime(model, { keepLayerOutputs: true }).infer(frame);
    const p = predict(r, model.labels);
    assert.ok(p.label !== null && SYN_BACKBONE.includes(p.label), String(p.label));
    assert.equal(r.layerOutputs![card.embeddingLayer].length, card.embeddingSize);
    assert.equal(res.evaluation.samples, 18);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('npm run train refuses bad command lines and a --data folder without meta.json, with a message', { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'nl-train-'));
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => void errors.push(a.join(' '));
  try {
    assert.equal(await trainMain(['speech']), 64);
    assert.match(errors.at(-1)!, /unknown task 'speech' \(gesture or keywords\)/);
    assert.equal(await trainMain(['gesture', '--epochs', 'many']), 64);
    assert.match(errors.at(-1)!, /--epochs must be a whole number/);
    writeFileSync(join(root, 'note.txt'), 'not a dataset');
    assert.equal(await trainMain(['gesture', '--data', root, '--cache', join(root, 'cache')]), 2);
    assert.match(errors.at(-1)!, /no meta\.json/);
    assert.equal(existsSync(join(root, 'cache')), false);
  } finally {
    console.error = orig;
    rmSync(root, { recursive: true, force: true });
  }
});

test('a dataset with auxiliary classes trains them through training-only heads: the exported model has only the backbone classifier', { skip, timeout: 180_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'nl-train-aux-'));
  try {
    const data = join(root, 'data');
    const meta = writeSyntheticDataset(data, 5, { aux: true });
    assert.deepEqual(meta.auxClasses, SYN_AUX);
    let setup: Record<string, unknown> | null = null;
    const res = await buildModel({
      task: 'gesture', dataDir: data, workDir: join(root, 'work'), outDir: join(root, 'model'), tiny: true, epochs: 2, qatEpochs: 1, seed: 1,
      onTrainer: (e) => {
        if (e.event === 'phase' && e.phase === 'setup') setup = e;
      },
    });
    assert.equal(setup!.auxClasses, SYN_AUX.length);
    assert.equal(setup!.auxSamples, SYN_AUX.length * 12);
    assert.equal(setup!.train, SYN_BACKBONE.length * 24, 'the backbone training count excludes aux rows');
    assert.deepEqual(res.model.labels, SYN_BACKBONE);
    const last = res.model.layers[res.model.layers.length - 1];
    assert.equal(last.kind === 'dense' && last.name === 'classifier' ? last.units : -1, SYN_BACKBONE.length, 'one classifier output per backbone class, none for aux classes');
    assert.equal(res.simCheck.mismatches, 0);
    assert.deepEqual(res.train.training.aux && { classes: (res.train.training.aux as { classes: number }).classes }, { classes: SYN_AUX.length });
    assert.deepEqual((res.card.training as { aux?: unknown }).aux, res.train.training.aux, 'the card records the aux training');
    // and without them (--aux-weight 0) the same dataset trains as a plain one
    const plain = await buildModel({
      task: 'gesture', dataDir: data, workDir: join(root, 'work0'), outDir: join(root, 'model0'), tiny: true, epochs: 1, qatEpochs: 1, seed: 1, trainerArgs: ['--aux-weight', '0'],
      onTrainer: (e) => {
        if (e.event === 'phase' && e.phase === 'setup') setup = e;
      },
    });
    assert.equal(setup!.auxClasses, 0);
    assert.equal(plain.train.training.aux, undefined);
    // the first run's checkpoints, rerun with other settings, are not continued: training starts over and says why
    const seen: TrainerEvent[] = [];
    const other = await buildModel({
      task: 'gesture', dataDir: data, workDir: join(root, 'work'), outDir: join(root, 'model1'), tiny: true, epochs: 2, qatEpochs: 1, seed: 1, trainerArgs: ['--aux-weight', '0'],
      onTrainer: (e) => void seen.push(e),
    });
    assert.deepEqual(seen.find((e) => e.event === 'restart')?.differs, ['aux_weight']);
    assert.equal(seen.some((e) => e.event === 'resume'), false);
    assert.equal(other.train.training.aux, undefined, 'the aux heads of the first run are gone with its checkpoints');
    // the same settings again resume (nothing left to train) and rebuild the same model
    seen.length = 0;
    const again = await buildModel({
      task: 'gesture', dataDir: data, workDir: join(root, 'work'), outDir: join(root, 'model2'), tiny: true, epochs: 2, qatEpochs: 1, seed: 1, trainerArgs: ['--aux-weight', '0'],
      onTrainer: (e) => void seen.push(e),
    });
    assert.equal(seen.some((e) => e.event === 'restart'), false);
    assert.deepEqual(seen.filter((e) => e.event === 'resume').map((e) => e.phase), ['float', 'qat']);
    assert.deepEqual(readFileSync(join(root, 'model2', 'model.nlm')), readFileSync(join(root, 'model1', 'model.nlm')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
