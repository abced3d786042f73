/**
 * From a runtime result to a prediction: the top class and a confidence per
 * class. Both use the dequantized `scores` (outputScale·p + outputBias) when
 * the model has them, else the raw int32 output. Confidences are the softmax
 * of those values, computed in doubles after subtracting the maximum (so no
 * overflow); they lie in [0, 1] and sum to 1 up to rounding. A softmax over
 * raw potentials (a model without outputScale) is very peaked: potentials are
 * in units of the integer weights, not calibrated logits.
 *
 * The exponential is our own (`exactExp`), built from + − × ÷ only, which
 * IEEE 754 rounds the same everywhere: Math.exp is implementation-defined, and
 * does differ between V8 versions (Node 20 and a current Chromium disagree in
 * the last bit), so confidences would not be identical on every platform.
 */
import type { InferenceResult } from './runtime';

export interface Prediction {
  /** index of the largest score (the first one on a tie) */
  top: number;
  /** labels[top], or null when the model has no label for it */
  label: string | null;
  /** confidences[top] */
  confidence: number;
  /** softmax over the scores, one per output */
  confidences: Float64Array;
}

const LN2_HI = 0.6931471803691238; // ln 2 to 31 bits: k·LN2_HI is exact for |k| < 2^21
const LN2_LO = 1.9082149292705877e-10; // ln 2 − LN2_HI
const INV_LN2 = 1.4426950408889634;
const pow2View = new DataView(new ArrayBuffer(8));

/** 1/n! for n = 0 … 12 (n! < 2^53 is exact, then one rounded division). */
const FACTORIAL_INVERSES: readonly number[] = (() => {
  const out: number[] = [];
  let f = 1;
  for (let n = 0; n <= 12; n++) {
    if (n > 0) f *= n;
    out.push(1 / f);
  }
  return out;
})();

/** 2^k for an integer k in [−1022, 1023], from its bits. */
function pow2(k: number): number {
  pow2View.setUint32(0, (k + 1023) * 0x100000);
  pow2View.setUint32(4, 0);
  return pow2View.getFloat64(0);
}

/**
 * e^x to within a few ulp, the same bits on every platform: x = k·ln2 + r with
 * |r| ≤ ln2/2 (Cody–Waite reduction), e^r by its Taylor series to r^13
 * (truncation < 1e-17), times 2^k. 0 below −745.2, Infinity above 709.8.
 */
export function exactExp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  let p = 1 / 6227020800; // 1/13!
  for (let n = 12; n >= 1; n--) p = p * r + FACTORIAL_INVERSES[n];
  const er = p * r + 1;
  // split the scale so that neither factor leaves the normal range
  if (k > 1023) return er * pow2(k - 1) * 2;
  if (k < -1022) return er * pow2(k + 100) * pow2(-100);
  return er * pow2(k);
}

/** Softmax of `values` into `out` (allocated when not given). */
export function softmax(values: ArrayLike<number>, out: Float64Array = new Float64Array(values.length)): Float64Array {
  const n = values.length;
  if (out.length !== n) throw new RangeError(`softmax: output has ${out.length} slots for ${n} values`);
  if (n === 0) return out;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = exactExp(values[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** Index of the largest value, the first on a tie; −1 for an empty array. */
export function argmax(values: ArrayLike<number>): number {
  let best = values.length > 0 ? 0 : -1;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function predict(result: Pick<InferenceResult, 'output' | 'scores'>, labels: readonly string[]): Prediction {
  const values = result.scores ?? result.output;
  const confidences = softmax(values);
  const top = argmax(values);
  return { top, label: labels[top] ?? null, confidence: top >= 0 ? confidences[top] : 0, confidences };
}
