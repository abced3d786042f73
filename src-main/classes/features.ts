// From sensor data to the learners' features: the model's input frames
// (ModelInputEncoder, the same path as the live app) run on the simulated NSoC
// and the embedding layer's output (card.embeddingLayer, the layer before the
// classifier) is kept. Features are the uint8 activations as they are; NCM
// uses them as vectors, the Akida-style learner as spike counts (each value v
// is v active binary inputs, up to embeddingLevels()).
import type { EventBatch } from '../../src-engine/events/batch';
import { ModelInputEncoder, type ModelFrame } from '../../src-engine/models/encoder';
import { predict, type Prediction as HeadPrediction } from '../../src-engine/nsoc/prediction';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import type { LoadedModel } from '../models/load-model';
import type { FeatureFn, ShotGeometry } from './class-store';

export class FeatureExtractor {
  private readonly rt: NsocRuntime;
  readonly embeddingLayer: number;
  readonly embeddingSize: number;

  constructor(readonly loaded: LoadedModel) {
    this.rt = new NsocRuntime(loaded.model, { keepLayerOutputs: true, collectStats: false });
    this.embeddingLayer = loaded.card.embeddingLayer;
    this.embeddingSize = loaded.card.embeddingSize;
    if (this.embeddingLayer >= loaded.model.layers.length) {
      throw new RangeError(`${loaded.dir}: card.json's embeddingLayer ${this.embeddingLayer} is past the network's ${loaded.model.layers.length} layers`);
    }
  }

  /** the embedding of one model input frame, plus the network's own prediction (its head) */
  run(frame: Uint8Array): { features: Uint8Array; head: HeadPrediction } {
    const r = this.rt.infer(frame);
    const out = r.layerOutputs![this.embeddingLayer];
    if (!(out instanceof Uint8Array)) throw new RangeError(`layer ${this.embeddingLayer} of ${this.loaded.card.name} gives int32 potentials, not activations; it cannot be the embedding`);
    if (out.length !== this.embeddingSize) throw new RangeError(`layer ${this.embeddingLayer} of ${this.loaded.card.name} has ${out.length} outputs, card.json says embeddingSize ${this.embeddingSize}`);
    return { features: out.slice(), head: predict(r, this.loaded.card.labels) };
  }

  features(frame: Uint8Array): Uint8Array {
    return this.run(frame).features;
  }
}

/** the embedding's largest activation, 2^bits − 1: the binary learner's unary levels per feature */
export function embeddingLevels(loaded: LoadedModel): number {
  const act = loaded.model.layers[loaded.card.embeddingLayer]?.activation;
  return act ? (1 << act.bits) - 1 : 1;
}

export function sensorGeometry(loaded: LoadedModel): ShotGeometry {
  const e = loaded.card.input;
  return { sensor: e.sensor, width: e.sensorWidth, height: e.sensorHeight };
}

/** Every model frame of a whole event recording (incomplete last windows included). */
export function framesOfEvents(loaded: LoadedModel, batches: Iterable<EventBatch>, geometry: { width: number; height: number }): ModelFrame[] {
  const enc = new ModelInputEncoder(loaded.card.input, { eventGeometry: geometry });
  const frames: ModelFrame[] = [];
  for (const b of batches) frames.push(...enc.pushEvents(b));
  frames.push(...enc.flush());
  return frames;
}

/**
 * The frame a shot is learned from: the window with the most events (a
 * gesture or a word is where the sensor is busiest); the first on a tie.
 */
export function busiestFrame(frames: readonly ModelFrame[]): ModelFrame | null {
  let best: ModelFrame | null = null;
  for (const f of frames) if (!best || f.events > best.events) best = f;
  return best;
}

/** the events of `b` with tStart ≤ t < tEnd (a fresh copy) */
export function eventsInWindow(b: EventBatch, tStart: number, tEnd: number): EventBatch {
  let lo = 0;
  while (lo < b.length && b.t[lo] < tStart) lo++;
  let hi = lo;
  while (hi < b.length && b.t[hi] < tEnd) hi++;
  return { t: b.t.slice(lo, hi), x: b.x.slice(lo, hi), y: b.y.slice(lo, hi), p: b.p.slice(lo, hi), length: hi - lo };
}

/**
 * Features of a stored snippet for this model (re-learning after a backbone
 * change, importing a pack): the snippet is encoded from its first event on and
 * the busiest window is embedded. A snippet with no events embeds an empty frame.
 */
export function snippetFeatureFn(extractor: FeatureExtractor): FeatureFn {
  return async (events, geometry) => {
    const frames = framesOfEvents(extractor.loaded, [events], geometry);
    const f = busiestFrame(frames);
    const [h, w, c] = new ModelInputEncoder(extractor.loaded.card.input).inputShape;
    return extractor.features(f ? f.data : new Uint8Array(h * w * c));
  };
}
