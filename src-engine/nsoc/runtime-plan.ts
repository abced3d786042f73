/**
 * Checks a QuantizedModel once, before any inference, and derives what both
 * execution paths need per layer: shapes, convolution geometry, activation
 * parameters, the dense-MAC count and a proof that int32 accumulation cannot
 * overflow.
 *
 * Overflow bound: a potential is a sum of w·a terms with 0 ≤ a ≤ aMax, so for
 * one output neuron −aMax·N ≤ p ≤ aMax·P, where P (N) is the sum of its
 * positive (magnitudes of its negative) weights over the fan-in — and every
 * partial sum, in any order, lies in the same interval. This is the exact worst
 * case for the model's actual weights; it never exceeds the bits × fan-in bound
 * aMax · k_max · fan-in. The model is refused when it reaches MAX_POTENTIAL =
 * 2^27 (16·p must fit an int32, as on the hardware). Realistic layers are far
 * below: ConvTiny's worst layer (the 8-bit input convolution, 3×3×10 over
 * 4-bit input) is at most 15·127·90 ≈ 171 k < 134 M; a 4-bit 3×3 conv over
 * 4-bit activations would need more than 140 000 input channels to reach it.
 * The model input's bound uses its declared bits (2^bits − 1), so infer()
 * refuses input values above that.
 */
import { activationLevel, MAX_POTENTIAL, maxActivation } from './arith';
import type { Layer, Pooling, QuantizedModel } from './model';
import { kMax } from './model';
import { convOutputLength, modelShapes, samePadBefore, type Shape } from './shapes';
import { layerDenseMacs, type MacGeometry } from './stats';

export class ModelRuntimeError extends Error {
  override name = 'ModelRuntimeError';
  constructor(
    /** index of the offending layer, −1 for the model as a whole */
    readonly layerIndex: number,
    readonly layerName: string,
    readonly reason: string,
  ) {
    super(layerIndex < 0 ? `model: ${reason}` : `layer ${layerIndex} (${layerName}): ${reason}`);
  }
}

export type ConvGeometry = MacGeometry;

export interface ActivationPlan {
  bits: 1 | 2 | 4;
  /** 2^bits − 1 */
  maxOut: number;
  threshold: Int32Array;
  step: Int32Array;
  /** [channel][k]: activationLevel(k, T, s) — the activation is the number of levels p reaches (arith.ts) */
  levels: Int32Array;
}

export interface LayerPlan {
  index: number;
  layer: Layer;
  inShape: Shape;
  /** the layer's map before pooling */
  mapShape: Shape;
  /** after pooling: what the next layer sees */
  outShape: Shape;
  /** null for a fully connected layer */
  geometry: ConvGeometry | null;
  activation: ActivationPlan | null;
  pool: Pooling | null;
  /** largest input activation value */
  inputMax: number;
  /** worst-case |potential| (and |depthwise sum|) for any input */
  potentialBound: number;
  denseMacs: number;
}

export interface ModelPlan {
  input: Shape;
  inputSize: number;
  /** largest model input value, 2^bits − 1 */
  inputMax: number;
  layers: LayerPlan[];
}

const size = (s: Shape) => s[0] * s[1] * s[2];

function checkWeights(fail: (r: string) => never, what: string, w: unknown, length: number, bits: number): Int8Array {
  if (!(w instanceof Int8Array)) fail(`${what} must be an Int8Array`);
  const arr = w as Int8Array;
  if (arr.length !== length) fail(`${what} has ${arr.length} values, the shape needs ${length}`);
  const k = kMax(bits as 1 | 2 | 4 | 8);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (v > k || v < -k) fail(`${what}[${i}] = ${v} is outside the ${bits}-bit grid [−${k}, ${k}]`);
  }
  return arr;
}

/** Worst-case |Σ w·a| per output (cout fastest, rows of `cout` weights), given per-row input maxima. */
function worstPotential(weights: Int8Array, cout: number, rowMax: (row: number) => number): number {
  const rows = weights.length / cout;
  let worst = 0;
  for (let co = 0; co < cout; co++) {
    let pos = 0;
    let neg = 0;
    for (let r = 0; r < rows; r++) {
      const w = weights[r * cout + co];
      if (w > 0) pos += w * rowMax(r);
      else neg -= w * rowMax(r);
    }
    worst = Math.max(worst, pos, neg);
  }
  return worst;
}

function planActivation(fail: (r: string) => never, a: Layer['activation'], channels: number): ActivationPlan | null {
  if (a === null) return null;
  if (typeof a !== 'object') fail('activation must be an object or null');
  if (a.bits !== 1 && a.bits !== 2 && a.bits !== 4) fail(`activation bits ${String(a.bits)} (1, 2 or 4 expected)`);
  if (!(a.threshold instanceof Int32Array) || a.threshold.length !== channels) fail(`activation threshold must be an Int32Array of ${channels} values`);
  if (!(a.step instanceof Int32Array) || a.step.length !== channels) fail(`activation step must be an Int32Array of ${channels} values`);
  for (let c = 0; c < channels; c++) if (a.step[c] <= 0) fail(`activation step[${c}] = ${a.step[c]} must be > 0`);
  const maxOut = maxActivation(a.bits);
  const levels = new Int32Array(channels * maxOut);
  for (let c = 0; c < channels; c++) for (let k = 0; k < maxOut; k++) levels[c * maxOut + k] = activationLevel(k, a.threshold[c], a.step[c]);
  return { bits: a.bits, maxOut, threshold: a.threshold, step: a.step, levels };
}

export function planModel(model: QuantizedModel): ModelPlan {
  if (!model || !Array.isArray(model.layers) || model.layers.length === 0) throw new ModelRuntimeError(-1, model?.name ?? '', 'has no layers');
  const inBits = model.input.bits;
  if (inBits !== 1 && inBits !== 2 && inBits !== 4 && inBits !== 8) throw new ModelRuntimeError(-1, model.name, `input bits ${String(inBits)} (1, 2, 4 or 8 expected)`);
  const shapes = modelShapes(model);
  const layers: LayerPlan[] = [];
  let inShape = shapes.input;
  const modelInputMax = maxActivation(inBits);
  let inputMax = modelInputMax;
  model.layers.forEach((layer, index) => {
    const fail = (reason: string): never => {
      throw new ModelRuntimeError(index, layer.name, reason);
    };
    const last = index === model.layers.length - 1;
    const outShape = shapes.outputs[index];
    const pool = layer.pool ?? null;
    const activation = planActivation(fail, layer.activation, outShape[2]);
    if (!activation && !last) fail('only the last layer may output potentials (activation null)');
    if (!activation && pool?.kind === 'global-avg') fail('global average pooling needs an activation (the mean of potentials is not an integer)');
    const [inH, inW, inC] = inShape;
    let geometry: ConvGeometry | null = null;
    let mapShape: Shape;
    let bound: number;
    let outC: number;
    if (layer.kind === 'dense') {
      outC = layer.units;
      mapShape = [1, 1, outC];
      const w = checkWeights(fail, 'weights', layer.weights, size(inShape) * outC, layer.weightBits);
      bound = worstPotential(w, outC, () => inputMax);
    } else {
      if (layer.kind !== 'input-conv' && layer.kind !== 'conv' && layer.kind !== 'separable-conv') fail(`unknown layer kind ${String((layer as { kind: unknown }).kind)}`);
      if (layer.kind === 'input-conv' && (layer.weightBits as number) !== 8) fail(`input convolution weights must be 8-bit, not ${String(layer.weightBits)}`);
      const [kh, kw] = layer.kernel;
      const s = layer.stride;
      const outH = convOutputLength(inH, kh, s, layer.padding);
      const outW = convOutputLength(inW, kw, s, layer.padding);
      const padTop = layer.padding === 'same' ? samePadBefore(inH, kh, s) : 0;
      const padLeft = layer.padding === 'same' ? samePadBefore(inW, kw, s) : 0;
      geometry = { inH, inW, inC, outH, outW, kh, kw, stride: s, padTop, padLeft };
      outC = layer.filters;
      mapShape = [outH, outW, outC];
      if (layer.kind === 'separable-conv') {
        const dw = checkWeights(fail, 'depthwise weights', layer.depthwise, kh * kw * inC, layer.weightBits);
        const pw = checkWeights(fail, 'pointwise weights', layer.pointwise, inC * outC, layer.weightBits);
        // depthwise sums per channel: worst positive and negative, then the pointwise combination
        const dPos = new Float64Array(inC);
        const dNeg = new Float64Array(inC);
        for (let i = 0; i < dw.length; i++) {
          const c = i % inC;
          if (dw[i] > 0) dPos[c] += dw[i] * inputMax;
          else dNeg[c] -= dw[i] * inputMax;
        }
        let worst = 0;
        for (let c = 0; c < inC; c++) worst = Math.max(worst, dPos[c], dNeg[c]);
        for (let co = 0; co < outC; co++) {
          let hi = 0;
          let lo = 0;
          for (let c = 0; c < inC; c++) {
            const w = pw[c * outC + co];
            if (w > 0) {
              hi += w * dPos[c];
              lo += w * dNeg[c];
            } else {
              hi -= w * dNeg[c];
              lo -= w * dPos[c];
            }
          }
          worst = Math.max(worst, hi, lo);
        }
        bound = worst;
      } else {
        const w = checkWeights(fail, 'weights', layer.weights, kh * kw * inC * outC, layer.weightBits);
        bound = worstPotential(w, outC, () => inputMax);
      }
    }
    if (bound >= MAX_POTENTIAL) {
      fail(`worst-case potential ${bound} reaches 2^27 = ${MAX_POTENTIAL} (16·p must fit an int32): too many inputs or too large weights`);
    }
    layers.push({
      index,
      layer,
      inShape,
      mapShape,
      outShape,
      geometry,
      activation,
      pool,
      inputMax,
      potentialBound: bound,
      denseMacs: layerDenseMacs(layer.kind, geometry, size(inShape), outC),
    });
    inShape = outShape;
    inputMax = activation ? activation.maxOut : 0;
  });
  return { input: shapes.input, inputSize: size(shapes.input), inputMax: modelInputMax, layers };
}

/** One layer of one execution path: owns its scratch and output buffers, allocated once. */
export interface LayerRunner {
  readonly plan: LayerPlan;
  /** uint8 activations, or int32 potentials for a last layer without activation; overwritten by each run */
  readonly output: Uint8Array | Int32Array;
  /** Reads the layer's input (uint8 HWC), writes `output`; fills the counts of `stats` when given. */
  run(input: Uint8Array, stats: import('./stats').LayerStats | null): void;
}

/** Index of the first value above `max`, or −1. */
export function firstAbove(a: Uint8Array, max: number): number {
  for (let i = 0; i < a.length; i++) if (a[i] > max) return i;
  return -1;
}

export function countNonZero(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}

export function outputBuffer(plan: LayerPlan): Uint8Array | Int32Array {
  const n = plan.outShape[0] * plan.outShape[1] * plan.outShape[2];
  return plan.activation ? new Uint8Array(n) : new Int32Array(n);
}
