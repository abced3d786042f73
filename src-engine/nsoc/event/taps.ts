/**
 * Which outputs an input row (or column) feeds, precomputed per layer: for
 * input index i, the pairs (kernel tap k, output index o) with
 * o·stride − padBefore + k = i and 0 ≤ o < output. Stored as a compressed
 * list so the scatter loop does no division or bounds test per event.
 */
export interface AxisTaps {
  /** taps of input i are entries start[i] … start[i + 1] − 1 */
  start: Int32Array;
  tap: Int32Array;
  out: Int32Array;
}

export function axisTaps(input: number, output: number, kernel: number, stride: number, padBefore: number): AxisTaps {
  const start = new Int32Array(input + 1);
  const tap: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < input; i++) {
    start[i] = tap.length;
    for (let k = 0; k < kernel; k++) {
      const num = i + padBefore - k;
      if (num < 0 || num % stride !== 0) continue;
      const o = num / stride;
      if (o >= output) continue;
      tap.push(k);
      out.push(o);
    }
  }
  start[input] = tap.length;
  return { start, tap: Int32Array.from(tap), out: Int32Array.from(out) };
}
