/**
 * Activation ranges from a calibration set: runs the float model on the
 * frames and, for every layer whose range is not fixed by a Clip or a QAT
 * node, takes the maximum or a percentile of its positive activations.
 *
 * Percentiles are over the positive values only: event-camera activations
 * are mostly zero, and a percentile over all values would land on 0. Values
 * are kept in a bounded reservoir per layer (deterministic replacement), so
 * memory stays flat however large the calibration set.
 */
import type { FloatModel } from './graph';
import { frameToFloat, runFloat } from './float-runtime';

export interface CalibrationOptions {
  /** 'max' (default 'percentile') */
  method?: 'max' | 'percentile';
  /** for 'percentile', of the positive activations (default 99.99) */
  percentile?: number;
  /** reservoir size per layer (default 2^22 values) */
  maxSamples?: number;
}

export interface CalibrationResult {
  /** per layer: the range, or null where it is not calibrated (fixed by Clip/QAT, or no activation) */
  ranges: (number | null)[];
  /** per layer: the largest activation seen (null: not calibrated) */
  maxima: (number | null)[];
  frames: number;
}

/** Needs calibration: an activation with neither a max (Clip/ReLU6) nor a fake-quantization. */
export function needsCalibration(model: FloatModel): boolean[] {
  return model.layers.map((l) => l.activation !== null && l.activation.max === null && l.activation.fakeQuant === null);
}

class Reservoir {
  values: Float32Array;
  count = 0;
  seen = 0;
  max = 0;
  private rng = 0x9e3779b9;
  constructor(private readonly cap: number) {
    this.values = new Float32Array(Math.min(cap, 1 << 16));
  }
  add(v: number): void {
    if (v > this.max) this.max = v;
    this.seen++;
    if (this.count < this.cap) {
      if (this.count === this.values.length) {
        const grown = new Float32Array(Math.min(this.cap, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.count++] = v;
      return;
    }
    // xorshift32: a deterministic replacement index in [0, seen)
    this.rng ^= this.rng << 13;
    this.rng ^= this.rng >>> 17;
    this.rng ^= this.rng << 5;
    const j = (this.rng >>> 0) % this.seen;
    if (j < this.cap) this.values[j] = v;
  }
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const sorted = this.values.slice(0, this.count).sort();
    const idx = Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1));
    return sorted[idx];
  }
}

/** Measures activation ranges on uint8 HWC frames (ONNX input = frameScale × frame). */
export function calibrateRanges(model: FloatModel, frames: Iterable<Uint8Array>, frameScale: number, opts: CalibrationOptions = {}): CalibrationResult {
  const method = opts.method ?? 'percentile';
  const pct = opts.percentile ?? 99.99;
  if (method === 'percentile' && !(pct > 0 && pct <= 100)) throw new RangeError(`calibration percentile ${pct} must be in (0, 100]`);
  const want = needsCalibration(model);
  const cap = opts.maxSamples ?? 1 << 22;
  const res = want.map((w) => (w ? new Reservoir(method === 'max' ? 0 : cap) : null));
  let count = 0;
  for (const frame of frames) {
    runFloat(model, frameToFloat(frame, frameScale), (i, values) => {
      const r = res[i];
      if (!r) return;
      for (let k = 0; k < values.length; k++) if (values[k] > 0) r.add(values[k]);
    });
    count++;
  }
  return {
    ranges: res.map((r) => (r ? (method === 'max' ? r.max : r.percentile(pct)) : null)),
    maxima: res.map((r) => (r ? r.max : null)),
    frames: count,
  };
}
