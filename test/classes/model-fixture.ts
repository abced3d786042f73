// A small model folder for classifier / CLI tests: the random ConvTiny network
// (64×64×10 input, embedding = layer 5, 256 binary outputs) with a card, and
// synthetic DVS "gestures" that the embedding tells apart: each pattern fires
// a different polarity/time-bin mix across the sensor.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchFrom, type EventBatch } from '../../src-engine/events/batch';
import { encodeNpy } from '../../src-engine/formats/numpy/npy';
import type { ModelCard } from '../../src-engine/models/card';
import { ModelInputEncoder } from '../../src-engine/models/encoder';
import { encodeModel } from '../../src-engine/nsoc/model-file/encode';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { makeConvTiny } from '../../src-engine/nsoc/testing/convtiny';

export const SENSOR = { width: 128, height: 128 };
export const WINDOW_US = 100_000;

/**
 * Pattern k at seed s: n events over one window starting at t0. Patterns
 * differ in polarity mix, in which fifth of the window is busy and in where
 * on the sensor the activity is (a band per pattern).
 */
export function pattern(k: number, seed: number, n = 3000, t0 = 0): EventBatch {
  const t = new Float64Array(n), x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n);
  let s = (seed * 7919 + k * 104729) >>> 0 || 1;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const busy = k % 5;
  for (let i = 0; i < n; i++) {
    // 70 % of events in the pattern's fifth of the window, the rest spread
    const inBusy = rnd() < 0.7;
    t[i] = t0 + Math.floor(inBusy ? (busy + rnd()) * (WINDOW_US / 5) : rnd() * WINDOW_US * 0.999);
    const band = (k * 37) % 96;
    x[i] = Math.floor(rnd() * SENSOR.width);
    y[i] = Math.min(SENSOR.height - 1, band + Math.floor(rnd() * 32));
    p[i] = k % 2 === 0 ? (rnd() < 0.85 ? 1 : 0) : rnd() < 0.15 ? 1 : 0;
  }
  const order = Array.from(t.keys()).sort((a, b) => t[a] - t[b]);
  return batchFrom(order.map((i) => t[i]), order.map((i) => x[i]), order.map((i) => y[i]), order.map((i) => p[i]));
}

export function cardFor(name: string, labels: string[], embeddings: boolean): ModelCard {
  return {
    format: 'neurolive-model-card', version: 1, name, task: 'test-gesture', description: 'random ConvTiny for tests', labels, heldOutLabels: [],
    embeddingLayer: 5, embeddingSize: 256,
    input: { sensor: 'dvs', sensorWidth: SENSOR.width, sensorHeight: SENSOR.height, windowUs: WINDOW_US, hopUs: WINDOW_US, bins: 5, polarities: 2, clip: 15, width: 64, height: 64, layout: 'hwc' },
    ...(embeddings ? { pretrainedEmbeddings: { file: 'embeddings.npy', labelsFile: 'embeddings-labels.npy' } } : {}),
    metrics: { floatAccuracy: 0, quantizedAccuracy: 0, evaluatedOn: 'nothing', meanSparsity: 0.7, macsDense: 1, opsExecuted: 1, sizeBytes: 1, neuralProcessors: 1, layers: [] },
    training: {}, createdAt: '2026-11-21',
  };
}

/**
 * Writes a model folder. The network's 10 outputs are labelled with patterns
 * 0–3 as "p0"… and the rest as "other k"; with `embeddings`, 6 examples of
 * each of patterns 0–3 are shipped as pretrained embeddings (seeds 1000+).
 */
export function writeModelFolder(dir: string, opts: { embeddings: boolean; seed?: number; name?: string }): string {
  const model = makeConvTiny({ seed: opts.seed ?? 7 });
  model.labels = model.labels.map((_, i) => (i < 4 ? `p${i}` : `other ${i}`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.nlm'), encodeModel(model));
  const card = cardFor(opts.name ?? 'test-gesture', model.labels, opts.embeddings);
  if (opts.embeddings) {
    const rt = new NsocRuntime(model, { keepLayerOutputs: true });
    const rows: Uint8Array[] = [];
    const labels: number[] = [];
    for (let k = 0; k < 4; k++) {
      for (let s = 0; s < 6; s++) {
        const enc = new ModelInputEncoder(card.input);
        const frames = [...enc.pushEvents(pattern(k, 1000 + s)), ...enc.flush()];
        const f = frames.reduce((a, b) => (b.events > a.events ? b : a));
        rows.push(rt.infer(f.data).layerOutputs![5] as Uint8Array);
        labels.push(k);
      }
    }
    const data = new Uint8Array(rows.length * 256);
    rows.forEach((r, i) => data.set(r, i * 256));
    writeFileSync(join(dir, 'embeddings.npy'), encodeNpy(data, [rows.length, 256]));
    writeFileSync(join(dir, 'embeddings-labels.npy'), encodeNpy(Int32Array.from(labels), [labels.length]));
  }
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
  return dir;
}
