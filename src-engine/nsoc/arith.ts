/**
 * The NSoC's integer arithmetic, in one place: both execution paths, the
 * calibration and the tests use these functions, never their own copies.
 *
 * Thresholds T and steps s are integers in 1/16 units of the potential p (the
 * hardware keeps 4 fractional bits), so the activation rule compares 16·p with
 * T. Every expression below is evaluated in doubles on integers well below
 * 2^53, so it is exact (a double division followed by Math.ceil gives the exact
 * integer ceiling as long as the dividend is below 2^53 in magnitude).
 */
import type { ActivationBits } from './model';

/** 2^31 / 16: potentials must stay below this so that 16·p fits an int32 (the hardware's fixed point). */
export const MAX_POTENTIAL = 2 ** 27;

/** Largest activation value of b bits. */
export function maxActivation(bits: ActivationBits | 1 | 2 | 4 | 8): number {
  return (1 << bits) - 1;
}

/** ⌈a / b⌉ for integers with b > 0 and |a| < 2^53. */
export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/**
 * The activation of one neuron: 0 if 16p ≤ T, else min(⌈(16p − T)/s⌉, maxOut).
 * `maxOut` = 2^bits − 1.
 */
export function activate(p: number, threshold: number, step: number, maxOut: number): number {
  const d = 16 * p - threshold;
  if (d <= 0) return 0;
  const q = ceilDiv(d, step);
  return q < maxOut ? q : maxOut;
}

/**
 * Global average pooling activates the exact spatial mean of the potentials,
 * sum / n, without rounding it first: 16·sum compared with n·T, divided by n·s.
 * (`sum` is a sum of int32 potentials kept in a double: exact below 2^53.)
 */
export function activateMean(sum: number, n: number, threshold: number, step: number, maxOut: number): number {
  const d = 16 * sum - n * threshold;
  if (d <= 0) return 0;
  const q = ceilDiv(d, n * step);
  return q < maxOut ? q : maxOut;
}

/**
 * Max pooling (VALID): output (py, px) covers rows py·stride … py·stride + size − 1
 * (and the same for columns) of the map it pools. Returns the first covered
 * index; the window is `size` long and always in bounds (shapes.ts only admits
 * outputs whose window fits).
 */
export function poolWindowStart(outIndex: number, stride: number): number {
  return outIndex * stride;
}

/**
 * In-bounds taps of a convolution along one axis, for output index `o`: the
 * kernel rows k with 0 ≤ o·stride − padBefore + k < input. Returns [first, end).
 */
export function inBoundsTaps(o: number, stride: number, padBefore: number, kernel: number, input: number): [number, number] {
  const start = o * stride - padBefore;
  const first = start < 0 ? -start : 0;
  const end = Math.min(kernel, input - start);
  return [first, end > first ? end : first];
}

/**
 * The activation as a count of integer levels, for vectorised code: with
 * L_k = ⌊(T + k·s)/16⌋ + 1 (k = 0 … maxOut − 1), activate(p) is the number of
 * levels with p ≥ L_k, because ⌈(16p − T)/s⌉ > k ⇔ 16p − T > k·s ⇔ p > (T + k·s)/16
 * and p is an integer. Levels are clamped to ±2^30, beyond any potential
 * (|p| < 2^27), so they fit an int32.
 */
export function activationLevel(k: number, threshold: number, step: number): number {
  const l = Math.floor((threshold + k * step) / 16) + 1;
  return l > 2 ** 30 ? 2 ** 30 : l < -(2 ** 30) ? -(2 ** 30) : l;
}
