/**
 * The quantized model as the simulated NSoC executes it: integer weights at
 * 1/2/4/8 bits, integer thresholds and steps, uint8 activations. Everything a
 * model file stores and the converter produces. Tensors are HWC; convolution
 * weights are HWIO ([kh][kw][cin][cout]) so that one input event scatters a
 * contiguous run of output-channel weights.
 *
 * Arithmetic (docs/NSOC.md gives the full statement):
 * - potential p = Σ w·a over the receptive field, exact in int32 (inputs are
 *   uint8 activations, weights small integers);
 * - activation of b bits from p with per-channel integer threshold T and step s,
 *   both in 1/16 units of p (the hardware keeps 4 fractional bits):
 *     out = 0 if 16p ≤ T, else min(ceil((16p − T) / s), 2^b − 1);
 * - max pooling takes the max of activations (equal to pooling potentials,
 *   since the activation is monotonic); global average pooling activates the
 *   spatial mean exactly: 16·Σp compared with N·T and divided by N·s;
 * - a layer without activation outputs int32 potentials (the classifier).
 */

export type WeightBits = 1 | 2 | 4 | 8;
export type ActivationBits = 1 | 2 | 4;
export type Padding = 'same' | 'valid';

/** Fractional bits of thresholds and steps (potential units × 16). */
export const THRESHOLD_FRACTION_BITS = 4;

export interface TimeChannelEncoding {
  kind: 'time-channel';
  windowUs: number;
  bins: number;
  polarities: 1 | 2;
  /** the sensor region is scaled to the input's width × height */
  clip: number;
}

export interface CochleaEncoding {
  kind: 'cochlea';
  [k: string]: unknown;
}

export interface ModelInput {
  height: number;
  width: number;
  channels: number;
  /** input activation bits: values are 0 … 2^bits − 1 */
  bits: 1 | 2 | 4 | 8;
  encoding?: TimeChannelEncoding | CochleaEncoding;
}

export interface Activation {
  bits: ActivationBits;
  /** per output channel, in 1/16 potential units */
  threshold: Int32Array;
  /** per output channel, in 1/16 potential units, > 0 */
  step: Int32Array;
}

export type Pooling = { kind: 'max'; size: number; stride: number } | { kind: 'global-avg' };

interface LayerBase {
  name: string;
  /** null: the layer outputs raw int32 potentials (only allowed last) */
  activation: Activation | null;
  pool?: Pooling;
  /** float scale of each output unit, kept for dequantized reporting (not used by the integer path) */
  outputScale?: Float32Array;
  /**
   * float offset of each output unit, like outputScale (not used by the integer
   * path): the last layer's score is outputScale·p + outputBias — the bias of a
   * classifier without activation, which its integer potentials leave out
   */
  outputBias?: Float32Array;
}

/** 8-bit weights over the uint8 input frame (the NSoC's input convolution). */
export interface InputConvLayer extends LayerBase {
  kind: 'input-conv';
  kernel: [number, number];
  stride: number;
  padding: Padding;
  filters: number;
  weightBits: 8;
  /** HWIO, values in [−127, 127] */
  weights: Int8Array;
}

export interface ConvLayer extends LayerBase {
  kind: 'conv';
  kernel: [number, number];
  stride: number;
  padding: Padding;
  filters: number;
  weightBits: WeightBits;
  /** HWIO; values in [−k_max, k_max], k_max = 2^(b−1) − 1; 1-bit weights are ±1 */
  weights: Int8Array;
}

/** Depthwise (per-channel kh×kw) then pointwise (1×1) — one NSoC layer. */
export interface SeparableConvLayer extends LayerBase {
  kind: 'separable-conv';
  kernel: [number, number];
  stride: number;
  padding: Padding;
  filters: number;
  weightBits: WeightBits;
  /** [kh][kw][cin] */
  depthwise: Int8Array;
  /** [cin][cout] */
  pointwise: Int8Array;
}

/** Over a 1×1×C input (flattened HWC otherwise). */
export interface DenseLayer extends LayerBase {
  kind: 'dense';
  units: number;
  weightBits: WeightBits;
  /** [inputs][units] */
  weights: Int8Array;
}

export type Layer = InputConvLayer | ConvLayer | SeparableConvLayer | DenseLayer;

export interface QuantizedModel {
  name: string;
  input: ModelInput;
  layers: Layer[];
  /** class names, one per output unit of the last layer */
  labels: string[];
  /** provenance, accuracy figures, anything for the model card */
  meta: Record<string, unknown>;
}

export function kMax(bits: WeightBits): number {
  return bits === 1 ? 1 : (1 << (bits - 1)) - 1;
}
