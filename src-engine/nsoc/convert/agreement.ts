/**
 * Float vs quantized agreement on a set of frames: how often the integer
 * model's top-1 class equals the float model's, and the mean absolute error
 * of its dequantized scores (outputScale·p + outputBias) against the float
 * scores.
 */
import type { QuantizedModel } from '../model';
import { frameToFloat, runFloat } from './float-runtime';
import type { FloatModel } from './graph';
import { dequantizeOutput } from './quantize';

export interface Agreement {
  samples: number;
  /** fraction of frames whose argmax agrees */
  top1: number;
  meanAbsError: number;
  /** mean |float score|, to read the error against */
  meanAbsFloat: number;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** `infer` runs the integer model on one frame and returns its output (potentials or activations). */
export function measureAgreement(
  float: FloatModel,
  model: QuantizedModel,
  frames: readonly Uint8Array[],
  frameScale: number,
  infer: (frame: Uint8Array) => ArrayLike<number>,
): Agreement {
  let agree = 0;
  let err = 0;
  let mag = 0;
  let count = 0;
  for (const frame of frames) {
    const f = runFloat(float, frameToFloat(frame, frameScale));
    const q = dequantizeOutput(model, infer(frame));
    if (argmax(f) === argmax(q)) agree++;
    for (let i = 0; i < f.length; i++) {
      err += Math.abs(f[i] - q[i]);
      mag += Math.abs(f[i]);
    }
    count += f.length;
  }
  return { samples: frames.length, top1: frames.length ? agree / frames.length : 0, meanAbsError: count ? err / count : 0, meanAbsFloat: count ? mag / count : 0 };
}
