// Shared by the worker tests: a ConvTiny with a dequantizing last layer
// (outputScale and outputBias, so scores and confidences are exercised),
// encoded as a model file, synthetic DVS frames, and what the in-thread
// NsocRuntime gives for them — the reference every worker must reproduce.
import type { DenseLayer, QuantizedModel } from '../../src-engine/nsoc/model';
import { decodeModel, encodeModel } from '../../src-engine/nsoc/model-file';
import { predict } from '../../src-engine/nsoc/prediction';
import { NsocRuntime, type RuntimeOptions } from '../../src-engine/nsoc/runtime';
import type { InferenceStats } from '../../src-engine/nsoc/stats';
import { makeConvTiny } from '../../src-engine/nsoc/testing/convtiny';
import { syntheticDvsFrames } from '../../src-engine/nsoc/testing/synthetic-frames';

export function workerTestModel(): QuantizedModel {
  const m = makeConvTiny({ seed: 21 });
  const last = m.layers[m.layers.length - 1] as DenseLayer;
  last.outputScale = Float32Array.from({ length: 10 }, (_, i) => 0.01 + 0.002 * i);
  last.outputBias = Float32Array.from({ length: 10 }, (_, i) => (i % 3) * 0.125 - 0.1);
  m.labels = ['hand clap', 'right wave', 'left wave', 'right arm cw', 'right arm ccw', 'left arm cw', 'left arm ccw', 'arm roll', 'air drums', 'air guitar'];
  return m;
}

export const workerTestModelBytes = (): Uint8Array => encodeModel(workerTestModel());

/** frames with events, one all-zero frame, one saturated corner */
export function workerTestFrames(): Uint8Array[] {
  const frames = syntheticDvsFrames(6, { seed: 5 });
  frames.push(new Uint8Array(64 * 64 * 10));
  const hot = new Uint8Array(64 * 64 * 10);
  for (let i = 0; i < 4000; i++) hot[i] = 15;
  frames.push(hot);
  return frames;
}

export interface Expected {
  output: Int32Array;
  scores: Float32Array;
  top: number;
  label: string | null;
  confidence: number;
  confidences: Float64Array;
  stats: InferenceStats;
}

/** In-thread results, from the decoded file (what the worker runs). */
export function expectedResults(frames: Uint8Array[], opts: RuntimeOptions = {}): Expected[] {
  const model = decodeModel(workerTestModelBytes());
  const rt = new NsocRuntime(model, opts);
  return frames.map((f) => {
    const r = rt.infer(f);
    const p = predict(r, model.labels);
    return { output: r.output, scores: r.scores!, top: p.top, label: p.label, confidence: p.confidence, confidences: p.confidences, stats: r.stats };
  });
}

/** The bytes of a typed array, to compare floats bit for bit (deepEqual on floats treats −0 and 0 as different but NaN patterns alike). */
export const bytesOf = (a: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): number[] => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
