/**
 * Per-inference statistics of the simulated NSoC, and the dense-MAC count
 * both execution paths report.
 *
 * Conventions:
 * - an event is a non-zero activation; sparsity = 1 − events / size;
 * - dense MACs: what a dense implementation multiplies-and-adds, counting only
 *   in-bounds kernel taps (padding contributes nothing and costs nothing);
 *   a separable layer counts its depthwise and its pointwise MACs; pooling
 *   and activation are not MACs;
 * - executed ops: the synaptic operations the path actually performed — in
 *   the event path one per (event, weight it touched), counted as it runs; in
 *   the dense path every MAC.
 */
import { inBoundsTaps } from './arith';
import type { Layer } from './model';

export interface LayerStats {
  index: number;
  name: string;
  kind: Layer['kind'];
  inputSize: number;
  /** non-zero input activations */
  inputEvents: number;
  inputSparsity: number;
  outputSize: number;
  /** non-zero outputs (activations, or potentials for a layer without activation) */
  outputEvents: number;
  outputSparsity: number;
  executedOps: number;
  denseMacs: number;
}

export interface InferenceStats {
  path: 'event' | 'dense';
  /** false when the runtime was built with collectStats: false — then only denseMacs is filled */
  collected: boolean;
  inputSize: number;
  inputEvents: number;
  inputSparsity: number;
  outputEvents: number;
  executedOps: number;
  denseMacs: number;
  /** executedOps / denseMacs */
  opsRatio: number;
  layers: LayerStats[];
}

export function sparsity(events: number, size: number): number {
  return size > 0 ? 1 - events / size : 0;
}

/** Σ over output positions of the in-bounds taps along one axis (the rows × columns product factorises). */
export function inBoundsTapSum(input: number, output: number, kernel: number, stride: number, padBefore: number): number {
  let sum = 0;
  for (let o = 0; o < output; o++) {
    const [first, end] = inBoundsTaps(o, stride, padBefore, kernel, input);
    sum += end - first;
  }
  return sum;
}

export interface MacGeometry {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  stride: number;
  padTop: number;
  padLeft: number;
}

/** Dense MACs of a convolution, separable convolution or fully connected layer (closed form). */
export function layerDenseMacs(kind: Layer['kind'], g: MacGeometry | null, inputs: number, outputs: number): number {
  if (kind === 'dense' || g === null) return inputs * outputs;
  const taps = inBoundsTapSum(g.inH, g.outH, g.kh, g.stride, g.padTop) * inBoundsTapSum(g.inW, g.outW, g.kw, g.stride, g.padLeft);
  if (kind === 'separable-conv') return taps * g.inC + g.outH * g.outW * g.inC * outputs;
  return taps * g.inC * outputs;
}

export function emptyLayerStats(index: number, name: string, kind: Layer['kind'], inputSize: number, outputSize: number, denseMacs: number): LayerStats {
  return { index, name, kind, inputSize, inputEvents: 0, inputSparsity: 0, outputSize, outputEvents: 0, outputSparsity: 0, executedOps: 0, denseMacs };
}

/** Fills the derived fields (sparsities, totals, ratio) once the per-layer counts are in. */
export function finishStats(s: InferenceStats): void {
  let ops = 0;
  let macs = 0;
  for (const l of s.layers) {
    l.inputSparsity = sparsity(l.inputEvents, l.inputSize);
    l.outputSparsity = sparsity(l.outputEvents, l.outputSize);
    ops += l.executedOps;
    macs += l.denseMacs;
  }
  const first = s.layers[0];
  const last = s.layers[s.layers.length - 1];
  s.inputSize = first ? first.inputSize : 0;
  s.inputEvents = first ? first.inputEvents : 0;
  s.inputSparsity = sparsity(s.inputEvents, s.inputSize);
  s.outputEvents = last ? last.outputEvents : 0;
  s.executedOps = ops;
  s.denseMacs = macs;
  s.opsRatio = macs > 0 ? ops / macs : 0;
}

/** A deep copy, for callers that keep stats across inferences. */
export function copyStats(s: InferenceStats): InferenceStats {
  return { ...s, layers: s.layers.map((l) => ({ ...l })) };
}
